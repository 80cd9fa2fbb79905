"""What every part of the document model shares: the graph being built, the URIs, the linked document."""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from ..link.authority import Entry
from ..link.document import LinkedDocument
from ..read.record import DateValue
from .namespaces import CRM, RDF, RDFS, XSD
from .uris import Uris

ENTITY_PATH = {"person": "person", "group": "group", "place": "place"}


@dataclass
class Context:
    graph: Graph
    uris: Uris
    doc: LinkedDocument
    inferred: int = field(default=0)

    @property
    def slug(self) -> str:
        return self.doc.slug

    @property
    def original(self) -> URIRef:
        return self.uris.document(self.slug)

    @property
    def translation(self) -> URIRef:
        return self.uris.document(self.slug, "en")

    def add(self, subject: Node, predicate: Node, obj: Node) -> None:
        self.graph.add((subject, predicate, obj))

    def typed(self, subject: URIRef, *classes: URIRef, label: str | None = None) -> URIRef:
        for cls in classes:
            self.add(subject, RDF.type, cls)
        if label:
            self.add(subject, RDFS.label, Literal(label, lang="en"))
        return subject

    def entity(self, entry: Entry) -> URIRef:
        return entity_uri(self.uris, entry)

    def model_type(self, key: str) -> URIRef:
        return self.uris.type(key)

    def statement(self, uri: URIRef, type_key: str, text: str, about: URIRef | None, label: str) -> URIRef:
        """An ``E33_Linguistic_Object`` statement of a local type (abstract, rights, citation…)."""
        self.typed(uri, CRM.E33_Linguistic_Object, label=label)
        self.add(uri, CRM.P2_has_type, self.model_type(type_key))
        self.add(uri, CRM.P190_has_symbolic_content, Literal(text))
        if about is not None:
            self.add(uri, CRM.P129_is_about, about)
        return uri

    def timespan(self, uri: URIRef, date: DateValue) -> URIRef:
        self.typed(uri, CRM["E52_Time-Span"])
        self.add(uri, RDFS.label, Literal(date.text))
        self.add(uri, CRM.P82a_begin_of_the_begin, Literal(date.begin.isoformat(), datatype=XSD.dateTime))
        self.add(uri, CRM.P82b_end_of_the_end, Literal(date.end.isoformat(), datatype=XSD.dateTime))
        return uri

    def infer(self, subject: URIRef, prop: URIRef, obj: URIRef, rule: str) -> None:
        """Assert ``subject prop obj`` and describe it as derived by a named rule."""
        self.add(subject, prop, obj)
        self.inferred += 1
        node = self.uris.id("assertion", f"{self.slug}-inferred-{self.inferred}")
        self.typed(node, CRM.E13_Attribute_Assignment, label=f"Inferred by rule: {rule}")
        self.add(node, CRM.P140_assigned_attribute_to, subject)
        self.add(node, CRM.P141_assigned, obj)
        self.add(node, CRM.P177_assigned_property_of_type, prop)
        self.add(node, CRM.P2_has_type, self.model_type("inferred-by-rule"))
        self.add(node, CRM.P3_has_note, Literal(rule))


def entity_uri(uris: Uris, entry: Entry) -> URIRef:
    """The URI of an authority entry, by kind."""
    if entry.kind in ENTITY_PATH:
        return uris.id(ENTITY_PATH[entry.kind], entry.key)
    if entry.kind == "archive":
        return uris.id("object", entry.key)
    prefix = {"priority": "priority-", "language": "language-", "unit": "unit-"}.get(entry.kind, "")
    return uris.type(prefix + entry.key)
