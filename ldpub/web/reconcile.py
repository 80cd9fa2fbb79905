"""W3C Reconciliation Service API 0.2 over the published entities (what OpenRefine speaks).

Routes (spec: https://reconciliation-api.github.io/specs/0.2/):

* ``GET /reconcile``: the service manifest (§ "Service manifest"), also for JSONP (``callback``);
* ``POST /reconcile`` (form field ``queries``) and ``GET /reconcile?queries=``: a reconciliation query
  batch (§ "Reconciliation queries"); ``extend`` instead of ``queries``: data extension (§ "Data
  extension service");
* ``GET /reconcile/suggest/{entity,type,property}?prefix=&cursor=`` (§ "Suggest services");
* ``GET /reconcile/preview?id=`` (§ "Preview service"): an HTML summary of an entity;
* ``GET /reconcile/propose_properties?type=&limit=`` (§ "Property proposals").

Every answer carries CORS headers, preflight included (§ "Cross-Origin Resource Sharing"); JSON answers
are wrapped as JSONP when a ``callback`` (a JavaScript name) is given. Bad input is a 400 (a batch over
the limit: 413) with a JSON problem body, never a 500. Matching uses the release's index
(:mod:`ldpub.reconciliation`), built once per release, never a SPARQL scan per query.
"""

from __future__ import annotations

import json
import re
from http import HTTPStatus
from typing import Any

from flask import Blueprint, Response, current_app, request, url_for

from ..reconciliation import IndexCache
from ..reconciliation.index import ReconIndex
from ..reconciliation.matching import ReconError, parse_batch, reconcile_batch
from ..reconciliation.service import (
    extend,
    manifest,
    parse_extend,
    preview,
    propose_properties,
    suggest_entity,
    suggest_property,
    suggest_type,
)
from . import state

reconcile = Blueprint("reconcile", __name__)

CALLBACK = re.compile(r"^[A-Za-z_$][\w$.]*$")
MAX_CALLBACK = 128
INDEX_KEY = "ldpub.recon_index"
"""Where the application keeps its :class:`IndexCache` (``app.extensions``)."""


@reconcile.after_request
def _cors(response: Response) -> Response:
    """CORS on every answer of this surface (§ "Cross-Origin Resource Sharing"), preflight included."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
        requested = request.headers.get("Access-Control-Request-Headers")
        response.headers["Access-Control-Allow-Headers"] = requested or "Content-Type, Accept"
        response.headers["Access-Control-Max-Age"] = "86400"
    return response


@reconcile.errorhandler(ReconError)
def _refused(error: ReconError) -> Response:
    return _problem(error.status, str(error))


def _problem(status: int, detail: str) -> Response:
    """An RFC 9457 problem body (JSON, never wrapped as JSONP: a script cannot read an error anyway)."""
    record = {"type": "about:blank", "title": HTTPStatus(status).phrase, "status": status, "detail": detail}
    record["instance"] = request.path
    return Response(json.dumps(record) + "\n", status=status, content_type="application/problem+json")


def _callback() -> str | None:
    """The JSONP callback name, checked (§ "JSONP"): a JavaScript identifier path, else a 400."""
    name = request.values.get("callback")
    if name is None:
        return None
    if len(name) > MAX_CALLBACK or not CALLBACK.match(name):
        raise ReconError("callback must be a JavaScript name (letters, digits, _, $ and dots)")
    return name


def _json(data: Any) -> Response:
    callback = _callback()
    body = json.dumps(data, ensure_ascii=False)
    if callback is not None:
        return Response(f"/**/{callback}({body});", content_type="application/javascript; charset=utf-8")
    return Response(body, content_type="application/json; charset=utf-8")


def _index() -> ReconIndex:
    """The index of the release this request reads, kept by the application (one per web process)."""
    current = state()
    cache = current_app.extensions.get(INDEX_KEY)
    if cache is None:
        cache = current_app.extensions.setdefault(INDEX_KEY, IndexCache())
    assert isinstance(cache, IndexCache)
    return cache.get(current.store, current.settings.base_uri)


def _service_url() -> str:
    return url_for("reconcile.endpoint", _external=True)


def _number(name: str, default: int, minimum: int) -> int:
    raw = request.values.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ReconError(f"{name} must be a whole number") from None
    if value < minimum:
        raise ReconError(f"{name} must be {minimum} or more")
    return value


@reconcile.route("/reconcile", methods=["GET", "POST"])
def endpoint() -> Response:
    """The manifest, a query batch (``queries``) or a data extension (``extend``)."""
    values = request.values
    if "queries" in values:
        batch = parse_batch(values["queries"])
        return _json(reconcile_batch(_index(), batch))
    if "extend" in values:
        ids, props = parse_extend(values["extend"])
        return _json(extend(_index(), ids, props))
    if request.method == "POST":
        raise ReconError("POST a form field 'queries' (a query batch) or 'extend' (a data extension query)")
    settings = state().settings
    return _json(manifest(settings.dataset_title, settings.base_uri, _service_url()))


@reconcile.get("/reconcile/suggest/<kind>")
def suggest(kind: str) -> Response:
    """Entities, types or properties by ``prefix``; ``cursor`` skips that many (§ "Suggest services")."""
    prefix = request.values.get("prefix", "")
    cursor = _number("cursor", 0, 0)
    limit = min(_number("limit", 10, 1), 100)
    if kind == "entity":
        return _json(suggest_entity(_index(), prefix, cursor, limit))
    if kind == "type":
        return _json(suggest_type(prefix, cursor, limit))
    if kind == "property":
        return _json(suggest_property(prefix, cursor, limit))
    raise ReconError(f"no suggest service for {kind!r}: entity, type or property")


@reconcile.get("/reconcile/preview")
def entity_preview() -> Response:
    """An HTML summary of one entity (§ "Preview service"); 404 for an unknown id."""
    ident = request.values.get("id", "")
    if not ident.strip():
        raise ReconError("preview needs an entity id: ?id=")
    page = preview(_index(), ident, state().settings.base_uri)
    if page is None:
        return _problem(404, f"no entity with the id {ident!r}")
    return Response(page, content_type="text/html; charset=utf-8")


@reconcile.get("/reconcile/propose_properties")
def proposals() -> Response:
    """Properties to add as columns for a type (§ "Property proposals")."""
    limit = _number("limit", 0, 0)
    return _json(propose_properties(request.values.get("type"), limit or None))
