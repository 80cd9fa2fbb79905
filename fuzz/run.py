"""Run every atheris harness of fuzz/ for a bounded time and summarise (issue 7, item 4).

    python fuzz/run.py --seconds 600                 # each harness 600 s, one after the other
    python fuzz/run.py --seconds 60 --only parsers

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


def run(name: str, seconds: int, workdir: Path) -> dict[str, object]:
    corpus = workdir / name
    seed(corpus)
    findings = HERE / "findings"
    findings.mkdir(exist_ok=True)
    command = [
        sys.executable, str(HERE / HARNESSES[name]), f"-max_total_time={seconds}", "-timeout=10",
        "-rss_limit_mb=4096", "-print_final_stats=1", "-max_len=20000",
        f"-artifact_prefix={findings}/{name}-",
        str(corpus),
    ]  # fmt: skip
    before = set(findings.iterdir())
    started = time.monotonic()
    done = subprocess.run(command, capture_output=True, text=True, cwd=HERE, timeout=seconds + 600)
    elapsed = time.monotonic() - started
    log = done.stderr
    (workdir / f"{name}.log").write_text(log, encoding="utf-8")
    execs = re.findall(r"stat::number_of_executed_units:\s*(\d+)", log)
    new = sorted(p.name for p in set(findings.iterdir()) - before)
    return {
        "harness": name,
        "seconds": round(elapsed),
        "executions": int(execs[-1]) if execs else None,
        "corpus": len(list(corpus.iterdir())),
        "exit": done.returncode,
        "findings": new,
        "log": str(workdir / f"{name}.log"),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=600)
    parser.add_argument("--only", choices=sorted(HARNESSES), action="append")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="ldpub-fuzz-run-"))
    failed = False
    for name in args.only or list(HARNESSES):
        result = run(name, args.seconds, workdir)
        failed |= bool(result["findings"]) or result["exit"] != 0
        print(json.dumps(result), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
