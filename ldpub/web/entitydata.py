"""Data of the person, group, place and concept pages, the home page and the label search.

docs/modeling.md, "Entities": labels per language, ``skos:altLabel``, ``P89_falls_within``, roles,
identifiers, the curated Wikidata link (``owl:sameAs`` with its ``E13_Attribute_Assignment`` note), and the
documents whose annotations mention the entity (``oa:TextQuoteSelector`` prefix, exact, suffix).
Issue 3, item 3: entity pages and "a home page lists the documents and entities with a label search".

Issue 6: the lists that grow with the corpus (the documents that mention an entity, the activities it took
part in, the home page's documents and entities, search hits) come a page at a time. Their order is read
once per release (:func:`ldpub.web.pagequery.keys`, one ``GROUP_CONCAT`` per list, sorted here) and a page
queries the details of its own slice only (``VALUES``), never a join over every mention of a hub entity
(which took 100-180 s for a place named in most of 1,000 documents).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import Literal

from ..store import Term
from . import state
from .pagequery import (
    SMALL,
    C,
    KeyList,
    Pager,
    Ref,
    Slice,
    concat,
    iri_base,
    kept,
    keys,
    pager,
    pick_label,
    select,
    sparql_string,
    text,
    values,
)

DOCUMENTS_PER_PAGE = 20
"""Documents per page of an entity's "Mentioned in" list, each with every quote of the entity it holds.
A document quotes an entity ~3 times on average in the benchmark corpus (a few dozen at most: a quote needs
its words in the text), so a page holds ~60 quotes, ~40 KB of HTML, whatever the size of the corpus."""
ACTIVITIES_PER_PAGE = 50
"""Activities per page of "Took part in" (one line each: a link and its label)."""
HOME_DOCUMENTS_PER_PAGE = 50
"""Documents per home page (a title, a date and a count each: ~10 KB)."""
HOME_ENTITIES_PER_PAGE = 100
"""Entities of each kind per home page (a short link each; the authority file has ~200 in all today)."""
SEARCH_HITS_PER_PAGE = 50
"""Search hits per page."""

ENTITY_CLASSES: dict[str, str] = {
    "E21_Person": "person",
    "E74_Group": "group",
    "E53_Place": "place",
    "E55_Type": "concept",
    "E78_Curated_Holding": "archive",
}
"""CIDOC-CRM class → the kind of page (and the home page's heading)."""

KIND_HEADINGS = {
    "person": "Persons",
    "group": "Groups and organisations",
    "place": "Places",
    "concept": "Concepts",
    "archive": "Archives",
}


@dataclass(frozen=True)
class Quote:
    """One mention of an entity in a document, with its context."""

    document: Ref
    start: int
    end: int
    prefix: str
    exact: str
    suffix: str


@dataclass
class Mentioning:
    """A document that refers to the entity, with every quote of it in its text (none: referred to only)."""

    document: Ref
    quotes: list[Quote] = field(default_factory=list)
    date: str = ""  # as the source writes it ("March 24, 1962")


@dataclass
class EntityView:
    iri: str
    kind: str
    label: str
    labels: list[tuple[str, str]] = field(default_factory=list)  # (language, label)
    alt_labels: list[str] = field(default_factory=list)
    falls_within: list[Ref] = field(default_factory=list)
    contains: list[Ref] = field(default_factory=list)
    part_of: list[Ref] = field(default_factory=list)
    members: list[Ref] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)
    identifiers: list[tuple[str, str]] = field(default_factory=list)  # (scheme, value)
    see_also: list[str] = field(default_factory=list)
    wikidata: list[tuple[str, str]] = field(default_factory=list)  # (IRI, note)
    mentioning: list[Mentioning] = field(default_factory=list)  # this page's documents, by date
    documents: Slice = field(default_factory=lambda: Slice(1, DOCUMENTS_PER_PAGE, 0))
    mentions: int = 0  # quotes in every document
    activities: list[Ref] = field(default_factory=list)  # this page's activities
    activity_slice: Slice = field(default_factory=lambda: Slice(1, ACTIVITIES_PER_PAGE, 0))
    pager: Pager = field(default_factory=lambda: Pager(1, 1))

    @property
    def quotes(self) -> list[Quote]:
        """This page's quotes, document after document."""
        return [q for m in self.mentioning for q in m.quotes]


