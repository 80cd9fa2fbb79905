"""Errors as HTTP answers, in one place: RFC 9457 problem details, or an HTML page for browsers.

ldpub's error classes (:mod:`ldpub.errors`) map to a status (:data:`STATUS`); HTTP errors keep theirs
(and their headers, such as ``Allow`` on a 405). A body never carries a traceback: an unexpected
exception is logged and answered with a bare 500.
"""

from __future__ import annotations

import json
from http import HTTPStatus

from flask import Flask, Response, request
from markupsafe import escape
from werkzeug.exceptions import HTTPException

from ..errors import ConfigError, LdpubError, QueryError, StoreError
from .conneg import negotiate

STATUS: dict[type[LdpubError], int] = {QueryError: 400, StoreError: 503, ConfigError: 500}
"""Status per error class (the first class in the error's MRO found here); any other LdpubError: 500."""

PROBLEM = "application/problem+json"


def status_of(error: LdpubError) -> int:
    """The HTTP status of an ldpub error.

    >>> status_of(QueryError("bad")), status_of(StoreError("gone")), status_of(LdpubError("?"))
    (400, 503, 500)
    """
    for cls in type(error).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 500


def problem(status: int, detail: str | None = None, headers: dict[str, str] | None = None) -> Response:
    """A problem response (RFC 9457 §3.1 members type, title, status, detail, instance) in the format the
    client prefers: ``application/problem+json`` by default, HTML when it prefers ``text/html``."""
    title = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"
    wanted = negotiate(request.headers.get("Accept"), [PROBLEM, "text/html"], {"application/json": PROBLEM})
    if wanted == "text/html":
        text = detail or title
        body = (
            f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{status} {escape(title)}'
            f"</title></head><body><h1>{status} {escape(title)}</h1><p>{escape(text)}</p>"
            '<p><a href="/">Home</a></p></body></html>\n'
        )
        response = Response(body, status=status, content_type="text/html; charset=utf-8")
    else:
        record: dict[str, object] = {"type": "about:blank", "title": title, "status": status}
        if detail:
            record["detail"] = detail
        record["instance"] = request.path
        response = Response(json.dumps(record, indent=2) + "\n", status=status, content_type=PROBLEM)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def register_errors(app: Flask) -> None:
    """Install the handlers that turn every error into a problem body (never a traceback)."""

    @app.errorhandler(LdpubError)
    def _ldpub_error(error: LdpubError) -> Response:
        status = status_of(error)
        if status >= 500:
            app.logger.error("%s: %s", type(error).__name__, error)
        detail = str(error) if status < 500 or isinstance(error, StoreError) else None
        return problem(status, detail)

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> Response | HTTPException:
        if error.code is None or error.code < 400:
            return error
        keep = {k: v for k, v in error.get_headers() if k.lower() not in ("content-type", "content-length")}
        return problem(error.code, error.description, keep)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> Response:
        app.logger.exception("unexpected error answering %s %s", request.method, request.path)
        return problem(500)
