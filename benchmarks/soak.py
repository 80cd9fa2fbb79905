"""Soak test (issue 7, item 1): many concurrent clients against a real `ldpub serve` on 127.0.0.1.

    python benchmarks/soak.py --store var/store                         # 64 clients, 5 minutes
    python benchmarks/soak.py --store var/store --clients 8 --seconds 20  # a quick look
    python benchmarks/soak.py --sources var/corpus-100                   # build that corpus first
    python benchmarks/soak.py --store S --server-env LDPUB_SPARQL_POOL_SIZE=2   # a setting changed
    python benchmarks/soak.py --store S --fairness     # one client's slow SPARQL vs another's cheap query

Starts `ldpub serve` (granian, ``--workers``) on a free loopback port over the store, discovers what to ask
from the server itself (every resource under /id/, the OAI-PMH records), then runs ``--clients`` clients
(threads spread over ``--procs`` processes, each with a keep-alive connection) for ``--seconds`` seconds or
``--max-requests`` requests, whichever comes first. Each request is drawn from a fixed mix (weights
50/10/15/10/15 % in the order below, or ``--mix``):

* resource descriptions in every format (Turtle, JSON-LD, RDF/XML, N-Triples, N-Quads, HTML) and profile
  (CIDOC-CRM, EDM, schema.org, RiC-O, Linked Art), by content negotiation and by extension;
* pages (home, search), VoID, the change feed and the dumps listing;
* SPARQL: the example queries of queries/ (SELECT, ASK, CONSTRUCT) in JSON, XML, CSV and Turtle;
* reconciliation batches of 10–50 queries (form POST, as OpenRefine sends them) and suggest calls;
* OAI-PMH harvests: ListRecords/ListIdentifiers followed through every resumption token (the server runs
  with ``oai_page_size`` 10 so that paging happens).

Each client is its own address for the server: the server trusts one proxy (``trusted_proxies = 1``) and
each client sends ``X-Forwarded-For: 10.P.N.1``, so the per-client SPARQL limit (``sparql_client_queries``)
applies per client as it would on a public server behind a reverse proxy; its ``429`` answers are counted.

``--fairness`` runs one scene instead (issue 7, item 1): the server with one worker process; client A
sends ``--slow`` copies of queries/09-credits.rq at once; while they run, client B sends five cheap ``ASK``
queries one after the other, then A one cheap query more. It prints A's statuses and B's latencies.

Only 127.0.0.1 is ever contacted. Reports requests served, answers by status class, 5xx, connection
errors, latency percentiles (p50, p90, p99, max), requests per second, and the memory of the whole server
(granian and its workers and query processes) at the start (after a warm-up), every ``--sample`` seconds
and at the end: the sum of RSS (shared pages counted in every process that maps them) and the sum of PSS
(each shared page divided among the processes that share it: what the tree really occupies), and per
process (role ``main``, ``web`` or ``query``) its RSS, PSS and anonymous memory, so what grows can be
told apart. Exits 1 on any 5xx or connection error. ``--json FILE`` writes the figures as JSON.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
FORMATS = ["ttl", "jsonld", "rdf", "nt", "nq", "html"]
ACCEPTS = ["text/turtle", "application/ld+json", "application/rdf+xml", "application/n-triples", "text/html"]
PROFILES = ["", "edm", "schema", "rico", "linkedart"]
SPARQL_FORMATS = {"SELECT": ["json", "xml", "csv"], "ASK": ["json", "xml"], "CONSTRUCT": ["ttl", "nt"]}
INTERACTIVE = 1.0
"""An example query answering slower than this alone (seconds) is left out of the mix, and reported."""
NAMES = ["Pak", "Kim", "Zhou", "Jilin", "Ministry", "Embassy", "Korea", "Chen", "Li", "Shen Zhihua", "Yalu"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def _smaps_rollup(pid: int) -> dict[str, int]:
    """Rss, Pss and Anonymous (KiB) of one process, from /proc/PID/smaps_rollup."""
    wanted = {"Rss": "rss", "Pss": "pss", "Anonymous": "anon"}
    found: dict[str, int] = {}
    with open(f"/proc/{pid}/smaps_rollup") as handle:
        for line in handle:
            key, _, value = line.partition(":")
            if key in wanted:
                found[wanted[key]] = int(value.split()[0])
    return found


def tree_memory(root_pid: int) -> list[dict[str, Any]]:
    """Per process of the server tree: pid, role (main, web, query), RSS, PSS and anonymous memory (KiB)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(entry))
        except OSError:
            continue
    found, todo = [], [(root_pid, 0)]
    while todo:
        pid, depth = todo.pop()
        todo.extend((child, depth + 1) for child in children.get(pid, []))
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as handle:
                command = handle.read().replace(b"\0", b" ").decode(errors="replace")
            memory = _smaps_rollup(pid)
        except OSError:
            continue
        role = "query" if "ldpub.query_limits" in command else ("main" if depth == 0 else "web")
        found.append({"pid": pid, "role": role, **memory})
    return found


