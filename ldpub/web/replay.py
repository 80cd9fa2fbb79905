"""Answers replayed before Flask: a description already answered in this release is sent again as it was.

A crawler asks for the same descriptions over and over, and within one release each answer is fixed: the
same request (path, query string, ``Accept``, ``Accept-Profile``, host, scheme, script root) gets the same
status line, headers and body. Flask's request handling costs several times what it takes to look that
answer up (benchmarks/RESULTS.md, the dereference profile), so :class:`Replay` keeps the answers of the
resource handler and sends them again without Flask:

* only ``GET`` of ``/doc/…`` answered ``200`` by a handler that marks its answer replayable
  (:func:`mark_replayable`, with the release it read), never a conditional request (``If-None-Match``,
  ``If-Modified-Since``: Flask answers those, 304 included) nor one with a ``Range``;
* every answer belongs to one release: a new release drops them all, and an answer computed on another
  release than the current one (a build published meanwhile) is not kept;
* the kept bodies are counted against a budget (``representation_cache_bytes``, least recently used
  dropped first); a body is usually the very ``bytes`` object the representation cache holds.

The layer sits inside the access log (each replayed request is logged, with its request id) and inside
``ProxyFix`` (forwarded host and scheme are part of the key).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Any

from ..store import DatasetStore

BUILD_ENVIRON_KEY = "ldpub.replay_build"
"""Set in the WSGI environ by a handler whose ``200`` answer may be replayed: the release it read."""

ENTRY_BYTES = 400
"""Bookkeeping counted per kept answer, beside its body and headers."""

Key = tuple[Any, ...]


def mark_replayable(environ: dict[str, Any], build_id: str | None) -> None:
    """Say that this request's answer is fixed for release ``build_id`` (None: never replay it)."""
    if build_id is not None:
        environ[BUILD_ENVIRON_KEY] = build_id


class _Answer:
    __slots__ = ("body", "headers", "size", "status")

    def __init__(self, status: str, headers: list[tuple[str, str]], body: bytes) -> None:
        self.status = status
        self.headers = headers
        self.body = body
        self.size = ENTRY_BYTES + len(body) + sum(len(k) + len(v) for k, v in headers)


class Replay:
    """WSGI middleware in front of the Flask application; see the module's description."""

    def __init__(self, app: Callable[..., Iterable[bytes]], store: DatasetStore, max_bytes: int) -> None:
        self.app = app
        self.store = store
        self.max_bytes = max_bytes
        self.hits = 0
        self._lock = threading.Lock()
        self._build: str | None = None
        self._answers: OrderedDict[Key, _Answer] = OrderedDict()
        self._size = 0

    @property
    def size(self) -> int:
        """Bytes counted against the budget now."""
        return self._size

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if (
            self.max_bytes <= 0
            or environ.get("REQUEST_METHOD") != "GET"
            or not environ.get("PATH_INFO", "").startswith("/doc/")
            or "HTTP_IF_NONE_MATCH" in environ
            or "HTTP_IF_MODIFIED_SINCE" in environ
            or "HTTP_RANGE" in environ
        ):
            return self.app(environ, start_response)
        self.store.refresh()
        release = self.store.release_info()
        if release is None:
            return self.app(environ, start_response)
        key = (
            environ.get("PATH_INFO"),
            environ.get("QUERY_STRING", ""),
            environ.get("HTTP_ACCEPT"),
            environ.get("HTTP_ACCEPT_PROFILE"),
            environ.get("HTTP_HOST"),
            environ.get("SERVER_NAME"),
            environ.get("SERVER_PORT"),
            environ.get("wsgi.url_scheme"),
            environ.get("SCRIPT_NAME", ""),
        )
        with self._lock:
            self._switch(release.build_id)
            kept = self._answers.get(key)
            if kept is not None:
                self._answers.move_to_end(key)
                self.hits += 1
        if kept is not None:
            start_response(kept.status, list(kept.headers))
            return [kept.body]
        return self._answer_and_keep(environ, start_response, key)

    def _answer_and_keep(
        self, environ: dict[str, Any], start_response: Callable[..., Any], key: Key
    ) -> Iterable[bytes]:
        sent: list[Any] = []

        def _start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            sent[:] = [status, list(headers)]
            return start_response(status, headers, exc_info)

        body = self.app(environ, _start)
        build_id = environ.get(BUILD_ENVIRON_KEY)
        if build_id is None or not sent or not str(sent[0]).startswith("200 "):
            return body
        try:
            data = b"".join(body)
        finally:
            close = getattr(body, "close", None)
            if close is not None:
                close()
        answer = _Answer(sent[0], sent[1], data)
        with self._lock:
            if build_id == self._build and key not in self._answers and answer.size <= self.max_bytes:
                self._answers[key] = answer
                self._size += answer.size
                while self._size > self.max_bytes:
                    _, dropped = self._answers.popitem(last=False)
                    self._size -= dropped.size
        return [data]

    def _switch(self, build_id: str) -> None:
        """Forget the answers of an earlier release (call with the lock held)."""
        if build_id != self._build:
            self._build = build_id
            self._answers.clear()
            self._size = 0
