"""Benchmark ldpub side by side with Oxigraph server and rdflib-endpoint on the same exported data.

    python benchmarks/run.py --documents 1000,10000,100000 [--runs 3] [--duration 10]

For each corpus size: write the corpus (benchmarks/make_corpus.py), build it with ``ldpub build`` (wall
time, per-step times, peak memory of the build's process tree), measure the store on disk, export it
(``ldpub export --format nquads``), load the export into ``oxigraph load`` + ``oxigraph serve-read-only
--union-default-graph`` and into ``rdflib-endpoint serve`` (up to ``--rdflib-max-documents``: its store is
in memory), then drive each server with ``wrk`` (16 connections, a warm-up, ``--runs`` runs, medians):

* dereference: ldpub ``/doc/...`` (Turtle, JSON-LD, HTML) vs ``DESCRIBE <iri>`` on the others, over a
  fixed sample of resources (documents, entities, annotations, objects, events, assertions);
* SPARQL: every query of queries/, results checked identical to Oxigraph's (same rows, any order);
* reconciliation: benchmarks/recon_batch.py (a batch of 100 queries);
* server memory (PSS of every process of the server) at rest and the peak under load;
* scaling: ``ldpub serve --store-url`` with 1 and 2 worker processes against one Oxigraph server.

Corpora, stores and exports are kept in ``--work`` and reused when complete (``--rebuild`` redoes them).
The figures go to ``--work``/results-N.json, benchmarks/results.json and benchmarks/RESULTS.md (with
plots in benchmarks/plots/), which benchmarks/report.py writes.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from benchlib import (  # noqa: E402
    Measured,
    Server,
    fetch,
    free_port,
    graph_size,
    measure,
    query_path,
    result_rows,
    server,
    tree_memory,
    write_lua,
)

from ldpub.settings import load_settings  # noqa: E402
from ldpub.store import open_published  # noqa: E402
from ldpub.store.remote import BUILD_ID, GRAPH, INFO, release_graph  # noqa: E402

PY = sys.executable
BIN = Path(PY).parent
PREFIX = {"ldpub": "/sparql", "oxigraph": "/query", "rdflib": "/"}
"""Where each system answers SPARQL queries (rdflib-endpoint: at its root)."""
FORMATS = {"turtle": "text/turtle", "jsonld": "application/ld+json", "html": "text/html"}
STRATA = [  # (class, share of the sample) — what a crawler or a reader dereferences
    ("http://www.cidoc-crm.org/cidoc-crm/E31_Document", 0.35),
    ("http://www.cidoc-crm.org/cidoc-crm/E21_Person", 0.10),
    ("http://www.cidoc-crm.org/cidoc-crm/E74_Group", 0.05),
    ("http://www.cidoc-crm.org/cidoc-crm/E53_Place", 0.05),
    ("http://www.w3.org/ns/oa#Annotation", 0.15),
    ("http://www.cidoc-crm.org/cidoc-crm/E22_Human-Made_Object", 0.10),
    ("http://www.cidoc-crm.org/cidoc-crm/E5_Event", 0.10),
    ("http://www.cidoc-crm.org/cidoc-crm/E13_Attribute_Assignment", 0.10),
]
LDPUB_ENV = {"LDPUB_SPARQL_MAX_ROWS": "100000000", "LDPUB_SPARQL_TIMEOUT": "300"}
"""A deployment configured for the comparison: no row cap (Oxigraph has none), a long time limit."""


def log(message: str) -> None:
    print(f"[{datetime.now(UTC):%H:%M:%S}] {message}", flush=True)


def run(command: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    log("$ " + " ".join(command))
    return subprocess.run(command, check=True, text=True, **kwargs)


def du(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


# Corpus and build.


def make_corpus(n: int, seed: int, corpus: Path, rebuild: bool) -> None:
    if corpus.is_dir() and len(list(corpus.glob("*.txt"))) == n and not rebuild:
        return
    shutil.rmtree(corpus, ignore_errors=True)
    run([PY, str(HERE / "make_corpus.py"), "--documents", str(n), "--seed", str(seed), "--out", str(corpus)])


def build(corpus: Path, store: Path, build_log: Path, rebuild: bool) -> dict[str, Any]:
    """Run (or reuse) ``ldpub build`` under ``/usr/bin/time -v`` and read its figures from the log."""
    if rebuild or not build_log.exists() or "built release" not in build_log.read_text():
        shutil.rmtree(store, ignore_errors=True)
        command = ["/usr/bin/time", "-v", str(BIN / "ldpub"), "build", "--sources", str(corpus)]
        command += ["--store", str(store), "--quiet"]
        log("$ " + " ".join(command))
        with build_log.open("w") as out:
            process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
            peak = 0.0
            while process.poll() is None:
                peak = max(peak, tree_memory(process.pid)[0])
                time.sleep(1.0)
        if process.returncode != 0:
            raise SystemExit(f"the build failed; see {build_log}")
        (build_log.with_suffix(".peak")).write_text(f"{peak:.1f}\n")
    return parse_build_log(build_log)


def parse_build_log(path: Path) -> dict[str, Any]:
    text = path.read_text()
    line = next(x for x in text.splitlines() if x.startswith("built release"))
    documents = int(re.search(r"(\d+) document\(s\)", line).group(1))  # type: ignore[union-attr]
    triples = int(re.search(r"(\d+) triples", line).group(1))  # type: ignore[union-attr]
    steps = {k: float(v) for k, v in re.findall(r"(\w+) ([\d.]+)s", line.split("[", 1)[1])}
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)", text)
    parts = [float(x) for x in wall.group(1).split(":")] if wall else []  # type: ignore[union-attr]
    seconds = sum(x * 60**i for i, x in enumerate(reversed(parts)))
    maxrss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", text)
    peak_file = path.with_suffix(".peak")
    return {
        "documents": documents,
        "triples": triples,
        "seconds": seconds,
        "steps": steps,
        "documents_per_s": documents / seconds if seconds else 0.0,
        "triples_per_s": triples / seconds if seconds else 0.0,
        "max_rss_mb": int(maxrss.group(1)) / 1024 if maxrss else None,
        "peak_tree_pss_mb": float(peak_file.read_text()) if peak_file.exists() else None,
        "line": line,
    }


# Exports and the other servers' databases.


def export(store: Path, target: Path, rebuild: bool) -> float:
    if target.exists() and not rebuild:
        return 0.0
    started = time.monotonic()
    run([str(BIN / "ldpub"), "export", "--store", str(store), "--format", "nquads", "--output", str(target)])
    return time.monotonic() - started


def release_quads(store: Path, base_uri: str) -> str:
    """The release description ``ldpub build --store-url`` writes (ldpub.store.remote), as N-Quads."""
    published = open_published(store)
    try:
        info, graphs = published.release_info(), published.graphs()
    finally:
        published.close()
    assert info is not None
    g = release_graph(base_uri)
    lit = json.dumps  # N-Quads string escapes are a subset of JSON's for these texts
    lines = [f"<{g}> <{BUILD_ID}> {lit(info.build_id)} <{g}> .", f"<{g}> <{INFO}> {lit(info.to_json())} <{g}> ."]
    lines += [f"<{g}> <{GRAPH}> <{name}> <{g}> ." for name in graphs]
    return "\n".join(lines) + "\n"


def oxigraph_load(location: Path, files: list[Path], rebuild: bool) -> float:
    done = location / ".loaded"
    if done.exists() and not rebuild:
        return 0.0
    shutil.rmtree(location, ignore_errors=True)
    started = time.monotonic()
    command = [str(BIN / "oxigraph"), "load", "--location", str(location)]
    for file in files:
        command += ["--file", str(file)]
    run(command, stdout=subprocess.DEVNULL)
    done.write_text("ok\n")
    return time.monotonic() - started


# Samples.


def sample_resources(store: Path, size: int, base: str) -> list[str]:
    """A fixed sample of resource IRIs (same seed, same sample), stratified by class (:data:`STRATA`)."""
    published = open_published(store)
    rng = random.Random(1)
    chosen: list[str] = []
    try:
        for cls, share in STRATA:
            result = published.query(f"SELECT DISTINCT ?s WHERE {{ ?s a <{cls}> }}")
            iris = sorted(str(r["s"]) for r in result.rows if str(r["s"]).startswith(f"{base}/id/"))  # type: ignore[union-attr]
            want = max(1, round(size * share))
            chosen += rng.sample(iris, min(want, len(iris))) if len(iris) > want else iris
    finally:
        published.close()
    rng.shuffle(chosen)
    return chosen


# Measurements.


def _check(target: Server, paths: list[str], accept: str, timeout: float, parallel: int = 1) -> tuple[int, list[float]]:
    """One request per path (``parallel`` at a time): (non-2xx or empty answers, seconds of each)."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=parallel) as pool:
        answers = list(pool.map(lambda path: fetch(target.url + path, accept, timeout), paths))
    bad = sum(not (200 <= status < 300) or not body for status, body, _ in answers)
    return bad, [took for _, _, took in answers]


