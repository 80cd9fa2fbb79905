"""The reconciliation index: every person, group, place, concept and document of one published release,
with the names, links and identifiers the reconciliation service matches and extends with.

Built from the store (never from sources) in a handful of SPARQL SELECTs over the union of the published
graphs (docs/modeling.md, "Entities" and "A document"), once per release: :func:`index_for` keeps one index
per store and rebuilds it only when the store's release build id changes. Matching then never touches the
store: names are looked up through a trigram table and a sorted prefix table, in memory.
"""

from __future__ import annotations

import bisect
import threading
import weakref
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from rdflib import Literal

from ..store import DatasetStore, SelectResult, Term
from .text import fold, normalise, prefix_keys, squash, trigrams

CRM = "http://www.cidoc-crm.org/cidoc-crm/"
KIND_CLASSES: dict[str, str] = {
    "person": "E21_Person",
    "group": "E74_Group",
    "place": "E53_Place",
    "document": "E31_Document",
    "concept": "E55_Type",
}
"""Reconciliation type id → CIDOC-CRM class of its entities (concepts: local types of the entities graph)."""

WIKIDATA_ENTITY = "http://www.wikidata.org/entity/"

_PREFIXES = """PREFIX crm: <http://www.cidoc-crm.org/cidoc-crm/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX dcterms: <http://purl.org/dc/terms/>
"""


@dataclass
class Entry:
    """One reconcilable thing. ``id`` is its IRI without ``{base}/id/`` (``person/pak-seong-cheol``)."""

    id: str
    iri: str
    kind: str
    label: str = ""
    labels: dict[str, list[str]] = field(default_factory=dict)  # language ('' for none) → labels
    alt: list[str] = field(default_factory=list)
    titles: list[str] = field(default_factory=list)
    wikidata: list[str] = field(default_factory=list)  # Q-ids
    falls_within: list[str] = field(default_factory=list)  # ids of the places it directly falls within
    part_of: list[str] = field(default_factory=list)  # ids of the groups it is part of
    mentioned_in: list[str] = field(default_factory=list)  # ids of the documents that refer to it
    mentions: list[str] = field(default_factory=list)  # (documents) ids of what they refer to
    identifiers: dict[str, list[str]] = field(default_factory=dict)  # scheme (ror, isni, …) → values
    roles: list[str] = field(default_factory=list)
    date: str = ""  # (documents) dcterms:created
    reference: str = ""  # (documents) the archival reference
    description: str = ""

    def names(self) -> list[str]:
        """Every name it is matched by: labels in all languages, other names, titles, the reference."""
        found = [n for values in self.labels.values() for n in values] + self.alt + self.titles
        found += [self.reference] if self.reference else []
        return list(dict.fromkeys(n for n in found if n.strip()))


@dataclass(frozen=True)
class Name:
    """One name of one entry, in its comparable forms (see :mod:`ldpub.reconciliation.text`)."""

    entry: int
    text: str
    normal: str
    squashed: str
    folded: str
    words: tuple[str, ...]


class ReconIndex:
    """The entries of one release and the tables to find them by name, by prefix and by id."""

    def __init__(self, build_id: str, base: str, entries: list[Entry]) -> None:
        self.build_id = build_id
        self.base = base
        self.entries = sorted(entries, key=lambda e: e.id)
        self.by_id = {e.id: i for i, e in enumerate(self.entries)}
        self.names: list[Name] = []
        self.grams: dict[str, list[int]] = defaultdict(list)
        prefix: set[tuple[str, int, int]] = set()
        for i, entry in enumerate(self.entries):
            for text in entry.names():
                normal = normalise(text)
                if not normal:
                    continue
                n = len(self.names)
                self.names.append(Name(i, text, normal, squash(normal), fold(normal), tuple(normal.split())))
                for gram in trigrams(squash(normal)):
                    self.grams[gram].append(n)
                prefix.update((key, 0 if normal.startswith(key) else 1, n) for key in prefix_keys(normal))
        self.prefix_table = sorted(prefix)
        self._prefix_keys = [key for key, _, _ in self.prefix_table]

    def get(self, ident: str) -> Entry | None:
        """The entry of an id, accepting the full IRI too."""
        i = self.by_id.get(self.local_id(ident))
        return None if i is None else self.entries[i]

    def local_id(self, ident: str) -> str:
        """``{base}/id/person/x`` → ``person/x``; an id already local is returned as it is."""
        return ident.strip().removeprefix(f"{self.base}/id/")

    def label_of(self, ident: str) -> str:
        entry = self.get(ident)
        return entry.label if entry else ident

    def with_prefix(self, prefix: str) -> list[tuple[int, int]]:
        """(name index, 0 when the name starts with the prefix else 1) of names with a key starting so."""
        at = bisect.bisect_left(self._prefix_keys, prefix)
        found: list[tuple[int, int]] = []
        while at < len(self._prefix_keys) and self._prefix_keys[at].startswith(prefix):
            _, rank, n = self.prefix_table[at]
            found.append((n, rank))
            at += 1
        return found

    def falls_within_all(self, entry: Entry) -> list[str]:
        """The places an entry falls within, directly or through others (cycles are harmless)."""
        seen: list[str] = []
        todo = list(entry.falls_within)
        while todo:
            ident = todo.pop(0)
            if ident in seen:
                continue
            seen.append(ident)
            parent = self.get(ident)
            todo.extend(parent.falls_within if parent else [])
        return seen


