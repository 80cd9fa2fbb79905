"""Linked-data resources: ``/id/...`` → 303 → ``/doc/...``, content-negotiated, cacheable, CORS-enabled.

* ``/id/<path>`` names a thing (a telegram, a person): it answers ``303 See Other`` to the document that
  describes it, ``/doc/<path>`` (RFC 9110 §15.4.4; W3C "Cool URIs for the Semantic Web" §4.3).
* ``/doc/<path>`` is negotiated (RFC 9110 §12.5.1, :mod:`ldpub.web.conneg`) among the formats of
  :mod:`ldpub.web.representations`; a suffix (``.ttl`` …) or ``?format=`` overrides ``Accept``; nothing
  acceptable → 406 listing the types; an unknown resource → 404 in the negotiated format.
* Every answer carries ``Vary: Accept``, ``Cache-Control`` and CORS headers (Fetch standard, with
  preflight); descriptions carry a strong ``ETag`` (RFC 9110 §8.8.3) per release, resource and format,
  ``Last-Modified`` (the release's time), ``Content-Location`` and ``Link`` headers (RFC 8288): alternates,
  FAIR Signposting ``describedby``, ``cite-as`` and ``license``. ``If-None-Match`` / ``If-Modified-Since``
  get 304 (RFC 9110 §13.1.2, §13.1.3, §13.2.2). ``HEAD`` is answered like ``GET`` without a body.
* ``/ns/context.jsonld``: the JSON-LD context every JSON-LD description is compacted with.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any
from urllib.parse import quote, urlencode

from flask import Blueprint, Response, current_app, request, url_for
from markupsafe import escape
from werkzeug.http import http_date, parse_date

from .. import __version__
from ..describe import describe
from ..store import ReleaseInfo
from ..views import DEFAULT as DEFAULT_PROFILE
from . import state
from .conneg import negotiate
from .profiles import answer as answer_profile
from .profiles import profile_links
from .releases import gone_response
from .replay import mark_replayable
from .representations import (
    ALIASES,
    BY_SUFFIX,
    CONTEXT,
    FORMATS,
    Format,
    Representation,
    RepresentationCache,
    lookup,
    not_found,
)

resources = Blueprint("resources", __name__)

CACHE_CONTROL = "public, max-age=60"
"""Short freshness, then revalidation with the ETag: a rebuild shows within a minute."""
CACHE_KEY = "ldpub.representations"
OFFERS = [f.media_type for f in FORMATS]
REFERRERS = "SELECT ?g ?s ?p WHERE {{ GRAPH ?g {{ ?s ?p <{iri}> }} }}"
REFERRERS_TITLE = "every triple that refers to this resource (the description holds the first ones)"
EXPOSE = "ETag, Last-Modified, Link, Location, Content-Location, Content-Profile"
COMMON_HEADERS = [
    ("Vary", "Accept"),
    ("Cache-Control", CACHE_CONTROL),
    ("Access-Control-Allow-Origin", "*"),
    ("Access-Control-Expose-Headers", EXPOSE),
]


def etag_matches(header: str | None, etag: str) -> bool:
    """Whether ``If-None-Match`` matches ``etag``: ``*``, or a weak comparison (RFC 9110 §13.1.2).

    >>> etag_matches('W/"a", "b"', '"a"'), etag_matches("*", '"a"'), etag_matches('"b"', '"a"')
    (True, True, False)
    >>> etag_matches(None, '"a"')
    False
    """
    if header is None:
        return False
    tags = [tag.strip() for tag in header.split(",")]
    return "*" in tags or etag.removeprefix("W/") in (tag.removeprefix("W/") for tag in tags)


def not_modified_since(header: str | None, last_modified: datetime | None) -> bool:
    """Whether ``If-Modified-Since`` is no earlier than ``last_modified`` (RFC 9110 §13.1.3).

    An unparsable date is ignored, as the RFC requires.

    >>> from datetime import UTC
    >>> built = datetime(2026, 1, 2, 3, 4, 5, 600000, tzinfo=UTC)
    >>> not_modified_since("Fri, 02 Jan 2026 03:04:05 GMT", built)
    True
    >>> not_modified_since("Fri, 02 Jan 2026 03:04:04 GMT", built), not_modified_since("yesterday", built)
    (False, False)
    """
    if header is None or last_modified is None:
        return False
    since = parse_date(header)
    if since is None:
        return False
    return last_modified.replace(microsecond=0) <= since


def _cache() -> RepresentationCache:
    cache = current_app.extensions.get(CACHE_KEY)
    if cache is None:
        cache = current_app.extensions[CACHE_KEY] = RepresentationCache()
    assert isinstance(cache, RepresentationCache)
    return cache


def _iri(rest: str) -> str:
    """The resource IRI of ``/id/<rest>``: minted with the ``base_uri`` setting, not the request's host."""
    return f"{state().settings.base_uri}/id/{quote(rest, safe='/:@!$&()*+,;=-._~')}"


