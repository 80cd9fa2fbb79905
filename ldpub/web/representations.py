"""The representations of a description (one per format), and a cache of their bytes per release.

Formats: Turtle (https://www.w3.org/TR/turtle/), JSON-LD 1.1 compacted with ldpub's published context
(https://www.w3.org/TR/json-ld11/ §6.1, the context is :data:`CONTEXT`, served at ``/ns/context.jsonld``
and embedded in every JSON-LD body so no client or server ever fetches it), RDF/XML, N-Triples, N-Quads
(each triple in the named graph that states it) and HTML (:func:`ldpub.web.pages.resource_page`).

Serialising a description costs about three times a lookup of ready bytes (shared/BASELINES.md), and a
release never changes once published, so :class:`RepresentationCache` keeps the bytes per (release build
id, resource, format) and drops everything when the store serves another release.
"""

from __future__ import annotations

import json
import sys
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from markupsafe import escape
from rdflib import Graph
from rdflib.plugins.serializers.nt import _nt_row

from ..describe import Description
from ..model.namespaces import PREFIXES, RDF


@dataclass(frozen=True)
class Format:
    """A representation ldpub serves: its name, media type, exact Content-Type and URL suffix."""

    name: str
    media_type: str
    content_type: str
    suffix: str
    rdf: bool = True


FORMATS: tuple[Format, ...] = (
    Format("turtle", "text/turtle", "text/turtle; charset=utf-8", "ttl"),
    Format("jsonld", "application/ld+json", "application/ld+json", "jsonld"),
    Format("rdfxml", "application/rdf+xml", "application/rdf+xml; charset=utf-8", "rdf"),
    Format("ntriples", "application/n-triples", "application/n-triples", "nt"),
    Format("nquads", "application/n-quads", "application/n-quads", "nq"),
    Format("html", "text/html", "text/html; charset=utf-8", "html", rdf=False),
)
"""In the server's order of preference: ``*/*`` (curl, a bare client) gets Turtle; browsers ask for HTML.

Charsets: Turtle, RDF/XML and HTML define a ``charset`` parameter (always UTF-8 here); JSON-LD, N-Triples
and N-Quads are UTF-8 by definition and their registrations define no parameter.
"""

BY_NAME: dict[str, Format] = {f.name: f for f in FORMATS}
BY_MEDIA_TYPE: dict[str, Format] = {f.media_type: f for f in FORMATS}
BY_SUFFIX: dict[str, Format] = {f.suffix: f for f in FORMATS}

ALIASES: dict[str, str] = {
    "text/n3": "text/turtle",  # Turtle is a subset of N3
    "application/x-turtle": "text/turtle",
    "application/json": "application/ld+json",
    "text/plain": "application/n-triples",  # N-Triples' media type before RDF 1.1 (rdflib still asks for it)
    "application/xhtml+xml": "text/html",
}
"""Other names clients use for the media types ldpub serves; they count only when named explicitly."""

CONTEXT: dict[str, str] = {"rdf": str(RDF)} | {prefix: str(ns) for prefix, ns in PREFIXES.items()}
"""ldpub's JSON-LD context: the prefixes of the model (docs/modeling.md), published at a stable URL."""


def lookup(value: str) -> Format | None:
    """The format a ``?format=`` value or a suffix names: a name, a suffix or a media type.

    >>> [lookup(v).name for v in ("ttl", "turtle", "text/turtle", "application/json", "nq")]
    ['turtle', 'turtle', 'turtle', 'jsonld', 'nquads']
    >>> lookup("pdf") is None
    True
    """
    key = value.strip().lower()
    key = ALIASES.get(key, key)
    return BY_NAME.get(key) or BY_SUFFIX.get(key) or BY_MEDIA_TYPE.get(key)


def _prefixed(graph: Graph) -> Graph:
    """``graph`` with the model's prefixes bound, so Turtle and RDF/XML read ``crm:P67_refers_to``."""
    out = Graph(bind_namespaces="core")
    for prefix, namespace in CONTEXT.items():
        out.bind(prefix, namespace, override=True)
    out += graph
    return out


def nquads(description: Description) -> str:
    """N-Quads (https://www.w3.org/TR/n-quads/): each triple in the named graph that states it, sorted.

    Each triple is written as its N-Triples line (rdflib's N-Triples writer), the graph name before the
    final ``.`` (an N-Triples line never spans lines).
    """
    lines = {
        f"{_nt_row(triple)[:-3]} <{graph_iri}> .\n"
        for graph_iri, triples in description.quads.items()
        for triple in triples
    }
    return "".join(sorted(lines))