def _sequential(bad: int, seconds: list[float], duration: float) -> dict[str, Any]:
    mean = statistics.mean(seconds)
    out = asdict(Measured(1 / mean, 1000 * statistics.median(seconds), 1000 * max(seconds), bad))
    out["note"] = f"sequential ({len(seconds)} requests, {mean:.2f} s each): too slow for a {duration:g} s wrk run"
    return out


def _load(jobs: dict[str, tuple[Server, Path]], args: argparse.Namespace) -> dict[str, Measured]:
    return measure(jobs, runs=args.runs, duration=args.duration, warmup=args.warmup, connections=args.connections)


def deref(servers: dict[str, Server], iris: list[str], base: str, args: argparse.Namespace, work: Path) -> dict[str, Any]:
    """Dereference throughput and latency per system and format; non-2xx counted (wrk + a checking pass)."""
    out: dict[str, Any] = {}
    doc_paths = ["/doc/" + iri.removeprefix(f"{base}/id/") for iri in iris]
    for fmt, accept in FORMATS.items():
        if fmt not in args.formats.split(","):
            continue
        jobs: dict[str, tuple[Server, Path]] = {}
        for system, target in servers.items():
            if system == "ldpub":
                paths = doc_paths
            elif fmt == "html":
                continue
            else:
                prefix = PREFIX[system]
                paths = [query_path(prefix, f"DESCRIBE <{iri}>") for iri in iris]
            # a correctness pass over the paths (all of ldpub's; the first ones of the others)
            checked = paths if system == "ldpub" else paths[: args.check_third_party]
            bad, seconds = _check(target, checked, accept, args.query_timeout, args.connections)
            key = f"{system}/{fmt}"
            if statistics.mean(seconds) > args.sequential_above:
                out[key] = _sequential(bad, seconds, args.duration)
            else:
                jobs[key] = (target, write_lua(work / f"deref-{system}-{fmt}.lua", paths, {"Accept": accept}))
                out[key] = {"errors": bad}
            out[key]["first_pass_p50_ms"] = 1000 * statistics.median(seconds)
            out[key]["checked"] = len(checked)
        for key, measured in _load(jobs, args).items():
            bad = out[key]["errors"]
            out[key].update(asdict(measured))
            out[key]["errors"] += bad
        for key in sorted(k for k in out if k.endswith(f"/{fmt}")):
            log(f"deref {key}: {out[key]['rps']:.0f}/s p50 {out[key]['p50_ms']:.1f} ms errors {out[key]['errors']}")
    return out