def _negotiated() -> str | None:
    return negotiate(request.headers.get("Accept"), OFFERS, ALIASES)


def _not_acceptable() -> Response:
    types = "\n".join(f"  {f.media_type}  (suffix .{f.suffix}, ?format={f.name})" for f in FORMATS)
    body = f"406 Not Acceptable: none of the requested types is available. Available types:\n{types}\n"
    return Response(body, status=406, content_type="text/plain; charset=utf-8")


@resources.after_request
def _common_headers(response: Response) -> Response:
    """Vary, Cache-Control and CORS on every answer of this surface (preflight included)."""
    response.vary.add("Accept")
    response.headers.setdefault("Cache-Control", CACHE_CONTROL)
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = EXPOSE
    if request.path.startswith("/doc/"):
        response.vary.add("Accept-Profile")
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
        requested = request.headers.get("Access-Control-Request-Headers")
        response.headers["Access-Control-Allow-Headers"] = (
            requested or "Accept, Accept-Profile, If-None-Match, If-Modified-Since"
        )
        response.headers["Access-Control-Max-Age"] = "86400"
    return response


@resources.get("/id/<path:rest>")
def identifier(rest: str) -> Response:
    """303 See Other to the description, with a short body naming it (HTML for browsers, else text)."""
    if (gone := gone_response(_iri(rest), check_store=True)) is not None:
        return gone
    target = url_for("resources.document", rest=rest, _external=True)
    if request.query_string:
        target += "?" + request.query_string.decode("latin-1")
    if _negotiated() == "text/html":
        body = (
            '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>See Other</title></head>'
            f'<body><p>See Other: <a href="{escape(target)}">{escape(target)}</a></p></body></html>\n'
        )
        response = Response(body, status=303, content_type="text/html; charset=utf-8")
    else:
        response = Response(
            f"303 See Other: {target}\n", status=303, content_type="text/plain; charset=utf-8"
        )
    response.headers["Location"] = target
    return response


def _split_suffix(rest: str) -> tuple[str, Format | None]:
    """``document/x.ttl`` → (``document/x``, Turtle); a path without a known suffix is kept whole."""
    stem, dot, suffix = rest.rpartition(".")
    if dot and stem and suffix in BY_SUFFIX:
        return stem, BY_SUFFIX[suffix]
    return rest, None


def _etag(build_id: str, iri: str, fmt: Format) -> str:
    digest = hashlib.sha256(f"{__version__}\n{iri}\n{fmt.name}".encode()).hexdigest()[:16]
    return f'"{build_id}.{digest}"'


def _links(
    stem: str, current: Format, iri: str, licenses: tuple[str, ...], truncated: bool = False
) -> list[str]:
    """Link header values (RFC 8288): alternates, Signposting describedby, related (every referrer, when
    the description holds only the first ones), cite-as and license."""
    base = url_for("resources.document", rest=stem, _external=True)
    links = [
        f'<{base}.{f.suffix}>; rel="alternate"; type="{f.media_type}"; profile="{DEFAULT_PROFILE.uri}"'
        for f in FORMATS
        if f != current or f.name == "jsonld"
    ]
    # then the other profiles' representations (ldpub.web.profiles). A JSON-LD reader may follow the first
    # application/ld+json alternate (rdflib does, even from a JSON-LD answer): that is this profile's.
    links += profile_links(stem, iri, None)
    links += [
        f'<{base}.{f.suffix}>; rel="describedby"; type="{f.media_type}"'
        for f in FORMATS
        if f.rdf and f != current
    ]
    if truncated:  # the description holds only the first referrers: link the query that lists them all
        query = urlencode({"query": REFERRERS.format(iri=iri)})
        endpoint = url_for("sparql.endpoint", _external=True)
        links.append(f'<{endpoint}?{query}>; rel="related"; title="{REFERRERS_TITLE}"')
    links.append(f'<{iri}>; rel="cite-as"')
    links += [f'<{uri}>; rel="license"' for uri in licenses]
    return links


