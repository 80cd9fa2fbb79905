"""Run SPARQL queries for the public endpoint with a time limit and a result cap.

Oxigraph cannot interrupt a query, so queries on the embedded store run in a small pool of worker
processes (``python -m ldpub.query_limits STORE``), each holding the published release open read-only.
A query that overruns ``sparql_timeout`` has its worker killed and replaced; the web server's own
threads never run a query, so it keeps answering other requests meanwhile. Answers longer than
``sparql_max_rows`` rows (or triples) are cut, and the cut is reported (:attr:`Limited.truncated`) so
the endpoint can signal it. Other stores (an external SPARQL endpoint) are queried from a thread: the
caller gets its answer, or :class:`QueryTimeout`, within the limit.

Messages between the server and a worker are pickles framed by an 8-byte length, on the worker's stdin
and stdout; the worker moves its own stdout to stderr first, so nothing else can write into the channel.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import pickle
import select
import struct
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from rdflib import Graph

from .errors import LdpubError, QueryError, StoreError
from .store import DatasetStore, EmbeddedStore, QueryResult, SelectResult, open_published

POOL_SIZE = 2
"""Worker processes per server process: one slow query never blocks every other."""
STARTUP_SECONDS = 60.0
"""How long a fresh worker may take to import ldpub and open the store."""
_HEADER = struct.Struct(">Q")


class QueryTimeout(LdpubError):
    """A query was stopped at the time limit, or no worker became free within it."""


@dataclass(frozen=True)
class Limited:
    """A query's answer under the limits."""

    result: QueryResult
    truncated: bool
    """Whether rows (or triples) beyond the cap were dropped."""
    seconds: float


def cap(result: QueryResult, max_rows: int) -> tuple[QueryResult, bool]:
    """Cut a result to ``max_rows`` rows (``SELECT``) or triples (graphs); say whether anything was cut.

    >>> from rdflib import Literal
    >>> cut, truncated = cap(SelectResult(("n",), [{"n": Literal(i)} for i in range(5)]), 3)
    >>> len(cut.rows), truncated
    (3, True)
    >>> cap(True, 1)
    (True, False)
    """
    if isinstance(result, SelectResult):
        if len(result.rows) <= max_rows:
            return result, False
        return SelectResult(result.vars, result.rows[:max_rows]), True
    if isinstance(result, Graph) and len(result) > max_rows:
        kept = Graph()
        for n, triple in enumerate(result):
            if n >= max_rows:
                break
            kept.add(triple)
        return kept, True
    return result, False


def run_limited(
    store: DatasetStore,
    sparql: str,
    *,
    union_default_graph: bool = True,
    timeout: float,
    max_rows: int,
    allow_federation: bool = False,
) -> Limited:
    """Run ``sparql`` on ``store`` within ``timeout`` seconds, keeping at most ``max_rows`` rows.

    Raises :class:`QueryTimeout` at the limit, :class:`~ldpub.errors.QueryError` for a malformed or
    failing query, :class:`~ldpub.errors.StoreError` when the store cannot be read.
    ``allow_federation``: the caller has checked every ``SERVICE`` endpoint against the allow-list.
    """
    started = time.monotonic()
    if isinstance(store, EmbeddedStore):
        result, truncated = pool_for(store.store_dir).run(
            sparql, union_default_graph, max_rows, timeout, allow_federation
        )
    else:
        future = _threads().submit(
            store.query, sparql, union_default_graph=union_default_graph, allow_federation=allow_federation
        )
        try:
            result, truncated = cap(future.result(timeout=timeout), max_rows)
        except FutureTimeout:
            raise QueryTimeout(_timeout_message(timeout)) from None
    return Limited(result, truncated, time.monotonic() - started)


def _timeout_message(timeout: float) -> str:
    return f"the query was stopped after the time limit of {timeout:g} s (setting sparql_timeout)"


_THREADS: ThreadPoolExecutor | None = None


def _threads() -> ThreadPoolExecutor:
    global _THREADS
    if _THREADS is None:
        _THREADS = ThreadPoolExecutor(max_workers=4, thread_name_prefix="ldpub-query")
    return _THREADS


class _Overrun(Exception):
    """The worker did not answer before the deadline."""


class _Worker:
    """One worker process and its message channel."""

    def __init__(self, store_dir: Path) -> None:
        command = [sys.executable, "-m", "ldpub.query_limits", str(store_dir)]
        self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.ready = False

    def call(self, message: object, deadline: float) -> Any:
        assert self.process.stdin is not None
        data = pickle.dumps(message)
        try:
            self.process.stdin.write(_HEADER.pack(len(data)) + data)
            self.process.stdin.flush()
        except OSError as exc:
            raise StoreError(f"the query worker stopped: {exc}") from exc
        return self.receive(deadline)

    def receive(self, deadline: float) -> Any:
        (size,) = _HEADER.unpack(self._read(_HEADER.size, deadline))
        return pickle.loads(self._read(size, deadline))

    def _read(self, size: int, deadline: float) -> bytes:
        assert self.process.stdout is not None
        fd = self.process.stdout.fileno()
        chunks, missing = [], size
        poller = select.poll()  # not select(): a server holding many store files has descriptors past 1024
        poller.register(fd, select.POLLIN | select.POLLHUP)
        while missing:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not poller.poll(max(1, int(remaining * 1000))):
                raise _Overrun
            chunk = os.read(fd, min(missing, 1 << 20))
            if not chunk:
                raise StoreError(f"the query worker exited with status {self.process.wait()}")
            chunks.append(chunk)
            missing -= len(chunk)
        return b"".join(chunks)

    def kill(self) -> None:
        with contextlib.suppress(OSError):
            self.process.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=5)
        for stream in (self.process.stdin, self.process.stdout):
            with contextlib.suppress(OSError):
                if stream is not None:
                    stream.close()