def answer_of(body: bytes, accept: str) -> Any:
    if "sparql-results" in accept:
        rows = result_rows(body)
        return rows if isinstance(rows, bool) else sorted(rows.items(), key=repr)
    return graph_size(body)


def sparql(servers: dict[str, Server], args: argparse.Namespace, work: Path) -> dict[str, Any]:
    """Throughput and latency of every query in queries/; each answer's digest kept to compare with Oxigraph's."""
    out: dict[str, Any] = {}
    for file in sorted((ROOT / "queries").glob("*.rq")):
        text = file.read_text(encoding="utf-8")
        body_text = "\n".join(x for x in text.splitlines() if not x.lstrip().startswith("#"))
        graph = re.search(r"\b(CONSTRUCT|DESCRIBE)\b", body_text)
        accept = "text/turtle" if graph else "application/sparql-results+json"
        jobs: dict[str, tuple[Server, Path]] = {}
        for system, target in servers.items():
            path = query_path(PREFIX[system], text)
            status, body, took = fetch(target.url + path, accept, timeout=args.query_timeout)
            key = f"{file.stem}/{system}"
            if status != 200:
                out[key] = {"rps": 0.0, "p50_ms": took * 1000, "p99_ms": took * 1000, "errors": 1,
                            "note": f"HTTP {status}: {body[:200]!r}"}  # fmt: skip
                continue
            answer = answer_of(body, accept)
            out[key] = {
                "digest": hashlib.sha256(repr(answer).encode()).hexdigest()[:16],
                "size": answer if isinstance(answer, (int, bool)) else sum(c for _, c in answer),
                "single_ms": took * 1000,
                "errors": 0,
            }
            if took > args.sparql_sequential_above:  # a heavy query: 16 at once only measure the queue
                _, more = _check(target, [path, path], accept, args.query_timeout)
                out[key].update(_sequential(0, [took, *more], args.duration))
            else:
                jobs[key] = (target, write_lua(work / f"q-{file.stem}-{system}.lua", [path], {"Accept": accept}))
        for key, measured in _load(jobs, args).items():
            out[key].update(asdict(measured))
        for key in sorted(k for k in out if k.startswith(f"{file.stem}/")):
            log(f"sparql {key}: {out[key]['rps']:.1f}/s p50 {out[key]['p50_ms']:.1f} ms size {out[key].get('size')}")
    return out