# --- what to ask -------------------------------------------------------------------------------------------------


def _fetch(
    port: int, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None
):  # type: ignore[no-untyped-def]
    connection = http.client.HTTPConnection(HOST, port, timeout=60)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def discover(port: int) -> dict[str, Any]:
    """Resource paths (from SPARQL), the example queries and the OAI-PMH metadata formats."""
    query = "SELECT DISTINCT ?s WHERE { ?s ?p ?o FILTER(STRSTARTS(STR(?s), 'http')) FILTER(CONTAINS(STR(?s), '/id/')) }"
    status, body = _fetch(
        port, "GET", "/sparql?" + urllib.parse.urlencode({"query": query, "format": "json"})
    )
    assert status == 200, body[:300]
    iris = [row["s"]["value"] for row in json.loads(body)["results"]["bindings"]]
    paths = sorted({"/doc/" + iri.split("/id/", 1)[1] for iri in iris})
    queries, slow = [], {}
    for file in sorted((ROOT / "queries").glob("*.rq")):
        text = file.read_text(encoding="utf-8")
        code = " ".join(line for line in text.upper().splitlines() if not line.lstrip().startswith("#"))
        form = min(("CONSTRUCT", "ASK", "SELECT"), key=lambda f: code.find(f) if f in code else len(code))
        started = time.perf_counter()
        status, _ = _fetch(port, "GET", "/sparql?" + urllib.parse.urlencode({"query": text}))
        seconds = time.perf_counter() - started
        if status == 200 and seconds < INTERACTIVE:
            queries.append((form, text))
        else:
            slow[file.name] = f"{status}, {seconds:.2f} s alone"
    return {"paths": paths, "queries": queries, "slow_queries": slow}


KINDS = ["resource", "page", "sparql", "recon", "oai"]
MIX = {"resource": 50, "page": 10, "sparql": 15, "recon": 10, "oai": 15}
"""The default weights of the request kinds (``--mix`` changes them)."""


def one_request(
    rng: random.Random, plan: dict[str, Any]
) -> list[tuple[str, str, bytes | None, dict[str, str]]]:
    """One client action: a list of requests (an OAI harvest is several, chained by tokens later)."""
    mix = plan.get("mix", MIX)
    kind = rng.choices(KINDS, weights=[mix.get(k, 0) for k in KINDS])[0]
    requests = _requests(rng, plan, kind)
    for request in requests:
        request[3]["x-kind"] = kind
    return requests


def _requests(
    rng: random.Random, plan: dict[str, Any], kind: str
) -> list[tuple[str, str, bytes | None, dict[str, str]]]:
    if kind == "resource":
        path = rng.choice(plan["paths"])
        profile = (
            rng.choice(PROFILES) if path.count("/") == 3 and "/document/" in path else ""
        )  # views: documents
        query = f"?_profile={profile}" if profile else ""
        if rng.random() < 0.5:
            return [("GET", f"{path}.{rng.choice(FORMATS)}{query}", None, {})]
        return [("GET", path + query, None, {"Accept": rng.choice(ACCEPTS)})]
    if kind == "page":
        return [rng.choice([
            ("GET", "/", None, {"Accept": "text/html"}),
            ("GET", "/search?q=" + urllib.parse.quote(rng.choice(NAMES)), None, {"Accept": "text/html"}),
            ("GET", "/.well-known/void", None, {"Accept": "text/turtle"}),
            ("GET", "/activity/", None, {}),
            ("GET", "/dumps/", None, {"Accept": "application/json"}),
            ("GET", "/reconcile/suggest/entity?prefix=" + urllib.parse.quote(rng.choice(NAMES)[:3]), None, {}),
        ])]  # fmt: skip
    if kind == "sparql":
        form, text = rng.choice(plan["queries"])
        fmt = rng.choice(SPARQL_FORMATS[form])
        if rng.random() < 0.5:
            return [("GET", "/sparql?" + urllib.parse.urlencode({"query": text, "format": fmt}), None, {})]
        body = urllib.parse.urlencode({"query": text, "format": fmt}).encode()
        return [("POST", "/sparql", body, {"Content-Type": "application/x-www-form-urlencoded"})]
    if kind == "recon":
        size = rng.randint(10, 50)
        batch = {
            f"q{n}": {"query": rng.choice(NAMES) + rng.choice(["", " ", "s", "-"]), "limit": 5}
            for n in range(size)
        }
        body = urllib.parse.urlencode({"queries": json.dumps(batch)}).encode()
        return [("POST", "/reconcile", body, {"Content-Type": "application/x-www-form-urlencoded"})]
    verb = rng.choice(["ListRecords", "ListIdentifiers"])
    prefix = rng.choice(["oai_dc", "edm", "rdf"])
    return [("GET", f"/oai?verb={verb}&metadataPrefix={prefix}", None, {"x-oai-harvest": verb})]


