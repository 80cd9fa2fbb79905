"""Pieces of the benchmark harness (benchmarks/run.py): servers, the wrk load generator, memory, results.

Every server runs on 127.0.0.1 in its own process group and is stopped by its own pid. Load comes from
``wrk`` (a second process, 16 connections by default) driven by a generated Lua script that cycles over
many request paths, never one URL; the Lua ``done`` hook prints one JSON line with the figures.

Throughput is counted in 2xx answers only: wrk counts an answer with status 400 or more as a status error
and a time-out or a dropped connection as a socket error, and :class:`Load` subtracts the first and reports
both as ``non_2xx``. The checking passes (:func:`check_paths`) fetch without following redirects, so a 3xx
shows as what it is.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import signal
import socket
import statistics
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import psutil


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Server:
    """A running server: its name, base URL, process and log file."""

    name: str
    url: str
    process: subprocess.Popen[bytes]
    log: Path
    grace: float = 20.0
    """Seconds between SIGTERM and SIGKILL when it is stopped (short when it is known to be busy)."""

    def pss_mb(self) -> float:
        """Proportional set size of the server and all its descendants, MB (shared pages counted once)."""
        return tree_memory(self.process.pid)[0]

    def rss_mb(self) -> float:
        return tree_memory(self.process.pid)[1]


def tree_memory(pid: int) -> tuple[float, float]:
    """(PSS, RSS) in MB summed over ``pid`` and its descendants."""
    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0.0, 0.0
    pss = rss = 0
    for proc in procs:
        try:
            info = proc.memory_full_info()
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
        pss += getattr(info, "pss", info.rss)
        rss += info.rss
    return pss / 2**20, rss / 2**20


def mem_available_mb() -> float:
    """The kernel's estimate of memory available for new work without swapping (``MemAvailable``), MB."""
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemAvailable:"):
            return int(line.split()[1]) / 1024
    return psutil.virtual_memory().available / 2**20


@contextmanager
def server(
    name: str,
    command: Sequence[str],
    probe: str,
    log: Path,
    env: dict[str, str] | None = None,
    wait: float = 600,
    guard: Callable[[Server], str | None] | None = None,
) -> Iterator[Server]:
    """Start ``command``, wait until ``probe`` (a URL) answers, yield, then stop the process group.

    ``guard`` is called while the server starts (every 0.2 s); when it returns a reason, the server is
    stopped and :class:`RuntimeError` raised with that reason (e.g. memory running out while it loads).
    """
    handle = log.open("ab")
    process = subprocess.Popen(
        list(command), stdout=handle, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})},
        start_new_session=True,
    )  # fmt: skip
    base = probe.split("/", 3)
    running = Server(name, "/".join(base[:3]), process, log)
    try:
        deadline = time.monotonic() + wait
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"{name} exited with {process.returncode}; see {log}")
            reason = guard(running) if guard else None
            if reason:
                raise RuntimeError(f"{name} stopped while starting: {reason}")
            try:
                with urllib.request.urlopen(probe, timeout=5):
                    break
            except urllib.error.HTTPError:
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{name} did not answer {probe} within {wait} s; see {log}") from None
                time.sleep(0.2)
        yield running
    finally:
        with _suppress():
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=running.grace)
        except subprocess.TimeoutExpired:
            with _suppress():
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=20)
        handle.close()


