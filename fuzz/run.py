"""Run every atheris harness of fuzz/ for a bounded time and summarise (issue 7, item 4).

    python fuzz/run.py --seconds 600                 # each harness 600 s, one after the other
    python fuzz/run.py --seconds 60 --only parsers
    python fuzz/run.py --seconds 9000 --parallel     # all harnesses at once, 9000 s each

Each harness's libFuzzer output is written as it runs to <workdir>/<harness>.log (the work directory is the
first line printed), so a long run's progress (`#N ... exec/s`) can be read while it goes.

Each corpus starts from the captures in data/sources/ and tests/data/captures/ (plus a few headers and
queries); findings (crash-*, timeout-*, oom-*) are written to fuzz/findings/. Prints one JSON line per
harness: seconds, executions, corpus size, findings. Exits 1 when a harness found anything.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
HARNESSES = {"read": "fuzz_read.py", "parsers": "fuzz_parsers.py", "web": "fuzz_web.py"}
SEEDS = [
    b"text/turtle;q=0.9, application/ld+json, */*;q=0.1",
    b"<http://www.europeana.eu/schemas/edm/>;q=0.5, <https://schema.org/>",
    b"March 24, 1962",
    b"Obtained by Shen Zhihua and translated by Jeffrey Wang and Charles Kraus.",
    b"\x00SELECT * WHERE { ?s ?p ?o } LIMIT 3",
    b"\x02verb=ListRecords&metadataPrefix=oai_dc",
]


def seed(corpus: Path) -> None:
    corpus.mkdir(parents=True, exist_ok=True)
    files = sorted((ROOT / "data" / "sources").glob("*")) + sorted(
        (ROOT / "tests" / "data" / "captures").glob("*.txt")
    )
    for n, path in enumerate(files):
        shutil.copyfile(path, corpus / f"seed-{n}")
    for n, data in enumerate(SEEDS):
        (corpus / f"seed-x{n}").write_bytes(data)


def start(
    name: str, seconds: int, workdir: Path, timeout: int = 10
) -> tuple[subprocess.Popen[bytes], float, set[Path]]:
    corpus = workdir / name
    seed(corpus)
    findings = HERE / "findings"
    findings.mkdir(exist_ok=True)
    command = [
        sys.executable, str(HERE / HARNESSES[name]), f"-max_total_time={seconds}", f"-timeout={timeout}",
        "-rss_limit_mb=4096", "-print_final_stats=1", "-max_len=20000",
        f"-artifact_prefix={findings}/{name}-",
        str(corpus),
    ]  # fmt: skip
    before = set(findings.iterdir())
    log = (workdir / f"{name}.log").open("wb")
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=log, cwd=HERE)
    log.close()
    return process, time.monotonic(), before


def finish(
    name: str,
    seconds: int,
    workdir: Path,
    process: subprocess.Popen[bytes],
    started: float,
    before: set[Path],
) -> dict[str, object]:
    try:
        process.wait(timeout=max(1.0, seconds + 600 - (time.monotonic() - started)))
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    elapsed = time.monotonic() - started
    log = (workdir / f"{name}.log").read_text(encoding="utf-8", errors="replace")
    execs = re.findall(r"stat::number_of_executed_units:\s*(\d+)", log)
    new = sorted(p.name for p in set((HERE / "findings").iterdir()) - before if p.name.startswith(name + "-"))
    return {
        "harness": name,
        "seconds": round(elapsed),
        "executions": int(execs[-1]) if execs else None,
        "corpus": len(list((workdir / name).iterdir())),
        "exit": process.returncode,
        "findings": new,
        "log": str(workdir / f"{name}.log"),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=600)
    parser.add_argument("--only", choices=sorted(HARNESSES), action="append")
    parser.add_argument("--parallel", action="store_true", help="run the harnesses at the same time")
    parser.add_argument(
        "--timeout", type=int, default=10,
        help="seconds of wall time one input may take (raise it for a run at idle priority: a busy machine "
        "can stall the process longer than that, and the stall is reported as a timeout)",
    )  # fmt: skip
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="ldpub-fuzz-run-"))
    print(json.dumps({"workdir": str(workdir), **vars(args)}), flush=True)
    names = args.only or list(HARNESSES)
    failed = False
    if args.parallel:
        running = [(name, *start(name, args.seconds, workdir, args.timeout)) for name in names]
        results = [finish(name, args.seconds, workdir, *rest) for name, *rest in running]
    else:
        results = []
        for name in names:
            started = start(name, args.seconds, workdir, args.timeout)
            results.append(finish(name, args.seconds, workdir, *started))
            print(json.dumps(results[-1]), flush=True)
    for result in results:
        failed |= bool(result["findings"]) or result["exit"] != 0
        if args.parallel:
            print(json.dumps(result), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
