"""Structured access logs (issue 7, item 5): one JSON line per request, never a secret.

:class:`AccessLog` is WSGI middleware around the whole application, so it sees every answer (errors,
304s, streamed dumps) and measures the real body size and the time until the body was sent. Each line::

    {"ts": "2026-11-24T10:15:00.123Z", "id": "…", "method": "GET", "path": "/sparql",
     "query": "query=…", "status": 200, "bytes": 1234, "ms": 12.3, "remote": "127.0.0.1"}

* ``id``: the client's ``X-Request-ID`` when it is a plain token (:func:`~ldpub.web.limits.sane_request_id`),
  else a fresh random one; echoed in the response's ``X-Request-ID`` header either way.
* ``path`` and ``query`` are truncated (:data:`MAX_FIELD` characters): every surface is public and read-only,
  so the query string holds no secret, but it can be long. No request header is logged (no ``Cookie``,
  ``Authorization``), nor any body.
* ``remote`` is the peer address; it is taken from ``X-Forwarded-For`` only when ``trusted_proxies`` says a
  proxy is in front (werkzeug's ``ProxyFix``, installed by :func:`ldpub.web.create_app`, rewrites it first).

Lines go through a bounded queue to one writer thread: a slow or blocked sink (a full pipe) never stalls a
request; lines that do not fit are dropped and counted (:attr:`AccessLog.dropped`). Each line is one
``write`` on a file opened for appending, so several server processes can share one file.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

from .limits import sane_request_id

MAX_FIELD = 512
QUEUE_SIZE = 10_000
ENVIRON_KEY = "ldpub.request_id"
"""Where the request id is left in the WSGI environ for handlers that want it."""

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def truncate(text: str, limit: int = MAX_FIELD) -> str:
    """``text`` cut to ``limit`` characters, the cut marked with an ellipsis.

    >>> truncate("abcdef", 4), truncate("abc", 4)
    ('abc…', 'abc')
    """
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _wsgi_text(value: str) -> str:
    """A WSGI environ string (bytes as latin-1) as the UTF-8 text it encodes, undecodable bytes escaped.

    >>> _wsgi_text("/id/caf\\xc3\\xa9")
    '/id/café'
    """
    return value.encode("latin-1", "replace").decode("utf-8", "backslashreplace")


class _Writer:
    """One daemon thread writing queued lines to a file descriptor."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.lines: queue.Queue[bytes] = queue.Queue(QUEUE_SIZE)
        self.dropped = 0
        threading.Thread(target=self._run, name="ldpub-access-log", daemon=True).start()

    def put(self, line: bytes) -> None:
        try:
            self.lines.put_nowait(line)
        except queue.Full:
            self.dropped += 1

    def _run(self) -> None:
        while True:
            line = self.lines.get()
            with contextlib.suppress(OSError):
                os.write(self.fd, line)
            self.lines.task_done()

    def flush(self, timeout: float = 5.0) -> None:
        """Wait (at most ``timeout`` seconds) until every queued line is written."""
        deadline = time.monotonic() + timeout
        while self.lines.unfinished_tasks and time.monotonic() < deadline:
            time.sleep(0.005)


def open_sink(where: str) -> int | None:
    """The file descriptor the ``access_log`` setting names: ``-`` standard error, a path (appended to,
    created if missing), or None when empty (logging off)."""
    if not where:
        return None
    if where == "-":
        return 2
    return os.open(where, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)


class AccessLog:
    """WSGI middleware writing one JSON line per request to ``fd`` (or only echoing ids when None)."""

    def __init__(self, app: WSGIApp, fd: int | None) -> None:
        self.app = app
        self.writer = _Writer(fd) if fd is not None else None

    @property
    def dropped(self) -> int:
        return self.writer.dropped if self.writer is not None else 0

    def flush(self) -> None:
        if self.writer is not None:
            self.writer.flush()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        started = time.perf_counter()
        request_id = sane_request_id(environ.get("HTTP_X_REQUEST_ID")) or uuid.uuid4().hex
        environ[ENVIRON_KEY] = request_id
        status: list[int] = [0]

        def _start(code: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            status[0] = int(code.split(" ", 1)[0])
            kept = [(k, v) for k, v in headers if k.lower() != "x-request-id"]
            return start_response(code, [*kept, ("X-Request-ID", request_id)], exc_info)

        body = self.app(environ, _start)
        return _Counted(body, lambda sent: self._log(environ, request_id, status[0], sent, started))

    def _log(self, environ: dict[str, Any], request_id: str, status: int, sent: int, started: float) -> None:
        if self.writer is None:
            return
        record = {
            "ts": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "id": request_id,
            "method": truncate(str(environ.get("REQUEST_METHOD", "")), 16),
            "path": truncate(_wsgi_text(environ.get("PATH_INFO", ""))),
            "query": truncate(_wsgi_text(environ.get("QUERY_STRING", ""))),
            "status": status,
            "bytes": sent,
            "ms": round((time.perf_counter() - started) * 1000, 2),
            "remote": environ.get("REMOTE_ADDR"),
        }
        self.writer.put((json.dumps(record, ensure_ascii=True) + "\n").encode("ascii"))


class _Counted:
    """A WSGI body that counts the bytes sent and calls ``done(bytes)`` once, when closed."""

    def __init__(self, body: Iterable[bytes], done: Callable[[int], None]) -> None:
        self.body = body
        self.done = done
        self.sent = 0

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self.body:
            self.sent += len(chunk)
            yield chunk

    def close(self) -> None:
        try:
            close = getattr(self.body, "close", None)
            if close is not None:
                close()
        finally:
            self.done(self.sent)
