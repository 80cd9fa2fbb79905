"""Request size limits (issue 7, item 3): bodies and request targets are bounded before any work is done.

* A body larger than ``max_request_bytes`` is answered ``413 Content Too Large`` (RFC 9110 §15.5.14): at
  once when ``Content-Length`` says so, and through Flask's ``MAX_CONTENT_LENGTH`` when a body without a
  length (chunked) turns out longer while it is read.
* A request target (path and query string) longer than ``max_url_bytes`` is answered ``414 URI Too Long``
  (RFC 9110 §15.5.15), before the store is touched.
* An ``X-Request-ID`` is echoed only when it is a plain token (:func:`sane_request_id`): a value with CR/LF
  or other characters never reaches a response header (no header injection).

Both answers are problem details rendered by :mod:`ldpub.web.errors`.
"""

from __future__ import annotations

import re

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


def install_limits(app: Flask, settings: Settings) -> None:
    """Bound request bodies (413) and request targets (414) for every route of ``app``.

    Registered before any other ``before_request`` hook, so an oversized request costs no store access.
    """
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