def entity_kind(classes: list[str]) -> str | None:
    """The page kind for a resource with these ``rdf:type`` IRIs, or ``None`` when it is no entity.

    >>> entity_kind(["http://www.cidoc-crm.org/cidoc-crm/E21_Person"])
    'person'
    >>> entity_kind(["http://www.w3.org/ns/oa#Annotation"]) is None
    True
    """
    for c in classes:
        name = c.removeprefix(str(C("")))
        if name in ENTITY_CLASSES and c.startswith(str(C(""))):
            return ENTITY_CLASSES[name]
    return None


def _label(rows: list[dict[str, Term]], key: str) -> str:
    return pick_label([lit for r in rows if isinstance(lit := r.get(key), Literal)])


def _grouped_refs(rows: list[dict[str, Term]], iri_key: str, label_key: str, kind: str = "") -> list[Ref]:
    labels: dict[str, list[Literal]] = {}
    for r in rows:
        iri = text(r.get(iri_key))
        if not iri:
            continue
        lit = r.get(label_key)
        labels.setdefault(iri, []).extend([lit] if isinstance(lit, Literal) else [])
    refs = [Ref(iri, pick_label(list(ls), iri.rsplit("/", 1)[-1]), kind) for iri, ls in labels.items()]
    return sorted(refs, key=lambda r: r.label.lower())


def load_entity(iri: str, kind: str, page: int = 1) -> EntityView:
    """Everything page ``page`` of an entity shows, in a handful of SELECTs: its own statements, then a page
    of the documents that refer to it (by date, with their quotes) and of the activities it took part in.

    A page past the last raises :class:`~ldpub.web.pagequery.PageError` (404) before any detail is read.
    """
    documents = entity_documents(iri)
    activities = entity_activities(iri)
    doc_slice = Slice(page, DOCUMENTS_PER_PAGE, len(documents))
    act_slice = Slice(page, ACTIVITIES_PER_PAGE, len(activities))
    paging = pager(page, doc_slice, act_slice, what=f"the page of <{iri}>")
    own = select(f"SELECT ?p ?o ?ol WHERE {{ <{iri}> ?p ?o OPTIONAL {{ ?o rdfs:label ?ol }} }}")
    by_p: dict[str, list[dict[str, Term]]] = {}
    for r in own:
        by_p.setdefault(text(r["p"]), []).append(r)
    labels = sorted(
        {
            (lit.language or "", str(lit))
            for r in by_p.get(_RDFS_LABEL, [])
            if isinstance(lit := r["o"], Literal)
        }
    )
    view = EntityView(iri=iri, kind=kind, label=_label(by_p.get(_RDFS_LABEL, []), "o") or iri)
    view.labels = labels
    view.alt_labels = sorted({text(r["o"]) for r in by_p.get(_SKOS_ALT, [])})
    view.falls_within = _grouped_refs(by_p.get(str(C("P89_falls_within")), []), "o", "ol", "place")
    view.part_of = _grouped_refs(by_p.get(str(C("P107i_is_current_or_former_member_of")), []), "o", "ol")
    view.members = _grouped_refs(by_p.get(str(C("P107_has_current_or_former_member")), []), "o", "ol")
    view.see_also = sorted({text(r["o"]) for r in by_p.get(_RDFS_SEE_ALSO, [])})
    # Places within and roles are stated in the entities graph (ldpub/model/entities.py): read there, not
    # among the P129_is_about of every document about the entity (6 ms for a hub at 1,000 documents).
    entities = f"{iri_base(iri)}/graph/entities"
    contains = select(
        f"""SELECT ?x ?xl WHERE {{ GRAPH <{entities}> {{ ?x crm:P89_falls_within <{iri}> }}
              OPTIONAL {{ ?x rdfs:label ?xl }} }}"""
    )
    view.contains = _grouped_refs(contains, "x", "xl", "place")
    view.roles = sorted(
        text(r["t"])
        for r in select(
            f"""SELECT ?t WHERE {{ GRAPH <{entities}> {{ ?r crm:P129_is_about <{iri}> ;
                  crm:P2_has_type <{iri_base(iri)}/id/type/role> ; crm:P190_has_symbolic_content ?t }} }}"""
        )
    )
    view.identifiers = sorted(
        (text(r.get("scheme")) or "identifier", text(r["v"]))
        for r in select(
            f"""SELECT ?v (SAMPLE(?sl) AS ?scheme) WHERE {{ <{iri}> crm:P1_is_identified_by ?i .
                ?i crm:P190_has_symbolic_content ?v OPTIONAL {{ ?i crm:P2_has_type/rdfs:label ?sl }} }}
                GROUP BY ?i ?v"""
        )
    )
    notes = {
        text(r["wd"]): text(r.get("note"))
        for r in select(
            f"""SELECT ?wd ?note WHERE {{ ?a crm:P140_assigned_attribute_to <{iri}> ;
                crm:P177_assigned_property_of_type owl:sameAs ; crm:P141_assigned ?wd .
                OPTIONAL {{ ?a crm:P3_has_note ?note }} }}"""
        )
    }
    same = {text(r["o"]) for r in by_p.get(OWL_SAME_AS_IRI, [])}
    view.wikidata = sorted((wd, notes.get(wd, "")) for wd in same | set(notes) if "wikidata.org/" in wd)
    view.documents, view.activity_slice, view.pager = doc_slice, act_slice, paging
    view.mentions = mention_count(iri)
    view.mentioning = _mentioning(iri, doc_slice.take(documents))
    view.activities = _labelled(act_slice.take(activities), "activity")
    return view


