"""Versioned dumps at /dumps/, the change feed at /activity/, and 410 Gone (issue 5, items 4 and 5).

* ``/dumps/`` lists the kept versions and their files with byte size and SHA-256 (HTML, or JSON by
  ``Accept: application/json`` or ``?format=json``); ``/dumps/<version>/`` one version; ``/dumps/latest/``
  redirects to the newest; ``/dumps/<version>/manifest.json`` is the version's manifest (JSON).
  ``/dumps/<version>/<file>`` serves a file written at build time
  (:mod:`ldpub.dumps`) with ``Content-Length``, ranges (RFC 9110 §14: 206, 416), a strong ``ETag`` (its
  SHA-256), ``Last-Modified`` (the release time), ``Repr-Digest`` (RFC 9530) and its own type (every
  dump is gzip-compressed: ``application/gzip``, never ``Content-Encoding``). Only names listed in the
  version's manifest are served, and only from inside the dumps folder (:func:`ldpub.dumps.dump_path`):
  ``..``, encoded ``%2e%2e``, absolute paths and symlinks leading out get 404.
* ``/activity/`` is an Activity Streams 2.0 ``OrderedCollection`` in the style of IIIF Change Discovery
  1.0 (https://iiif.io/api/discovery/1.0/ §2.2–2.4): ``totalItems``, ``first``/``last`` pages
  ``/activity/page/<n>`` (``OrderedCollectionPage`` with ``partOf``, ``startIndex``, ``prev``/``next``,
  ``orderedItems``), activities oldest first so a harvester reads from ``last`` backwards until it reaches
  what it has seen. Each is a ``Create``, ``Update`` or ``Delete`` with ``object`` {id, type} and
  ``endTime``; a Delete of a merged resource carries its successor as ``target``. A page reads its own
  stretch of the log through the history's line index (:func:`ldpub.history.page`), never the whole log.
* :func:`gone_response` answers ``410 Gone`` for a resource the history says was deleted, with
  ``Link: <successor>; rel="successor-version"`` (RFC 5829) when it was merged.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from typing import Any

from flask import (
    Blueprint,
    Response,
    redirect,
    render_template_string,
    request,
    send_file,
    url_for,
)
from werkzeug.wrappers import Response as BaseResponse

from .. import history
from ..dumps import MANIFEST, Manifest, dump_path, dumps_for, manifests, release_version
from . import state
from .conneg import negotiate
from .errors import problem

releases = Blueprint("releases", __name__)

IIIF_DISCOVERY_CONTEXT = "http://iiif.io/api/discovery/1/context.json"
ACTIVITY_TYPE = 'application/ld+json;profile="https://www.w3.org/ns/activitystreams"'
ACTIVITY_NAMES = {"create": "Create", "update": "Update", "delete": "Delete"}
OBJECT_TYPES = {"document": "Document", "person": "Person", "group": "Group", "place": "Place"}
EXPOSE = "ETag, Last-Modified, Link, Content-Length, Content-Range, Accept-Ranges, Repr-Digest"
_PAGE_NUMBER = re.compile(r"\d+\Z")

_LISTING = """{% extends "base.html" %}{% block main %}
<h1>{{ title }}</h1>
<p>Each build of the dataset is a release with a version; its dumps are written when it is built.
The current release is <strong>{{ current }}</strong>. As JSON: <a href="?format=json">?format=json</a>.
What changed between releases: <a href="{{ url_for('releases.collection') }}">the change feed</a>.</p>
{% for m in kept %}<section>
<h2 id="v-{{ m.version }}">{{ m.version }}{% if m.version == current %} (current){% endif %}</h2>
<p>Build <code>{{ m.build_id }}</code>, published {{ m.created.isoformat() }};
{{ m.triples }} triples, {{ m.quads }} quads.</p>
<table><thead><tr><th>file</th><th>format</th><th>bytes</th><th>SHA-256</th></tr></thead><tbody>
{% for f in m.files %}<tr><td><a href="{{ url_for('releases.dump_file', version=m.version, name=f.name) }}">
{{ f.name }}</a></td>
<td>{{ f.media_type }}{% if f.compress_format %} ({{ f.compress_format }}){% endif %}</td>
<td>{{ f.bytes }}</td><td><code>{{ f.sha256 }}</code></td></tr>{% endfor %}
</tbody></table></section>
{% else %}<p>No dumps have been written yet: run <code>ldpub build</code>.</p>{% endfor %}
{% endblock %}"""


@releases.after_request
def _cors(response: Response) -> Response:
    """Every answer of this surface may be read by any origin (harvesters run in browsers too)."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = EXPOSE
    return response


