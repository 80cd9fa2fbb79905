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

A worker's memory is bounded too (``sparql_worker_max_bytes``): the server checks its resident memory every
:data:`MEMORY_CHECK_SECONDS` while it runs a query and kills it past the bound (Oxigraph materialises
``ORDER BY``, ``GROUP BY`` and ``DISTINCT``, and a ``CONSTRUCT`` answer is built whole before the cap, so
one query can otherwise take gigabytes within its time limit), and replaces a worker that still holds more
than half the bound after answering (memory freed by a large answer mostly stays with the process).

A worker switches to a newer release on its own (it ``refresh()``-es before each query), so the release it
answered on may be newer than the one the web request pinned: each answer names its release
(:attr:`Limited.release`), and the endpoint's ``ETag`` and ``Last-Modified`` come from that.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import ctypes.util
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
from .store import DatasetStore, EmbeddedStore, QueryResult, ReleaseInfo, SelectResult, open_published

POOL_SIZE = 2
"""Worker processes per server process unless told (setting ``sparql_pool_size``): one slow query never
blocks every other, and with the per-client limit below the pool size one client never takes them all."""
MEMORY_CHECK_SECONDS = 0.1
"""How often the memory of a worker running a query is checked."""
STARTUP_SECONDS = 60.0
"""How long a fresh worker may take to import ldpub and open the store."""
_HEADER = struct.Struct(">Q")
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


class QueryTimeout(LdpubError):
    """A query was stopped at the time limit, or no worker became free within it."""


class QueryTooLarge(QueryTimeout):
    """A query was stopped because its worker process passed the memory limit."""


@dataclass(frozen=True)
class Limited:
    """A query's answer under the limits."""

    result: QueryResult
    truncated: bool
    """Whether rows (or triples) beyond the cap were dropped."""
    seconds: float
    release: ReleaseInfo | None = None
    """The release the query was answered on (None: the store has no releases)."""


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
    pool_size: int = POOL_SIZE,
    worker_max_bytes: int = 0,
) -> Limited:
    """Run ``sparql`` on ``store`` within ``timeout`` seconds, keeping at most ``max_rows`` rows.

    Raises :class:`QueryTimeout` at the limit, :class:`~ldpub.errors.QueryError` for a malformed or
    failing query, :class:`~ldpub.errors.StoreError` when the store cannot be read.
    ``allow_federation``: the caller has checked every ``SERVICE`` endpoint against the allow-list.
    ``pool_size``: worker processes of this process's pool for an embedded store (set when it starts);
    ``worker_max_bytes``: the resident memory a worker may reach (0: unbounded), see the module notes.
    The answer names the release it was computed on: for an embedded store the release the worker had
    open, which may be newer than ``store``'s; for another store, ``store``'s own.
    """
    started = time.monotonic()
    release: ReleaseInfo | None
    if isinstance(store, EmbeddedStore):
        result, truncated, release = pool_for(store.store_dir, pool_size, worker_max_bytes).run_on(
            sparql, union_default_graph, max_rows, timeout, allow_federation
        )
    else:
        release = store.release_info()
        future = _threads().submit(
            store.query, sparql, union_default_graph=union_default_graph, allow_federation=allow_federation
        )
        try:
            result, truncated = cap(future.result(timeout=timeout), max_rows)
        except FutureTimeout:
            raise QueryTimeout(_timeout_message(timeout)) from None
    return Limited(result, truncated, time.monotonic() - started, release)


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


class _OverMemory(Exception):
    """The worker's resident memory passed the bound while it ran a query."""