class Managed:
    """A server the harness can stop and start again (same command, same port, same log file)."""

    def __init__(
        self,
        name: str,
        command: Sequence[str],
        probe: str,
        log: Path,
        *,
        env: dict[str, str] | None = None,
        wait: float = 600,
        guard: Callable[[Server], str | None] | None = None,
    ) -> None:
        self.name, self.command, self.probe, self.log = name, list(command), probe, log
        self.env, self.wait, self.guard = env, wait, guard
        self.server: Server | None = None
        self.startup_seconds: list[float] = []
        self.restarts: list[str] = []
        self._stack: contextlib.ExitStack | None = None

    def start(self) -> Server:
        stack = contextlib.ExitStack()
        started = time.monotonic()
        try:
            self.server = stack.enter_context(
                server(
                    self.name,
                    self.command,
                    self.probe,
                    self.log,
                    env=self.env,
                    wait=self.wait,
                    guard=self.guard,
                )
            )
        except BaseException:
            stack.close()
            raise
        self._stack = stack
        self.startup_seconds.append(time.monotonic() - started)
        return self.server

    def stop(self) -> None:
        stack, self._stack, self.server = self._stack, None, None
        if stack is not None:
            stack.close()

    def restart(self, why: str) -> Server:
        """Stop it (SIGKILL after 2 s: it is restarted because it is busy) and start it again."""
        self.restarts.append(why)
        if self.server is not None:
            self.server.grace = 2.0
        self.stop()
        return self.start()

    def alive(self) -> bool:
        return self.server is not None and self.server.process.poll() is None


def _suppress() -> contextlib.suppress:
    return contextlib.suppress(ProcessLookupError, PermissionError)


def settle(target: Server, max_wait: float, busy: float = 15.0) -> float:
    """Wait until the server's process tree uses under ``busy`` % of a CPU (work left by abandoned requests
    done), at most ``max_wait`` seconds; returns the seconds waited."""
    started = time.monotonic()
    while time.monotonic() - started < max_wait:
        try:
            root = psutil.Process(target.process.pid)
            procs = [root, *root.children(recursive=True)]
            for proc in procs:
                proc.cpu_percent(None)
            time.sleep(0.5)
            used = sum(proc.cpu_percent(None) for proc in procs if proc.is_running())
        except psutil.Error:
            break
        if used < busy:
            break
    return time.monotonic() - started


class MemorySampler:
    """Polls a server's memory (PSS, MB) in a thread while load runs; :attr:`peak` is the highest seen."""

    def __init__(self, target: Server, every: float = 0.5) -> None:
        self.target, self.every = target, every
        self.peak = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self.target.pss_mb())
            self._stop.wait(self.every)

    def __enter__(self) -> MemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


LUA = """
local paths = {%(paths)s}
local headers = {%(headers)s}
local i = 0
setup = function(thread)
  counter = (counter or 0) + 1
  thread:set("start", math.floor(#paths / 2) * counter)
end
init = function(args)
  i = (tonumber(start) or 0) %% #paths
end
request = function()
  i = i %% #paths + 1
  return wrk.format("%(method)s", paths[i], headers)
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests": %%d, "duration_us": %%d, "status_errors": %%d, "socket_errors": %%d, '
    .. '"p50_us": %%d, "p90_us": %%d, "p99_us": %%d, "mean_us": %%.1f}\\n',
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.mean))
end
"""


def _lua_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def write_lua(path: Path, paths: Sequence[str], headers: dict[str, str], method: str = "GET") -> Path:
    """A wrk script cycling over ``paths`` (each thread from a different offset) with ``headers``."""
    path.write_text(
        LUA
        % {
            "paths": ",\n".join(_lua_string(p) for p in paths),
            "headers": ", ".join(f"[{_lua_string(k)}] = {_lua_string(v)}" for k, v in headers.items()),
            "method": method,
        },
        encoding="utf-8",
    )
    return path


@dataclass
class Load:
    """The figures of one wrk run: ``rps`` counts 2xx answers only; ``all_rps`` every answer."""

    requests: int
    seconds: float
    rps: float
    all_rps: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    status_errors: int
    socket_errors: int

    @property
    def non_2xx(self) -> int:
        return self.status_errors + self.socket_errors