def entity_pages(iri: str) -> int:
    """How many pages the entity's page has (from the kept keys: no detail is read)."""
    return max(
        Slice(1, DOCUMENTS_PER_PAGE, len(entity_documents(iri))).pages,
        Slice(1, ACTIVITIES_PER_PAGE, len(entity_activities(iri))).pages,
    )


_RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
_RDFS_SEE_ALSO = "http://www.w3.org/2000/01/rdf-schema#seeAlso"
_SKOS_ALT = "http://www.w3.org/2004/02/skos/core#altLabel"
OWL_SAME_AS_IRI = "http://www.w3.org/2002/07/owl#sameAs"
_OA = "http://www.w3.org/ns/oa#"
_REF_BYTES = 400
"""About what a kept :class:`Ref` (an object and two or three strings) takes."""
_HIT_BYTES = 600
"""About what a kept :class:`SearchHit` takes."""


def _concat_query(variable: str, where: str) -> str:
    return f"SELECT (GROUP_CONCAT(STR(?{variable}); separator=' ') AS ?keys) WHERE {{ {where} }}"


def documents_by_date() -> KeyList:
    """Every described document (one with a title: ldpub gives a title to every ``E31_Document`` it
    describes, and to nothing else) by date (``dcterms:created``), then IRI.

    Read once per release in two index scans (no join, no ``ORDER BY``: the store would look up the date of
    each document, ~20 µs each, or decode both IRIs at each comparison) and sorted here.
    """

    def make() -> list[str]:
        documents = set(concat(_concat_query("d", "?d crm:P102_has_title ?t")))
        dated: dict[str, str] = {}
        pairs = concat(
            "SELECT (GROUP_CONCAT(CONCAT(STR(?d), '|', STR(?b)); separator=' ') AS ?keys) "
            "WHERE { ?d dcterms:created ?b FILTER(isIRI(?d)) }"
        )
        for pair in pairs:  # an IRI never holds '|' or white space
            document, _, date = pair.partition("|")
            if document in documents:
                dated[document] = min(date, dated.get(document, date))
        return sorted(documents, key=lambda d: (dated.get(d, ""), d))

    return keys("documents", make)


def entity_documents(iri: str) -> KeyList:
    """The documents that refer to ``iri`` (``P67_refers_to``: every document that quotes it does), by
    date then IRI; once per release."""

    def make() -> list[str]:
        referring = set(concat(_concat_query("d", f"?d crm:P67_refers_to <{iri}>")))
        return [d for d in documents_by_date() if d in referring] if referring else []

    return keys(("documents-of", iri), make)