def serialise(description: Description, fmt: Format) -> bytes:
    """The bytes of ``description`` as ``fmt`` (HTML through :func:`ldpub.web.pages.resource_page`).

    HTML needs a Flask application context (it renders a template).
    """
    if fmt.name == "html":
        from .pages import resource_page

        return resource_page(description.iri, description.graph).encode("utf-8")
    if fmt.name == "nquads":
        return nquads(description).encode("utf-8")
    if fmt.name == "ntriples":
        lines = description.graph.serialize(format="nt").splitlines()
        return "".join(f"{line}\n" for line in sorted(set(lines)) if line.strip()).encode("utf-8")
    graph = _prefixed(description.graph)
    if fmt.name == "jsonld":
        return graph.serialize(format="json-ld", context=CONTEXT, auto_compact=True).encode("utf-8")
    rdflib_format = {"turtle": "turtle", "rdfxml": "pretty-xml"}[fmt.name]
    return graph.serialize(format=rdflib_format, encoding="utf-8")


def not_found(iri: str, fmt: Format) -> bytes:
    """A 404 body in ``fmt``: an empty graph that says, where the syntax allows, what was not found.

    >>> not_found("http://x/id/a", BY_NAME["turtle"]).decode()
    '# 404 Not Found: this dataset has no description of <http://x/id/a>\\n'
    >>> json.loads(not_found("http://x/id/a", BY_NAME["jsonld"]))["@graph"]
    []
    """
    message = f"404 Not Found: this dataset has no description of <{iri}>"
    if fmt.name == "jsonld":
        body = {"@context": CONTEXT, "@graph": [], "title": "Not Found", "detail": message}
        return json.dumps(body, indent=2).encode("utf-8")
    if fmt.name == "rdfxml":
        text = f'<?xml version="1.0" encoding="utf-8"?>\n<!-- {escape(message)} -->\n'
        return (text + f'<rdf:RDF xmlns:rdf="{RDF}"/>\n').encode("utf-8")
    if fmt.name == "html":
        page = (
            '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Not Found</title></head>'
            f'<body><h1>Not Found</h1><p>{escape(message)}</p><p><a href="/">Home</a></p></body></html>\n'
        )
        return page.encode("utf-8")
    return f"# {message}\n".encode()


T = TypeVar("T")
DEFAULT_MAX_BYTES = 48 * 1024 * 1024
"""The budget when no settings are at hand; the server passes ``representation_cache_bytes``."""
ENTRY_BYTES = 400
"""Bookkeeping memory of one cached item (dictionary slots, LRU node, key, entry object), counted toward
the budget so that many small items cannot outgrow it."""
TRIPLE_BYTES = 1500
"""Memory of one triple of a kept description (an rdflib memory graph indexes it three times, and the
description also keeps it per named graph), measured with tracemalloc on the 100-document corpus."""


def footprint(value: object, depth: int = 0) -> int:
    """An estimate of the memory ``value`` holds (bytes): exact for bytes and text, summed over tuples,
    lists and dicts (three levels deep), ``sys.getsizeof`` for anything else.

    >>> footprint(b"x" * 1000) > 1000, footprint(("a", b"b" * 100)) > 100
    (True, True)
    """
    if isinstance(value, tuple | list) and depth < 3:
        return sys.getsizeof(value) + sum(footprint(v, depth + 1) for v in value)
    if isinstance(value, dict) and depth < 3:
        return sys.getsizeof(value) + sum(
            footprint(k, depth + 1) + footprint(v, depth + 1) for k, v in value.items()
        )
    return sys.getsizeof(value)


def _budget_of_app() -> int:
    """``representation_cache_bytes`` of the running application's settings (the caches are made inside
    a request), else :data:`DEFAULT_MAX_BYTES`."""
    from flask import current_app, has_app_context

    if has_app_context():
        from . import EXTENSION_KEY

        state = current_app.extensions.get(EXTENSION_KEY)
        if state is not None:
            return int(state.settings.representation_cache_bytes)
    return DEFAULT_MAX_BYTES


@dataclass
class _Entry:
    found: bool
    licenses: tuple[str, ...] = ()
    truncated: bool = False
    bodies: dict[str, bytes] = field(default_factory=dict)
    size: int = 0


@dataclass(frozen=True)
class Representation:
    """What a handler needs to answer: whether the resource exists, its licenses, and the body."""

    found: bool
    licenses: tuple[str, ...]
    body: bytes
    inbound_truncated: bool = False
    """The description holds only the first triples pointing at the resource (describe.INBOUND_LIMIT)."""


