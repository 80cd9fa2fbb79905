"""Shared helpers of the HTML pages' data: SPARQL against the served store, label choice, literal escaping,
paging, and a cache of what a release never changes.

The pages read the published dataset only through the store interface (``state().store.query``), so they
behave the same over the embedded store and an external SPARQL 1.1 store (issue 3, items 3 and 8).

Paging (issue 6): every list that grows with the corpus is shown a page at a time (``?page=N``, 1-based).
Its order is computed once per release by one ``ORDER BY`` query that returns only the sort keys
(:func:`ordered`), kept in the :class:`ReleaseCache`; a page is then a slice of the keys, and only that
slice's details are queried (``VALUES``), so a page costs the same at 1,000 and at 100,000 documents and
its total is the length of the keys (exact, no extra COUNT).
"""

from __future__ import annotations

import threading
from array import array
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from itertools import accumulate
from typing import Any, TypeVar, overload

from flask import current_app
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS, SKOS
from rdflib.term import Node

from ..store import SelectResult, Term
from . import state

CRM = "http://www.cidoc-crm.org/cidoc-crm/"
OA = "http://www.w3.org/ns/oa#"
PROV = "http://www.w3.org/ns/prov#"
DCT = "http://purl.org/dc/terms/"
LDPUB = "https://w3id.org/ldpub/ns#"
OWL_SAME_AS = "http://www.w3.org/2002/07/owl#sameAs"

PREFIXES = f"""PREFIX crm: <{CRM}>
PREFIX oa: <{OA}>
PREFIX prov: <{PROV}>
PREFIX dcterms: <{DCT}>
PREFIX ldpub: <{LDPUB}>
PREFIX rdfs: <{RDFS}>
PREFIX skos: <{SKOS}>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
"""


def C(name: str) -> URIRef:
    """A CIDOC-CRM term.

    >>> str(C("P14_carried_out_by"))
    'http://www.cidoc-crm.org/cidoc-crm/P14_carried_out_by'
    """
    return URIRef(CRM + name)


def sparql_string(value: str) -> str:
    """``value`` as a SPARQL string literal (quotes, backslashes and line breaks escaped).

    >>> print(sparql_string('say "hi"\\n\\\\'))
    "say \\"hi\\"\\n\\\\"
    """
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    escaped = "".join(ch for ch in escaped.replace("\t", "\\t") if ch >= " ")
    return f'"{escaped}"'


def select(query: str) -> list[dict[str, Term]]:
    """The rows of a SELECT against the served store (default graph: the union of all graphs)."""
    result = state().store.query(PREFIXES + query)
    if not isinstance(result, SelectResult):
        raise TypeError("expected a SELECT result")
    return result.rows


def construct(query: str) -> Graph:
    """The graph a CONSTRUCT returns from the served store."""
    result = state().store.query(PREFIXES + query)
    if not isinstance(result, Graph):
        raise TypeError("expected a CONSTRUCT result")
    return result


def text(term: Node | None) -> str:
    """A term's lexical form ('' for none)."""
    return "" if term is None else str(term)


def pick_label(literals: list[Literal] | list[Node], fallback: str = "") -> str:
    """The label to show: English first, then one without a language, then any (in a stable order).

    >>> pick_label([Literal("朴成哲", lang="zh"), Literal("Pak Seong-cheol", lang="en")])
    'Pak Seong-cheol'
    >>> pick_label([], "fallback")
    'fallback'
    """
    lits = sorted((lit for lit in literals if isinstance(lit, Literal)), key=str)
    for wanted in ("en", None):
        for lit in lits:
            if lit.language == wanted:
                return str(lit)
    return str(lits[0]) if lits else fallback


def label_of(graph: Graph, node: Node, fallback: str | None = None) -> str:
    """The best ``rdfs:label`` (or ``skos:prefLabel``) of ``node``, else the fallback (or the IRI's tail)."""
    labels = list(graph.objects(node, RDFS.label)) or list(graph.objects(node, SKOS.prefLabel))
    if fallback is None:
        fallback = str(node).rstrip("/").rsplit("/", 1)[-1]
    return pick_label(labels, fallback)


@dataclass(frozen=True, order=True)
class Ref:
    """A linked resource as a page shows it: its IRI, its label, and what kind of thing it is."""

    iri: str
    label: str
    kind: str = ""


def iri_base(iri: str) -> str:
    """The base of a minted IRI (everything before ``/id/``).

    >>> iri_base("http://localhost:5000/id/document/x")
    'http://localhost:5000'
    """
    return iri.split("/id/", 1)[0]


# --- paging ----------------------------------------------------------------------------------------------

T = TypeVar("T")

MAX_PAGE_PARAM = 9
"""Digits a ``?page=`` value may have (a longer one is malformed, not a huge page number)."""