def wrk(
    url: str, script: Path, *, duration: float, connections: int, threads: int = 2, timeout: float = 60
) -> Load:
    """Run wrk once against ``url`` with ``script`` and return its figures (``timeout``: per request)."""
    command = [
        "wrk", f"-t{threads}", f"-c{connections}", f"-d{duration:g}s", f"--timeout={max(1, round(timeout))}s",
        "-s", str(script), url,
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True)
    line = next((x for x in done.stdout.splitlines() if x.startswith("WRKJSON ")), None)
    if done.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({done.returncode}): {(done.stderr or done.stdout).strip()[:500]}")
    data = json.loads(line.removeprefix("WRKJSON "))
    seconds = data["duration_us"] / 1e6
    ok = data["requests"] - data["status_errors"]
    return Load(
        requests=data["requests"],
        seconds=seconds,
        rps=ok / seconds if seconds else 0.0,
        all_rps=data["requests"] / seconds if seconds else 0.0,
        p50_ms=data["p50_us"] / 1000,
        p90_ms=data["p90_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        status_errors=data["status_errors"],
        socket_errors=data["socket_errors"],
    )


@dataclass
class Measured:
    """The median of several wrk runs (after a warm-up), and every run kept.

    ``rps`` counts 2xx answers only; ``errors`` is the number of non-2xx answers (status, time-outs and
    dropped connections) over all the runs, the warm-up excluded.
    """

    rps: float
    p50_ms: float
    p99_ms: float
    errors: int
    runs: list[dict[str, Any]] = field(default_factory=list)
    peak_pss_mb: float = 0.0
    note: str = ""
    all_rps: float = 0.0
    warmup_seconds: float = 0.0
    warmup_requests: int = 0
    warmup_errors: int = 0


def measure(
    jobs: dict[str, tuple[Server, Path]],
    *,
    runs: int,
    duration: float,
    warmup: float,
    connections: int,
    timeout: float = 60,
    min_warmup_requests: int = 0,
    max_warmup_seconds: float = 0,
) -> dict[str, Measured]:
    """For each job (a server and a wrk script): a warm-up until throughput settles, then ``runs`` wrk runs,
    the jobs taking turns run by run (so a busy moment of the machine falls on every system alike); medians
    of throughput and latencies, non-2xx answers summed, the peak memory of each server while its own runs ran.

    The warm-up is rounds of ``warmup`` seconds until two rounds agree within 10 % (at most 8 rounds) and,
    with ``min_warmup_requests``, until that many answers came back (caches filled in every worker process),
    but never longer than ``max_warmup_seconds`` when that is given.
    """
    warm: dict[str, tuple[float, int, int]] = {}
    failed: dict[str, str] = {}
    for name, (target, script) in jobs.items():
        if warmup <= 0:
            continue
        try:
            warm[name] = _warm(
                target, script, warmup, connections, timeout, min_warmup_requests, max_warmup_seconds
            )
        except RuntimeError as exc:
            failed[name] = str(exc)
    loads: dict[str, list[Load]] = {name: [] for name in jobs}
    peaks: dict[str, float] = dict.fromkeys(jobs, 0.0)
    for _ in range(runs):
        for name, (target, script) in jobs.items():
            if name in failed:
                continue
            try:
                with MemorySampler(target) as sampler:
                    loads[name].append(
                        wrk(target.url, script, duration=duration, connections=connections, timeout=timeout)
                    )
            except RuntimeError as exc:
                failed[name] = str(exc)
            peaks[name] = max(peaks[name], sampler.peak)
    out: dict[str, Measured] = {}
    for name, got in loads.items():
        if not got:
            out[name] = Measured(
                0.0, math.nan, math.nan, 0, note=f"no wrk run completed: {failed.get(name, '?')}"[:500]
            )
            continue
        out[name] = Measured(
            rps=statistics.median(x.rps for x in got),
            p50_ms=statistics.median(x.p50_ms for x in got),
            p99_ms=statistics.median(x.p99_ms for x in got),
            errors=sum(x.non_2xx for x in got),
            runs=[asdict(x) for x in got],
            peak_pss_mb=peaks[name],
            all_rps=statistics.median(x.all_rps for x in got),
            warmup_seconds=warm.get(name, (0.0, 0, 0))[0],
            warmup_requests=warm.get(name, (0.0, 0, 0))[1],
            warmup_errors=warm.get(name, (0.0, 0, 0))[2],
            note=f"{len(got)} of {runs} runs, then: {failed[name]}"[:500] if name in failed else "",
        )
    return out


def _warm(
    target: Server,
    script: Path,
    warmup: float,
    connections: int,
    timeout: float,
    min_requests: int,
    max_seconds: float,
) -> tuple[float, int, int]:
    """Warm-up rounds (see :func:`measure`): (seconds, answers, non-2xx answers)."""
    started, requests, errors, rounds, last = time.monotonic(), 0, 0, 0, None
    limit = max_seconds or math.inf
    while True:
        load = wrk(target.url, script, duration=warmup, connections=connections, timeout=timeout)
        rounds, requests, errors = rounds + 1, requests + load.requests, errors + load.non_2xx
        settled = last is not None and abs(load.rps - last) <= 0.1 * max(load.rps, last)
        enough = requests >= min_requests
        spent = time.monotonic() - started
        if (settled and enough) or spent >= limit or (rounds >= 8 and not min_requests):
            break
        last = load.rps
    return time.monotonic() - started, requests, errors


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:  # a 3xx is an answer, not followed
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def fetch(url: str, accept: str, timeout: float = 600) -> tuple[int, bytes, float]:
    """(status, body, seconds) of one GET; redirects are not followed; a time-out or a dropped connection
    is status 0."""
    request = urllib.request.Request(url, headers={"Accept": accept})
    started = time.monotonic()
    try:
        with _OPENER.open(request, timeout=timeout) as answer:
            return answer.status, answer.read(), time.monotonic() - started
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(), time.monotonic() - started
    except OSError as exc:  # a time-out or a dropped connection: status 0
        return 0, str(exc).encode(), time.monotonic() - started


@dataclass
class Checked:
    """A checking pass: one request per path, ``parallel`` at a time, within a time budget."""

    paths: int
    done: int = 0
    non_2xx: int = 0
    empty: int = 0
    timeouts: int = 0
    seconds: list[float] = field(default_factory=list)
    statuses: dict[str, int] = field(default_factory=dict)
    over_budget: bool = False
    wall_seconds: float = 0.0
    failed_paths: set[str] = field(default_factory=set)

    @property
    def bad(self) -> int:
        return self.non_2xx + self.empty


def check_paths(
    base_url: str,
    paths: Sequence[str],
    accept: str,
    *,
    timeout: float,
    parallel: int = 1,
    budget: float = math.inf,
) -> Checked:
    """Fetch each path once (``parallel`` at a time); stop starting new requests after ``budget`` seconds."""
    from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

    out = Checked(len(paths))
    statuses: Counter[str] = Counter()
    started = time.monotonic()
    todo = iter(paths)
    with ThreadPoolExecutor(max_workers=parallel) as pool:
        running = set()
        while True:
            while len(running) < parallel and time.monotonic() - started < budget:
                path = next(todo, None)
                if path is None:
                    break
                future = pool.submit(fetch, base_url + path, accept, timeout)
                future.path = path  # type: ignore[attr-defined]
                running.add(future)
            if not running:
                break
            finished, running = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                status, body, took = future.result()
                if not 200 <= status < 300 or not body:
                    out.failed_paths.add(future.path)  # type: ignore[attr-defined]
                out.done += 1
                out.seconds.append(took)
                statuses[str(status)] += 1
                if not 200 <= status < 300:
                    out.non_2xx += 1
                    out.timeouts += status == 0
                elif not body:
                    out.empty += 1
    out.over_budget = out.done < len(paths)
    out.statuses = dict(statuses)
    out.wall_seconds = time.monotonic() - started
    return out


def _term(value: dict[str, str]) -> tuple[str, ...]:
    kind = value.get("type", "")
    if kind == "bnode":
        return ("bnode",)
    if kind in ("literal", "typed-literal"):
        datatype = value.get("datatype")
        if datatype == "http://www.w3.org/2001/XMLSchema#string":
            datatype = None
        lang = value.get("xml:lang")
        return ("literal", value["value"], datatype or "", (lang or "").lower())
    return (kind, value["value"])


def result_rows(body: bytes) -> Counter[tuple[Any, ...]] | bool:
    """A SPARQL JSON results document as a multiset of rows (blank nodes made equal), or the ASK boolean."""
    data = json.loads(body)
    if "boolean" in data:
        return bool(data["boolean"])
    names = data["head"].get("vars", [])
    rows: Counter[tuple[Any, ...]] = Counter()
    for binding in data["results"]["bindings"]:
        rows[tuple(_term(binding[n]) if n in binding else None for n in names)] += 1
    return rows


def graph_rows(body: bytes, content_type: str = "text/turtle") -> Counter[tuple[Any, ...]]:
    """The triples of an RDF answer as a multiset (blank nodes made equal), literals in their lexical
    form as sent (rdflib's literal normalisation is turned off while parsing)."""
    import warnings

    import rdflib
    from rdflib import BNode, Graph, Literal

    def term(t: Any) -> tuple[str, ...]:
        if isinstance(t, BNode):
            return ("bnode",)
        if isinstance(t, Literal):
            datatype = str(t.datatype) if t.datatype else ""
            datatype = "" if datatype == "http://www.w3.org/2001/XMLSchema#string" else datatype
            return ("literal", str(t), datatype, (t.language or "").lower())
        return ("uri", str(t))

    graph = Graph()
    normalize, rdflib.NORMALIZE_LITERALS = rdflib.NORMALIZE_LITERALS, False
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            graph.parse(data=body, format="turtle" if "turtle" in content_type else "json-ld")
    finally:
        rdflib.NORMALIZE_LITERALS = normalize
    return Counter(tuple(term(x) for x in triple) for triple in graph)


def graph_size(body: bytes, content_type: str = "text/turtle") -> int:
    """Triples in an RDF answer (parsed with rdflib)."""
    return sum(graph_rows(body, content_type).values())


def difference(
    mine: Counter[tuple[Any, ...]] | bool, reference: Counter[tuple[Any, ...]] | bool, limit: int = 300
) -> dict[str, Any]:
    """How two answers differ: counts of rows found in only one of them, and the first such row of each."""
    if isinstance(mine, bool) or isinstance(reference, bool):
        return {"answer": repr(mine)[:limit], "reference": repr(reference)[:limit]}
    only_mine, only_ref = mine - reference, reference - mine
    out: dict[str, Any] = {
        "rows_only_here": sum(only_mine.values()),
        "rows_only_in_reference": sum(only_ref.values()),
    }
    if (
        only_mine and only_ref
    ):  # the first such row beside its closest row in the reference: only what differs
        here = min(only_mine, key=repr)
        there = max(
            list(only_ref)[:10_000], key=lambda row: sum(a == b for a, b in zip(row, here, strict=False))
        )
        out["example"] = [{"column": i, "here": repr(a)[:limit], "reference": repr(b)[:limit]}
                          for i, (a, b) in enumerate(zip(here, there, strict=False)) if a != b]  # fmt: skip
    elif only_mine or only_ref:
        out["example"] = [{"here": repr(min(only_mine, key=repr))[:limit] if only_mine else None,
                           "reference": repr(min(only_ref, key=repr))[:limit] if only_ref else None}]  # fmt: skip
    return out


def query_path(prefix: str, sparql: str) -> str:
    return f"{prefix}?{urllib.parse.urlencode({'query': sparql})}"


def ratio(a: float, b: float) -> float:
    return a / b if b else math.nan