# --- one client process ----------------------------------------------------------------------------------------


def run_clients(
    port: int, plan: dict[str, Any], threads: int, deadline: float, budget: int, seed: int
) -> dict[str, Any]:
    """``threads`` clients until ``deadline`` (time.time()) or ``budget`` requests in this process."""
    latencies: list[float] = []
    by_kind: dict[str, list[float]] = {}
    statuses: Counter[int] = Counter()
    errors: Counter[str] = Counter()
    bad: list[str] = []
    client_errors: Counter[str] = Counter()
    lock = threading.Lock()
    sent = [0]

    def take() -> bool:
        with lock:
            if sent[0] >= budget or time.time() >= deadline:
                return False
            sent[0] += 1
            return True

    def client(n: int) -> None:
        rng = random.Random(seed * 1000 + n)
        address = f"10.{seed % 256}.{n % 256}.1"  # this client's address for the server (X-Forwarded-For)
        connection = http.client.HTTPConnection(HOST, port, timeout=60)
        while True:
            queue = one_request(rng, plan)
            while queue:
                if not take():
                    connection.close()
                    return
                method, path, body, headers = queue.pop(0)
                harvest = headers.pop("x-oai-harvest", None)
                kind = headers.pop("x-kind", "other")
                started = time.perf_counter()
                try:
                    connection.request(
                        method, path, body=body, headers={**headers, "X-Forwarded-For": address}
                    )
                    response = connection.getresponse()
                    data = response.read()
                except (OSError, http.client.HTTPException) as error:
                    with lock:
                        errors[type(error).__name__] += 1
                    connection.close()
                    connection = http.client.HTTPConnection(HOST, port, timeout=60)
                    continue
                elapsed = time.perf_counter() - started
                with lock:
                    latencies.append(elapsed)
                    by_kind.setdefault(kind, []).append(elapsed)
                    statuses[response.status] += 1
                    if response.status >= 500 and len(bad) < 20:
                        bad.append(f"{response.status} {method} {path[:200]}")
                    if 400 <= response.status < 500:
                        client_errors[f"{response.status} {method} {_shape(path)}"] += 1
                if harvest and response.status == 200:
                    token = _token(data)
                    if token:
                        quoted = urllib.parse.quote(token)
                        queue.append(
                            (
                                "GET",
                                f"/oai?verb={harvest}&resumptionToken={quoted}",
                                None,
                                {"x-oai-harvest": harvest, "x-kind": "oai"},
                            )
                        )

    workers = [threading.Thread(target=client, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return {
        "latencies": latencies,
        "statuses": dict(statuses),
        "errors": dict(errors),
        "bad": bad,
        "client_errors": dict(client_errors),
        "by_kind": by_kind,
    }


def _shape(path: str) -> str:
    """A request path with its resource slug and query values dropped, to group 4xx answers.

    >>> _shape("/doc/person/kim-il-sung.ttl?_profile=edm")
    '/doc/person/….ttl?_profile=edm'
    """
    if path.startswith("/doc/"):
        kind, _, rest = path[5:].partition("/")
        tail = rest[rest.rfind(".") :] if "." in rest.rsplit("/", 1)[-1] else ""
        return f"/doc/{kind}/…{tail}"
    return path.split("?", 1)[0]


def _token(xml: bytes) -> str | None:
    start = xml.find(b"<resumptionToken")
    if start < 0:
        return None
    start = xml.find(b">", start) + 1
    end = xml.find(b"</resumptionToken>", start)
    token = xml[start:end].decode().strip() if end > start else ""
    return token or None


# --- main --------------------------------------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


def _by_kind(results: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    merged: dict[str, list[float]] = {}
    for r in results:
        for kind, values in r["by_kind"].items():
            merged.setdefault(kind, []).extend(values)
    return {
        kind: {
            "requests": len(values),
            "p50": round(percentile(values, 0.5) * 1000, 1),
            "p99": round(percentile(values, 0.99) * 1000, 1),
        }
        for kind, values in sorted(merged.items())
    }


CHEAP = "ASK { ?s a <http://www.cidoc-crm.org/cidoc-crm/E21_Person> }"


def _ask(port: int, query: str, client: str) -> tuple[int, float]:
    """Status and seconds of one SPARQL GET as the client at address ``client``."""
    headers = {"Accept": "application/sparql-results+json", "X-Forwarded-For": client}
    started = time.perf_counter()
    status, _ = _fetch(port, "GET", "/sparql?" + urllib.parse.urlencode({"query": query}), None, headers)
    return status, time.perf_counter() - started


def fairness(port: int, slow_count: int) -> dict[str, Any]:
    """Client A's slow queries in flight; A's one more, and B's cheap queries meanwhile."""
    slow_text = (ROOT / "queries" / "09-credits.rq").read_text(encoding="utf-8")
    _ask(port, CHEAP, "192.0.2.1")  # the query processes are up
    alone = _ask(port, slow_text, "192.0.2.2")
    slow: list[tuple[int, float]] = []
    threads = [
        threading.Thread(target=lambda: slow.append(_ask(port, slow_text, "198.51.100.1")))
        for _ in range(slow_count)
    ]
    for thread in threads:
        thread.start()
    time.sleep(0.5)
    probes = [_ask(port, CHEAP, "203.0.113.9") for _ in range(5)]
    in_flight = sum(thread.is_alive() for thread in threads)
    extra = _ask(port, CHEAP, "198.51.100.1")
    for thread in threads:
        thread.join()
    return {
        "slow_query_alone_s": round(alone[1], 2),
        "a_slow": [(status, round(seconds, 2)) for status, seconds in slow],
        "a_one_more": (extra[0], round(extra[1], 3)),
        "b_cheap": [(status, round(seconds, 3)) for status, seconds in probes],
        "a_slow_still_running_after_b": in_flight,
    }


def _mib(kib: float) -> float:
    return round(kib / 1024, 1)


def _span(samples: list[tuple[float, list[dict[str, Any]]]], key: str) -> dict[str, float]:
    """Start, end and max of the whole tree's ``key`` (rss or pss), MiB."""
    totals = [sum(p.get(key, 0) for p in procs) for _, procs in samples]
    return {"start": _mib(totals[0]), "end": _mib(totals[-1]), "max": _mib(max(totals))}


def _sample(t: float, procs: list[dict[str, Any]]) -> dict[str, Any]:
    """One memory sample: totals, and per role the count and the per-process RSS/PSS/anonymous (MiB)."""
    roles: dict[str, list[dict[str, Any]]] = {}
    for proc in procs:
        roles.setdefault(proc["role"], []).append(
            {"pid": proc["pid"], **{k: _mib(proc.get(k, 0)) for k in ("rss", "pss", "anon")}}
        )
    return {
        "t": t,
        "rss": _mib(sum(p.get("rss", 0) for p in procs)),
        "pss": _mib(sum(p.get("pss", 0) for p in procs)),
        "processes": roles,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path, help="a built store (else --sources is built first)")
    parser.add_argument("--sources", type=Path, default=ROOT / "data" / "sources")
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--procs", type=int, default=4, help="client processes the clients are spread over")
    parser.add_argument("--seconds", type=float, default=300.0)
    parser.add_argument("--max-requests", type=int, default=2_000_000)
    parser.add_argument("--workers", type=int, default=2, help="granian worker processes of the server")
    parser.add_argument("--sample", type=float, default=10.0, help="seconds between memory samples")
    parser.add_argument("--server-env", action="append", default=[], help="NAME=VALUE for the server")
    parser.add_argument(
        "--mix",
        help="weights of the request kinds, e.g. resource=60,sparql=20,recon=10,page=10 (0 when left out)",
    )
    parser.add_argument("--fairness", action="store_true", help="the fairness scene instead of the soak")
    parser.add_argument("--slow", type=int, default=2, help="client A's slow queries (--fairness)")
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args()
    if not 0 < args.seconds <= 3600 or not 0 < args.clients <= 512:
        parser.error("--seconds must be in (0, 3600] and --clients in (0, 512]")
    if not 1 <= args.sample <= 600:
        parser.error("--sample must be in [1, 600] seconds")

    scratch = Path(tempfile.mkdtemp(prefix="ldpub-soak-"))
    env = {
        **os.environ,
        "LDPUB_OAI_PAGE_SIZE": "10",
        "LDPUB_ACCESS_LOG": str(scratch / "access.jsonl"),
        "LDPUB_TRUSTED_PROXIES": "1",  # each client sends its own X-Forwarded-For
    }
    env.update(dict(item.split("=", 1) for item in args.server_env))
    command = [sys.executable, "-m", "ldpub", "--config", str(ROOT / "ldpub.toml")]
    store = args.store
    if store is None:
        store = scratch / "store"
        subprocess.run(
            [*command, "build", "--sources", str(args.sources), "--store", str(store), "--quiet"],
            check=True,
            env=env,
        )
    port = free_port()
    if args.fairness:
        args.workers = 1
    serve = [
        *command,
        "serve",
        "--store",
        str(store),
        "--host",
        HOST,
        "--port",
        str(port),
        "--workers",
        str(args.workers),
    ]
    server = subprocess.Popen(serve, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    try:
        up_by = time.monotonic() + 180  # a loaded machine can take a minute to start the server
        while time.monotonic() < up_by:
            try:
                if _fetch(port, "GET", "/")[0] == 200:
                    break
            except OSError:
                time.sleep(0.2)
        if args.fairness:
            print(json.dumps({"server_env": args.server_env, **fairness(port, args.slow)}))
            return 0
        plan = discover(port)
        if args.mix:
            plan["mix"] = {k: float(v) for k, v in (item.split("=") for item in args.mix.split(","))}
        warm = random.Random(0)  # warm-up: every resource once, every query once
        for path in plan["paths"][:: max(1, len(plan["paths"]) // 200)]:
            _fetch(port, "GET", path + ".ttl")
        for request in (one_request(warm, plan)[0] for _ in range(200)):
            _fetch(
                port,
                request[0],
                request[1],
                request[2],
                {k: v for k, v in request[3].items() if not k.startswith("x-")},
            )
        samples: list[tuple[float, list[dict[str, Any]]]] = [(0.0, tree_memory(server.pid))]
        started = time.time()
        deadline = started + args.seconds
        per_proc = [
            args.clients // args.procs + (1 if n < args.clients % args.procs else 0)
            for n in range(args.procs)
        ]
        stop = threading.Event()

        def sample() -> None:
            while not stop.wait(args.sample):
                samples.append((round(time.time() - started, 1), tree_memory(server.pid)))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        with ProcessPoolExecutor(len(per_proc)) as pool:
            futures = [
                pool.submit(run_clients, port, plan, n, deadline, args.max_requests // args.procs, seed)
                for seed, n in enumerate(per_proc)
                if n
            ]
            results = [f.result() for f in futures]
        elapsed = time.time() - started
        stop.set()
        samples.append((round(elapsed, 1), tree_memory(server.pid)))
        alive = server.poll() is None
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
    latencies = [x for r in results for x in r["latencies"]]
    statuses: Counter[int] = Counter()
    errors: Counter[str] = Counter()
    for r in results:
        statuses.update({int(k): v for k, v in r["statuses"].items()})
        errors.update(r["errors"])
    served = sum(statuses.values())
    logged = len((scratch / "access.jsonl").read_text(encoding="utf-8").splitlines())
    figures = {
        "clients": args.clients,
        "mix": plan.get("mix", MIX),
        "server_env": args.server_env,
        "seconds": round(elapsed, 1),
        "resources": len(plan["paths"]),
        "requests": served,
        "per_second": round(served / elapsed, 1),
        "status": {
            f"{k // 100}xx": sum(v for s, v in statuses.items() if s // 100 == k // 100)
            for k in sorted(statuses)
        },
        "5xx": sum(v for s, v in statuses.items() if s >= 500),
        "429": statuses.get(429, 0),
        "connection_errors": sum(errors.values()),
        "errors": dict(errors),
        "latency_ms": {
            "p50": round(percentile(latencies, 0.50) * 1000, 1),
            "p90": round(percentile(latencies, 0.90) * 1000, 1),
            "p99": round(percentile(latencies, 0.99) * 1000, 1),
            "max": round(max(latencies, default=0) * 1000, 1),
        },
        "latency_ms_by_kind": _by_kind(results),
        "rss_mib": _span(samples, "rss"),
        "pss_mib": _span(samples, "pss"),
        "memory_samples_mib": [_sample(t, procs) for t, procs in samples],
        "access_log_lines": logged,
        "server_alive_at_end": alive,
        "first_5xx": [b for r in results for b in r["bad"]][:10],
        "4xx_by_request": dict(
            sum((Counter(r["client_errors"]) for r in results), Counter()).most_common(10)
        ),
        "queries_in_mix": len(plan["queries"]),
        "queries_left_out": plan["slow_queries"],
    }
    text = json.dumps(figures, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")
    ok = figures["5xx"] == 0 and figures["connection_errors"] == 0 and alive
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
