"""Content Negotiation by Profile on ``/doc/...`` (W3C, https://www.w3.org/TR/dx-prof-conneg/).

A record (a document, :mod:`ldpub.views`) is served in five profiles: ``crm`` (the default, every format
of :mod:`ldpub.web.representations`), ``edm``, ``schema``, ``rico`` and ``linkedart``; any other resource
only in ``crm``.

* HTTP headers realisation (§7.1): ``Accept-Profile: <URI>;q=…, …`` (profile URIs, or ldpub's tokens)
  chooses the profile; the answer names it in ``Content-Profile: <URI>`` and lists every other
  (profile, media type) pair as ``Link: <URL>; rel="alternate"; type="…"; profile="…"`` (§7.1.2 list
  profiles). ``Vary: Accept-Profile`` is set on every ``/doc`` answer.
* Query string realisation (§7.2, QSA functional profile): ``?_profile=TOKEN|URI`` overrides the header
  and ``?_mediatype=TYPE`` overrides ``Accept`` (as ``?format=`` and the URL suffix do);
  ``?_profile=alt`` answers the alternate representations list (§8, the ``altr`` data model) in Turtle,
  JSON-LD, RDF/XML, N-Triples or HTML.
* A profile this resource is not available in (or unknown) → ``406`` listing the available profiles and
  their ``Link`` headers; a malformed ``Accept-Profile`` → ``400``. Never a ``500``.

A view's bytes are computed once per release, profile, resource and format (the representation cache's
memo, keyed with the profile token).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

from flask import Response, current_app, request, url_for
from markupsafe import escape
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS
from werkzeug.http import http_date

from .. import __version__
from ..describe import _iri as checked_iri
from ..views import DEFAULT, PROFILES, Profile, load_record, lookup, render
from ..views.record import is_record
from . import state
from .conneg import negotiate
from .errors import problem
from .representations import BY_NAME, FORMATS, Format, RepresentationCache
from .representations import lookup as format_lookup

ALTR = Namespace("http://www.w3.org/ns/dx/connegp/altr#")
PROF = Namespace("http://www.w3.org/ns/dx/prof/")
CACHE_KEY = "ldpub.representations"
_ELEMENT = re.compile(
    r"\s*(?:<(?P<uri>[^<>\s\"]+)>|(?P<token>[A-Za-z][A-Za-z0-9_.-]*))\s*"
    r"(?:;\s*q\s*=\s*(?P<q>[0-9](?:\.[0-9]{0,3})?))?\s*\Z"
)


class MalformedProfileHeader(ValueError):
    """An ``Accept-Profile`` header that does not follow the syntax of §7.1.1."""


def parse_accept_profile(header: str) -> list[tuple[str, float]]:
    """``Accept-Profile`` elements as (URI or token, weight), highest weight first (stable).

    >>> parse_accept_profile("<http://www.europeana.eu/schemas/edm/>;q=0.5, <https://schema.org/>")
    [('https://schema.org/', 1.0), ('http://www.europeana.eu/schemas/edm/', 0.5)]
    >>> parse_accept_profile("rico")
    [('rico', 1.0)]
    >>> parse_accept_profile("<http://x/a")
    Traceback (most recent call last):
    ...
    ldpub.web.profiles.MalformedProfileHeader: malformed Accept-Profile element: '<http://x/a'
    """
    found = []
    for element in header.split(","):
        match = _ELEMENT.match(element)
        if match is None:
            raise MalformedProfileHeader(f"malformed Accept-Profile element: {element.strip()!r}")
        q = float(match.group("q")) if match.group("q") is not None else 1.0
        if q > 1.0:
            raise MalformedProfileHeader(f"a weight is at most 1: {element.strip()!r}")
        found.append((match.group("uri") or match.group("token"), q))
    return sorted(found, key=lambda item: -item[1])


def choose(wanted: Sequence[tuple[str, float]], available: Sequence[Profile]) -> Profile | None:
    """The first wanted profile (by weight) that is available; weight 0 means "not this one".

    >>> choose([("edm", 1.0), ("crm", 0.5)], PROFILES[:1]).token
    'crm'
    >>> choose([("edm", 0.0)], PROFILES) is None, choose([("http://x/unknown", 1.0)], PROFILES) is None
    (True, True)
    """
    for value, q in wanted:
        profile = lookup(value)
        if q > 0 and profile is not None and profile in available:
            return profile
    return None


def _memo(key: tuple[Any, ...], make: Any) -> Any:
    cache = current_app.extensions.get(CACHE_KEY)
    if cache is None:
        cache = current_app.extensions[CACHE_KEY] = RepresentationCache()
    assert isinstance(cache, RepresentationCache)
    release = state().store.release_info()
    return cache.memo(release.build_id if release is not None else None, key, make)


def available(iri: str) -> tuple[Profile, ...]:
    """The profiles ``iri`` is served in: all of them for a record, else only the default."""
    settings, store = state().settings, state().store
    record = _memo(("is-record", iri), lambda: is_record(store, settings.base_uri, iri))
    return PROFILES if record else (DEFAULT,)


def _formats(profile: Profile) -> list[Format]:
    return list(FORMATS) if profile is DEFAULT else [BY_NAME[name] for name in profile.formats]


def _url(stem: str, profile: Profile, fmt: Format) -> str:
    base = url_for("resources.document", rest=f"{stem}.{fmt.suffix}", _external=True)
    return base if profile is DEFAULT else f"{base}?{urlencode({'_profile': profile.token})}"


def profile_links(stem: str, iri: str, current: tuple[Profile, Format] | None) -> list[str]:
    """``rel="alternate"`` Link values for every (profile, format) of ``iri`` but ``current``; with
    ``current`` None (the default profile's own answer) the default profile's formats are left to
    :mod:`ldpub.web.resources`."""
    links = []
    for profile in available(iri):
        if current is None and profile is DEFAULT:
            continue
        for fmt in _formats(profile):
            if current != (profile, fmt):
                url = _url(stem, profile, fmt)
                links.append(f'<{url}>; rel="alternate"; type="{fmt.media_type}"; profile="{profile.uri}"')
    return links


def _requested_media_type() -> str | None:
    """``?_mediatype=`` (or ``?format=``); a ``+`` left unencoded in the URL (read as a space) is restored."""
    value = request.args.get("_mediatype") or request.args.get("format")
    return value.strip().replace(" ", "+") if value is not None else None


def _content_type(profile: Profile, fmt: Format) -> str:
    if profile.token == "linkedart" and fmt.name == "jsonld":
        return f'application/ld+json;profile="{profile.uri}"'
    return fmt.content_type


def _wanted_format(profile: Profile, fmt: Format | None) -> Format | None:
    """The format asked by suffix, ``?_mediatype``/``?format``, else ``Accept``, among the profile's."""
    offered = _formats(profile)
    requested = _requested_media_type()
    if fmt is None and requested is not None:
        fmt = format_lookup(requested)
        if fmt is None:
            return None
    if fmt is not None:
        return fmt if fmt in offered else None
    chosen = negotiate(request.headers.get("Accept"), [f.media_type for f in offered])
    return format_lookup(chosen) if chosen is not None else None


def _not_acceptable(stem: str, iri: str, what: str) -> Response:
    listing = ", ".join(
        f"{p.token} <{p.uri}> ({', '.join(f.media_type for f in _formats(p))})" for p in available(iri)
    )
    response = problem(406, f"{what}. Available profiles: {listing}. See ?_profile=alt.")
    response.headers["Link"] = ", ".join(_default_links(stem) + profile_links(stem, iri, None))
    return response


def _default_links(stem: str) -> list[str]:
    return [
        f'<{_url(stem, DEFAULT, f)}>; rel="alternate"; type="{f.media_type}"; profile="{DEFAULT.uri}"'
        for f in FORMATS
    ]


def _exists(iri: str) -> bool:
    safe = checked_iri(iri)
    query = f"ASK {{ {{ <{safe}> ?p ?o }} UNION {{ ?s ?p <{safe}> }} }}"
    return _memo(("exists", iri), lambda: state().store.query(query) is True) is True


def answer(stem: str, iri: str, fmt: Format | None) -> Response | None:
    """The answer to a request that names a profile; None lets the default (``crm``) answer proceed.

    ``iri`` has been checked by the caller to be writable in a query (:func:`ldpub.describe.describe`).
    """
    header = request.headers.get("Accept-Profile", "").strip()
    param = request.args.get("_profile")
    if not header and param is None:
        return None
    if not _exists(iri):
        return None  # the default answer is a 404 in the negotiated format
    if param is not None and param.strip() == "alt":
        return alternates(stem, iri)
    try:
        wanted = [(param, 1.0)] if param is not None else parse_accept_profile(header)
    except MalformedProfileHeader as exc:
        return problem(400, str(exc))
    profile = choose(wanted, available(iri))
    if profile is None:
        asked = ", ".join(value for value, _ in wanted)
        return _not_acceptable(stem, iri, f"this resource is not available in the profile(s) asked: {asked}")
    if profile is DEFAULT:
        return None
    chosen = _wanted_format(profile, fmt)
    if chosen is None:
        return _not_acceptable(stem, iri, f"profile {profile.token} is not available in the format asked")
    return _view(stem, iri, profile, chosen)


def _view(stem: str, iri: str, profile: Profile, fmt: Format) -> Response:
    settings, store = state().settings, state().store
    release = store.release_info()

    def make() -> tuple[bytes, list[tuple[str, str]]]:
        record = load_record(store, settings, iri)
        assert record is not None  # available() said it is a record
        body = render(record, profile.token, fmt.name, settings)
        digest = hashlib.sha256(f"{__version__}\n{iri}\n{profile.token}\n{fmt.name}".encode()).hexdigest()
        etag = (
            f'"{release.build_id}.{digest[:16]}"' if release else f'"{hashlib.sha256(body).hexdigest()[:32]}"'
        )
        links = _default_links(stem) + profile_links(stem, iri, (profile, fmt))
        links.append(f'<{iri}>; rel="cite-as"')
        links += [f'<{uri}>; rel="license"' for uri in record.rights_uris()]
        headers = [
            ("Content-Type", _content_type(profile, fmt)),
            ("Content-Profile", f"<{profile.uri}>"),
            ("ETag", etag),
            ("Content-Location", _url(stem, profile, fmt).removeprefix(request.host_url.rstrip("/"))),
            ("Link", ", ".join(links)),
        ]
        if release is not None:
            headers.append(("Last-Modified", http_date(release.created)))
        return body, headers

    key = ("profile", profile.token, iri, fmt.name, request.host, request.scheme)
    body, headers = _memo(key, make)
    from .resources import _not_modified

    if _not_modified(request.environ, headers):
        return Response(status=304, headers=[h for h in headers if h[0] != "Content-Type"])
    return Response(body, status=200, headers=headers)


def alternates(stem: str, iri: str) -> Response:
    """The alternate representations of ``iri`` (§8, ``altr``): RDF in a negotiated format, or HTML."""
    graph = Graph(bind_namespaces="core")
    graph.bind("altr", ALTR)
    graph.bind("prof", PROF)
    graph.bind("dcterms", DCTERMS)
    resource = URIRef(iri)
    for profile in available(iri):
        node = URIRef(profile.uri)
        graph.add((node, RDF.type, PROF.Profile))
        graph.add((node, RDFS.label, Literal(profile.label)))
        graph.add((node, PROF.hasToken, Literal(profile.token)))
        for each in _formats(profile):
            representation = URIRef(_url(stem, profile, each))
            graph.add((resource, ALTR.hasRepresentation, representation))
            graph.add((representation, DCTERMS.conformsTo, node))
            graph.add((representation, DCTERMS["format"], Literal(each.media_type)))
            if profile is DEFAULT and each is FORMATS[0]:
                graph.add((resource, ALTR.hasDefaultRepresentation, representation))
    offered = [f for f in FORMATS if f.name in ("turtle", "jsonld", "rdfxml", "ntriples", "html")]
    requested = _requested_media_type()
    fmt: Format | None = format_lookup(requested) if requested else None
    if fmt is None and not requested:
        media_type = negotiate(request.headers.get("Accept"), [f.media_type for f in offered])
        fmt = format_lookup(media_type) if media_type else None
    if fmt is None or fmt not in offered:
        return problem(406, "the alternates list is available as " + ", ".join(f.media_type for f in offered))
    if fmt.name == "html":
        body = _alternates_html(stem, iri)
    elif fmt.name == "jsonld":
        context = {prefix: str(ns) for prefix, ns in graph.namespaces() if prefix}
        body = graph.serialize(format="json-ld", context=context, auto_compact=True).encode("utf-8")
    else:
        body = graph.serialize(
            format={"rdfxml": "pretty-xml", "ntriples": "nt"}.get(fmt.name, fmt.name), encoding="utf-8"
        )
    response = Response(body, content_type=fmt.content_type)
    response.headers["Content-Profile"] = f"<{ALTR}>"
    response.headers["Link"] = ", ".join(_default_links(stem) + profile_links(stem, iri, None))
    return response


def _alternates_html(stem: str, iri: str) -> bytes:
    rows = []
    for p in available(iri):
        links = " · ".join(
            f'<a href="{escape(_url(stem, p, f))}">{escape(f.media_type)}</a>' for f in _formats(p)
        )
        rows.append(
            f"<tr><td>{escape(p.label)}</td><td><code>{escape(p.token)}</code></td>"
            f"<td><code>{escape(p.uri)}</code></td><td>{links}</td></tr>"
        )
    page = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Alternate profiles</title></head>'
        f"<body><h1>Profiles of <code>{escape(iri)}</code></h1><table><thead><tr><th>profile</th><th>token"
        f"</th><th>URI</th><th>representations</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
        "</body></html>\n"
    )
    return page.encode("utf-8")