def _rows(store: DatasetStore, query: str) -> list[dict[str, Term]]:
    result = store.query(_PREFIXES + query)
    if not isinstance(result, SelectResult):
        raise TypeError("expected a SELECT result")
    return result.rows


def build_index(store: DatasetStore, base: str) -> ReconIndex:
    """Read the release's entities and documents from ``store`` into a new :class:`ReconIndex`."""
    info = store.release_info()
    build_id = info.build_id if info is not None else ""
    prefix = f"{base}/id/"
    entries: dict[str, Entry] = {}

    def local(term: Term | None) -> str | None:
        iri = str(term) if term is not None else ""
        return iri[len(prefix) :] if iri.startswith(prefix) else None

    values = " ".join(f"(crm:{cls} {kind!r})".replace("'", '"') for kind, cls in KIND_CLASSES.items())
    for row in _rows(
        store,
        f"""SELECT ?e ?kind ?p ?l WHERE {{
              VALUES (?class ?kind) {{ {values} }}
              {{ ?e a ?class FILTER(?class != crm:E55_Type) }}
              UNION {{ GRAPH <{base}/graph/entities> {{ ?e a ?class FILTER(?class = crm:E55_Type) }} }}
              OPTIONAL {{ ?e ?p ?l VALUES ?p {{ rdfs:label skos:prefLabel skos:altLabel dcterms:title
                                                dcterms:identifier dcterms:created }} }} }}""",
    ):
        ident = local(row["e"])
        if ident is None:
            continue
        entry = entries.setdefault(ident, Entry(ident, str(row["e"]), str(row["kind"])))
        lit, p = row.get("l"), str(row.get("p", ""))
        if not isinstance(lit, Literal):
            continue
        value = str(lit).strip()
        if p.endswith(("#label", "#prefLabel")):
            _add(entry.labels.setdefault(lit.language or "", []), value)
        elif p.endswith("#altLabel"):
            _add(entry.alt, value)
        elif p.endswith("/title"):
            _add(entry.titles, value)
        elif p.endswith("/identifier"):
            entry.reference = entry.reference or value
        elif p.endswith("/created"):
            entry.date = entry.date or value
    _links(store, base, entries, local)
    for entry in entries.values():
        entry.label = _pick(entry)
    for entry in entries.values():
        entry.description = _describe(entry, entries)
    return ReconIndex(build_id, base, list(entries.values()))


