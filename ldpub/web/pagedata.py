"""The telegram page's data, read from the published dataset through the store interface only: the document
graph (docs/modeling.md, "A document", "Mentions and anchors", "Reported figures", "What is inferred") and
its provenance (docs/modeling.md, "Provenance"). Issue 3, item 3: the telegram page.

Everything here is bounded by one document (its own named graph), whatever the size of the corpus, except
:func:`referrers` (what points at any other resource), which is read as a key list once per release and
shown a page at a time (issue 6).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from rdflib import Graph, URIRef
from rdflib.namespace import RDF
from rdflib.term import Node

from .pagequery import (
    DCT,
    LDPUB,
    OA,
    C,
    KeyList,
    Ref,
    concat,
    construct,
    iri_base,
    keys,
    label_of,
    select,
    text,
    values,
)


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    body: Ref


@dataclass(frozen=True)
class Point:
    label: str  # "4b"
    iri: str
    start: int
    end: int
    depth: int


@dataclass(frozen=True)
class Figure:
    iri: str
    value: str
    unit: str
    what: str
    places: list[Ref]
    time: str
    quote: str
    start: int | None
    end: int | None


@dataclass(frozen=True)
class Source:
    iri: str
    path: str
    sha256: str
    size: str


@dataclass
class DocumentView:
    """Everything the telegram page shows (issue 3, item 3)."""

    iri: str
    title: str
    date: str = ""
    date_iso: str = ""
    types: list[Ref] = field(default_factory=list)
    priority: list[Ref] = field(default_factory=list)
    language: str = ""
    senders: list[Ref] = field(default_factory=list)
    addressees: list[Ref] = field(default_factory=list)
    reference: str = ""
    pages: str = ""
    archival_file: Ref | None = None
    archive: Ref | None = None
    citation: str = ""
    summary: str = ""
    credits: list[tuple[str, list[Ref]]] = field(default_factory=list)
    translators: list[Ref] = field(default_factory=list)
    rights_text: str = ""
    rights_uris: list[str] = field(default_factory=list)
    subjects: list[Ref] = field(default_factory=list)
    refers_to: list[Ref] = field(default_factory=list)
    earlier: list[Ref] = field(default_factory=list)
    english: str = ""
    english_iri: str = ""
    mentions: list[Mention] = field(default_factory=list)
    points: list[Point] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    inferred: list[tuple[str, str]] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    build: dict[str, str] = field(default_factory=dict)


KIND_BY_CLASS = {
    C("E21_Person"): "person",
    C("E74_Group"): "group",
    C("E53_Place"): "place",
    C("E31_Document"): "document",
    C("E13_Attribute_Assignment"): "figure",
    C("E55_Type"): "concept",
    C("E78_Curated_Holding"): "archive",
}

_CREDITS = {
    "obtaining-a-copy": "Obtained by",
    "publication": "Published by",
    "funding": "Funded by",
}


def document_graph_name(iri: str) -> str | None:
    """The named graph holding the document ``iri`` with its title, or ``None`` (not a described document)."""
    rows = select(f"SELECT ?g WHERE {{ GRAPH ?g {{ <{iri}> crm:P102_has_title ?t }} }} LIMIT 1")
    return text(rows[0]["g"]) if rows else None


def _ref(g: Graph, node: Node) -> Ref:
    classes = [c for c in g.objects(node, RDF.type) if isinstance(c, URIRef)]
    kind = next((KIND_BY_CLASS[c] for c in classes if c in KIND_BY_CLASS), "")
    return Ref(str(node), label_of(g, node), kind)


def _refs(g: Graph, nodes: Iterable[Node]) -> list[Ref]:
    found = {_ref(g, n) for n in nodes if isinstance(n, URIRef)}
    return sorted(found, key=lambda r: r.label.lower())


def _int(term: Node | None) -> int | None:
    try:
        return int(str(term)) if term is not None else None
    except ValueError:
        return None


def load_document(iri: str, graph_name: str) -> DocumentView:
    """Read the document's named graph, the labels and classes of what it points to, and its provenance."""
    g = construct(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph_name}> {{ ?s ?p ?o }} }}")
    # What the document points to, listed first: joined in one query, the store matched every typed
    # resource of the dataset against the list (0.5 s at 1,000 documents, growing with the corpus).
    linked = [
        text(r["x"])
        for r in select(
            f"SELECT DISTINCT ?x WHERE {{ GRAPH <{graph_name}> {{ ?s ?p ?x }} FILTER(isIRI(?x)) }}"
        )
    ]
    if linked:
        g += construct(
            f"""CONSTRUCT {{ ?x rdfs:label ?l ; a ?c }} WHERE {{ VALUES ?x {{ {values(linked)} }}
                  {{ ?x rdfs:label ?l }} UNION {{ ?x a ?c }} }}"""
        )
    doc = URIRef(iri)
    title_node = g.value(doc, C("P102_has_title"))
    title = text(g.value(title_node, C("P190_has_symbolic_content"))) if title_node else ""
    view = DocumentView(iri=iri, title=title or label_of(g, doc))
    _metadata(g, doc, view)
    _text_and_anchors(g, doc, view)
    _figures(g, doc, view)
    _provenance(graph_name, view)
    return view