class PageError(Exception):
    """A ``?page=`` value that is malformed (400) or past the last page (404), with a message saying so."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def parse_page(value: str | None) -> int:
    """The page a ``?page=`` value asks for (1 when absent); a malformed one raises :class:`PageError` (400).

    >>> parse_page(None), parse_page("3"), parse_page(" 2 ")
    (1, 3, 2)
    >>> parse_page("0")
    Traceback (most recent call last):
    ldpub.web.pagequery.PageError: ?page= must be a whole number from 1 (got '0')
    >>> parse_page("x")
    Traceback (most recent call last):
    ldpub.web.pagequery.PageError: ?page= must be a whole number from 1 (got 'x')
    """
    if value is None:
        return 1
    raw = value.strip()
    if not raw.isascii() or not raw.isdigit() or len(raw) > MAX_PAGE_PARAM or int(raw) < 1:
        raise PageError(400, f"?page= must be a whole number from 1 (got {value[:40]!r})")
    return int(raw)


@dataclass(frozen=True)
class Slice:
    """One page of one list: where it starts, how many it holds, and how many the whole list holds."""

    page: int
    size: int
    total: int

    @property
    def pages(self) -> int:
        """How many pages the list fills (at least 1: an empty list has one, empty, page)."""
        return max(1, -(-self.total // self.size))

    @property
    def first(self) -> int:
        """The 0-based index of the first item on this page."""
        return (self.page - 1) * self.size

    @property
    def last(self) -> int:
        """The 0-based index one past the last item on this page."""
        return min(self.total, self.first + self.size)

    def take(self, items: Sequence[T]) -> list[T]:
        """This page's part of ``items`` (the whole list, in its order)."""
        return list(items[self.first : self.last])


@dataclass(frozen=True)
class Pager:
    """The paging of a page with one or more paged lists: page ``page`` of ``pages`` (the longest list's)."""

    page: int
    pages: int

    @property
    def prev(self) -> int | None:
        return self.page - 1 if self.page > 1 else None

    @property
    def next(self) -> int | None:
        return self.page + 1 if self.page < self.pages else None


def pager(page: int, *slices: Slice, what: str = "this page") -> Pager:
    """The pager of a page showing ``slices``; a page past the last raises :class:`PageError` (404).

    >>> pager(2, Slice(2, 20, 45), Slice(2, 50, 3))
    Pager(page=2, pages=3)
    >>> pager(4, Slice(4, 20, 45))
    Traceback (most recent call last):
    ldpub.web.pagequery.PageError: page 4 does not exist: this page has 3 page(s)
    """
    pages = max([s.pages for s in slices] or [1])
    if page > pages:
        raise PageError(404, f"page {page} does not exist: {what} has {pages} page(s)")
    return Pager(page, pages)


# --- what a release never changes, kept until the next build -----------------------------------------------

CACHE_KEY = "ldpub.pages"
MAX_KEY_BYTES = 32 * 1024 * 1024
"""Key lists and other kept values per worker process (~bytes): a 100,000-document corpus's documents in
date order (~3 MB as a :class:`KeyList`) and the documents of a few hub entities fit several times over."""
MAX_PAGE_BYTES = 16 * 1024 * 1024
"""Rendered pages kept per worker process (~500 pages of ~30 KB)."""
SMALL = 64
"""What a kept number or flag is counted as (bytes)."""


class ReleaseCache:
    """Values computed from one release, least recently used dropped past a budget, all dropped when the
    store serves another release (a new build id). Without a build id (a store that has no releases)
    nothing is kept.

    Two budgets, each counted in (approximate) bytes by a ``cost`` the caller gives: ``keys`` (key lists
    and the like) and ``pages`` (rendered bodies).

    >>> cache = ReleaseCache({"keys": 3})
    >>> cache.get("b1", "keys", "a", lambda: [1, 2], len), cache.get("b1", "keys", "a", lambda: [9], len)
    ([1, 2], [1, 2])
    >>> cache.get("b1", "keys", "b", lambda: [3, 4], len), cache.get("b1", "keys", "a", lambda: [9], len)
    ([3, 4], [9])
    >>> cache.get("b2", "keys", "b", lambda: [5], len)
    [5]
    """

    def __init__(self, budgets: dict[str, int] | None = None) -> None:
        self.budgets = budgets or {"keys": MAX_KEY_BYTES, "pages": MAX_PAGE_BYTES}
        self._lock = threading.Lock()
        self._build: str | None = None
        self._entries: dict[str, OrderedDict[Hashable, tuple[Any, int]]] = {
            k: OrderedDict() for k in self.budgets
        }
        self._spent: dict[str, int] = dict.fromkeys(self.budgets, 0)

    def _switch(self, build_id: str) -> None:
        if build_id != self._build:
            self._build = build_id
            for entries in self._entries.values():
                entries.clear()
            self._spent = dict.fromkeys(self.budgets, 0)

    def get(
        self, build_id: str | None, pool: str, key: Hashable, make: Callable[[], T], cost: Callable[[T], int]
    ) -> T:
        """``make()`` for ``key`` in release ``build_id``, computed once while it stays within budget."""
        if build_id is None:
            return make()
        with self._lock:
            self._switch(build_id)
            entries = self._entries[pool]
            found = entries.get(key)
            if found is not None:
                entries.move_to_end(key)
                value: T = found[0]
                return value
        value = make()
        spent = cost(value)
        with self._lock:
            if build_id != self._build or spent > self.budgets[pool]:
                return value
            entries = self._entries[pool]
            if key not in entries:
                entries[key] = (value, spent)
                self._spent[pool] += spent
            while self._spent[pool] > self.budgets[pool]:
                _, (_, dropped) = entries.popitem(last=False)
                self._spent[pool] -= dropped
        return value


