"""Request size limits (issue 7, item 3): bodies and request targets are bounded before any work is done.

* A body larger than ``max_request_bytes`` is answered ``413 Content Too Large`` (RFC 9110 §15.5.14): at
  once when ``Content-Length`` says so, and through Flask's ``MAX_CONTENT_LENGTH`` when a body without a
  length (chunked) turns out longer while it is read.
* A request target (path and query string) longer than ``max_url_bytes`` is answered ``414 URI Too Long``
  (RFC 9110 §15.5.15), before the store is touched.
* An ``X-Request-ID`` is echoed only when it is a plain token (:func:`sane_request_id`): a value with CR/LF
  or other characters never reaches a response header (no header injection).
* One client may have at most ``sparql_client_queries`` SPARQL queries running or waiting at once
  (:class:`ClientLimit`); the endpoint answers one more with ``429 Too Many Requests`` (RFC 6585 §4).
* Memory: a server process uses at most :data:`MALLOC_ARENAS` glibc malloc arenas
  (:func:`limit_malloc_arenas`).

Both size answers are problem details rendered by :mod:`ldpub.web.errors`.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import fcntl
import hashlib
import ipaddress
import os
import re
import stat
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

from flask import Flask, abort, request

from ..settings import Settings

_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:@/+=-]{0,127}\Z")


def sane_request_id(value: str | None) -> str | None:
    """``value`` when it is safe to log and echo as a request id (1–128 token characters), else None.

    >>> sane_request_id("a1b2-c3d4"), sane_request_id("x\\r\\nSet-Cookie: a=b"), sane_request_id("")
    ('a1b2-c3d4', None, None)
    >>> sane_request_id("é"), sane_request_id("a" * 129)
    (None, None)
    """
    if value is None or not value.isascii() or not _REQUEST_ID.match(value):
        return None
    return value


def target_length(path_info: str, query_string: str) -> int:
    """Length in bytes of a request target as WSGI gives it (``PATH_INFO`` holds bytes as latin-1).

    >>> target_length("/sparql", "query=ASK%7B%7D")
    23
    >>> target_length("/", "")
    1
    """
    return len(path_info) + (1 + len(query_string) if query_string else 0)


MALLOC_ARENAS = 2
"""glibc gives each thread that meets a busy arena a new one, up to 8 per core, and an arena keeps the
memory freed into it; with the 32 request threads of a server process that retained memory grew the process
by tens of MiB per arena (docs/RELIABILITY.md, "Memory over time"). Two arenas keep it shared."""


def limit_malloc_arenas(arenas: int = MALLOC_ARENAS) -> bool:
    """Cap glibc's malloc arenas of this process (``mallopt(M_ARENA_MAX)``); False where there is no glibc.

    Arenas made before the call stay; call it before the request threads allocate.
    """
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    try:
        mallopt = ctypes.CDLL(name).mallopt
    except (OSError, AttributeError):
        return False
    m_arena_max = -8  # <malloc.h>
    return bool(mallopt(m_arena_max, arenas))


def install_limits(app: Flask, settings: Settings) -> None:
    """Bound request bodies (413) and request targets (414) for every route of ``app``, and cap the
    process's malloc arenas (:func:`limit_malloc_arenas`).

    Registered before any other ``before_request`` hook, so an oversized request costs no store access.
    """
    limit_malloc_arenas()
    app.config["MAX_CONTENT_LENGTH"] = settings.max_request_bytes
    app.config["MAX_FORM_MEMORY_SIZE"] = settings.max_request_bytes
    max_url = settings.max_url_bytes
    max_body = settings.max_request_bytes

    @app.before_request
    def _limits() -> None:
        environ = request.environ
        length = target_length(environ.get("PATH_INFO", ""), environ.get("QUERY_STRING", ""))
        if length > max_url:
            abort(
                414,
                f"the request target is {length} bytes long; at most {max_url} are accepted "
                "(setting max_url_bytes): send a long SPARQL query or batch by POST",
            )
        declared = request.content_length
        if declared is not None and declared > max_body:
            abort(
                413,
                f"the request body is {declared} bytes long; at most {max_body} are accepted "
                "(setting max_request_bytes)",
            )


class TooManyQueries(Exception):
    """The client already has as many queries running or waiting as the limit allows."""

    def __init__(self, client: str, limit: int) -> None:
        super().__init__(
            f"too many SPARQL queries at once from {client}: at most {limit} may run or wait at the same "
            "time per client (setting sparql_client_queries); send the next one when one of yours has "
            "been answered"
        )
        self.client = client
        self.limit = limit


def client_key(address: str | None) -> str:
    """Who a request counts against: its address, an IPv6 address by its /64 network (one site's block).

    >>> client_key("203.0.113.7"), client_key("2001:db8:1:2:aaaa::1"), client_key("::ffff:198.51.100.2")
    ('203.0.113.7', '2001:db8:1:2::/64', '198.51.100.2')
    >>> client_key(None), client_key("not an address")
    ('unknown', 'not an address')
    """
    if not address:
        return "unknown"
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address[:100]
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.IPv6Network((parsed, 64), strict=False))
    return str(parsed)


BUCKETS = 1 << 20
"""Clients are counted in this many buckets (by a hash of the client key): two active clients share a
bucket, and so a limit, with a probability of about one in a million."""


class ClientLimit:
    """At most ``limit`` slots per client, shared by every worker process of one server.

    A slot is a one-byte POSIX record lock (``fcntl.lockf``) in one lock file named after the server (its
    store, host and port): the worker processes of ``ldpub serve`` see each other's slots, the kernel
    drops a process's locks when it dies (a crashed worker leaks nothing), and the file never grows (no
    byte is written; locks may lie past its end). POSIX locks belong to a process, not a thread, so this
    process's own slots are also kept in :attr:`_held`. When the lock file cannot be used the count is
    kept per process.
    """

    def __init__(self, limit: int, path: Path) -> None:
        self.limit = limit
        self.path = path
        self._lock = threading.Lock()
        self._held: set[int] = set()
        self._fd: int | None = None
        self._pid = -1

    def _file(self) -> int | None:
        """The lock file, opened once per process (-1 when it cannot be used)."""
        if self._pid != os.getpid():  # a forked child holds none of its parent's locks
            self._pid, self._held, self._fd = os.getpid(), set(), _open_lock_file(self.path)
        return self._fd

    def acquire(self, client: str) -> int | None:
        """Take one of ``client``'s slots; None when all are taken."""
        base = int.from_bytes(hashlib.blake2b(client.encode(), digest_size=8).digest(), "big") % BUCKETS
        with self._lock:
            fd = self._file()
            for n in range(self.limit):
                offset = base * self.limit + n
                if offset in self._held:
                    continue
                if fd is not None:
                    try:
                        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, offset, os.SEEK_SET)
                    except OSError as exc:
                        if exc.errno in (errno.EACCES, errno.EAGAIN):
                            continue  # held by another worker process
                        raise
                self._held.add(offset)
                return offset
        return None

    def release(self, offset: int) -> None:
        with self._lock:
            if offset not in self._held:
                return
            self._held.discard(offset)
            if self._fd is not None and self._pid == os.getpid():
                fcntl.lockf(self._fd, fcntl.LOCK_UN, 1, offset, os.SEEK_SET)

    @contextlib.contextmanager
    def slot(self, client: str) -> Iterator[None]:
        """Hold one of ``client``'s slots for the block; :class:`TooManyQueries` when none is free."""
        if self.limit == 0:
            yield
            return
        offset = self.acquire(client)
        if offset is None:
            raise TooManyQueries(client, self.limit)
        try:
            yield
        finally:
            self.release(offset)