def _metadata(g: Graph, doc: URIRef, view: DocumentView) -> None:
    creation = g.value(doc, C("P94i_was_created_by"))
    if creation is not None:
        view.senders = _refs(g, list(g.objects(creation, C("P14_carried_out_by"))))
        span = g.value(creation, C("P4_has_time-span"))
        if span is not None:
            view.date = label_of(g, span, "")
    view.date_iso = text(g.value(doc, URIRef(DCT + "created")))
    for t in g.objects(doc, C("P2_has_type")):
        (view.priority if "/id/type/priority-" in str(t) else view.types).append(_ref(g, t))
    lang = g.value(doc, C("P72_has_language"))
    view.language = label_of(g, lang) if lang is not None else ""
    for act in g.subjects(C("P16_used_specific_object"), doc):
        view.addressees += _refs(g, list(g.objects(act, URIRef(LDPUB + "addressee"))))
    for obj in g.subjects(C("P128_carries"), doc):
        ident = g.value(obj, C("P1_is_identified_by"))
        view.reference = text(g.value(ident, C("P190_has_symbolic_content"))) if ident else ""
        view.pages = text(g.value(obj, C("P3_has_note")))
        file = g.value(obj, C("P46i_forms_part_of"))
        if file is not None:
            view.archival_file = _ref(g, file)
            holding = g.value(file, C("P46i_forms_part_of"))
            view.archive = _ref(g, holding) if holding is not None else None
    view.citation = text(g.value(doc, URIRef(DCT + "bibliographicCitation")))
    view.summary = text(g.value(doc, URIRef(DCT + "abstract")))
    for rights in g.objects(doc, URIRef(DCT + "rights")):
        content = g.value(rights, C("P190_has_symbolic_content"))
        if content is not None:
            view.rights_text = str(content)
        elif not str(rights).startswith(iri_base(view.iri)):
            view.rights_uris.append(str(rights))
    view.subjects = _refs(g, list(g.objects(doc, C("P129_is_about"))))
    referred = _refs(g, list(g.objects(doc, C("P67_refers_to"))))
    view.earlier = [r for r in referred if r.kind == "document"]
    view.refers_to = [r for r in referred if r.kind != "document"]
    for act in g.subjects(RDF.type, C("E7_Activity")):
        kind = str(g.value(act, C("P2_has_type")) or "").rsplit("/", 1)[-1]
        if kind in _CREDITS:
            view.credits.append((_CREDITS[kind], _refs(g, list(g.objects(act, C("P14_carried_out_by"))))))
    view.credits.sort(key=lambda c: list(_CREDITS.values()).index(c[0]))
    for a in g.subjects(C("P2_has_type"), URIRef(iri_base(view.iri) + "/id/type/inferred-by-rule")):
        target = g.value(a, C("P140_assigned_attribute_to"))
        view.inferred.append((label_of(g, target) if target else "", text(g.value(a, C("P3_has_note")))))
    view.inferred.sort()


def _text_and_anchors(g: Graph, doc: URIRef, view: DocumentView) -> None:
    english = next(iter(g.subjects(C("P73i_is_translation_of"), doc)), None)
    if english is None:
        return
    view.english_iri = str(english)
    view.english = text(g.value(english, C("P190_has_symbolic_content")))
    translation = g.value(english, C("P94i_was_created_by"))
    if translation is not None:
        view.translators = _refs(g, list(g.objects(translation, C("P14_carried_out_by"))))
    for target in g.subjects(URIRef(OA + "hasSource"), english):
        start = end = None
        for selector in g.objects(target, URIRef(OA + "hasSelector")):
            start = _int(g.value(selector, URIRef(OA + "start"))) if start is None else start
            end = _int(g.value(selector, URIRef(OA + "end"))) if end is None else end
        for annotation in g.subjects(URIRef(OA + "hasTarget"), target):
            body = g.value(annotation, URIRef(OA + "hasBody"))
            if body is not None and start is not None and end is not None:
                view.mentions.append(Mention(start, end, _ref(g, body)))
    view.mentions.sort(key=lambda m: (m.start, -m.end))
    view.points = _points(g, english, view.english)


