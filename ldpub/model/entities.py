"""The entities graph (persons, groups, places, concepts, archives) and the vocabulary graph."""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef

from ..link.authority import Authority, Entry
from .context import entity_uri
from .namespaces import CRM, LDPUB, OWL, RDF, RDFS, SKOS
from .uris import Uris

CLASSES = {
    "person": CRM.E21_Person,
    "group": CRM.E74_Group,
    "place": CRM.E53_Place,
    "concept": CRM.E55_Type,
    "archive": CRM.E78_Curated_Holding,
    "doctype": CRM.E55_Type,
    "priority": CRM.E55_Type,
    "language": CRM.E56_Language,
    "unit": CRM.E58_Measurement_Unit,
}
IDENTIFIER_TYPES = {"ror": "ROR", "isni": "ISNI", "crossref_funder": "Crossref Funder ID"}

# The local types the model itself uses: key → English label.
MODEL_TYPES = {
    "abstract": "abstract",
    "rights": "rights",
    "citation": "citation",
    "archival-reference": "archival reference",
    "numbered-point": "numbered point",
    "role": "role",
    "obtaining-a-copy": "obtaining a copy",
    "publication": "publication",
    "funding": "funding",
    "curated-link": "curated link",
    "reconciled-link": "reconciled link",
    "inferred-by-rule": "inferred by rule",
    **{f"identifier-{key}": label for key, label in IDENTIFIER_TYPES.items()},
}


def _labels(g: Graph, node: URIRef, entry: Entry) -> None:
    for lang, label in sorted(entry.labels.items()):
        g.add((node, RDFS.label, Literal(label, lang=lang)))
        g.add((node, SKOS.prefLabel, Literal(label, lang=lang)))
    for alt in entry.alt:
        g.add((node, SKOS.altLabel, Literal(alt)))


def _entity(g: Graph, uris: Uris, authority: Authority, entry: Entry) -> None:
    node = entity_uri(uris, entry)
    g.add((node, RDF.type, CLASSES[entry.kind]))
    _labels(g, node, entry)
    if entry.minted:
        g.add(
            (
                node,
                RDFS.comment,
                Literal("Named in a credit line; not yet in the curated authority file.", lang="en"),
            )
        )
    if entry.falls_within:
        g.add((node, CRM.P89_falls_within, uris.id("place", entry.falls_within)))
    if entry.part_of:
        g.add((node, CRM.P107i_is_current_or_former_member_of, uris.id("group", entry.part_of)))
        g.add((uris.id("group", entry.part_of), CRM.P107_has_current_or_former_member, node))
    if entry.curator:
        g.add((node, CRM.P109_has_current_or_former_curator, uris.id("group", entry.curator)))
    for n, role in enumerate(entry.roles, start=1):
        statement = URIRef(f"{node}/role/{n}")
        g.add((statement, RDF.type, CRM.E33_Linguistic_Object))
        g.add((statement, RDFS.label, Literal(f"Role of {entry.label}", lang="en")))
        g.add((statement, CRM.P2_has_type, uris.type("role")))
        g.add((statement, CRM.P190_has_symbolic_content, Literal(role, lang="en")))
        g.add((statement, CRM.P129_is_about, node))
    for scheme, value in sorted(entry.identifiers.items()):
        ident = URIRef(f"{node}/identifier/{scheme.replace('_', '-')}")
        g.add((ident, RDF.type, CRM.E42_Identifier))
        g.add((ident, CRM.P190_has_symbolic_content, Literal(value)))
        g.add((ident, CRM.P2_has_type, uris.type(f"identifier-{scheme}")))
        g.add((node, CRM.P1_is_identified_by, ident))
        if value.startswith("https://"):
            g.add((node, RDFS.seeAlso, URIRef(value)))
    if entry.wikidata is not None:
        _wikidata(g, uris, node, entry)


def _wikidata(g: Graph, uris: Uris, node: URIRef, entry: Entry) -> None:
    link = entry.wikidata
    assert link is not None
    item = URIRef(link.iri)
    g.add((node, OWL.sameAs, item))
    assignment = uris.id("assertion", f"{entry.kind}-{entry.key}-wikidata")
    g.add((assignment, RDF.type, CRM.E13_Attribute_Assignment))
    g.add((assignment, RDFS.label, Literal(f"Link of {entry.label} to Wikidata {link.qid}", lang="en")))
    g.add((assignment, CRM.P140_assigned_attribute_to, node))
    g.add((assignment, CRM.P141_assigned, item))
    g.add((assignment, CRM.P177_assigned_property_of_type, OWL.sameAs))
    if link.reconciled:  # made by `ldpub reconcile` and published by a curator (ldpub/reconcile)
        g.add((assignment, CRM.P2_has_type, uris.type("reconciled-link")))
        note = (
            f"reconciled; score: {link.confidence}; features: {link.evidence}; method: {link.method}; "
            f"endpoint: {link.endpoint}; date: {link.date}"
        )
    else:
        g.add((assignment, CRM.P2_has_type, uris.type("curated-link")))
        note = f"curated; confidence: {link.confidence}; evidence: {link.evidence}"
    g.add((assignment, CRM.P3_has_note, Literal(note)))


def entities_graph(authority: Authority, uris: Uris) -> Graph:
    """Persons, groups, places, concepts and archives (curated and minted)."""
    g = Graph()
    for entry in authority.of_kind("person", "group", "place", "concept", "archive"):
        _entity(g, uris, authority, entry)
    return g


def vocabulary_graph(authority: Authority, uris: Uris) -> Graph:
    """ldpub's own terms and every local type: document types, priorities, languages, units, model types."""
    g = Graph()
    g.add((LDPUB.addressee, RDF.type, RDF.Property))
    g.add((LDPUB.addressee, RDFS.subPropertyOf, CRM.P11_had_participant))
    g.add((LDPUB.addressee, RDFS.label, Literal("addressee", lang="en")))
    g.add((LDPUB.addressee, RDFS.comment, Literal("The actor a message is addressed to.", lang="en")))
    for entry in authority.of_kind("doctype", "priority", "language", "unit"):
        _entity(g, uris, authority, entry)
    types = dict(MODEL_TYPES)
    for doctype in authority.of_kind("doctype"):
        types[f"sending-of-{doctype.key}"] = f"sending of {doctype.label}"
    for key, label in sorted(types.items()):
        node = uris.type(key)
        g.add((node, RDF.type, CRM.E55_Type))
        g.add((node, RDFS.label, Literal(label, lang="en")))
    return g