def release_cache() -> ReleaseCache:
    """The application's :class:`ReleaseCache` (one per worker process)."""
    cache = current_app.extensions.get(CACHE_KEY)
    if cache is None:
        cache = current_app.extensions[CACHE_KEY] = ReleaseCache()
    assert isinstance(cache, ReleaseCache)
    return cache


def build_id() -> str | None:
    """The build id of the release this request reads (None for a store without releases)."""
    release = state().store.release_info()
    return release.build_id if release is not None else None


def _common_prefix(a: str, b: str) -> str:
    """The longest common prefix of two strings (of the least and greatest: then of all between them).

    >>> _common_prefix("http://x/id/b", "http://x/id/a1")
    'http://x/id/'
    """
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return a[:n]


class KeyList(Sequence[str]):
    """An ordered list of keys (IRIs) held compactly: their common prefix once, the rest in one string.

    100,000 document IRIs take ~3 MB this way instead of ~11 MB as a tuple of ``str``.

    >>> keys = KeyList(["http://x/id/document/b", "http://x/id/document/a1"])
    >>> len(keys), keys[1], keys[0:5], list(keys)[0]
    (2, 'http://x/id/document/a1', ['http://x/id/document/b', 'http://x/id/document/a1'], 'http://x/id/document/b')
    """

    def __init__(self, keys: Sequence[str]) -> None:
        self.prefix = _common_prefix(min(keys), max(keys)) if keys else ""
        skip = len(self.prefix)
        self._text = "".join(k[skip:] for k in keys)
        self._ends = array("q", accumulate(len(k) - skip for k in keys))

    def __len__(self) -> int:
        return len(self._ends)

    @property
    def nbytes(self) -> int:
        """About how much memory the list holds."""
        return len(self.prefix) + len(self._text) * (1 if self._text.isascii() else 4) + 8 * len(self._ends)

    def _at(self, i: int) -> str:
        start = self._ends[i - 1] if i > 0 else 0
        return self.prefix + self._text[start : self._ends[i]]

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> list[str]: ...
    def __getitem__(self, index: int | slice) -> str | list[str]:
        if isinstance(index, slice):
            return [self._at(i) for i in range(*index.indices(len(self)))]
        if not -len(self) <= index < len(self):
            raise IndexError(index)
        return self._at(index % len(self))


def kept(pool: str, key: Hashable, make: Callable[[], T], cost: Callable[[T], int]) -> T:
    """``make()`` computed once per release and kept in the :class:`ReleaseCache` pool ``pool``."""
    return release_cache().get(build_id(), pool, key, make, cost)


def keys(key: Hashable, make: Callable[[], Sequence[str]]) -> KeyList:
    """An ordered key list computed once per release (``make`` returns it in its final order)."""
    return kept("keys", key, lambda: KeyList(make()), lambda found: SMALL + found.nbytes)


def concat(query: str) -> list[str]:
    """The values of ``query``, a ``SELECT (GROUP_CONCAT(...; separator=" ") AS ?keys)`` over IRIs, split.

    One row holding every value crosses the store interface ~7× faster than one row per value (every row
    becomes rdflib terms): 1,000 IRIs in 2 ms instead of 17 ms. The values must hold no white space
    (IRIs never do).
    """
    rows = select(query)
    return text(rows[0].get("keys")).split() if rows else []


def values(iris: Sequence[str]) -> str:
    """IRIs written for a ``VALUES`` block.

    >>> values(["http://x/a", "http://x/b"])
    '<http://x/a> <http://x/b>'
    """
    return " ".join(f"<{iri}>" for iri in iris)