class QueryPool:
    """Worker processes over one store folder; a worker runs one query at a time."""

    def __init__(self, store_dir: Path, size: int = POOL_SIZE) -> None:
        self.store_dir = store_dir
        self._free = threading.Condition()
        self._idle = [_Worker(store_dir) for _ in range(size)]
        self._closed = False

    def run(
        self, sparql: str, union: bool, max_rows: int, timeout: float, federation: bool = False
    ) -> tuple[QueryResult, bool]:
        """Run one query on a free worker; see :func:`run_limited`.

        Waiting for a free worker has its own allowance of one more time limit, so a query queued behind
        overrunning ones (whose workers are killed and replaced at the limit) still gets its full time limit
        to run once a worker is free.
        """
        worker = self._acquire(time.monotonic() + 2 * timeout)
        keep = False
        try:
            if not worker.ready:
                reply = worker.receive(time.monotonic() + STARTUP_SECONDS)
                _check(reply)
                worker.ready = True
            reply = worker.call((sparql, union, max_rows, federation), time.monotonic() + timeout)
            keep = True
        except _Overrun:
            raise QueryTimeout(_timeout_message(timeout)) from None
        finally:
            self._release(worker, keep)
        _check(reply)
        return _result(reply[1], reply[2]), bool(reply[3])

    def _acquire(self, deadline: float) -> _Worker:
        with self._free:
            while not self._idle:
                remaining = deadline - time.monotonic()
                if self._closed or remaining <= 0:
                    raise QueryTimeout("no query worker became free within the time limit; try again later")
                self._free.wait(remaining)
            return self._idle.pop()

    def _release(self, worker: _Worker, keep: bool) -> None:
        if not keep:
            worker.kill()
        with self._free:
            if self._closed:
                worker.kill()
                return
            self._idle.append(worker if keep else _Worker(self.store_dir))
            self._free.notify()

    def close(self) -> None:
        """Stop every idle worker; busy ones are stopped when their query returns."""
        with self._free:
            self._closed = True
            idle, self._idle = self._idle, []
        for worker in idle:
            worker.kill()


def _check(reply: tuple[Any, ...]) -> None:
    if reply[0] == "error":
        kind = {"QueryError": QueryError, "QueryTimeout": QueryTimeout}.get(reply[1], StoreError)
        raise kind(reply[2])


def _result(kind: str, payload: Any) -> QueryResult:
    if kind == "select":
        return SelectResult(tuple(payload[0]), payload[1])
    if kind == "ask":
        return bool(payload)
    graph = Graph()
    for triple in payload:
        graph.add(triple)
    return graph


_POOLS: dict[tuple[int, str], QueryPool] = {}
_POOLS_LOCK = threading.Lock()


def pool_for(store_dir: Path) -> QueryPool:
    """The worker pool of this process for ``store_dir``, started on first use."""
    key = (os.getpid(), str(Path(store_dir).resolve()))
    with _POOLS_LOCK:
        pool = _POOLS.get(key)
        if pool is None:
            pool = _POOLS[key] = QueryPool(Path(key[1]))
        return pool


@atexit.register
def close_pools() -> None:
    """Stop every worker this process started."""
    with _POOLS_LOCK:
        mine = [key for key in _POOLS if key[0] == os.getpid()]
        pools = [_POOLS.pop(key) for key in mine]
    for pool in pools:
        pool.close()


# The worker process.


def _send(channel: BinaryIO, message: object) -> None:
    data = pickle.dumps(message)
    channel.write(_HEADER.pack(len(data)) + data)
    channel.flush()


def _receive(inbox: BinaryIO) -> Any:
    header = inbox.read(_HEADER.size)
    if len(header) < _HEADER.size:
        return None
    (size,) = _HEADER.unpack(header)
    return pickle.loads(inbox.read(size))


def _answer(
    store: EmbeddedStore, sparql: str, union: bool, max_rows: int, federation: bool
) -> tuple[Any, ...]:
    try:
        store.refresh()
        result, truncated = cap(
            store.query(sparql, union_default_graph=union, allow_federation=federation), max_rows
        )
    except LdpubError as exc:
        return ("error", type(exc).__name__, str(exc))
    except Exception as exc:  # an engine failure is reported, not fatal to the worker
        return ("error", "QueryError", f"the query failed: {exc}")
    if isinstance(result, SelectResult):
        return ("ok", "select", (result.vars, result.rows), truncated)
    if isinstance(result, bool):
        return ("ok", "ask", result, truncated)
    return ("ok", "graph", list(result), truncated)


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(0)


def worker_main(store_dir: str) -> None:
    """Serve queries on stdin/stdout until stdin closes or the parent process dies."""
    channel = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # anything printed goes to stderr, never into the channel
    threading.Thread(target=_watch_parent, args=(os.getppid(),), daemon=True).start()
    try:
        store = open_published(store_dir)
    except LdpubError as exc:
        _send(channel, ("error", type(exc).__name__, str(exc)))
        return
    _send(channel, ("ready",))
    inbox = sys.stdin.buffer
    while (message := _receive(inbox)) is not None:
        sparql, union, max_rows, federation = message
        _send(channel, _answer(store, sparql, union, max_rows, federation))


if __name__ == "__main__":
    worker_main(sys.argv[1])