def entity_activities(iri: str) -> KeyList:
    """The activities ``iri`` carried out or was the addressee of, by IRI; once per release.

    ldpub mints every ``E7_Activity`` it makes (a document's sending, obtaining, publication, funding: see
    ldpub/model/document.py) under ``/id/activity/``; the IRI says which of what the entity carried out
    are activities (a sender also carries out every figure its documents report), which checking each
    one's class would take a lookup apiece for (0.08 s for the 6,334 of a sender at 1,000 documents).
    """
    prefix = sparql_string(f"{state().settings.base_uri}/id/activity/")

    def make() -> list[str]:
        where = (
            f"{{ ?a crm:P14_carried_out_by <{iri}> }} UNION {{ ?a ldpub:addressee <{iri}> }} "
            f"FILTER(STRSTARTS(STR(?a), {prefix}))"
        )
        return sorted(set(concat(_concat_query("a", where))))

    return keys(("activities-of", iri), make)


def mention_count(iri: str) -> int:
    """How many annotations have ``iri`` as their body (an index count), once per release."""

    def make() -> int:
        rows = select(f"SELECT (COUNT(?a) AS ?n) WHERE {{ ?a oa:hasBody <{iri}> }}")
        return int(text(rows[0].get("n")) or 0) if rows else 0

    return kept("keys", ("mentions-of", iri), make, lambda _: SMALL)


def label_literals(iris: list[str]) -> dict[str, list[Literal]]:
    """The ``rdfs:label`` literals of each of ``iris`` that has any (one query for all of them)."""
    found: dict[str, list[Literal]] = {}
    if iris:
        for r in select(f"SELECT ?s ?l WHERE {{ VALUES ?s {{ {values(iris)} }} ?s rdfs:label ?l }}"):
            lit = r.get("l")
            found.setdefault(text(r["s"]), []).extend([lit] if isinstance(lit, Literal) else [])
    return found


def labels_of(iris: list[str]) -> dict[str, str]:
    """The label to show for each of ``iris`` (English first; the IRI's tail when it has none)."""
    found = label_literals(iris)
    return {iri: pick_label(list(found.get(iri, [])), iri.rstrip("/").rsplit("/", 1)[-1]) for iri in iris}


def _labelled(iris: list[str], kind: str) -> list[Ref]:
    labels = labels_of(iris)
    return [Ref(iri, labels[iri], kind) for iri in iris]


def _mentioning(iri: str, documents: list[str]) -> list[Mentioning]:
    """The quotes of ``iri`` in each of ``documents``: each document's own graph holds its annotations, so
    the query reads those graphs only, however many documents mention ``iri``."""
    if not documents:
        return []
    labels = labels_of(documents)
    rows = select(
        f"""SELECT ?d ?ann ?p ?o WHERE {{ VALUES ?d {{ {values(documents)} }}
              GRAPH ?g {{ ?d crm:P67_refers_to <{iri}> }}
              GRAPH ?g {{ ?ann oa:hasBody <{iri}> ; oa:hasTarget ?t . ?t oa:hasSelector ?s . ?s ?p ?o }} }}"""
    )
    selectors: dict[tuple[str, str], dict[str, str]] = {}
    for r in rows:
        prop = text(r["p"])
        if prop.startswith(_OA):
            selectors.setdefault((text(r["d"]), text(r["ann"])), {})[prop.removeprefix(_OA)] = text(r["o"])
    quotes: dict[str, dict[tuple[int, int], Quote]] = {}
    for (document, _), found in sorted(selectors.items()):
        try:
            start, end = int(found["start"]), int(found["end"])
        except (KeyError, ValueError):
            continue
        ref = Ref(document, labels[document], "document")
        context = (found.get("prefix", ""), found.get("exact", ""), found.get("suffix", ""))
        quote = Quote(ref, start, end, *context)
        quotes.setdefault(document, {}).setdefault((start, end), quote)
    dates: dict[str, str] = {}
    for r in select(
        f"""SELECT ?d ?date WHERE {{ VALUES ?d {{ {values(documents)} }}
              ?d crm:P94i_was_created_by/crm:P4_has_time-span/rdfs:label ?date }}"""
    ):
        dates.setdefault(text(r["d"]), text(r["date"]))
    return [
        Mentioning(
            Ref(d, labels[d], "document"),
            sorted(quotes.get(d, {}).values(), key=lambda q: (q.start, q.end)),
            dates.get(d, ""),
        )
        for d in documents
    ]