def _wants_json() -> bool:
    requested = request.args.get("format")
    if requested is not None:
        return requested.lower() == "json"
    offers = ["text/html", "application/json"]
    return negotiate(request.headers.get("Accept"), offers, {"application/ld+json": "application/json"}) == (
        "application/json"
    )


def _manifest_json(manifest: Manifest) -> dict[str, Any]:
    return {
        "version": manifest.version,
        "url": url_for("releases.version_listing", version=manifest.version, _external=True),
        "build_id": manifest.build_id,
        "created": manifest.created.isoformat(timespec="seconds"),
        "triples": manifest.triples,
        "quads": manifest.quads,
        "files": [
            {
                "name": f.name,
                "url": url_for("releases.dump_file", version=manifest.version, name=f.name, _external=True),
                "format": f.format,
                "media_type": f.media_type,
                "compress_format": f.compress_format,
                "bytes": f.bytes,
                "sha256": f.sha256,
            }
            for f in manifest.files
        ],
    }


def _current_version() -> str:
    st = state()
    return release_version(st.settings, st.store.release_info())


def _listing(kept: list[Manifest], title: str) -> Response:
    current = _current_version()
    if _wants_json():
        body = json.dumps({"current": current, "versions": [_manifest_json(m) for m in kept]}, indent=2)
        response = Response(body + "\n", content_type="application/json")
    else:
        html = render_template_string(_LISTING, title=title, current=current, kept=kept, iri=None, json_ld="")
        response = Response(html, content_type="text/html; charset=utf-8")
    return _conditional(response)


def _conditional(response: Response) -> Response:
    """A strong ETag from the body, 304 for a matching ``If-None-Match``; revalidate after a minute."""
    response.vary.add("Accept")
    response.headers["Cache-Control"] = "public, max-age=60"
    etag = hashlib.sha256(response.get_data()).hexdigest()[:32]
    response.set_etag(etag)
    if request.if_none_match.contains_weak(etag):
        response.status_code = 304
        response.set_data(b"")
    return response


@releases.get("/dumps/")
def listing() -> Response:
    """Every kept version, newest first, with its files' byte sizes and SHA-256."""
    return _listing(manifests(state().settings), "Dumps of the dataset")


@releases.get("/dumps/latest/")
def latest() -> BaseResponse:
    """302 to the newest version's listing (404 before the first dump)."""
    newest = dumps_for(state().settings)
    if newest is None:
        return problem(404, "no dumps have been written yet")
    return redirect(url_for("releases.version_listing", version=newest.version), 302)


@releases.get("/dumps/<version>/")
def version_listing(version: str) -> Response:
    """One version's files."""
    manifest = dumps_for(state().settings, version)
    if manifest is None:
        return problem(404, "no dumps of this version are kept")
    return _listing([manifest], f"Dumps of release {manifest.version}")


@releases.get("/dumps/<version>/<name>")
def dump_file(version: str, name: str) -> Response:
    """A dump file, with ranges, ETag and Last-Modified; anything not in the manifest is 404."""
    settings = state().settings
    if name == MANIFEST and (manifest := dumps_for(settings, version)) is not None:
        body = manifest.to_json().encode()
        response = Response(body, content_type="application/json")
        response.last_modified = manifest.created
        return _conditional(response)
    found = dump_path(settings, version, name)
    if found is None:
        return problem(404, "no such dump file")
    manifest, listed, path = found
    response = send_file(
        path,
        mimetype=listed.content_type,
        conditional=True,
        etag=listed.sha256,
        last_modified=manifest.created,
        max_age=86400,
    )
    digest = base64.b64encode(bytes.fromhex(listed.sha256)).decode()
    response.headers["Repr-Digest"] = f"sha-256=:{digest}:"
    response.headers["Link"] = f'<{url_for("releases.version_listing", version=version)}>; rel="collection"'
    return response