class RepresentationCache:
    """Ready answers of one release, least recently used dropped past ``max_bytes``.

    Three kinds share the budget and one least-recently-used order: the bytes of a resource per format
    (:meth:`get`), values memoised per key (:meth:`memo`: profile views and their headers, dataset
    descriptions, response headers) and the descriptions read last (kept for the few next formats asked
    of a resource, at most ``max_descriptions``). Each counts its bytes, estimated for memoised values
    (:func:`footprint`) and descriptions (:data:`TRIPLE_BYTES` per triple), plus :data:`ENTRY_BYTES` of
    bookkeeping. A request for a warm entry is a dictionary lookup; a new release id drops everything.
    ``build_id`` None (a store without releases) or a budget of 0 bypasses the cache.

    ``max_bytes`` None: the running application's ``representation_cache_bytes`` setting.
    """

    def __init__(self, max_bytes: int | None = None, max_descriptions: int = 64) -> None:
        self.max_bytes = _budget_of_app() if max_bytes is None else max_bytes
        self.max_descriptions = max_descriptions
        self._lock = threading.Lock()
        self._build: str | None = None
        self._entries: dict[str, _Entry] = {}
        self._descriptions: OrderedDict[str, Description] = OrderedDict()
        self._memo: dict[Hashable, Any] = {}
        self._order: OrderedDict[tuple[str, Hashable], int] = OrderedDict()
        """(kind, key) → bytes counted, least recently used first (kinds: "r" entry, "m" memo,
        "d" description)."""
        self._size = 0

    @property
    def size(self) -> int:
        """Bytes counted against the budget now."""
        return self._size

    def _switch(self, build_id: str) -> None:
        """Forget everything of an earlier release (call with the lock held)."""
        if build_id != self._build:
            self._build = build_id
            self._entries.clear()
            self._descriptions.clear()
            self._memo.clear()
            self._order.clear()
            self._size = 0

    def _touch(self, kind: str, key: Hashable) -> None:
        self._order.move_to_end((kind, key))

    def _count(self, kind: str, key: Hashable, size: int) -> None:
        """Count ``size`` more bytes for (kind, key), mark it used, and drop the least recently used
        items while over the budget (call with the lock held)."""
        slot = (kind, key)
        self._order[slot] = self._order.get(slot, 0) + size
        self._order.move_to_end(slot)
        self._size += size
        while self._size > self.max_bytes and self._order:
            (old_kind, old_key), freed = self._order.popitem(last=False)
            self._size -= freed
            if old_kind == "r":
                self._entries.pop(str(old_key), None)
            elif old_kind == "m":
                self._memo.pop(old_key, None)
            else:
                self._descriptions.pop(str(old_key), None)

    def memo(self, build_id: str | None, key: Hashable, make: Callable[[], T]) -> T:
        """``make()`` computed once per release and ``key`` (e.g. a response's headers) while it stays
        within the budget; no cache without a release id."""
        if build_id is None or self.max_bytes <= 0:
            return make()
        with self._lock:
            self._switch(build_id)
            if key in self._memo:
                self._touch("m", key)
                value: T = self._memo[key]
                return value
        value = make()
        with self._lock:
            if build_id == self._build and key not in self._memo:
                self._memo[key] = value
                self._count("m", key, ENTRY_BYTES + footprint(key) + footprint(value))
        return value

    def get(
        self, build_id: str | None, iri: str, fmt: Format, read: Callable[[], Description]
    ) -> Representation:
        """The representation of ``iri`` as ``fmt`` in release ``build_id``; ``read`` describes it."""
        if build_id is None or self.max_bytes <= 0:
            fresh = read()
            body = serialise(fresh, fmt) if fresh.found else b""
            return Representation(fresh.found, tuple(fresh.licenses), body, fresh.inbound_truncated)
        with self._lock:
            self._switch(build_id)
            entry = self._entries.get(iri)
            if entry is not None:
                ready = entry.bodies.get(fmt.name)
                if ready is not None or not entry.found:
                    self._touch("r", iri)
                    return Representation(entry.found, entry.licenses, ready or b"", entry.truncated)
            kept = self._descriptions.get(iri)
            if kept is not None:
                self._touch("d", iri)
        description = kept if kept is not None else read()
        body = serialise(description, fmt) if description.found else b""
        with self._lock:
            if build_id == self._build:
                self._store(iri, description, fmt, body)
        return Representation(
            description.found, tuple(description.licenses), body, description.inbound_truncated
        )

    def _store(self, iri: str, description: Description, fmt: Format, body: bytes) -> None:
        entry = self._entries.get(iri)
        if entry is None:
            entry = self._entries[iri] = _Entry(
                description.found, tuple(description.licenses), description.inbound_truncated
            )
            self._count("r", iri, ENTRY_BYTES + len(iri))
        if description.found and fmt.name not in entry.bodies and iri in self._entries:
            entry.bodies[fmt.name] = body
            entry.size += len(body)
            self._count("r", iri, len(body))
            if iri not in self._descriptions and iri in self._entries:
                self._descriptions[iri] = description
                triples = len(description.graph) + sum(len(t) for t in description.quads.values())
                self._count("d", iri, ENTRY_BYTES + TRIPLE_BYTES * triples)
                while len(self._descriptions) > self.max_descriptions:
                    old, _ = self._descriptions.popitem(last=False)
                    self._size -= self._order.pop(("d", old), 0)