@dataclass(frozen=True)
class DocumentEntry:
    iri: str
    title: str
    date: str
    mentions: int


@dataclass
class HomeView:
    documents: list[DocumentEntry]  # this page's, by date
    document_slice: Slice
    entities: dict[str, list[tuple[Ref, int]]]  # kind → this page's [(entity, mentions)], by label
    entity_slices: dict[str, Slice]
    pager: Pager


def entities_by_kind(base: str) -> dict[str, tuple[Ref, ...]]:
    """The entities of the entities graph by kind (in :data:`KIND_HEADINGS` order), then label; once per
    release."""

    def make() -> dict[str, tuple[Ref, ...]]:
        classes = " ".join(f"crm:{name}" for name in ENTITY_CLASSES)
        rows = select(
            f"""SELECT ?e ?c ?l WHERE {{ GRAPH <{base}/graph/entities> {{ ?e a ?c }} VALUES ?c {{ {classes} }}
                 OPTIONAL {{ ?e rdfs:label ?l }} }}"""
        )
        by_kind: dict[str, dict[str, list[Literal]]] = {}
        for r in rows:
            kind = ENTITY_CLASSES[text(r["c"]).removeprefix(str(C("")))]
            lit = r.get("l")
            by_kind.setdefault(kind, {}).setdefault(text(r["e"]), []).extend(
                [lit] if isinstance(lit, Literal) else []
            )
        out: dict[str, tuple[Ref, ...]] = {}
        for kind in KIND_HEADINGS:
            found = by_kind.get(kind, {})
            refs = [Ref(e, pick_label(list(ls), e.rsplit("/", 1)[-1]), kind) for e, ls in found.items()]
            if refs:
                out[kind] = tuple(sorted(refs, key=lambda r: (r.label.lower(), r.iri)))
        return out

    return kept(
        "keys", ("entities", base), make, lambda found: SMALL + _REF_BYTES * sum(map(len, found.values()))
    )


def load_home(base: str, page: int = 1) -> HomeView:
    """Page ``page`` of the home page: documents by date, and the entities of each kind by label.

    A page past the last raises :class:`~ldpub.web.pagequery.PageError` (404).
    """
    documents = documents_by_date()
    by_kind = entities_by_kind(base)
    doc_slice = Slice(page, HOME_DOCUMENTS_PER_PAGE, len(documents))
    slices = {kind: Slice(page, HOME_ENTITIES_PER_PAGE, len(refs)) for kind, refs in by_kind.items()}
    paging = pager(page, doc_slice, *slices.values(), what="the home page")
    shown = {kind: refs for kind, s in slices.items() if (refs := s.take(by_kind[kind]))}
    counts = _mention_counts([r.iri for refs in shown.values() for r in refs])
    entities = {kind: [(r, counts.get(r.iri, 0)) for r in refs] for kind, refs in shown.items()}
    return HomeView(_document_entries(doc_slice.take(documents)), doc_slice, entities, slices, paging)


def _document_entries(documents: list[str]) -> list[DocumentEntry]:
    """Title, date and annotation count of each of ``documents`` (in their order)."""
    if not documents:
        return []
    listed = values(documents)
    rows = select(
        f"""SELECT ?d ?title ?date WHERE {{ VALUES ?d {{ {listed} }}
              ?d crm:P102_has_title/crm:P190_has_symbolic_content ?title .
              OPTIONAL {{ ?d crm:P94i_was_created_by/crm:P4_has_time-span/rdfs:label ?date }} }}"""
    )
    titles: dict[str, str] = {}
    dates: dict[str, str] = {}
    for r in sorted(rows, key=lambda r: (text(r.get("title")), text(r.get("date")))):
        titles.setdefault(text(r["d"]), text(r["title"]))
        dates.setdefault(text(r["d"]), text(r.get("date")))
    counts = {
        text(r["d"]): int(text(r["n"]))
        for r in select(
            f"""SELECT ?d (COUNT(?a) AS ?n) WHERE {{ VALUES ?d {{ {listed} }}
                  GRAPH ?g {{ ?d crm:P102_has_title ?title }} GRAPH ?g {{ ?a oa:hasTarget ?t }} }}
                GROUP BY ?d"""
        )
    }
    return [DocumentEntry(d, titles.get(d, ""), dates.get(d, ""), counts.get(d, 0)) for d in documents]