def _headers(
    release: ReleaseInfo | None, stem: str, iri: str, fmt: Format, negotiated: bool, found: Representation
) -> list[tuple[str, str]]:
    """The headers of a description (computed once per release, resource, format and host)."""
    if release is not None:
        etag = _etag(release.build_id, iri, fmt)
    else:
        etag = f'"{hashlib.sha256(found.body).hexdigest()[:32]}"'
    headers = [
        ("Content-Type", fmt.content_type),
        ("Content-Profile", f"<{DEFAULT_PROFILE.uri}>"),
        ("ETag", etag),
    ]
    if release is not None:
        headers.append(("Last-Modified", http_date(release.created)))
    if negotiated:
        headers.append(("Content-Location", url_for("resources.document", rest=f"{stem}.{fmt.suffix}")))
    headers.append(("Link", ", ".join(_links(stem, fmt, iri, found.licenses, found.inbound_truncated))))
    return headers + COMMON_HEADERS


def _not_modified(environ: dict[str, Any], headers: list[tuple[str, str]]) -> bool:
    """Whether the request's conditional headers say the client's copy is current (If-None-Match first)."""
    if_none_match = environ.get("HTTP_IF_NONE_MATCH")
    if_modified_since = environ.get("HTTP_IF_MODIFIED_SINCE")
    if if_none_match is None and if_modified_since is None:
        return False
    values = dict(headers)
    if if_none_match is not None:
        return etag_matches(if_none_match, values["ETag"])
    modified = values.get("Last-Modified")
    return not_modified_since(if_modified_since, parse_date(modified) if modified else None)


@resources.get("/doc/<path:rest>")
def document(rest: str) -> Response:
    """The description of ``/id/<rest>`` in the negotiated (or requested) format."""
    stem, fmt = _split_suffix(rest)
    profiled = answer_profile(stem, _iri(stem), fmt)  # Content Negotiation by Profile (ldpub.web.profiles)
    if profiled is not None:
        return profiled
    requested = request.args.get("format") or request.args.get("_mediatype")
    if fmt is None and requested is not None:
        fmt = lookup(requested)
        if fmt is None:
            return _not_acceptable()
    negotiated = fmt is None
    if fmt is None:
        media_type = _negotiated()
        if media_type is None:
            return _not_acceptable()
        fmt = lookup(media_type)
        assert fmt is not None
    store = state().store
    iri = _iri(stem)
    release = store.release_info()
    build_id = release.build_id if release is not None else None
    cache = _cache()
    found = cache.get(build_id, iri, fmt, lambda: describe(store, iri))
    if not found.found:
        return gone_response(iri) or Response(not_found(iri, fmt), status=404, content_type=fmt.content_type)
    environ = request.environ
    key = (iri, fmt.name, negotiated, environ.get("HTTP_HOST"), environ.get("wsgi.url_scheme"))
    headers = cache.memo(build_id, key, lambda: _headers(release, stem, iri, fmt, negotiated, found))
    if _not_modified(environ, headers):
        return Response(status=304, headers=[h for h in headers if h[0] != "Content-Type"])
    mark_replayable(environ, build_id)  # the same request in this release gets this answer (ldpub.web.replay)
    return Response(found.body, status=200, headers=headers)


@resources.get("/ns/context.jsonld")
def context() -> Response:
    """ldpub's JSON-LD context document (JSON-LD 1.1 §3.1): stable URL, cacheable for a day."""
    body = json.dumps({"@context": CONTEXT}, indent=2) + "\n"
    etag = f'"{hashlib.sha256(body.encode()).hexdigest()[:32]}"'
    if etag_matches(request.headers.get("If-None-Match"), etag):
        response = Response(status=304)
    else:
        response = Response(body, content_type="application/ld+json")
    response.headers["ETag"] = etag
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response