class _Worker:
    """One worker process and its message channel."""

    def __init__(self, store_dir: Path) -> None:
        command = [sys.executable, "-m", "ldpub.query_limits", str(store_dir)]
        self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.ready = False

    def memory(self) -> int | None:
        """The worker's resident memory in bytes (None where /proc cannot tell)."""
        try:
            with open(f"/proc/{self.process.pid}/statm", "rb") as handle:
                return int(handle.read().split()[1]) * _PAGE
        except (OSError, ValueError, IndexError):
            return None

    def call(self, message: object, deadline: float, max_bytes: int = 0) -> Any:
        assert self.process.stdin is not None
        data = pickle.dumps(message)
        try:
            self.process.stdin.write(_HEADER.pack(len(data)) + data)
            self.process.stdin.flush()
        except OSError as exc:
            raise StoreError(f"the query worker stopped: {exc}") from exc
        return self.receive(deadline, max_bytes)

    def receive(self, deadline: float, max_bytes: int = 0) -> Any:
        """The next message; :class:`_Overrun` past ``deadline``, :class:`_OverMemory` when the worker's
        memory passes ``max_bytes`` (0: unchecked) while it has not answered."""
        (size,) = _HEADER.unpack(self._read(_HEADER.size, deadline, max_bytes))
        return pickle.loads(self._read(size, deadline))

    def _read(self, size: int, deadline: float, max_bytes: int = 0) -> bytes:
        assert self.process.stdout is not None
        fd = self.process.stdout.fileno()
        chunks, missing = [], size
        poller = select.poll()  # not select(): a server holding many store files has descriptors past 1024
        poller.register(fd, select.POLLIN | select.POLLHUP)
        while missing:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise _Overrun
            wait = min(remaining, MEMORY_CHECK_SECONDS) if max_bytes else remaining
            if not poller.poll(max(1, int(wait * 1000))):
                used = self.memory() if max_bytes else None
                if used is not None and used > max_bytes:
                    raise _OverMemory
                continue
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

    def __init__(self, store_dir: Path, size: int = POOL_SIZE, max_bytes: int = 0) -> None:
        self.store_dir = store_dir
        self.max_bytes = max_bytes
        """Resident memory a worker may reach while it runs a query (0: unbounded)."""
        self.recycled = 0
        """Workers replaced because they held more than half of ``max_bytes`` after an answer."""
        self._free = threading.Condition()
        self._idle = [_Worker(store_dir) for _ in range(size)]
        self._closed = False

    def run(
        self, sparql: str, union: bool, max_rows: int, timeout: float, federation: bool = False
    ) -> tuple[QueryResult, bool]:
        """Run one query on a free worker; see :func:`run_limited`."""
        result, truncated, _ = self.run_on(sparql, union, max_rows, timeout, federation)
        return result, truncated

    def run_on(
        self, sparql: str, union: bool, max_rows: int, timeout: float, federation: bool = False
    ) -> tuple[QueryResult, bool, ReleaseInfo]:
        """Run one query on a free worker: the answer, whether it was cut, and the release it was read from.

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
            reply = worker.call(
                (sparql, union, max_rows, federation), time.monotonic() + timeout, self.max_bytes
            )
            keep = not self._bloated(worker)
        except _Overrun:
            raise QueryTimeout(_timeout_message(timeout)) from None
        except _OverMemory:
            raise QueryTooLarge(
                f"the query was stopped: it needed more than {self.max_bytes / 2**20:g} MiB of memory "
                "(setting sparql_worker_max_bytes)"
            ) from None
        finally:
            self._release(worker, keep)
        _check(reply)
        return _result(reply[1], reply[2]), bool(reply[3]), reply[4]

    def _bloated(self, worker: _Worker) -> bool:
        """Whether ``worker`` keeps more than half the memory bound after answering (it is replaced)."""
        used = worker.memory() if self.max_bytes else None
        if used is not None and used > self.max_bytes // 2:
            self.recycled += 1
            return True
        return False

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


_POOLS: dict[tuple[int, str, int, int], QueryPool] = {}
_POOLS_LOCK = threading.Lock()


def pool_for(store_dir: Path, size: int = POOL_SIZE, max_bytes: int = 0) -> QueryPool:
    """The worker pool of this process for ``store_dir`` with ``size`` workers of at most ``max_bytes``
    (0: unbounded), started on first use."""
    key = (os.getpid(), str(Path(store_dir).resolve()), size, max_bytes)
    with _POOLS_LOCK:
        pool = _POOLS.get(key)
        if pool is None:
            pool = _POOLS[key] = QueryPool(Path(key[1]), size, max_bytes)
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
        pinned = store.snapshot()  # the release and its database as one pair
        result, truncated = cap(
            pinned.query(sparql, union_default_graph=union, allow_federation=federation, max_rows=max_rows),
            max_rows,
        )
    except LdpubError as exc:
        return ("error", type(exc).__name__, str(exc))
    except Exception as exc:  # an engine failure is reported, not fatal to the worker
        return ("error", "QueryError", f"the query failed: {exc}")
    release = pinned.release_info()  # named in the answer: the endpoint's ETag comes from it
    if isinstance(result, SelectResult):
        return ("ok", "select", (result.vars, result.rows), truncated, release)
    if isinstance(result, bool):
        return ("ok", "ask", result, truncated, release)
    return ("ok", "graph", list(result), truncated, release)


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
    trim = _malloc_trim()
    while (message := _receive(inbox)) is not None:
        sparql, union, max_rows, federation = message
        data = pickle.dumps(_answer(store, sparql, union, max_rows, federation))
        trim()  # the answer's objects are freed: give their memory back (about 10 MiB per worker)
        channel.write(_HEADER.pack(len(data)) + data)
        channel.flush()
        del data


def _malloc_trim() -> Any:
    """glibc's ``malloc_trim(0)`` as a function of no argument; a no-op where there is no glibc."""
    name = ctypes.util.find_library("c")
    try:
        trim = ctypes.CDLL(name).malloc_trim if name else None
    except (OSError, AttributeError):
        trim = None
    return (lambda: trim(0)) if trim is not None else (lambda: None)


if __name__ == "__main__":
    worker_main(sys.argv[1])
