"""The CRM graph of one record, read from the store, and what every view asks of it.

A *record* is a document published from sources: ``{base}/id/document/{slug}``, a ``crm:E31_Document``
stated in its own named graph ``{base}/graph/document/{slug}`` (docs/modeling.md, "Named graphs"). Its
CRM graph (:func:`record_graph`) is one SPARQL 1.1 ``CONSTRUCT`` (https://www.w3.org/TR/sparql11-query/
§16.2) over the published store: the document, its title, creation and time-span, the activities and
statements that use or are about it (sending, summary, rights, reported figures), the archival item
with its identifier and the files and holdings it forms part of, the English translation with its
creation and publication, plus the labels and classes of everything these point at.

The views (EDM, schema.org, RiC-O, Linked Art) map only this graph: the CRM graph stays the one source of
truth, and no view reads sources or another store.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from ..describe import _iri as checked_iri
from ..model.namespaces import CRM, LDPUB, RDF, RDFS, SKOS
from ..store import DatasetStore

_CONSTRUCT = """PREFIX crm: <http://www.cidoc-crm.org/cidoc-crm/>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
CONSTRUCT {{ ?s ?p ?o . ?o ?lp ?l }} WHERE {{
  {{ SELECT DISTINCT ?s WHERE {{
    {{ BIND(<{iri}> AS ?s) }}
    UNION {{ <{iri}> crm:P102_has_title|crm:P94i_was_created_by ?s }}
    UNION {{ <{iri}> crm:P94i_was_created_by/crm:P4_has_time-span ?s }}
    UNION {{ ?s crm:P16_used_specific_object|crm:P128_carries|crm:P73i_is_translation_of|crm:P129_is_about
             <{iri}> }}
    UNION {{ <{iri}> ^crm:P128_carries/(crm:P1_is_identified_by|crm:P46i_forms_part_of+) ?s }}
    UNION {{ <{iri}> ^crm:P73i_is_translation_of/crm:P94i_was_created_by ?s }}
    UNION {{ <{iri}> ^crm:P73i_is_translation_of/^crm:P16_used_specific_object ?s }}
  }} }}
  ?s ?p ?o
  OPTIONAL {{ ?o ?lp ?l FILTER(isIRI(?o) && ?lp IN (rdfs:label, skos:prefLabel, rdf:type)) }}
}}"""

_IS_RECORD = """ASK {{ GRAPH <{graph}> {{ <{iri}> a <http://www.cidoc-crm.org/cidoc-crm/E31_Document> }} }}"""

KINDS = {
    CRM.E21_Person: "person",
    CRM.E74_Group: "group",
    CRM.E53_Place: "place",
    CRM.E56_Language: "language",
    CRM.E55_Type: "concept",
    CRM.E31_Document: "document",
    CRM["E22_Human-Made_Object"]: "object",
    CRM.E78_Curated_Holding: "holding",
}
_LANGUAGE = re.compile(r"/id/type/language-([a-z]{2,3})\Z")


def record_slug(base_uri: str, iri: str) -> str | None:
    """The slug of a document IRI minted under ``base_uri``, else None.

    >>> record_slug("http://x", "http://x/id/document/prc-fma-1")
    'prc-fma-1'
    >>> record_slug("http://x", "http://x/id/person/kim") is None, record_slug("http://x", "http://x/id/document/a/b")
    (True, None)
    """
    prefix = f"{base_uri}/id/document/"
    slug = iri[len(prefix) :] if iri.startswith(prefix) else ""
    return slug if slug and "/" not in slug else None


def is_record(store: DatasetStore, base_uri: str, iri: str) -> bool:
    """Whether ``iri`` is a record: a document stated in its own document graph."""
    slug = record_slug(base_uri, iri)
    if slug is None:
        return False
    graph = f"{base_uri}/graph/document/{slug}"
    return store.query(_IS_RECORD.format(graph=checked_iri(graph), iri=checked_iri(iri))) is True


def record_graph(store: DatasetStore, iri: str) -> Graph:
    """The CRM graph of the record ``iri`` (see the module docstring); empty when the store has none."""
    result = store.query(_CONSTRUCT.format(iri=checked_iri(iri)))
    return result if isinstance(result, Graph) else Graph()


def language_code(language: str) -> str | None:
    """The ISO 639 code of an ldpub language IRI (``{base}/id/type/language-{code}``; the authority file's
    language keys are ISO 639-1 codes), else None.

    >>> language_code("http://x/id/type/language-zh"), language_code("http://x/id/type/telegram")
    ('zh', None)
    """
    match = _LANGUAGE.search(language)
    return match.group(1) if match else None


def date_text(begin: datetime, end: datetime) -> str:
    """The ISO 8601 date a time-span covers: a day, a month or a year, else the begin date.

    >>> date_text(datetime(1962, 3, 24), datetime(1962, 3, 24, 23, 59, 59))
    '1962-03-24'
    >>> date_text(datetime(1962, 3, 1), datetime(1962, 3, 31, 23, 59, 59))
    '1962-03'
    >>> date_text(datetime(1961, 1, 1), datetime(1961, 12, 31, 23, 59, 59))
    '1961'
    """
    if begin.date() == end.date():
        return begin.date().isoformat()
    if (begin.year, begin.month) == (end.year, end.month) and begin.day == 1:
        return f"{begin.year:04d}-{begin.month:02d}"
    if begin.year == end.year and (begin.month, begin.day, end.month, end.day) == (1, 1, 12, 31):
        return f"{begin.year:04d}"
    return begin.date().isoformat()


@dataclass(frozen=True)
class Ref:
    """A resource a record points at: its IRI, a display label and its kind (person, group, place …)."""

    iri: URIRef
    label: str
    kind: str


@dataclass(frozen=True)
class Creation:
    """When a record was created: the time-span IRI, its bounds, the date as written and its ISO form."""

    timespan: URIRef
    begin: Literal | None
    end: Literal | None
    written: str | None
    iso: str | None


class Record:
    """Read access to a record's CRM graph, shared by the views (every answer comes from the graph)."""

    def __init__(self, graph: Graph, iri: str, base_uri: str) -> None:
        self.graph = graph
        self.iri = URIRef(iri)
        self.base_uri = base_uri

    def _type(self, key: str) -> URIRef:
        return URIRef(f"{self.base_uri}/id/type/{key}")

    def labels(self, node: Node) -> list[Literal]:
        """``skos:prefLabel`` values, else ``rdfs:label`` values, English first."""
        found = [o for o in self.graph.objects(node, SKOS.prefLabel) if isinstance(o, Literal)]
        found = found or [o for o in self.graph.objects(node, RDFS.label) if isinstance(o, Literal)]
        return sorted(found, key=lambda lit: (lit.language != "en", lit.language or "", str(lit)))

    def label(self, node: Node) -> str:
        found = self.labels(node)
        return str(found[0]) if found else str(node)

    def ref(self, node: URIRef) -> Ref:
        kinds = [KINDS[t] for t in self.graph.objects(node, RDF.type) if isinstance(t, URIRef) and t in KINDS]
        return Ref(node, self.label(node), kinds[0] if kinds else "thing")

    def refs(self, nodes: object) -> list[Ref]:
        unique = {n for n in nodes if isinstance(n, URIRef)}  # type: ignore[attr-defined]
        return sorted((self.ref(n) for n in unique), key=lambda r: (r.label, str(r.iri)))

    def one(self, subject: Node, predicate: URIRef) -> Node | None:
        return next(iter(sorted(self.graph.objects(subject, predicate), key=str)), None)

    def title(self) -> Literal | None:
        title = self.one(self.iri, CRM.P102_has_title)
        text = self.one(title, CRM.P190_has_symbolic_content) if title is not None else None
        if isinstance(text, Literal):
            return text
        found = self.labels(self.iri)
        return found[0] if found else None

    def languages(self) -> list[tuple[Ref, str]]:
        """The record's languages with their ISO 639 codes."""
        out = []
        for ref in self.refs(self.graph.objects(self.iri, CRM.P72_has_language)):
            code = language_code(str(ref.iri))
            if code:
                out.append((ref, code))
        return out

    def types(self) -> list[Ref]:
        return self.refs(self.graph.objects(self.iri, CRM.P2_has_type))

    def document_types(self) -> list[Ref]:
        """The record's document types (``telegram``), without its priority markings."""
        return [r for r in self.types() if not str(r.iri).startswith(f"{self.base_uri}/id/type/priority-")]

    def creation(self) -> URIRef | None:
        node = self.one(self.iri, CRM.P94i_was_created_by)
        return node if isinstance(node, URIRef) else None

    def senders(self) -> list[Ref]:
        creation = self.creation()
        return self.refs(self.graph.objects(creation, CRM.P14_carried_out_by)) if creation else []

    def sending(self) -> URIRef | None:
        for activity in sorted(self.graph.subjects(CRM.P16_used_specific_object, self.iri), key=str):
            if (activity, LDPUB.addressee, None) in self.graph or (
                activity,
                CRM.P2_has_type,
                self._type("sending-of-telegram"),
            ) in self.graph:
                return activity if isinstance(activity, URIRef) else None
        return None

    def addressees(self) -> list[Ref]:
        sending = self.sending()
        return self.refs(self.graph.objects(sending, LDPUB.addressee)) if sending else []

    def created(self) -> Creation | None:
        creation = self.creation()
        span = self.one(creation, CRM["P4_has_time-span"]) if creation else None
        if not isinstance(span, URIRef):
            return None
        begin = self.one(span, CRM.P82a_begin_of_the_begin)
        end = self.one(span, CRM.P82b_end_of_the_end)
        begin_lit = begin if isinstance(begin, Literal) else None
        end_lit = end if isinstance(end, Literal) else None
        iso = None
        if begin_lit is not None and end_lit is not None:
            start, stop = begin_lit.toPython(), end_lit.toPython()
            if isinstance(start, datetime) and isinstance(stop, datetime):
                iso = date_text(start, stop)
        written = self.one(span, RDFS.label)
        return Creation(span, begin_lit, end_lit, str(written) if written is not None else None, iso)

    def subjects(self) -> list[Ref]:
        return self.refs(self.graph.objects(self.iri, CRM.P129_is_about))

    def mentions(self) -> list[Ref]:
        return self.refs(self.graph.objects(self.iri, CRM.P67_refers_to))

    def translation(self) -> URIRef | None:
        node = next(iter(sorted(self.graph.subjects(CRM.P73i_is_translation_of, self.iri), key=str)), None)
        return node if isinstance(node, URIRef) else None

    def translators(self) -> list[Ref]:
        english = self.translation()
        creation = self.one(english, CRM.P94i_was_created_by) if english else None
        return self.refs(self.graph.objects(creation, CRM.P14_carried_out_by)) if creation else []

    def publishers(self) -> list[Ref]:
        english = self.translation()
        if english is None:
            return []
        activities = [
            a
            for a in self.graph.subjects(CRM.P16_used_specific_object, english)
            if (a, CRM.P2_has_type, self._type("publication")) in self.graph
        ]
        return self.refs(o for a in activities for o in self.graph.objects(a, CRM.P14_carried_out_by))

    def item(self) -> URIRef | None:
        node = next(iter(sorted(self.graph.subjects(CRM.P128_carries, self.iri), key=str)), None)
        return node if isinstance(node, URIRef) else None

    def identifier(self) -> str | None:
        item = self.item()
        ident = self.one(item, CRM.P1_is_identified_by) if item else None
        text = self.one(ident, CRM.P190_has_symbolic_content) if ident is not None else None
        return str(text) if text is not None else None

    def part_of(self, node: URIRef | None) -> Ref | None:
        parent = self.one(node, CRM.P46i_forms_part_of) if node is not None else None
        return self.ref(parent) if isinstance(parent, URIRef) else None

    def statement(self, kind: str) -> tuple[URIRef, str] | None:
        """The statement about the record of type ``kind`` (``abstract``, ``rights``) and its text."""
        for node in sorted(self.graph.subjects(CRM.P129_is_about, self.iri), key=str):
            if isinstance(node, URIRef) and (node, CRM.P2_has_type, self._type(kind)) in self.graph:
                text = self.one(node, CRM.P190_has_symbolic_content)
                if text is not None:
                    return node, str(text)
        return None

    def rights_uris(self) -> list[str]:
        """Rights URIs the CRM graph gives the record's rights statement (types outside ``{base}``)."""
        rights = self.statement("rights")
        if rights is None:
            return []
        return sorted(
            str(t)
            for t in self.graph.objects(rights[0], CRM.P2_has_type)
            if isinstance(t, URIRef) and not str(t).startswith(self.base_uri + "/")
        )