def _page_size() -> int:
    size = state().settings.activity_page_size
    return max(1, int(size))


def _activity(change: history.Change, base: str) -> dict[str, Any]:
    kind = change.iri.removeprefix(f"{base}/id/").split("/")
    obj_type = OBJECT_TYPES.get(kind[0], "Object") if len(kind) == 2 else "Object"
    item: dict[str, Any] = {
        "type": ACTIVITY_NAMES[change.kind],
        "object": {"id": change.iri, "type": obj_type},
        "endTime": change.time.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    if change.successor:
        item["target"] = {"id": change.successor, "type": obj_type}
    return item


def _as_json(record: dict[str, Any]) -> Response:
    response = Response(json.dumps(record, indent=2) + "\n", content_type=ACTIVITY_TYPE)
    return _conditional(response)


def _page_ref(number: int) -> dict[str, str]:
    url = url_for("releases.page", number=str(number), _external=True)
    return {"id": url, "type": "OrderedCollectionPage"}


@releases.get("/activity/")
def collection() -> Response:
    """The change feed: an OrderedCollection with ``totalItems`` and its first and last pages."""
    total = history.count(state().settings)
    last = max(0, (total - 1) // _page_size())
    return _as_json(
        {
            "@context": IIIF_DISCOVERY_CONTEXT,
            "id": url_for("releases.collection", _external=True),
            "type": "OrderedCollection",
            "totalItems": total,
            "first": _page_ref(0),
            "last": _page_ref(last),
        }
    )


@releases.get("/activity/page/<number>")
def page(number: str) -> Response:
    """Page ``number`` (from 0) of the change feed, oldest activities first; beyond the last → 404."""
    if not _PAGE_NUMBER.match(number):
        return problem(400, "a page number is a non-negative integer")
    settings = state().settings
    total = history.count(settings)
    size = _page_size()
    last = max(0, (total - 1) // size)
    n = int(number) if len(number) <= 12 else last + 1
    if n > last:
        return problem(404, f"the change feed has pages 0 to {last}")
    record: dict[str, Any] = {
        "@context": IIIF_DISCOVERY_CONTEXT,
        "id": url_for("releases.page", number=str(n), _external=True),
        "type": "OrderedCollectionPage",
        "partOf": {"id": url_for("releases.collection", _external=True), "type": "OrderedCollection"},
        "startIndex": n * size,
    }
    if n > 0:
        record["prev"] = _page_ref(n - 1)
    if n < last:
        record["next"] = _page_ref(n + 1)
    found = history.page(settings, n * size, size)  # one page of the log, never the whole history
    record["orderedItems"] = [_activity(c, settings.base_uri) for c in found]
    return _as_json(record)


def gone_response(iri: str, *, check_store: bool = False) -> Response | None:
    """``410 Gone`` when the change history's latest word on ``iri`` is a delete, else None.

    The resources blueprint calls this before answering 404 (``/doc/``), and before its 303 (``/id/``) with
    ``check_store``, so a resource the published release does hold is never declared gone.
    """
    st = state()
    change = history.gone(st.settings, iri)
    if change is None:
        return None
    if check_store and st.store.query(f"ASK {{ <{iri}> ?p ?o }}") is True:
        return None
    when = change.time.strftime("%Y-%m-%d")
    detail = f"{iri} was removed from the dataset in the release of {when} (build {change.build_id})."
    headers = {"Cache-Control": "public, max-age=60", "Access-Control-Allow-Origin": "*"}
    if change.successor:
        detail += f" Its successor is {change.successor}"
        headers["Link"] = f'<{change.successor}>; rel="successor-version"'
    return problem(410, detail, headers)