def _points(g: Graph, english: Node, full: str) -> list[Point]:
    """Numbered points located in the English text by their content (parents first, children inside them)."""
    points: list[Point] = []

    def walk(parent: Node, lo: int, hi: int, depth: int) -> None:
        children = [c for c in g.objects(parent, C("P106_is_composed_of")) if isinstance(c, URIRef)]
        cursor = lo
        located = []
        for child in children:
            content = text(g.value(child, C("P190_has_symbolic_content")))
            at = full.find(content, lo, hi) if content else -1
            located.append((at, child, content))
        for at, child, content in sorted(located, key=lambda x: (x[0], str(x[1]))):
            if at < 0:
                continue
            label = str(child).rsplit("/", 1)[-1]
            points.append(Point(label, str(child), at, at + len(content), depth))
            cursor = at + len(content)
            walk(child, at, cursor, depth + 1)

    walk(english, 0, len(full), 0)
    return points


def _figures(g: Graph, doc: URIRef, view: DocumentView) -> None:
    anchors = {m.body.iri: m for m in view.mentions}
    for a in g.subjects(C("P177_assigned_property_of_type"), C("P43_has_dimension")):
        dim = g.value(a, C("P141_assigned"))
        event = g.value(a, C("P140_assigned_attribute_to"))
        unit = g.value(dim, C("P91_has_unit")) if dim is not None else None
        span = g.value(event, C("P4_has_time-span")) if event is not None else None
        places = _refs(g, list(g.objects(event, C("P7_took_place_at")))) if event is not None else []
        value = display_number(text(g.value(dim, C("P90_has_value")))) if dim is not None else ""
        anchor = anchors.get(str(a))
        view.figures.append(
            Figure(
                iri=str(a),
                value=value,
                unit=label_of(g, unit) if unit is not None else "",
                what=label_of(g, event) if event is not None else "",
                places=places,
                time=_timespan(g, span),
                quote=text(g.value(a, C("P3_has_note"))),
                start=anchor.start if anchor else None,
                end=anchor.end if anchor else None,
            )
        )
    view.figures.sort(key=lambda f: (f.start is None, f.start or 0))


def display_number(value: str) -> str:
    """A reported value as a reader writes it (thousands separated); anything else unchanged.

    >>> display_number("28028"), display_number("2.50"), display_number("n/a")
    ('28,028', '2.50', 'n/a')
    """
    if value.isdigit():
        return f"{int(value):,}"
    return value


def _timespan(g: Graph, span: Node | None) -> str:
    if span is None:
        return ""
    label = label_of(g, span, "")
    begin = text(g.value(span, C("P82a_begin_of_the_begin")))[:10]
    end = text(g.value(span, C("P82b_end_of_the_end")))[:10]
    bounds = f"{begin} – {end}" if begin and end and begin != end else begin
    return f"{label} ({bounds})" if label and bounds else label or bounds


def _provenance(graph_name: str, view: DocumentView) -> None:
    rows = select(
        f"""SELECT ?src ?path ?sha ?size WHERE {{
              <{graph_name}> prov:wasDerivedFrom ?src .
              OPTIONAL {{ ?src rdfs:label ?path }} OPTIONAL {{ ?src dcterms:identifier ?sha }}
              OPTIONAL {{ ?src dcterms:extent ?size }} }} ORDER BY ?path"""
    )
    view.sources = [
        Source(
            text(r["src"]),
            text(r.get("path")),
            text(r.get("sha")).removeprefix("sha256:"),
            text(r.get("size")),
        )
        for r in rows
    ]
    rows = select(
        f"""SELECT ?build ?label ?started ?ended ?version WHERE {{
              <{graph_name}> prov:wasGeneratedBy ?build .
              OPTIONAL {{ ?build rdfs:label ?label }} OPTIONAL {{ ?build prov:startedAtTime ?started }}
              OPTIONAL {{ ?build prov:endedAtTime ?ended }}
              OPTIONAL {{ ?build prov:wasAssociatedWith/dcterms:hasVersion ?version }} }} LIMIT 1"""
    )
    if rows:
        view.build = {k: text(v) for k, v in rows[0].items()}


def referrers(iri: str) -> KeyList:
    """Every (property, resource) that points at ``iri``, as ``property|resource`` keys sorted by property
    then resource; read once per release in one index scan (an IRI never holds ``|`` or white space)."""

    def make() -> list[str]:
        found = concat(
            "SELECT (GROUP_CONCAT(CONCAT(STR(?p), '|', STR(?s)); separator=' ') AS ?keys) "
            f"WHERE {{ ?s ?p <{iri}> FILTER(isIRI(?s)) }}"
        )
        return sorted(set(found))

    return keys(("referrers", iri), make)