def recon(store: Path) -> dict[str, float]:
    result = run([PY, str(HERE / "recon_batch.py"), "--store", str(store), "--runs", "5", "--no-record"],
                 capture_output=True)  # fmt: skip
    figures = {}
    for label, key in [("index build", "index_ms"), ("in-process", "in_process_ms"),
                       ("through the Flask app", "flask_ms"), ("real server", "server_ms")]:  # fmt: skip
        match = re.search(re.escape(label) + r"[^*]*\*\*([\d.]+) ms\*\*", result.stdout)
        if match:
            figures[key] = float(match.group(1))
    return figures


def ldpub_command(port: int, *, store: Path | None = None, store_url: str | None = None, workers: int = 2) -> list[str]:
    command = [str(BIN / "ldpub"), "--config", str(ROOT / "ldpub.toml"), "serve", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--workers", str(workers)]
    command += ["--store", str(store)] if store else ["--store-url", str(store_url)]
    return command


def scaling(remote_db: Path, iris: list[str], base: str, args: argparse.Namespace, work: Path) -> dict[str, Any]:
    """ldpub serve --store-url with 1 and 2 worker processes against one Oxigraph server."""
    out: dict[str, Any] = {}
    oxi_port = free_port()
    oxi_cmd = [str(BIN / "oxigraph"), "serve-read-only", "--location", str(remote_db), "--bind", f"127.0.0.1:{oxi_port}"]
    ask = (ROOT / "queries" / "15-mentions-person-ask.rq").read_text()
    with server("oxigraph-remote", oxi_cmd, f"http://127.0.0.1:{oxi_port}/", work / "oxigraph-remote.log"):
        for workers in (1, 2):
            port = free_port()
            command = ldpub_command(port, store_url=f"http://127.0.0.1:{oxi_port}/query", workers=workers)
            with server(f"ldpub-remote-{workers}", command, f"http://127.0.0.1:{port}/sparql", work / "ldpub-remote.log",
                        env=LDPUB_ENV) as target:  # fmt: skip
                paths = ["/doc/" + iri.removeprefix(f"{base}/id/") for iri in iris]
                script = write_lua(work / "scale-doc.lua", paths, {"Accept": "text/turtle"})
                for path in paths:
                    fetch(target.url + path, "text/turtle")
                doc = _load({"doc": (target, script)}, args)["doc"]
                qscript = write_lua(work / "scale-ask.lua", [query_path("/sparql", ask)],
                                    {"Accept": "application/sparql-results+json"})  # fmt: skip
                query = _load({"ask": (target, qscript)}, args)["ask"]
                out[str(workers)] = {"doc_turtle": asdict(doc), "sparql_ask": asdict(query)}
                log(f"scaling {workers} process(es): doc {doc.rps:.0f}/s, ask {query.rps:.0f}/s")
    return out


def one_size(n: int, args: argparse.Namespace) -> dict[str, Any]:
    work: Path = args.work
    corpus, store = work / f"corpus-{n}", work / f"store-{n}"
    settings = load_settings()
    base = settings.base_uri.rstrip("/")
    make_corpus(n, args.seed, corpus, args.rebuild)
    result: dict[str, Any] = {"documents": n, "build": build(corpus, store, work / f"build-{n}.log", args.rebuild)}
    current = (store / "CURRENT").read_text().strip()
    result["store_bytes"] = du(store / "releases" / current)
    result["store_folder_bytes"] = du(store)
    nq = work / f"export-{n}.nq"
    result["export_seconds"] = export(store, nq, args.rebuild)
    result["export_bytes"] = nq.stat().st_size
    result["oxigraph_load_seconds"] = oxigraph_load(work / f"oxigraph-{n}", [nq], args.rebuild)
    result["oxigraph_bytes"] = du(work / f"oxigraph-{n}")
    release_nq = work / f"release-{n}.nq"
    release_nq.write_text(release_quads(store, base))
    oxigraph_load(work / f"oxigraph-remote-{n}", [nq, release_nq], args.rebuild)
    iris = sample_resources(store, args.sample, base)
    result["sample"] = len(iris)
    ports = {name: free_port() for name in ("ldpub", "oxigraph", "rdflib")}
    oxigraph = [str(BIN / "oxigraph"), "serve-read-only", "--location", str(work / f"oxigraph-{n}")]
    oxigraph += ["--union-default-graph", "--bind", f"127.0.0.1:{ports['oxigraph']}"]
    rdflib = [str(BIN / "rdflib-endpoint"), "serve", str(nq), "--host", "127.0.0.1", "--port", str(ports["rdflib"])]
    commands = {
        "ldpub": (ldpub_command(ports["ldpub"], store=store), "/sparql"),
        "oxigraph": (oxigraph, "/"),
        "rdflib": (rdflib, "/?query=ASK%7B%7D"),
    }
    systems = ["ldpub", "oxigraph"] + (["rdflib"] if n <= args.rdflib_max_documents else [])
    result["commands"] = {name: " ".join(commands[name][0]) for name in systems}
    result["memory"] = {}
    with contextlib.ExitStack() as stack:
        running: dict[str, Server] = {}
        for name in systems:  # started one at a time, so each load and start-up is its own
            command, probe = commands[name]
            started = time.monotonic()
            running[name] = stack.enter_context(server(
                name, command, f"http://127.0.0.1:{ports[name]}{probe}", work / f"{name}-{n}.log",
                env=LDPUB_ENV if name == "ldpub" else None, wait=7200,
            ))  # fmt: skip
            result.setdefault("startup_seconds", {})[name] = time.monotonic() - started
        time.sleep(2)
        for name, target in running.items():
            pss, rss = tree_memory(target.process.pid)
            result["memory"][name] = {"rest_pss_mb": pss, "rest_rss_mb": rss}
        result["loadavg_before"] = os.getloadavg()
        result["deref"] = deref(running, iris, base, args, work)
        (work / f"results-{n}.partial.json").write_text(json.dumps(result, indent=1, default=str))
        result["sparql"] = sparql(running, args, work) if not args.skip_sparql else {}
        result["loadavg_after"] = os.getloadavg()
        for name, target in running.items():
            figures = [v for k, v in (*result["deref"].items(), *result["sparql"].items()) if k.split("/")[-1] == name
                       or k.split("/")[0] == name]  # fmt: skip
            result["memory"][name]["load_peak_pss_mb"] = max((v.get("peak_pss_mb", 0.0) for v in figures), default=0.0)
            result["memory"][name]["after_pss_mb"] = target.pss_mb()
    if n > args.rdflib_max_documents:
        result["rdflib_skipped"] = (
            f"rdflib-endpoint not run at {n} documents: it parses the whole export into rdflib's in-memory "
            f"store ({result['build']['triples']:,} triples) before answering"
        )
    compare_answers(result)
    if not args.skip_recon:
        result["recon"] = recon(store)
    if not args.skip_scaling:
        result["scaling"] = scaling(work / f"oxigraph-remote-{n}", iris[: args.sample], base, args, work)
    return result


def compare_answers(result: dict[str, Any]) -> None:
    """Whether each system's answer to each query equals Oxigraph's (digests of the sorted rows)."""
    by_query: dict[str, dict[str, Any]] = {}
    for key, value in result["sparql"].items():
        query, system = key.split("/")
        by_query.setdefault(query, {})[system] = value
    result["sparql_identical"] = {}
    for query, systems in by_query.items():
        ref = systems.get("oxigraph", {}).get("digest")
        result["sparql_identical"][query] = {s: v.get("digest") == ref and ref is not None for s, v in systems.items()}


def machine() -> dict[str, Any]:
    def version(command: list[str]) -> str:
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=30)
            return (done.stdout or done.stderr).strip().splitlines()[0]
        except (OSError, IndexError, subprocess.TimeoutExpired):
            return "?"

    from importlib.metadata import version as pkg

    cpu = next((x.split(":", 1)[1].strip() for x in Path("/proc/cpuinfo").read_text().splitlines()
                if x.startswith("model name")), platform.processor())  # fmt: skip
    mem = next(x for x in Path("/proc/meminfo").read_text().splitlines() if x.startswith("MemTotal"))
    packages = ["ldpub", "rdflib", "pyoxigraph", "oxigraph", "granian", "flask", "rdflib-endpoint", "uvicorn"]
    versions = {}
    for name in packages:
        try:
            versions[name] = pkg(name)
        except Exception:
            versions[name] = "?"
    versions["wrk"] = version(["wrk", "-v"])
    versions["python"] = platform.python_version()
    return {"cpus": len(__import__("os").sched_getaffinity(0)), "cpu": cpu,
            "memory_gb": round(int(mem.split()[1]) / 2**20, 1), "kernel": platform.release(),
            "versions": versions}  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", default="1000,10000,100000", help="corpus sizes, comma-separated")
    parser.add_argument("--runs", type=int, default=3, help="wrk runs per figure (the median is kept)")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per wrk run")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds of warm-up load before the runs")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--sample", type=int, default=1000, help="resources dereferenced (cycled over)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--work", type=Path, default=Path("/tmp/ldpub-bench"))
    parser.add_argument("--rebuild", action="store_true", help="redo corpora, builds, exports and loads")
    parser.add_argument("--rdflib-max-documents", type=int, default=1000)
    parser.add_argument("--check-third-party", type=int, default=50, help="DESCRIBE answers checked first")
    parser.add_argument("--sequential-above", type=float, default=2.0,
                        help="seconds per request above which a system is timed one request at a time, not with wrk")
    parser.add_argument("--sparql-sequential-above", type=float, default=0.25,
                        help="seconds above which a query is timed one request at a time (3 requests)")
    parser.add_argument("--formats", default="turtle,jsonld,html", help="dereference formats measured")
    parser.add_argument("--query-timeout", type=float, default=600.0)
    parser.add_argument("--skip-sparql", action="store_true")
    parser.add_argument("--skip-recon", action="store_true")
    parser.add_argument("--skip-scaling", action="store_true")
    parser.add_argument("--no-report", action="store_true", help="only write the JSON results")
    args = parser.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    sizes = [int(x) for x in args.documents.split(",")]
    results = {"started": datetime.now(UTC).isoformat(timespec="seconds"), "machine": machine(),
               "command": "python benchmarks/run.py " + " ".join(argv if argv is not None else sys.argv[1:]),
               "sizes": {}}  # fmt: skip
    for n in sizes:
        log(f"== {n} documents")
        results["sizes"][str(n)] = one_size(n, args)
        (args.work / f"results-{n}.json").write_text(json.dumps(results["sizes"][str(n)], indent=1))
        (HERE / "results.json").write_text(json.dumps(results, indent=1))
    results["finished"] = datetime.now(UTC).isoformat(timespec="seconds")
    (HERE / "results.json").write_text(json.dumps(results, indent=1))
    if not args.no_report:
        from report import write_report

        write_report(results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
