"""Data of the person, group, place and concept pages, the home page and the label search.

docs/modeling.md, "Entities": labels per language, ``skos:altLabel``, ``P89_falls_within``, roles,
identifiers, the curated Wikidata link (``owl:sameAs`` with its ``E13_Attribute_Assignment`` note), and the
documents whose annotations mention the entity (``oa:TextQuoteSelector`` prefix, exact, suffix).
Issue 3, item 3: entity pages and "a home page lists the documents and entities with a label search".
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import Literal

from ..store import Term
from .pagequery import C, Ref, iri_base, pick_label, select, sparql_string, text

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
    quotes: list[Quote] = field(default_factory=list)
    documents: list[Ref] = field(default_factory=list)
    activities: list[Ref] = field(default_factory=list)


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


def load_entity(iri: str, kind: str) -> EntityView:
    """Everything an entity page shows, in a handful of SELECTs."""
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
    contains = select(
        f"SELECT ?x ?xl WHERE {{ ?x crm:P89_falls_within <{iri}> OPTIONAL {{ ?x rdfs:label ?xl }} }}"
    )
    view.contains = _grouped_refs(contains, "x", "xl", "place")
    base = iri_base(iri)
    view.roles = sorted(
        text(r["t"])
        for r in select(
            f"SELECT ?t WHERE {{ ?r crm:P129_is_about <{iri}> ; crm:P2_has_type <{base}/id/type/role> ; "
            "crm:P190_has_symbolic_content ?t }"
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
    view.quotes = _quotes(iri)
    documents = select(
        f"""SELECT ?d ?dl WHERE {{ ?d crm:P67_refers_to <{iri}> ; a crm:E31_Document .
            OPTIONAL {{ ?d rdfs:label ?dl }} }}"""
    )
    view.documents = _grouped_refs(documents, "d", "dl", "document")
    acts = select(
        f"""SELECT ?a ?al WHERE {{
            {{ ?a crm:P14_carried_out_by <{iri}> }} UNION {{ ?a ldpub:addressee <{iri}> }}
            ?a a crm:E7_Activity OPTIONAL {{ ?a rdfs:label ?al }} }}"""
    )
    view.activities = _grouped_refs(acts, "a", "al", "activity")
    return view


_RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
_RDFS_SEE_ALSO = "http://www.w3.org/2000/01/rdf-schema#seeAlso"
_SKOS_ALT = "http://www.w3.org/2004/02/skos/core#altLabel"
OWL_SAME_AS_IRI = "http://www.w3.org/2002/07/owl#sameAs"


def _quotes(iri: str) -> list[Quote]:
    rows = select(
        f"""SELECT ?doc ?dl ?start ?end ?prefix ?exact ?suffix WHERE {{
              ?ann oa:hasBody <{iri}> ; oa:hasTarget ?t . ?t oa:hasSource ?src ; oa:hasSelector ?ps , ?qs .
              ?ps oa:start ?start ; oa:end ?end . ?qs oa:exact ?exact .
              OPTIONAL {{ ?qs oa:prefix ?prefix }} OPTIONAL {{ ?qs oa:suffix ?suffix }}
              ?src crm:P73i_is_translation_of ?doc . OPTIONAL {{ ?doc rdfs:label ?dl }} }}"""
    )
    docs: dict[str, list[Literal]] = {}
    for r in rows:
        lit = r.get("dl")
        docs.setdefault(text(r["doc"]), []).extend([lit] if isinstance(lit, Literal) else [])
    seen: dict[tuple[str, int, int], Quote] = {}
    for r in rows:
        doc = text(r["doc"])
        start, end = int(text(r["start"])), int(text(r["end"]))
        ref = Ref(doc, pick_label(list(docs[doc]), doc.rsplit("/", 1)[-1]), "document")
        quote = Quote(ref, start, end, text(r.get("prefix")), text(r["exact"]), text(r.get("suffix")))
        seen.setdefault((doc, start, end), quote)
    return sorted(seen.values(), key=lambda q: (q.document.label, q.start))


@dataclass(frozen=True)
class DocumentEntry:
    iri: str
    title: str
    date: str
    sort_key: str
    mentions: int


@dataclass
class HomeView:
    documents: list[DocumentEntry]
    entities: dict[str, list[tuple[Ref, int]]]  # kind → [(entity, mentions)]


def load_home(base: str) -> HomeView:
    """The documents (by date) and the entities of the entities graph (by kind, then label)."""
    rows = select(
        """SELECT ?d ?title (SAMPLE(?dl) AS ?date) (MIN(?b) AS ?begin) WHERE {
             ?d a crm:E31_Document ; crm:P102_has_title/crm:P190_has_symbolic_content ?title .
             OPTIONAL { ?d crm:P94i_was_created_by/crm:P4_has_time-span ?ts .
                        OPTIONAL { ?ts rdfs:label ?dl } OPTIONAL { ?ts crm:P82a_begin_of_the_begin ?b } }
           } GROUP BY ?d ?title"""
    )
    counts = {
        text(r["e"]): int(text(r["n"]))
        for r in select("SELECT ?e (COUNT(?a) AS ?n) WHERE { ?a oa:hasBody ?e } GROUP BY ?e")
    }
    mentions_in = {
        text(r["d"]): int(text(r["n"]))
        for r in select(
            """SELECT ?d (COUNT(?a) AS ?n) WHERE {
                 ?a oa:hasTarget/oa:hasSource/crm:P73i_is_translation_of ?d } GROUP BY ?d"""
        )
    }
    documents = sorted(
        (
            DocumentEntry(
                text(r["d"]),
                text(r["title"]),
                text(r.get("date")),
                text(r.get("begin")),
                mentions_in.get(text(r["d"]), 0),
            )
            for r in rows
        ),
        key=lambda d: (d.sort_key, d.title),
    )
    values = " ".join(f"crm:{name}" for name in ENTITY_CLASSES)
    entity_rows = select(
        f"""SELECT ?e ?c ?l WHERE {{ GRAPH <{base}/graph/entities> {{ ?e a ?c }} VALUES ?c {{ {values} }}
             OPTIONAL {{ ?e rdfs:label ?l }} }}"""
    )
    by_kind: dict[str, dict[str, list[Literal]]] = {}
    for r in entity_rows:
        kind = ENTITY_CLASSES[text(r["c"]).removeprefix(str(C("")))]
        lit = r.get("l")
        by_kind.setdefault(kind, {}).setdefault(text(r["e"]), []).extend(
            [lit] if isinstance(lit, Literal) else []
        )
    entities: dict[str, list[tuple[Ref, int]]] = {}
    for kind in KIND_HEADINGS:
        found = by_kind.get(kind, {})
        refs = [Ref(iri, pick_label(list(ls), iri.rsplit("/", 1)[-1]), kind) for iri, ls in found.items()]
        if refs:
            entities[kind] = sorted(
                ((r, counts.get(r.iri, 0)) for r in refs), key=lambda x: x[0].label.lower()
            )
    return HomeView(documents, entities)


@dataclass(frozen=True)
class SearchHit:
    ref: Ref
    matched: str
    rank: int


MAX_QUERY = 200
MAX_HITS = 100


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


def search(base: str, query: str) -> list[SearchHit]:
    """Documents and entities whose label, preferred label or other name contains ``query``."""
    query = query.strip()[:MAX_QUERY]
    if not query:
        return []
    values = " ".join(f"crm:{name}" for name in ENTITY_CLASSES)
    rows = select(
        f"""SELECT ?s ?c ?matched WHERE {{
              {{ GRAPH <{base}/graph/entities> {{ ?s a ?c }} VALUES ?c {{ {values} }} }}
              UNION {{ ?s a crm:E31_Document BIND(crm:E31_Document AS ?c) }}
              ?s rdfs:label|skos:prefLabel|skos:altLabel ?matched .
              FILTER(CONTAINS(LCASE(STR(?matched)), LCASE({sparql_string(query)}))) }}
            LIMIT 1000"""
    )
    best: dict[str, tuple[int, str, str]] = {}
    for r in rows:
        iri, matched = text(r["s"]), text(r["matched"])
        name = text(r["c"]).removeprefix(str(C("")))
        kind = ENTITY_CLASSES.get(name, "document")
        candidate = (rank(matched, query), matched, kind)
        if iri not in best or candidate < best[iri]:
            best[iri] = candidate
    if not best:
        return []
    iris = " ".join(f"<{iri}>" for iri in best)
    label_rows = select(f"SELECT ?s ?l WHERE {{ VALUES ?s {{ {iris} }} ?s rdfs:label ?l }}")
    labels: dict[str, list[Literal]] = {}
    for r in label_rows:
        lit = r["l"]
        labels.setdefault(text(r["s"]), []).extend([lit] if isinstance(lit, Literal) else [])
    hits = [
        SearchHit(Ref(iri, pick_label(list(labels.get(iri, [])), matched), kind), matched, rk)
        for iri, (rk, matched, kind) in best.items()
    ]
    hits.sort(key=lambda h: (h.rank, h.ref.label.casefold()))
    return hits[:MAX_HITS]
