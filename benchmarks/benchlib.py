"""Pieces of the benchmark harness (benchmarks/run.py): servers, the wrk load generator, memory, results.

Every server runs on 127.0.0.1 in its own process group and is stopped by its own pid. Load comes from
``wrk`` (a second process, 16 connections by default) driven by a generated Lua script that cycles over
many request paths, never one URL; the Lua ``done`` hook prints one JSON line with the figures.
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
from collections.abc import Iterator, Sequence
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


@contextmanager
def server(
    name: str, command: Sequence[str], probe: str, log: Path, env: dict[str, str] | None = None, wait: float = 600
) -> Iterator[Server]:
    """Start ``command``, wait until ``probe`` (a URL) answers, yield, then stop the process group."""
    handle = log.open("wb")
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
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            with _suppress():
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=20)
        handle.close()


def _suppress() -> contextlib.suppress:
    return contextlib.suppress(ProcessLookupError, PermissionError)


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
    """The figures of one wrk run."""

    requests: int
    seconds: float
    rps: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    status_errors: int
    socket_errors: int


def wrk(url: str, script: Path, *, duration: float, connections: int, threads: int = 2, timeout: float = 60) -> Load:
    """Run wrk once against ``url`` with ``script`` and return its figures."""
    command = [
        "wrk", f"-t{threads}", f"-c{connections}", f"-d{duration:g}s", f"--timeout={timeout:g}s",
        "-s", str(script), url,
    ]  # fmt: skip
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    line = next(line for line in out.splitlines() if line.startswith("WRKJSON "))
    data = json.loads(line.removeprefix("WRKJSON "))
    seconds = data["duration_us"] / 1e6
    return Load(
        requests=data["requests"],
        seconds=seconds,
        rps=data["requests"] / seconds if seconds else 0.0,
        p50_ms=data["p50_us"] / 1000,
        p90_ms=data["p90_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        status_errors=data["status_errors"],
        socket_errors=data["socket_errors"],
    )


@dataclass
class Measured:
    """The median of several wrk runs (after a warm-up), and every run kept."""

    rps: float
    p50_ms: float
    p99_ms: float
    errors: int
    runs: list[dict[str, Any]] = field(default_factory=list)
    peak_pss_mb: float = 0.0
    note: str = ""


def measure(
    jobs: dict[str, tuple[Server, Path]], *, runs: int, duration: float, warmup: float, connections: int
) -> dict[str, Measured]:
    """For each job (a server and a wrk script): a warm-up until throughput settles, then ``runs`` wrk runs, the jobs taking turns
    run by run (so a busy moment of the machine falls on every system alike); medians of throughput and
    latencies, errors summed, the peak memory of each server while its own runs ran."""
    for target, script in jobs.values():
        if warmup > 0:  # warm until throughput settles (caches filled in every worker process), at most 8 rounds
            last = wrk(target.url, script, duration=warmup, connections=connections).rps
            for _ in range(7):
                now = wrk(target.url, script, duration=warmup, connections=connections).rps
                if abs(now - last) <= 0.1 * max(now, last):
                    break
                last = now
    loads: dict[str, list[Load]] = {name: [] for name in jobs}
    peaks: dict[str, float] = dict.fromkeys(jobs, 0.0)
    for _ in range(runs):
        for name, (target, script) in jobs.items():
            with MemorySampler(target) as sampler:
                loads[name].append(wrk(target.url, script, duration=duration, connections=connections))
            peaks[name] = max(peaks[name], sampler.peak)
    return {
        name: Measured(
            rps=statistics.median(x.rps for x in got),
            p50_ms=statistics.median(x.p50_ms for x in got),
            p99_ms=statistics.median(x.p99_ms for x in got),
            errors=sum(x.status_errors + x.socket_errors for x in got),
            runs=[asdict(x) for x in got],
            peak_pss_mb=peaks[name],
        )
        for name, got in loads.items()
    }


def fetch(url: str, accept: str, timeout: float = 600) -> tuple[int, bytes, float]:
    """(status, body, seconds) of one GET."""
    request = urllib.request.Request(url, headers={"Accept": accept})
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            return answer.status, answer.read(), time.monotonic() - started
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(), time.monotonic() - started
    except OSError as exc:  # a time-out or a dropped connection: status 0
        return 0, str(exc).encode(), time.monotonic() - started


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


def graph_size(body: bytes, content_type: str = "text/turtle") -> int:
    """Triples in an RDF answer (parsed with rdflib)."""
    import warnings

    from rdflib import Graph

    graph = Graph()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        graph.parse(data=body, format="turtle" if "turtle" in content_type else "json-ld")
    return len(graph)


def query_path(prefix: str, sparql: str) -> str:
    return f"{prefix}?{urllib.parse.urlencode({'query': sparql})}"


def ratio(a: float, b: float) -> float:
    return a / b if b else math.nan