def _mention_counts(iris: list[str]) -> dict[str, int]:
    """How many annotations have each of ``iris`` as body (index counts, for this page's entities only)."""
    if not iris:
        return {}
    rows = select(
        f"SELECT ?e (COUNT(?a) AS ?n) WHERE {{ VALUES ?e {{ {values(iris)} }} ?a oa:hasBody ?e }} GROUP BY ?e"
    )
    return {text(r["e"]): int(text(r["n"])) for r in rows}


@dataclass(frozen=True)
class SearchHit:
    ref: Ref
    matched: str
    rank: int


@dataclass
class SearchView:
    hits: list[SearchHit]  # this page's, best first
    slice: Slice
    more: bool  # the store had more matches than MAX_MATCHES: ``slice.total`` is a lower bound
    pager: Pager


MAX_QUERY = 200
MAX_MATCHES = 1000
"""Matching (resource, name) rows read from the store per search; past it, the total shows "more than"."""


def rank(label: str, query: str) -> int:
    """0 exact, 1 prefix, 2 a word starts with the query, 3 elsewhere (case-insensitive).

    >>> [rank(s, "pak") for s in ("Pak", "Pak Seong-cheol", "Minister Pak", "Sopak")]
    [0, 1, 2, 3]
    """
    low, q = label.casefold(), query.casefold()
    if low == q:
        return 0
    if low.startswith(q):
        return 1
    if any(word.startswith(q) for word in low.replace("-", " ").replace("[", " ").split()):
        return 2
    return 3


def search(base: str, query: str, page: int = 1) -> SearchView:
    """Page ``page`` of the documents and entities whose label, preferred label or other name contains
    ``query``, best match first; a page past the last raises :class:`~ldpub.web.pagequery.PageError`."""
    query = query.strip()[:MAX_QUERY]
    hits, more = kept(
        "keys",
        ("search", base, query),
        lambda: _ranked(base, query),
        lambda h: SMALL + _HIT_BYTES * len(h[0]),
    )
    found = Slice(page, SEARCH_HITS_PER_PAGE, len(hits))
    paging = pager(page, found, what="this search")
    return SearchView(found.take(hits), found, more, paging)


def _ranked(base: str, query: str) -> tuple[tuple[SearchHit, ...], bool]:
    """Every hit of ``query`` (up to :data:`MAX_MATCHES` matching names), ranked; whether there were more."""
    if not query:
        return (), False
    classes = " ".join(f"crm:{name}" for name in ENTITY_CLASSES)
    rows = select(
        f"""SELECT ?s ?c ?matched WHERE {{
              {{ GRAPH <{base}/graph/entities> {{ ?s a ?c }} VALUES ?c {{ {classes} }} }}
              UNION {{ ?s a crm:E31_Document BIND(crm:E31_Document AS ?c) }}
              ?s rdfs:label|skos:prefLabel|skos:altLabel ?matched .
              FILTER(CONTAINS(LCASE(STR(?matched)), LCASE({sparql_string(query)}))) }}
            LIMIT {MAX_MATCHES}"""
    )
    best: dict[str, tuple[int, str, str]] = {}
    for r in rows:
        iri, matched = text(r["s"]), text(r["matched"])
        name = text(r["c"]).removeprefix(str(C("")))
        kind = ENTITY_CLASSES.get(name, "document")
        candidate = (rank(matched, query), matched, kind)
        if iri not in best or candidate < best[iri]:
            best[iri] = candidate
    labels = label_literals(sorted(best))
    hits = [
        SearchHit(Ref(iri, pick_label(list(labels.get(iri, [])), matched), kind), matched, rk)
        for iri, (rk, matched, kind) in best.items()
    ]
    hits.sort(key=lambda h: (h.rank, h.ref.label.casefold(), h.ref.iri))
    return tuple(hits), len(rows) >= MAX_MATCHES
