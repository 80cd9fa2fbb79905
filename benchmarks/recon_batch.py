"""Time a batch of 100 reconciliation queries (W3C Reconciliation Service API 0.2) on a built dataset.

    python benchmarks/recon_batch.py                          # build data/ into a temporary store
    python benchmarks/recon_batch.py --store var/store        # an existing store
    python benchmarks/recon_batch.py --sources var/corpus-1000 --runs 9

Measures, each as the median of ``--runs`` runs after one warm-up: building the index from the store
(once per release), answering the batch in-process (parse + match), through the Flask app (a form POST
as OpenRefine sends it), and against the real server (`ldpub serve` under granian on 127.0.0.1, one
worker). The 100 queries are made deterministically from the index's own names: exact labels, other
romanisations and scripts, lower-cased and misspelt forms, with and without a type, some with property
conditions, and some that match nothing. Appends the figures, with the command, to benchmarks/RESULTS.md
(unless ``--no-record``). Exits 1 when a batch takes a second or more.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import random
import statistics
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ldpub.build import build  # noqa: E402
from ldpub.reconciliation.index import ReconIndex, build_index, index_for  # noqa: E402
from ldpub.reconciliation.matching import parse_batch, reconcile_batch  # noqa: E402
from ldpub.settings import load_settings  # noqa: E402
from ldpub.store import open_published  # noqa: E402
from ldpub.web import create_app  # noqa: E402
from tests.servers import ldpub_server  # noqa: E402

RESULTS = ROOT / "benchmarks" / "RESULTS.md"
BATCH = 100


def make_queries(index: ReconIndex, size: int = BATCH, seed: int = 1) -> dict[str, dict[str, object]]:
    """``size`` queries drawn from the index's names, varied as users type them."""
    rng = random.Random(seed)
    names = [(index.entries[n.entry], n.text) for n in index.names]
    queries: dict[str, dict[str, object]] = {}
    for i in range(size):
        entry, name = names[rng.randrange(len(names))]
        style = i % 10
        query: dict[str, object] = {"query": name}
        if style == 1:
            query["query"] = name.lower()
        elif style == 2 and len(name) > 4:
            cut = rng.randrange(1, len(name) - 1)
            query["query"] = name[:cut] + name[cut + 1 :]
        elif style == 3:
            query["type"] = entry.kind
        elif style == 4 and entry.falls_within:
            query["properties"] = [{"pid": "falls_within", "v": index.label_of(entry.falls_within[0])}]
        elif style == 5 and entry.wikidata:
            query["properties"] = [{"pid": "wikidata", "v": entry.wikidata[0]}]
        elif style == 6:
            query["limit"] = 3
        elif style == 9:
            query["query"] = f"Nobody Known {i}"
        queries[f"q{i}"] = query
    return queries


def median_seconds(run: Callable[[], object], runs: int, once_above: float = math.inf) -> float:
    """The median of ``runs`` timed runs after a warm-up; the warm-up's own time when it took longer than
    ``once_above`` seconds (an index build of a large corpus: its repetitions would take the run's hour)."""
    start = time.perf_counter()
    run()  # warm-up
    if (first := time.perf_counter() - start) > once_above:
        return first
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def post(url: str, body: bytes) -> bytes:
    request = urllib.request.Request(
        url, data=body, headers={"Content-Type": "application/x-www-form-urlencoded; charset=UTF-8"}
    )
    with urllib.request.urlopen(request, timeout=900) as response:  # a cold process builds its index first
        data: bytes = response.read()
        if response.status != 200:
            raise RuntimeError(f"{url}: HTTP {response.status}")
        return data


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--store", type=Path, help="an existing store (default: build into a temporary one)")
    parser.add_argument("--sources", type=Path, help="captures to build (default: data/sources)")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--no-server", action="store_true", help="skip the real-server measurement")
    parser.add_argument("--no-record", action="store_true", help="do not append to benchmarks/RESULTS.md")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="recon-bench-") as tmp:
        store_dir = args.store
        if store_dir is None:
            store_dir = Path(tmp) / "store"
            overrides: dict[str, object] = {"store": store_dir}
            if args.sources:
                overrides["sources"] = args.sources.resolve()
            settings = load_settings(config=ROOT / "ldpub.toml", environ={}, overrides=overrides)
            build(settings)
        settings = load_settings(config=ROOT / "ldpub.toml", environ={}, overrides={"store": store_dir})
        with open_published(store_dir) as store:
            index_build = median_seconds(
                lambda: build_index(store, settings.base_uri), args.runs, once_above=10
            )
            index = index_for(
                store, settings.base_uri
            )  # kept for the Flask app below (same store, same release)
            queries = make_queries(index)
            raw = json.dumps(queries)
            answer = reconcile_batch(index, parse_batch(raw))
            hits = sum(1 for q in answer.values() if q["result"])
            in_process = median_seconds(lambda: reconcile_batch(index, parse_batch(raw)), args.runs)
            client = create_app(settings, store).test_client()
            through_app = median_seconds(lambda: client.post("/reconcile", data={"queries": raw}), args.runs)
        server = None
        if not args.no_server:
            body = urllib.parse.urlencode({"queries": raw}).encode()
            with ldpub_server(store_dir) as url:
                for _ in range(6):  # each web process builds its index on its first request; 6 requests
                    post(url + "/reconcile", body)  # miss one of the 2 processes with a chance of ~3 %
                server = median_seconds(lambda: post(url + "/reconcile", body), args.runs)
    figures = {
        "index build (once per release)": index_build,
        "batch of 100, in-process (parse + match)": in_process,
        "batch of 100, through the Flask app": through_app,
    }
    if server is not None:
        figures["batch of 100, real server (granian, form POST)"] = server
    dataset = (
        f"{len(index.entries)} entities and documents, {len(index.names)} names, release {index.build_id}"
    )
    lines = [f"- {name}: **{seconds * 1000:.1f} ms**" for name, seconds in figures.items()]
    report = "\n".join([f"dataset: {dataset}; {hits}/{len(queries)} queries with candidates", *lines])
    print(report)
    if not args.no_record:
        _record(report, args.runs, sys.argv)
    slowest = max(v for k, v in figures.items() if k.startswith("batch"))
    return 0 if slowest < 1.0 else 1


def _record(report: str, runs: int, argv: list[str]) -> None:
    command = "python " + " ".join([os.path.relpath(argv[0], ROOT), *argv[1:]])
    machine = (
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    )
    section = (
        f"\n## Reconciliation: a batch of 100 queries ({datetime.now(UTC):%Y-%m-%d %H:%M} UTC)\n\n"
        f"`{command}` (median of {runs} runs after a warm-up; {machine})\n\n{report}\n"
    )
    if not RESULTS.exists():
        RESULTS.write_text("# Benchmark results\n", encoding="utf-8")
    with RESULTS.open("a", encoding="utf-8") as out:
        out.write(section)


if __name__ == "__main__":
    sys.exit(main())
