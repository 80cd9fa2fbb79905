"""Benchmark ldpub side by side with Oxigraph server and rdflib-endpoint on the same data.

    python benchmarks/run.py --documents 1000,10000,100000 [--runs 3] [--duration 10]

For each corpus size: write the corpus (benchmarks/make_corpus.py), build it with ``ldpub build`` (wall
time, per-step times, peak memory of the build's process tree) and measure the published release on disk.
Then serve it three ways on 127.0.0.1:

* ``ldpub serve`` over the store;
* ``oxigraph serve-read-only --union-default-graph`` directly on the release's own Oxigraph database
  (``STORE/releases/<CURRENT>/oxigraph``, opened read-only beside ldpub: the same data, no copy, no load);
* ``rdflib-endpoint serve`` on the release's N-Quads (the build's gzipped dump, found through
  ``STORE/dumps/*/manifest.json``, unpacked for it and deleted when it stops), only when its in-memory store
  fits: its memory is estimated from the quad count before it starts and compared with ``MemAvailable``.

and drive each with ``wrk`` (16 connections, a warm-up, ``--runs`` runs, medians, 2xx answers counted):

* dereference: ldpub ``/doc/...`` (Turtle, JSON-LD, HTML) vs ``DESCRIBE <iri>`` on the others, over a
  fixed sample of resources (documents, entities, annotations, objects, events, assertions);
* SPARQL: every query of queries/, probed once per system first (no answer within ``--query-timeout``: no
  load), results checked identical to Oxigraph's (same rows, any order);
* reconciliation: benchmarks/recon_batch.py (a batch of 100 queries);
* server memory (PSS of every process of the server) at rest and the peak under load;
* scaling: ``ldpub serve --store-url`` with 1 and 2 worker processes against one Oxigraph server, on a
  hard-linked backup of the release database (``oxigraph backup``: no copy of the data) that also holds the
  release description ``ldpub build --store-url`` would write.

A failure in one stage (a server that does not start, a crash) is recorded in the results and the run goes
on; ``RESULTS.md`` is written with what there is, even after Ctrl+C. Each stage prints a rough estimate of
the run's remaining duration. Corpora and stores are kept in ``--work`` and reused when complete
(``--rebuild`` redoes them). The figures go to ``--work``/results-N.json, benchmarks/results.json and
benchmarks/RESULTS.md (with plots in benchmarks/plots/), which benchmarks/report.py writes.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import hashlib
import heapq
import json
import math
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time
import traceback
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from benchlib import (  # noqa: E402
    Checked,
    Managed,
    Server,
    check_paths,
    difference,
    fetch,
    free_port,
    graph_rows,
    measure,
    mem_available_mb,
    query_path,
    result_rows,
    server,
    settle,
    tree_memory,
    write_lua,
)

from ldpub.settings import FIELDS as SETTINGS_FIELDS  # noqa: E402
from ldpub.settings import load_settings  # noqa: E402
from ldpub.store import open_published  # noqa: E402
from ldpub.store.remote import BUILD_ID, GRAPH, INFO, release_graph  # noqa: E402

PY = sys.executable
BIN = Path(PY).parent
CONFIG = ROOT / "ldpub.toml"
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
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFLIB_BYTES_PER_QUAD = 1962
"""rdflib-endpoint's memory per quad when nothing smaller was measured in the same run: 1,784 MB PSS at rest
over 953,277 quads (the 1,000-document run of 2026-11-24, rdflib 7.6.0, rdflib-endpoint 0.6.3)."""
RDFLIB_MARGIN = 1.25
"""Head-room on that estimate (its peak while parsing, other processes growing)."""
RDFLIB_START_SECONDS_PER_QUAD = 41e-6
"""rdflib-endpoint's start-up (parsing) time per quad, for the time estimates: 39.4 s for 953,277 quads."""
BUILD_DOCUMENTS_PER_S = 3.1
"""Build throughput assumed by the time estimates until this run has measured one (1,000 documents, 2026-11-24)."""
QUADS_PER_DOCUMENT = 953.3


def log(message: str) -> None:
    print(f"[{datetime.now(UTC):%H:%M:%S}] {message}", flush=True)