def _links(
    store: DatasetStore, base: str, entries: dict[str, Entry], local: Callable[[Term | None], str | None]
) -> None:
    """Wikidata links, places' and groups' containers, mentions, identifiers and roles."""
    for row in _rows(
        store,
        """SELECT ?e ?p ?o WHERE { ?e ?p ?o
             VALUES ?p { owl:sameAs crm:P89_falls_within crm:P107i_is_current_or_former_member_of } }""",
    ):
        ident, target = local(row["e"]), str(row["o"])
        entry = entries.get(ident or "")
        if entry is None:
            continue
        p = str(row["p"])
        if p.endswith("sameAs") and target.startswith(WIKIDATA_ENTITY):
            _add(entry.wikidata, target.removeprefix(WIKIDATA_ENTITY))
        elif (other := local(row["o"])) in entries and other is not None:
            _add(entry.falls_within if p.endswith("P89_falls_within") else entry.part_of, other)
    # DISTINCT pairs: appended as they come (a membership test per pair made a hub entity, mentioned in
    # every document, cost quadratic time: 10 of the 21 s of the index at 10,000 documents)
    for row in _rows(store, "SELECT DISTINCT ?d ?e WHERE { ?d a crm:E31_Document ; crm:P67_refers_to ?e }"):
        doc, ident = local(row["d"]), local(row["e"])
        if doc in entries and ident in entries and doc is not None and ident is not None:
            entries[ident].mentioned_in.append(doc)
            entries[doc].mentions.append(ident)
    for row in _rows(
        store,
        """SELECT ?e ?v ?t WHERE { ?e crm:P1_is_identified_by ?i . ?i crm:P190_has_symbolic_content ?v
             OPTIONAL { ?i crm:P2_has_type ?t } }""",
    ):
        entry = entries.get(local(row["e"]) or "")
        scheme = str(row.get("t", "")).rsplit("/", 1)[-1].removeprefix("identifier-")
        if entry is not None and scheme:
            _add(entry.identifiers.setdefault(scheme, []), str(row["v"]))
    for row in _rows(
        store,
        f"""SELECT ?e ?t WHERE {{ ?r crm:P129_is_about ?e ; crm:P2_has_type <{base}/id/type/role> ;
              crm:P190_has_symbolic_content ?t }}""",
    ):
        entry = entries.get(local(row["e"]) or "")
        if entry is not None:
            _add(entry.roles, str(row["t"]))
    for entry in entries.values():
        for values in (entry.wikidata, entry.falls_within, entry.part_of, entry.mentioned_in, entry.mentions):
            values.sort()
        entry.roles.sort()


def _add(values: list[str], value: str) -> None:
    if value and value not in values:
        values.append(value)


def _pick(entry: Entry) -> str:
    """The name shown: the English label, else a label without language, else a title, else any."""
    for lang in ("en", ""):
        if entry.labels.get(lang):
            return sorted(entry.labels[lang])[0]
    if entry.titles:
        return sorted(entry.titles)[0]
    others = sorted(n for values in entry.labels.values() for n in values)
    return others[0] if others else entry.id.rsplit("/", 1)[-1]


def _describe(entry: Entry, entries: dict[str, Entry]) -> str:
    """A short text telling namesakes apart: other-script names, where, what, when."""
    parts: list[str] = []
    scripts = [
        n for lang in sorted(entry.labels) if lang not in ("en", "") for n in sorted(entry.labels[lang])
    ]
    parts += scripts[:2]
    if entry.kind == "document":
        parts += [p for p in (entry.date, entry.reference) if p]
    for ident in entry.falls_within[:1]:
        parts.append(f"in {entries[ident].label}" if ident in entries else "")
    for ident in entry.part_of[:1]:
        parts.append(f"part of {entries[ident].label}" if ident in entries else "")
    if entry.roles:
        role = entry.roles[0]
        parts.append(role if len(role) <= 90 else role[:89].rstrip() + "…")
    return " · ".join([entry.kind, *(p for p in parts if p)])


class IndexCache:
    """One process's index of the release it serves, built on first use and again only when the release's
    build id (or the base URI) changes; one build at a time.

    Keyed by the release, not by the store object: the web application reads a new pinned snapshot of the
    store for every request (``DatasetStore.snapshot``), and an index kept per store object was built
    again for every reconciliation request (0.6 s at 1,000 documents, 21 s at 10,000).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._index: ReconIndex | None = None

    def get(self, store: DatasetStore, base: str) -> ReconIndex:
        info = store.release_info()
        build_id = info.build_id if info is not None else ""
        cached = self._index
        if cached is not None and cached.build_id == build_id and cached.base == base:
            return cached
        with self._lock:
            cached = self._index
            if cached is None or cached.build_id != build_id or cached.base != base:
                cached = self._index = build_index(store, base)
            return cached


_CACHES: weakref.WeakKeyDictionary[DatasetStore, IndexCache] = weakref.WeakKeyDictionary()
_CACHES_LOCK = threading.Lock()


def index_for(store: DatasetStore, base: str) -> ReconIndex:
    """The index of the release ``store`` serves, kept with that store object (see :class:`IndexCache`;
    the web application keeps one :class:`IndexCache` of its own, whichever snapshot a request reads)."""
    with _CACHES_LOCK:
        cache = _CACHES.setdefault(store, IndexCache())
    return cache.get(store, base)