def _open_lock_file(path: Path) -> int | None:
    """Open (create) the lock file: a regular file of this user, never through a symbolic link."""
    flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags, 0o600)
    except OSError:
        return None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode) or info.st_uid != os.getuid():
        os.close(fd)
        return None
    return fd


_LIMITS: dict[str, ClientLimit] = {}
_LIMITS_LOCK = threading.Lock()


def client_limit_path(settings: Settings) -> Path:
    """The lock file of the server ``settings`` describe: one per store (or store URL), host, port and
    limit, in the temporary folder. ``ldpub serve`` removes it when it stops."""
    where = settings.store_url or str(Path(settings.store).resolve())
    limit = settings.sparql_client_queries
    name = hashlib.blake2b(f"{where}|{settings.host}|{settings.port}|{limit}".encode(), digest_size=10)
    return Path(tempfile.gettempdir()) / f"ldpub-sparql-clients-{os.getuid()}-{name.hexdigest()}.lock"


def client_limit(settings: Settings) -> ClientLimit:
    """The per-client SPARQL limit of the server ``settings`` describe, shared by its worker processes
    through :func:`client_limit_path`."""
    path = client_limit_path(settings)
    with _LIMITS_LOCK:
        found = _LIMITS.get(str(path))
        if found is None:
            found = _LIMITS[str(path)] = ClientLimit(settings.sparql_client_queries, path)
        return found