def run(command: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    log("$ " + " ".join(command))
    return subprocess.run(command, check=True, text=True, **kwargs)


def du(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if path.exists() else 0


def hms(seconds: float) -> str:
    seconds = max(0, int(seconds))
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def server_time_limit(args: argparse.Namespace) -> int:
    """ldpub's own query time limit: a little over the client's, so an abandoned query stops soon (Oxigraph
    server is restarted instead, see :func:`calm`)."""
    return math.ceil(args.query_timeout) + 2


def ldpub_env(args: argparse.Namespace) -> dict[str, str]:
    """A deployment configured for the comparison: no row cap (Oxigraph has none), a time limit just over the
    client's, no per-client cap on concurrent SPARQL queries (wrk's 16 connections come from one address
    and stand for many clients; Oxigraph has no such cap) and a per-query memory cap of 4 GiB instead of the
    public default of 256 MiB (which stopped queries/08 at 1,000 documents; Oxigraph has no memory cap), when
    this ldpub has those settings."""
    env = {"LDPUB_SPARQL_MAX_ROWS": "100000000", "LDPUB_SPARQL_TIMEOUT": str(server_time_limit(args))}
    if "sparql_client_queries" in SETTINGS_FIELDS:
        env["LDPUB_SPARQL_CLIENT_QUERIES"] = "0"
    if "sparql_worker_max_bytes" in SETTINGS_FIELDS:
        env["LDPUB_SPARQL_WORKER_MAX_BYTES"] = str(4 << 30)
    return env


# Time estimates.

STAGES = ["corpus", "build", "sample", "servers", "deref", "sparql", "sparql-rdflib", "recon", "scaling"]


class Clock:
    """Rough estimates of the run's remaining duration, printed at each stage and refined as figures come in."""

    def __init__(self, sizes: list[int], args: argparse.Namespace) -> None:
        self.sizes, self.args = sizes, args
        self.started = time.monotonic()
        self.build_rate: float | None = None
        self.quads_per_document = QUADS_PER_DOCUMENT
        self.rdflib_bytes_per_quad = float(RDFLIB_BYTES_PER_QUAD)
        self.rdflib_bytes_per_quad_source = "the constant measured at 1,000 documents on 2026-11-24"
        self.rdflib_start_per_quad = RDFLIB_START_SECONDS_PER_QUAD
        self.queries = len(list((ROOT / "queries").glob("*.rq")))
        self.seen: dict[str, float] = {}  # seconds a serving stage took at the size before

    def wrk_job(self) -> float:
        a = self.args
        return 2 * a.warmup + a.runs * a.duration + 1

    def rdflib_runs(self, n: int) -> bool:
        if self.args.rdflib_max_documents is not None and n > self.args.rdflib_max_documents:
            return False
        need = n * self.quads_per_document * self.rdflib_bytes_per_quad * RDFLIB_MARGIN / 2**20
        return need < mem_available_mb() - self.args.rdflib_reserve_mb

    def cost(self, n: int, stage: str) -> float:
        formula = self._formula(n, stage)
        return (
            max(formula, self.seen.get(stage, 0.0))
            if formula and stage not in ("corpus", "build", "sample")
            else formula
        )

    def _formula(self, n: int, stage: str) -> float:
        a, work = self.args, self.args.work
        rdflib = self.rdflib_runs(n)
        if stage == "corpus":
            complete = (
                len(list((work / f"corpus-{n}").glob("*.txt"))) == n
                if (work / f"corpus-{n}").is_dir()
                else False
            )
            return 0 if complete and not a.rebuild else n / 500
        if stage == "build":
            build_log = work / f"build-{n}.log"
            if build_log.exists() and "built release" in build_log.read_text() and not a.rebuild:
                return 0
            return n / (self.build_rate or BUILD_DOCUMENTS_PER_S)
        if stage == "sample":
            return 5 + n / 2000
        if stage == "servers":
            return 10 + (n * self.quads_per_document * self.rdflib_start_per_quad if rdflib else 0)
        if stage == "deref":
            formats = a.formats.split(",")
            jobs = sum(1 if f == "html" else 2 + rdflib for f in formats)
            return jobs * (self.wrk_job() + 10)
        if stage == "sparql":
            return self.queries * 2 * (self.wrk_job() + a.query_timeout / 2)
        if stage == "sparql-rdflib":
            return self.queries * a.query_timeout if rdflib else 0
        if stage == "recon":
            return 0 if a.skip_recon else 60 + n / 500
        if stage == "scaling":
            if a.skip_scaling or (a.scaling_max_documents is not None and n > a.scaling_max_documents):
                return 0
            return 2 * (a.scaling_warmup_max / 4 + 2 * self.wrk_job() + 20)
        return 0

    def remaining(self, n: int, stage: str) -> float:
        here = sum(self.cost(n, s) for s in STAGES[STAGES.index(stage) :])
        return here + sum(self.cost(m, s) for m in self.sizes[self.sizes.index(n) + 1 :] for s in STAGES)

    def announce(self, n: int, stage: str) -> None:
        log(f"-- {n:,} documents: {stage} (elapsed {hms(time.monotonic() - self.started)}; "
            f"remaining ≈ {hms(self.remaining(n, stage))}, a rough estimate)")  # fmt: skip

    def learn_build(self, figures: dict[str, Any]) -> None:
        if figures.get("seconds"):
            self.build_rate = figures["documents"] / figures["seconds"]
        if figures.get("documents"):
            self.quads_per_document = figures["triples"] / figures["documents"]

    def learn_rdflib(self, bytes_per_quad: float, start_per_quad: float, n: int) -> None:
        self.rdflib_bytes_per_quad = bytes_per_quad
        self.rdflib_bytes_per_quad_source = f"measured at {n:,} documents in this run"
        self.rdflib_start_per_quad = start_per_quad


class SizeFailed(Exception):
    """A stage without which nothing else at this size can run failed (recorded already)."""


@contextmanager
def stage(
    result: dict[str, Any], name: str, clock: Clock, *, fatal: bool = False, announce: str | None = None
) -> Iterator[None]:
    """Run one stage: announce it with the time estimate, time it, record any failure and go on."""
    if announce:
        clock.announce(result["documents"], announce)
    started = time.monotonic()
    try:
        yield
    except Exception as exc:
        message = f"{type(exc).__name__}: {exc}"
        result.setdefault("errors", {})[name] = message[:2000]
        log(
            f"!! {name} failed at {result['documents']:,} documents: {message[:500]} (recorded; the run goes on)"
        )
        traceback.print_exc(file=sys.stdout)
        if fatal:
            raise SizeFailed(name) from exc
    finally:
        result.setdefault("stage_seconds", {})[name] = round(time.monotonic() - started, 1)
        if name in STAGES:
            clock.seen[name] = time.monotonic() - started


# Corpus and build.


def make_corpus(n: int, seed: int, corpus: Path, rebuild: bool) -> None:
    if corpus.is_dir() and len(list(corpus.glob("*.txt"))) == n and not rebuild:
        return
    if corpus.is_dir():
        log(f"{corpus} is incomplete or --rebuild was given: writing it again")
    shutil.rmtree(corpus, ignore_errors=True)
    run([PY, str(HERE / "make_corpus.py"), "--documents", str(n), "--seed", str(seed), "--out", str(corpus)])


def build(corpus: Path, store: Path, build_log: Path, rebuild: bool) -> dict[str, Any]:
    """Run (or reuse) ``ldpub build`` under ``/usr/bin/time -v`` and read its figures from the log."""
    if rebuild or not build_log.exists() or "built release" not in build_log.read_text():
        shutil.rmtree(store, ignore_errors=True)
        command = ["/usr/bin/time", "-v", str(BIN / "ldpub"), "--config", str(CONFIG), "build"]
        command += ["--sources", str(corpus), "--store", str(store), "--quiet"]
        log("$ " + " ".join(command))
        with build_log.open("w") as out:
            process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
            peak = 0.0
            while process.poll() is None:
                peak = max(peak, tree_memory(process.pid)[0])
                time.sleep(1.0)
        (build_log.with_suffix(".peak")).write_text(f"{peak:.1f}\n")
        if process.returncode != 0:
            own = [x for x in build_log.read_text(errors="replace").splitlines()
                   if x.strip() and not x.startswith(("\t", "Command being timed", "Command exited", "Command terminated"))]  # fmt: skip
            tail = " | ".join(own[-3:]) or "no output"
            raise RuntimeError(
                f"the build failed (exit status {process.returncode}, peak {peak:,.0f} MB): {tail}"
            )
        return parse_build_log(build_log)
    return {**parse_build_log(build_log), "reused": build_reused(build_log)}


def build_reused(build_log: Path) -> str:
    """What a reused build is: the time its log was written (the build's figures are read from that log)."""
    written = datetime.fromtimestamp(build_log.stat().st_mtime, UTC)
    return f"the build whose log {build_log.name} was written {written:%Y-%m-%d %H:%M} UTC (no --rebuild)"


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


# The files and databases the other servers need.


def nquads_dump(store: Path, build_id: str) -> Path | None:
    """The build's N-Quads dump (``dumps/<version>/…``, gzipped or not) as its manifest names it."""
    for manifest in sorted((store / "dumps").glob("*/manifest.json")):
        try:
            data = json.loads(manifest.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if data.get("build_id") != build_id:
            continue
        for entry in data.get("files", []):
            if entry.get("format") == "nquads" and (manifest.parent / entry["name"]).is_file():
                return manifest.parent / entry["name"]
    return None


def nquads_for(store: Path, build_id: str, target: Path) -> tuple[Path, bool, dict[str, Any]]:
    """An N-Quads file of the release for a consumer that needs one: (path, is_a_temporary_file, how).

    The build's dump when it is plain N-Quads (no copy); unpacked into ``target`` when gzipped; else
    ``ldpub export`` into ``target``. The caller deletes a temporary file when done.
    """
    started = time.monotonic()
    dump = nquads_dump(store, build_id)
    if dump is not None and not dump.name.endswith(".gz"):
        return dump, False, {"from": str(dump), "seconds": 0.0, "bytes": dump.stat().st_size}
    if dump is not None:
        log(f"unpacking {dump} into {target}")
        with gzip.open(dump, "rb") as source, target.open("wb") as out:
            shutil.copyfileobj(source, out, 1 << 20)
        how = f"gunzip {dump}"
    else:
        run([str(BIN / "ldpub"), "--config", str(CONFIG), "export", "--store", str(store), "--format", "nquads",
             "--output", str(target)])  # fmt: skip
        how = f"ldpub export --store {store} --format nquads (no N-Quads dump found through the manifests)"
    return target, True, {"from": how, "seconds": time.monotonic() - started, "bytes": target.stat().st_size}


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
    lines = [
        f"<{g}> <{BUILD_ID}> {lit(info.build_id)} <{g}> .",
        f"<{g}> <{INFO}> {lit(info.to_json())} <{g}> .",
    ]
    lines += [f"<{g}> <{GRAPH}> <{name}> <{g}> ." for name in graphs]
    return "\n".join(lines) + "\n"


def own_bytes(path: Path) -> int:
    """Bytes of the files under ``path`` not shared by a hard link with another folder."""
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and p.stat().st_nlink == 1)


# Samples.


def sample_resources(db: Path, size: int, base: str, seed: int) -> tuple[list[str], dict[str, int]]:
    """A fixed sample of resource IRIs stratified by class (:data:`STRATA`): in each class, the IRIs with the
    smallest seeded SHA-1 (the same store and seed give the same sample; memory bounded by the sample)."""
    import pyoxigraph as ox

    store = ox.Store.read_only(str(db))
    prefix = f"{base}/id/"
    chosen: list[str] = []
    counts: dict[str, int] = {}
    for cls, share in STRATA:
        want = max(1, round(size * share))
        heap: list[tuple[bytes, str]] = []  # a max-heap by key (keys negated), at most ``want`` long
        members: set[str] = set()
        seen = 0
        for quad in store.quads_for_pattern(None, ox.NamedNode(RDF_TYPE), ox.NamedNode(cls), None):
            iri = quad.subject.value if isinstance(quad.subject, ox.NamedNode) else ""
            if not iri.startswith(prefix) or iri in members:
                continue
            seen += 1
            key = hashlib.sha1(f"{seed}:{iri}".encode()).digest()
            item = (bytes(255 - b for b in key), iri)
            if len(heap) < want:
                heapq.heappush(heap, item)
                members.add(iri)
            elif item > heap[0]:
                members.discard(heapq.heapreplace(heap, item)[1])
                members.add(iri)
        chosen += sorted(members)
        counts[cls.rsplit("/", 1)[-1].rsplit("#", 1)[-1]] = len(members)
    del store
    order = sorted(chosen, key=lambda iri: hashlib.sha1(f"{seed}:order:{iri}".encode()).digest())
    return order, counts


# Measurements.


def _from_check(check: Checked, parallel: int, why: str) -> dict[str, Any]:
    """Figures of a checking pass, for a system too slow for a wrk run: 2xx answers per second of the pass."""
    ok = check.done - check.non_2xx
    wall = check.wall_seconds or sum(check.seconds) or 1.0
    seconds = sorted(check.seconds) or [0.0]
    return {
        "rps": ok / wall, "all_rps": check.done / wall,
        "p50_ms": 1000 * statistics.median(seconds), "p99_ms": 1000 * seconds[min(len(seconds) - 1, int(0.99 * len(seconds)))],
        "errors": check.bad, "runs": [],
        "note": f"measured by the checking pass ({check.done} requests, {parallel} at a time): {why}",
    }  # fmt: skip


def revive(
    servers: dict[str, Managed], result: dict[str, Any], *, skip: tuple[str, ...] = ("rdflib",)
) -> None:
    """Start again a server that died (recorded), so one crash does not end the comparison."""
    for name, m in servers.items():
        if m.server is None or m.alive() or name in skip:
            continue
        why = f"{name} died (exit status {m.server.process.returncode}; see {m.log})"
        log(f"!! {why}: starting it again")
        result.setdefault("errors", {}).setdefault(f"{name} restarts", "")
        result["errors"][f"{name} restarts"] += why + ". "
        try:
            m.restart(why)
        except Exception as exc:
            result["errors"][f"{name} restarts"] += f"It did not start again: {exc}. "
            m.server = None


def calm(servers: dict[str, Managed], name: str, why: str) -> None:
    """Oxigraph server cannot stop a query its client gave up on (its ``--timeout-s`` starts one sleeping
    thread per query, which under load exhausts the threads and crashes it): restart it (0.2 s, nothing to
    load) so an abandoned query does not slow down what is measured next."""
    m = servers.get(name)
    if name == "oxigraph" and m is not None and m.server is not None:
        log(f"restarting {name}: {why}")
        m.restart(why)


def deref(servers: dict[str, Managed], iris: list[str], base: str, args: argparse.Namespace, work: Path,
          result: dict[str, Any]) -> dict[str, Any]:  # fmt: skip
    """Dereference throughput and latency per system and format; non-2xx counted (a checking pass + wrk)."""
    out: dict[str, Any] = {}
    doc_paths = ["/doc/" + iri.removeprefix(f"{base}/id/") for iri in iris]
    for fmt, accept in FORMATS.items():
        if fmt not in args.formats.split(","):
            continue
        revive(servers, result)
        jobs: dict[str, tuple[Server, Path]] = {}
        for system, m in servers.items():
            if fmt == "html" and system != "ldpub":
                continue  # no HTML on the others
            key = f"{system}/{fmt}"
            target = m.server
            if target is None:
                out[key] = {"rps": 0.0, "errors": 0, "skipped": True, "note": "not running"}
                continue
            if system == "ldpub":
                paths = doc_paths
            else:
                paths = [query_path(PREFIX[system], f"DESCRIBE <{iri}>") for iri in iris]
            cold: dict[str, Any] = {}
            if system == "ldpub":
                cold = _cold_pass(target, paths, accept, args)
            # a correctness pass over the paths (all of ldpub's; the first ones of the others)
            checked = paths if system == "ldpub" else paths[: args.check_third_party]
            check = check_paths(target.url, checked, accept, timeout=args.query_timeout, parallel=args.connections,
                                budget=args.check_budget)  # fmt: skip
            entry: dict[str, Any] = {
                "checked": check.done, "to_check": len(checked), "check_non_2xx": check.bad,
                "check_timeouts": check.timeouts, "check_statuses": check.statuses,
                "first_pass_p50_ms": 1000 * statistics.median(check.seconds) if check.seconds else None,
                "first_pass_wall_s": check.wall_seconds,
            }  # fmt: skip
            entry.update(cold)
            if check.over_budget:
                entry["check_note"] = (
                    f"checking pass stopped after {args.check_budget:g} s: {check.done} of {len(checked)} paths"
                )
            if check.timeouts:
                calm(servers, system, f"{check.timeouts} DESCRIBE requests timed out in the checking pass")
                target = servers[system].server or target
            mean = statistics.mean(check.seconds) if check.seconds else math.inf
            if check.done and check.non_2xx == check.done:
                entry.update(
                    rps=0.0,
                    p50_ms=None,
                    p99_ms=None,
                    errors=check.bad,
                    note=f"no 2xx answer in the checking pass ({check.statuses})",
                )
            elif mean > args.sequential_above or check.over_budget:
                entry.update(
                    _from_check(check, args.connections, f"{mean:.2f} s per request, too slow for wrk")
                )
            else:
                jobs[key] = (target, write_lua(work / f"deref-{system}-{fmt}.lua", paths, {"Accept": accept}))
            out[key] = entry
        for key, measured in _load(jobs, args).items():
            out[key].update(asdict(measured))
            out[key]["errors"] = measured.errors + out[key]["check_non_2xx"]
            if any(run["socket_errors"] for run in measured.runs):
                calm(servers, key.split("/")[0], "time-outs under load")
        for key in sorted(k for k in out if k.endswith(f"/{fmt}")):
            x = out[key]
            log(f"deref {key}: {x['rps']:.0f}/s (2xx) p50 {x.get('p50_ms') or 0:.1f} ms non-2xx {x['errors']}"
                + (f" — {x['note']}" if x.get("note") else ""))  # fmt: skip
    return out


def _cold_pass(target: Server, paths: list[str], accept: str, args: argparse.Namespace) -> dict[str, Any]:
    """ldpub's first requests after it starts: every path ``3 × processes`` times, 2 at a time, each with
    ``--cold-timeout``, all paths once before any twice. ldpub computes a resource's representation once per release in each web process
    (Oxigraph server and rdflib-endpoint keep nothing), so this pass measures the cold cost, which grows
    with a hub entity's links, and leaves every process warm for the checking pass and wrk (each request
    lands on a process the kernel picks: a process misses a path with a chance of about 2 %)."""
    rounds = 3 * LDPUB_WORKERS
    warm = check_paths(target.url, [p for _ in range(rounds) for p in paths], accept, timeout=args.cold_timeout,
                       parallel=2, budget=args.cold_budget)  # fmt: skip
    first = warm.seconds[: len(paths)] if warm.seconds else []
    out: dict[str, Any] = {
        "cold_pass_s": warm.wall_seconds, "cold_pass_requests": warm.done, "cold_pass_non_2xx": warm.bad,
        "cold_pass_timeouts": warm.timeouts, "cold_pass_statuses": warm.statuses,
        "cold_p50_ms": 1000 * statistics.median(first) if first else None,
        "cold_max_s": max(warm.seconds) if warm.seconds else None,
        "cold_over_1s": sum(1 for x in warm.seconds if x >= 1.0),
    }  # fmt: skip
    if warm.over_budget:
        out["cold_note"] = (
            f"cold pass stopped after {args.cold_budget:g} s ({warm.done} of {len(paths) * rounds} requests)"
        )
    log(f"cold pass ldpub {accept}: {warm.wall_seconds:.0f} s, {warm.done} requests, slowest {out['cold_max_s'] or 0:.1f} s, "
        f"{out['cold_over_1s']} ≥ 1 s, non-2xx {warm.bad}")  # fmt: skip
    return out


def _load(jobs: dict[str, tuple[Server, Path]], args: argparse.Namespace, **kwargs: Any) -> dict[str, Any]:
    return measure(jobs, runs=args.runs, duration=args.duration, warmup=args.warmup, connections=args.connections,
                   timeout=args.query_timeout, **kwargs)  # fmt: skip


def load_queries() -> list[tuple[str, str, str]]:
    """(name, text, Accept) of each query in queries/."""
    out = []
    for file in sorted((ROOT / "queries").glob("*.rq")):
        text = file.read_text(encoding="utf-8")
        body_text = "\n".join(x for x in text.splitlines() if not x.lstrip().startswith("#"))
        graph = re.search(r"\b(CONSTRUCT|DESCRIBE)\b", body_text)
        out.append((file.stem, text, "text/turtle" if graph else "application/sparql-results+json"))
    return out


def answer_of(body: bytes, accept: str) -> Counter[tuple[Any, ...]] | bool:
    """A SPARQL answer as a multiset of rows (or triples), blank nodes made equal, or the ASK boolean."""
    if "sparql-results" in accept:
        return result_rows(body)
    return graph_rows(body)


def digest(answer: Counter[tuple[Any, ...]] | bool) -> str:
    items = answer if isinstance(answer, bool) else sorted(answer.items(), key=repr)
    return hashlib.sha256(repr(items).encode()).hexdigest()[:16]


def probe(target: Server, system: str, text: str, accept: str, timeout: float) -> tuple[dict[str, Any], Any]:
    """One request for a query: (its entry, its answer or None). No answer within ``timeout``: no load."""
    path = query_path(PREFIX[system], text)
    status, body, took = fetch(target.url + path, accept, timeout=timeout)
    entry: dict[str, Any] = {"single_ms": took * 1000, "probe_status": status}
    if (status == 0 and took >= 0.95 * timeout) or (status == 503 and took >= timeout - 1):
        entry.update(
            rps=0.0, errors=1, no_answer=True, timed_out=True, note=f"no answer within {timeout:g} s"
        )
        return entry, None
    if status != 200:
        what = "no answer" if status == 0 else f"HTTP {status}"
        entry.update(
            rps=0.0, errors=1, no_answer=True, note=f"{what}: {body[:200].decode('utf-8', 'replace')}"
        )
        return entry, None
    try:
        answer = answer_of(body, accept)
    except Exception as exc:  # an unreadable answer is no answer
        entry.update(rps=0.0, errors=1, no_answer=True, note=f"unreadable answer: {exc}"[:300])
        return entry, None
    entry["digest"] = digest(answer)
    entry["size"] = answer if isinstance(answer, bool) else sum(answer.values())
    entry["errors"] = 0
    entry["probe_ms"] = took * 1000
    if took < 2:  # a quick query: the fastest of 3 tells more than one request on a busy machine
        again = [fetch(target.url + path, accept, timeout=timeout) for _ in range(2)]
        entry["single_ms"] = 1000 * min([took] + [t for status, _, t in again if status == 200])
    return entry, answer


def heavy(entry: dict[str, Any], args: argparse.Namespace) -> bool:
    """Whether a query is timed one request at a time: over ``--sparql-sequential-above`` alone, or so slow
    that 16 at once on the machine's CPUs would complete only a few per wrk run (it would measure the queue)."""
    single = entry["single_ms"] / 1000
    cpus = len(os.sched_getaffinity(0))
    return single > args.sparql_sequential_above or single * args.connections / cpus > args.duration / 4


def _sequential_query(
    target: Server, system: str, text: str, accept: str, entry: dict[str, Any], args: argparse.Namespace
) -> None:
    """A heavy query (:func:`heavy`): timed one request at a time, at least 3 requests and at least
    ``min(--duration, 3)`` seconds (at most 50 requests)."""
    path = query_path(PREFIX[system], text)
    seconds: list[float] = []
    bad, started = 0, time.monotonic()
    while len(seconds) < 50 and (len(seconds) < 3 or time.monotonic() - started < min(args.duration, 3.0)):
        status, _, took = fetch(target.url + path, accept, timeout=args.query_timeout)
        seconds.append(took)
        bad += status != 200
    ok = len(seconds) - bad
    entry.update(rps=ok / sum(seconds), all_rps=len(seconds) / sum(seconds), p50_ms=1000 * statistics.median(seconds),
                 p99_ms=1000 * max(seconds), errors=bad, runs=[],
                 note=f"sequential ({len(seconds)} requests, {statistics.mean(seconds):.2f} s each)")  # fmt: skip


def sparql(
    servers: dict[str, Managed], args: argparse.Namespace, work: Path, result: dict[str, Any]
) -> dict[str, Any]:
    """Every query of queries/: probed once per system (answers compared with Oxigraph's), then loaded."""
    out: dict[str, Any] = {}
    queries = load_queries()
    identical = result.setdefault("sparql_identical", {})
    differences = result.setdefault("sparql_differences", {})
    kept = result.setdefault("_oxigraph_answers", {})  # small reference answers, for rdflib-endpoint's diff
    for stem, text, accept in queries:
        revive(servers, result)
        answers: dict[str, Any] = {}
        for system, m in servers.items():
            key = f"{stem}/{system}"
            if m.server is None:
                out[key], answers[system] = (
                    {"rps": 0.0, "errors": 0, "skipped": True, "note": "not running"},
                    None,
                )
                continue
            out[key], answers[system] = probe(m.server, system, text, accept, args.query_timeout)
            x = out[key]
            log(
                f"probe {key}: {x['single_ms']:.0f} ms, size {x.get('size')}"
                + (f" — {x['note']}" if x.get("note") else "")
            )
            if x.get("timed_out"):
                calm(servers, system, f"query {stem} ran past the time-out")
        reference = answers.get("oxigraph")
        for system, answer in answers.items():
            if answer is not None and reference is not None:
                identical.setdefault(stem, {})[system] = answer == reference
                if answer != reference:
                    differences[f"{stem}/{system}"] = difference(answer, reference)
            else:
                identical.setdefault(stem, {})[system] = None
        if reference is not None and (isinstance(reference, bool) or sum(reference.values()) <= 100_000):
            kept[stem] = reference
    for stem, text, accept in queries:
        revive(servers, result)
        jobs: dict[str, tuple[Server, Path]] = {}
        answered = {system: m for system, m in servers.items() if m.server is not None
                    and not out[f"{stem}/{system}"].get("no_answer") and not out[f"{stem}/{system}"].get("skipped")}  # fmt: skip
        # the same way for every system (16 at once or one at a time), so that their ratio compares like with like
        one_at_a_time = any(heavy(out[f"{stem}/{system}"], args) for system in answered)
        for system, m in answered.items():
            entry = out[f"{stem}/{system}"]
            assert m.server is not None
            if one_at_a_time:
                _sequential_query(m.server, system, text, accept, entry, args)
            else:
                lua = write_lua(
                    work / f"q-{stem}-{system}.lua", [query_path(PREFIX[system], text)], {"Accept": accept}
                )
                jobs[f"{stem}/{system}"] = (m.server, lua)
        measured_all = _load(jobs, args)
        few = [
            key
            for key, m in measured_all.items()
            if sum(run["requests"] for run in m.runs) < args.connections
        ]
        for key, measured in measured_all.items():
            out[key].update(asdict(measured))
            if any(run["socket_errors"] for run in measured.runs):
                calm(servers, key.split("/")[1], f"time-outs under load ({stem})")
        if few:  # some wrk runs hardly completed a request: every system again, one request at a time
            for system in answered:
                if system == "oxigraph":
                    calm(servers, system, f"wrk left {stem} queries running")
                elif servers[system].server is not None:
                    settle(servers[system].server, server_time_limit(args))  # type: ignore[arg-type]
                target = servers[system].server
                if target is not None:
                    _sequential_query(target, system, text, accept, out[f"{stem}/{system}"], args)
                    out[f"{stem}/{system}"]["note"] += (
                        f"; wrk runs completed too few requests ({', '.join(few)})"
                    )
        for key in sorted(k for k in out if k.startswith(f"{stem}/")):
            x = out[key]
            log(f"sparql {key}: {x['rps']:.1f}/s (2xx) p50 {x.get('p50_ms') or 0:.1f} ms size {x.get('size')}"
                + (f" — {x['note']}" if x.get("note") else ""))  # fmt: skip
    return out


# rdflib-endpoint: a memory guard, its input file, restarts.


class Rdflib:
    """rdflib-endpoint over the release's N-Quads, started only when its in-memory store fits."""

    def __init__(self, n: int, store: Path, build_id: str, quads: int, args: argparse.Namespace, work: Path,
                 clock: Clock, result: dict[str, Any]) -> None:  # fmt: skip
        self.n, self.store, self.build_id, self.quads = n, store, build_id, quads
        self.args, self.work, self.clock = args, work, clock
        self.info: dict[str, Any] = result.setdefault("rdflib", {})
        self.gone = ""  # why it no longer runs
        self._input: Path | None = None
        self._temporary = False
        self.port = free_port()
        self.peak = 0.0
        self.managed: Managed | None = None

    @property
    def server(self) -> Server | None:
        return self.managed.server if self.managed else None

    def skip_reason(self) -> str | None:
        """Why rdflib-endpoint is not started at this size, or None (it fits)."""
        a = self.args
        if a.rdflib_max_documents is not None and self.n > a.rdflib_max_documents:
            return f"not run: above --rdflib-max-documents {a.rdflib_max_documents:,}"
        per_quad = self.clock.rdflib_bytes_per_quad
        need = self.quads * per_quad * RDFLIB_MARGIN / 2**20
        available = mem_available_mb()
        self.info.update(estimate_mb=need, available_mb=available, bytes_per_quad=per_quad,
                         bytes_per_quad_source=self.clock.rdflib_bytes_per_quad_source, reserve_mb=a.rdflib_reserve_mb)  # fmt: skip
        if need > available - a.rdflib_reserve_mb:
            return (f"not run: would need ~{need / 1024:.1f} GB ({self.quads:,} quads × {per_quad:,.0f} bytes, "
                    f"{self.clock.rdflib_bytes_per_quad_source}, + {RDFLIB_MARGIN - 1:.0%}), "
                    f"{available / 1024:.1f} GB available (MemAvailable; {a.rdflib_reserve_mb / 1024:.1f} GB kept free)")  # fmt: skip
        return None

    def _guard(self, target: Server) -> str | None:
        self.peak = max(self.peak, target.pss_mb())
        available = mem_available_mb()
        if available < self.args.rdflib_reserve_mb / 2:
            return f"MemAvailable fell to {available:,.0f} MB while it loaded ({self.peak:,.0f} MB PSS)"
        return None

    def start(self) -> Server:
        self._input, self._temporary, how = nquads_for(
            self.store, self.build_id, self.work / f"rdflib-input-{self.n}.nq"
        )
        self.info["input"] = how
        command = [
            str(BIN / "rdflib-endpoint"),
            "serve",
            str(self._input),
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
        ]
        self.managed = Managed("rdflib-endpoint", command, f"http://127.0.0.1:{self.port}/?query=ASK%7B%7D",
                               self.work / f"rdflib-{self.n}.log", wait=max(600.0, 10 * self.quads * RDFLIB_START_SECONDS_PER_QUAD),
                               guard=self._guard)  # fmt: skip
        server = self.managed.start()
        self.info["startup_seconds"] = self.managed.startup_seconds
        self.info["startup_peak_pss_mb"] = self.peak
        return server

    def command(self) -> str:
        return " ".join(self.managed.command) if self.managed else ""

    def restart(self, why: str) -> None:
        assert self.managed is not None
        cost = statistics.mean(self.managed.startup_seconds or [0.0])
        if cost > self.args.rdflib_restart_max:
            self.stop(f"not run: rdflib-endpoint was left computing an abandoned query ({why}) and a restart "
                      f"takes ~{cost:.0f} s (over --rdflib-restart-max {self.args.rdflib_restart_max:g} s)")  # fmt: skip
            return
        log(f"restarting rdflib-endpoint: it is still computing an abandoned query ({why}); ~{cost:.0f} s")
        try:
            self.managed.restart(why)
            self.info["restarts"] = len(self.managed.restarts)
        except Exception as exc:
            self.gone = f"not run: rdflib-endpoint did not start again: {exc}"[:300]

    def stop(self, why: str) -> None:
        if self.managed is not None:
            self.managed.stop()
        self.gone = why

    def close(self) -> None:
        self.stop(self.gone or "stopped")
        if self._temporary and self._input is not None and self._input.exists():
            self._input.unlink()
            log(f"deleted {self._input}")
        self._input = None


def sparql_rdflib(
    rdflib: Rdflib, args: argparse.Namespace, work: Path, result: dict[str, Any]
) -> dict[str, Any]:
    """rdflib-endpoint's SPARQL figures, after the others' (it cannot stop a query: a time-out leaves it
    computing, so it is restarted before the next query when that is cheap, else left out of the rest)."""
    out: dict[str, Any] = {}
    kept = result.get("_oxigraph_answers", {})
    reference = {
        k.split("/")[0]: v.get("digest")
        for k, v in result.get("sparql", {}).items()
        if k.endswith("/oxigraph")
    }
    for stem, text, accept in load_queries():
        key = f"{stem}/rdflib"
        target = rdflib.server
        if target is None or target.process.poll() is not None:
            out[key] = {"rps": 0.0, "errors": 0, "skipped": True, "note": rdflib.gone or "not running"}
            continue
        entry, answer = probe(target, "rdflib", text, accept, args.query_timeout)
        out[key] = entry
        log(
            f"probe {key}: {entry['single_ms']:.0f} ms, size {entry.get('size')}"
            + (f" — {entry['note']}" if entry.get("note") else "")
        )
        if answer is None:
            if entry.get("timed_out"):
                rdflib.restart(stem)
            continue
        same = entry["digest"] == reference.get(stem) if reference.get(stem) else None
        result.setdefault("sparql_identical", {}).setdefault(stem, {})["rdflib"] = same
        if same is False and stem in kept:
            result.setdefault("sparql_differences", {})[key] = difference(answer, kept[stem])
        if heavy(entry, args):
            _sequential_query(target, "rdflib", text, accept, entry, args)
        else:
            lua = write_lua(
                work / f"q-{stem}-rdflib.lua", [query_path(PREFIX["rdflib"], text)], {"Accept": accept}
            )
            entry.update(asdict(_load({key: (target, lua)}, args)[key]))
            entry["note"] = "measured after the other systems' runs (not in turns)"
    return out


def recon(store: Path, timeout: float) -> dict[str, Any]:
    command = [PY, str(HERE / "recon_batch.py"), "--store", str(store), "--runs", "5", "--no-record"]
    log("$ " + " ".join(command))
    # recon_batch.py exits 1 when a batch took 1 s or more: its figures are still the result to keep
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"note": f"not measured: recon_batch.py (an index build per process and 5 batches of 100 "
                        f"queries) did not end within {timeout:g} s"}  # fmt: skip
    if result.returncode not in (0, 1) or "index build" not in result.stdout:
        raise RuntimeError(f"recon_batch.py failed (exit status {result.returncode}): {result.stderr[-500:]}")
    figures = {}
    for label, key in [("index build", "index_ms"), ("in-process", "in_process_ms"),
                       ("through the Flask app", "flask_ms"), ("real server", "server_ms")]:  # fmt: skip
        match = re.search(re.escape(label) + r"[^*]*\*\*([\d.]+) ms\*\*", result.stdout)
        if match:
            figures[key] = float(match.group(1))
    return figures


LDPUB_WORKERS = 2
"""Web processes of the ldpub server measured side by side (one per core)."""


def ldpub_command(
    port: int, *, store: Path | None = None, store_url: str | None = None, workers: int = LDPUB_WORKERS
) -> list[str]:
    command = [str(BIN / "ldpub"), "--config", str(CONFIG), "serve", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--workers", str(workers)]
    command += ["--store", str(store)] if store else ["--store-url", str(store_url)]
    return command


def oxigraph_command(db: Path, port: int, *, union: bool = True) -> list[str]:
    """``oxigraph serve-read-only`` on ``db``. Without ``--timeout-s``: Oxigraph 0.5 starts a sleeping thread
    per query for it, and under wrk load the threads ran out and the server crashed (os error 11)."""
    command = [str(BIN / "oxigraph"), "serve-read-only", "--location", str(db)]
    command += ["--union-default-graph"] if union else []
    return [*command, "--bind", f"127.0.0.1:{port}"]


def scaling(
    store: Path, db: Path, iris: list[str], base: str, args: argparse.Namespace, work: Path, n: int
) -> dict[str, Any]:
    """``ldpub serve --store-url`` with 1 and 2 worker processes against one Oxigraph server.

    The Oxigraph database is a hard-linked backup of the release's (``oxigraph backup``, same file system:
    no copy of the data) plus the release description ``ldpub build --store-url`` would write. Each case
    gets a fresh Oxigraph server (no query left running from the case before). Dereference: a warm-up pass
    fetches every sampled resource ``3 × processes`` times (so every worker process caches it; a resource
    without a 2xx answer within the time-out is left out of the load and counted), then wrk. Oxigraph
    server is restarted (same port) before the ASK query, which is probed first (no answer: no load).
    Only 2xx answers count as throughput.
    """
    out: dict[str, Any] = {"sample": len(iris)}
    remote_db = work / f"scaling-db-{n}"
    release_nq = work / f"release-{n}.nq"
    shutil.rmtree(remote_db, ignore_errors=True)
    if os.stat(work).st_dev != os.stat(db).st_dev:
        need = du(db)
        free = shutil.disk_usage(work).free
        if need * 1.2 > free:
            raise RuntimeError(f"{work} is on another file system than the store: a backup would copy {need / 2**30:.1f} GB "
                               f"and {free / 2**30:.1f} GB are free")  # fmt: skip
    try:
        started = time.monotonic()
        run(
            [str(BIN / "oxigraph"), "backup", "--location", str(db), "--destination", str(remote_db)],
            stdout=subprocess.DEVNULL,
        )
        release_nq.write_text(release_quads(store, base))
        run([str(BIN / "oxigraph"), "load", "--location", str(remote_db), "--file", str(release_nq)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        out["prepare_seconds"] = time.monotonic() - started
        out["db_own_bytes"] = own_bytes(remote_db)
        out["release_graphs"] = release_nq.read_text().count(f"<{GRAPH}>")
        log(f"scaling database: {out['db_own_bytes'] / 2**20:.1f} MB of its own (the rest hard-linked), "
            f"{out['release_graphs']:,} graphs named in the release description")  # fmt: skip
        ask = (ROOT / "queries" / "15-mentions-person-ask.rq").read_text()
        paths = ["/doc/" + iri.removeprefix(f"{base}/id/") for iri in iris]
        for workers in (1, 2):
            case: dict[str, Any] = {}
            out[str(workers)] = case
            oxi_port = free_port()
            oxigraph = Managed(f"oxigraph-remote-{workers}", oxigraph_command(remote_db, oxi_port, union=False),
                               f"http://127.0.0.1:{oxi_port}/query?query=ASK%7B%7D", work / f"oxigraph-remote-{n}.log")  # fmt: skip
            oxigraph.start()
            try:
                port = free_port()
                command = ldpub_command(port, store_url=f"http://127.0.0.1:{oxi_port}/query", workers=workers)
                with server(f"ldpub-remote-{workers}", command, f"http://127.0.0.1:{port}/sparql", work / f"ldpub-remote-{n}.log",
                            env=ldpub_env(args), wait=max(120.0, args.query_timeout * 3)) as target:  # fmt: skip
                    case["doc_turtle"] = _scaling_doc(target, paths, workers, args, work)
                    oxigraph.restart("before the ASK query: no query left from the dereference runs")
                    case["sparql_ask"] = _scaling_ask(target, ask, args, work)
            finally:
                oxigraph.stop()
            for what, x in case.items():
                log(f"scaling {workers} process(es) {what}: {x.get('rps', 0):.1f}/s (2xx), non-2xx {x.get('errors')}"
                    + (f" — {x['note']}" if x.get("note") else ""))  # fmt: skip
    finally:
        shutil.rmtree(remote_db, ignore_errors=True)
        release_nq.unlink(missing_ok=True)
    return out


def _scaling_doc(
    target: Server, paths: list[str], workers: int, args: argparse.Namespace, work: Path
) -> dict[str, Any]:
    # one request at a time (two at once for the same cold resource would both compute it, in one process),
    # 3 × processes per resource: each request lands on a process the kernel picks, so a process misses a
    # resource with a chance of about (1 - 1/processes) ** (3 × processes) (3 % for 2); wrk's warm-up does the rest
    rounds = 3 * workers
    warm = check_paths(target.url, [p for p in paths for _ in range(rounds)], "text/turtle", timeout=args.query_timeout,
                       parallel=1, budget=args.scaling_warmup_max)  # fmt: skip
    good = [p for p in paths if p not in warm.failed_paths]
    done = {"warm_pass_s": warm.wall_seconds, "warm_pass_requests": warm.done, "warm_pass_non_2xx": warm.bad,
            "left_out": sorted(warm.failed_paths)[:20], "left_out_count": len(warm.failed_paths)}  # fmt: skip
    if warm.over_budget:
        done["warm_note"] = (
            f"warm-up pass stopped after {args.scaling_warmup_max:g} s ({warm.done} of {len(paths) * rounds} requests)"
        )
    if not good:
        return {
            **done,
            "rps": 0.0,
            "errors": warm.bad,
            "note": f"no resource answered 2xx within {args.query_timeout:g} s",
        }
    script = write_lua(work / "scale-doc.lua", good, {"Accept": "text/turtle"})
    measured = _load({"doc": (target, script)}, args)["doc"]
    entry = {**asdict(measured), **done}
    notes = [x for x in (done.get("warm_note"), measured.note) if x]
    if warm.failed_paths:
        notes.append(
            f"{len(warm.failed_paths)} of {len(paths)} resources left out: no 2xx within {args.query_timeout:g} s cold"
        )
    entry["note"] = "; ".join(notes)
    return entry


def _scaling_ask(target: Server, ask: str, args: argparse.Namespace, work: Path) -> dict[str, Any]:
    path = query_path("/sparql", ask)
    accept = "application/sparql-results+json"
    status, _, took = fetch(target.url + path, accept, timeout=args.query_timeout)
    if status != 200:
        return {"rps": 0.0, "errors": 1, "probe_ms": took * 1000,
                "note": f"no answer within {args.query_timeout:g} s" if status == 0 else f"probe: HTTP {status}"}  # fmt: skip
    script = write_lua(work / "scale-ask.lua", [path], {"Accept": accept})
    return {**asdict(_load({"ask": (target, script)}, args)["ask"]), "probe_ms": took * 1000}


def memory_figures(result: dict[str, Any], servers: dict[str, Managed]) -> None:
    for name, m in servers.items():
        figures = [v for k, v in (*result.get("deref", {}).items(), *result.get("sparql", {}).items())
                   if name in k.split("/")]  # fmt: skip
        mem = result["memory"].setdefault(name, {})
        mem["load_peak_pss_mb"] = max((v.get("peak_pss_mb") or 0.0 for v in figures), default=0.0)
        mem["after_pss_mb"] = m.server.pss_mb() if m.alive() and m.server else None


def one_size(n: int, args: argparse.Namespace, result: dict[str, Any], clock: Clock, save: Any) -> None:
    """Everything at one corpus size; figures go into ``result`` as they come (a failure keeps the rest)."""
    work: Path = args.work
    corpus, store = work / f"corpus-{n}", work / f"store-{n}"
    base = load_settings(CONFIG).base_uri.rstrip("/")
    with stage(result, "corpus", clock, fatal=True, announce="corpus"):
        make_corpus(n, args.seed, corpus, args.rebuild)
    with stage(result, "build", clock, fatal=True, announce="build"):
        result["build"] = build(corpus, store, work / f"build-{n}.log", args.rebuild)
        clock.learn_build(result["build"])
    save()
    with stage(result, "sample", clock, fatal=True, announce="sample"):
        current = (store / "CURRENT").read_text().strip()
        release = store / "releases" / current
        db = release / "oxigraph"
        info = json.loads((release / "release.json").read_text())
        result.update(build_id=current, quads=info.get("quads"), store_bytes=du(release), store_folder_bytes=du(store),
                      dumps_bytes=du(store / "dumps"), oxigraph_location=str(db))  # fmt: skip
        iris, by_class = sample_resources(db, args.sample, base, args.seed)
        result.update(sample=len(iris), sample_by_class=by_class)
    ports = {name: free_port() for name in ("ldpub", "oxigraph")}
    servers = {
        "ldpub": Managed("ldpub", ldpub_command(ports["ldpub"], store=store), f"http://127.0.0.1:{ports['ldpub']}/sparql",
                         work / f"ldpub-{n}.log", env=ldpub_env(args)),
        "oxigraph": Managed("oxigraph", oxigraph_command(db, ports["oxigraph"]), f"http://127.0.0.1:{ports['oxigraph']}/",
                            work / f"oxigraph-{n}.log"),
    }  # fmt: skip
    result["commands"] = {name: " ".join(m.command) for name, m in servers.items()}
    result["commands"]["ldpub"] = (
        " ".join(f"{k}={v}" for k, v in ldpub_env(args).items()) + " " + result["commands"]["ldpub"]
    )
    result["memory"] = {}
    rdflib = Rdflib(
        n, store, current, int(info.get("quads") or result["build"]["triples"]), args, work, clock, result
    )
    with contextlib.ExitStack() as stack:
        clock.announce(n, "servers")
        for name, m in servers.items():  # one at a time, so each start-up is its own
            stack.callback(m.stop)
            with stage(result, f"start {name}", clock):
                m.start()
                result.setdefault("startup_seconds", {})[name] = m.startup_seconds[-1]
        stack.callback(rdflib.close)
        with stage(result, "start rdflib-endpoint", clock):
            reason = rdflib.skip_reason()
            if reason:
                result["rdflib_skipped"] = reason
                log(f"rdflib-endpoint {reason}")
            else:
                rdflib.start()
                result.setdefault("startup_seconds", {})["rdflib"] = rdflib.managed.startup_seconds[-1]  # type: ignore[union-attr]
                result["commands"]["rdflib"] = rdflib.command()
        if rdflib.server is None and not result.get("rdflib_skipped"):
            result["rdflib_skipped"] = (
                f"not run: {result.get('errors', {}).get('start rdflib-endpoint', 'did not start')}"
            )
        everyone = {**servers, **({"rdflib": rdflib.managed} if rdflib.server else {})}
        time.sleep(2)
        for name, m in everyone.items():
            if m.server is not None:
                pss, rss = tree_memory(m.server.process.pid)
                result["memory"][name] = {"rest_pss_mb": pss, "rest_rss_mb": rss}
        if rdflib.server is not None and result["memory"]["rdflib"]["rest_pss_mb"] > 0:
            # the larger of its memory at rest and its peak while parsing (conservative: the interpreter's own
            # memory counts too, which overstates the figure per quad at a small size)
            most = max(result["memory"]["rdflib"]["rest_pss_mb"], rdflib.peak)
            per_quad = most * 2**20 / rdflib.quads
            result["rdflib"]["measured_bytes_per_quad"] = per_quad
            clock.learn_rdflib(per_quad, result["startup_seconds"]["rdflib"] / rdflib.quads, n)
        result["loadavg_before"] = os.getloadavg()
        if servers["ldpub"].server is not None:
            with stage(result, "deref", clock, announce="deref"):
                result["deref"] = deref(everyone, iris, base, args, work, result)
            save()
            if args.skip_sparql:
                result["sparql"] = {}
            else:
                with stage(result, "sparql", clock, announce="sparql"):
                    result["sparql"] = sparql(servers, args, work, result)
                save()
                if rdflib.server is not None:
                    with stage(result, "sparql-rdflib", clock, announce="sparql-rdflib"):
                        result.setdefault("sparql", {}).update(sparql_rdflib(rdflib, args, work, result))
        result["loadavg_after"] = os.getloadavg()
        memory_figures(result, everyone)
        for name, m in everyone.items():
            if m.restarts:
                result.setdefault("restarts", {})[name] = m.restarts
    result.pop("_oxigraph_answers", None)
    save()
    if not args.skip_recon:
        with stage(result, "recon", clock, announce="recon"):
            result["recon"] = recon(store, args.recon_timeout)
        save()
    if not args.skip_scaling:
        if args.scaling_max_documents is not None and n > args.scaling_max_documents:
            result["scaling_skipped"] = (
                f"not measured: above --scaling-max-documents {args.scaling_max_documents:,}"
            )
        else:
            with stage(result, "scaling", clock, announce="scaling"):
                result["scaling"] = scaling(store, db, iris[: args.scaling_sample], base, args, work, n)


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
    return {"cpus": len(os.sched_getaffinity(0)), "cpu": cpu,
            "memory_gb": round(int(mem.split()[1]) / 2**20, 1), "kernel": platform.release(),
            "mem_available_gb_at_start": round(mem_available_mb() / 1024, 1),
            "versions": versions}  # fmt: skip


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", default="1000,10000,100000", help="corpus sizes, comma-separated")
    parser.add_argument("--runs", type=int, default=3, help="wrk runs per figure (the median is kept)")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per wrk run")
    parser.add_argument(
        "--warmup", type=float, default=3.0, help="seconds per warm-up round (until throughput settles)"
    )
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--sample", type=int, default=1000, help="resources dereferenced (cycled over)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--work", type=Path, default=Path("/tmp/ldpub-bench"))
    parser.add_argument("--rebuild", action="store_true", help="redo corpora and builds")
    parser.add_argument(
        "--rdflib-max-documents",
        type=int,
        default=None,
        help="never start rdflib-endpoint above this size (default: its memory estimate decides; 0: never)",
    )
    parser.add_argument(
        "--rdflib-reserve-mb",
        type=float,
        default=2048,
        help="memory kept free when deciding whether rdflib-endpoint fits (MemAvailable minus this)",
    )
    parser.add_argument(
        "--rdflib-restart-max",
        type=float,
        default=120,
        help="restart rdflib-endpoint after a query time-out only when its start-up took at most this many s",
    )
    parser.add_argument("--check-third-party", type=int, default=50, help="DESCRIBE answers checked first")
    parser.add_argument("--check-budget", type=float, default=300, help="seconds a checking pass may take")
    parser.add_argument(
        "--sequential-above",
        type=float,
        default=2.0,
        help="seconds per request above which a system is timed by its checking pass, not with wrk",
    )
    parser.add_argument(
        "--sparql-sequential-above",
        type=float,
        default=0.25,
        help="seconds above which a query is timed one request at a time (3 requests)",
    )
    parser.add_argument("--formats", default="turtle,jsonld,html", help="dereference formats measured")
    parser.add_argument(
        "--query-timeout",
        type=float,
        default=20.0,
        help="seconds a request may take (probes, checks, wrk); the servers' own limit is this + 2",
    )
    parser.add_argument(
        "--scaling-sample", type=int, default=100, help="resources dereferenced in the scaling test"
    )
    parser.add_argument(
        "--recon-timeout", type=float, default=1800, help="seconds the reconciliation stage may take"
    )
    parser.add_argument(
        "--cold-timeout", type=float, default=120, help="seconds a request of ldpub's cold pass may take"
    )
    parser.add_argument(
        "--cold-budget", type=float, default=900, help="seconds of ldpub's cold pass per format at most"
    )
    parser.add_argument(
        "--scaling-warmup-max",
        type=float,
        default=600,
        help="seconds of warm-up pass per scaling case at most",
    )
    parser.add_argument(
        "--scaling-max-documents", type=int, default=None, help="no scaling test above this size"
    )
    parser.add_argument("--skip-sparql", action="store_true")
    parser.add_argument("--skip-recon", action="store_true")
    parser.add_argument("--skip-scaling", action="store_true")
    parser.add_argument("--no-report", action="store_true", help="only write the JSON results")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, _interrupt)  # `kill PID` stops the run cleanly and still writes RESULTS.md
    args.work = args.work.resolve()
    args.work.mkdir(parents=True, exist_ok=True)
    sizes = [int(x) for x in args.documents.split(",")]
    clock = Clock(sizes, args)
    results: dict[str, Any] = {
        "started": datetime.now(UTC).isoformat(timespec="seconds"), "machine": machine(),
        "command": "python benchmarks/run.py " + " ".join(argv if argv is not None else sys.argv[1:]),
        "settings": {"query_timeout_s": args.query_timeout, "server_time_limit_s": server_time_limit(args),
                     "runs": args.runs, "duration_s": args.duration, "connections": args.connections,
                     "sample": args.sample, "scaling_sample": args.scaling_sample},
        "sizes": {},
    }  # fmt: skip

    def save() -> None:
        clean = {
            **results,
            "sizes": {
                n: {k: v for k, v in r.items() if not k.startswith("_")} for n, r in results["sizes"].items()
            },
        }
        (HERE / "results.json").write_text(json.dumps(clean, indent=1, default=str))

    try:
        for n in sizes:
            log(f"== {n:,} documents")
            result: dict[str, Any] = {"documents": n}
            results["sizes"][str(n)] = result

            def save_size(result: dict[str, Any] = result, n: int = n) -> None:
                clean = {k: v for k, v in result.items() if not k.startswith("_")}
                (args.work / f"results-{n}.json").write_text(json.dumps(clean, indent=1, default=str))
                save()

            try:
                one_size(n, args, result, clock, save_size)
            except SizeFailed as exc:
                log(f"!! {n:,} documents: stopped at the {exc} stage; going on with the next size")
            except Exception as exc:  # anything not caught by a stage: recorded, next size
                result.setdefault("errors", {})["size"] = f"{type(exc).__name__}: {exc}"[:2000]
                traceback.print_exc(file=sys.stdout)
            result.pop("_oxigraph_answers", None)
            save_size()
    except KeyboardInterrupt:
        results["interrupted"] = datetime.now(UTC).isoformat(timespec="seconds")
        log("interrupted: writing the results gathered so far")
    finally:
        for result in results["sizes"].values():
            result.pop("_oxigraph_answers", None)
        results["finished"] = datetime.now(UTC).isoformat(timespec="seconds")
        save()
        if not args.no_report:
            from report import write_report

            write_report(results)
            log(f"wrote {HERE / 'RESULTS.md'} and {HERE / 'plots'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
