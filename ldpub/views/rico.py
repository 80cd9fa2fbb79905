"""Records in Contexts (RiC-O 1.1, https://www.ica.org/standards/RiC/ontology) view of a record.

* the document is a ``rico:Record`` with ``rico:title``, ``rico:identifier`` (the archival reference),
  ``rico:scopeAndContent`` (the summary), ``rico:conditionsOfUse`` (the rights text),
  ``rico:hasOrHadLanguage``, ``rico:hasDocumentaryFormType`` (its document types), ``rico:hasSender``
  (the creation's actors), ``rico:hasCreator`` (the same actors: the sender drew the record up),
  ``rico:hasAddressee`` (the sending's addressee), ``rico:hasOrHadSubject`` (what it is about, and every
  person, group and place it refers to), ``rico:creationDate`` and ``rico:hasCreationDate`` → a
  ``rico:Date`` (``rico:normalizedDateValue``, ``rico:expressedDate``), ``rico:isOrWasIncludedIn`` the
  archival file;
* the archival item is its ``rico:Instantiation`` (``rico:hasOrHadInstantiation`` /
  ``rico:isOrWasInstantiationOf``, with ``rico:identifier``);
* archival files and holdings are ``rico:RecordSet`` s, each ``rico:isOrWasIncludedIn`` the next, the
  holding ``rico:hasOrHadHolder`` its curator;
* agents are ``rico:Person`` / ``rico:CorporateBody``, places ``rico:Place``, concepts ``rico:Concept``,
  document types ``rico:DocumentaryFormType``, languages ``rico:Language``, each with ``rico:name``.
"""

from __future__ import annotations

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, XSD

from ..model.namespaces import CRM
from .record import Record, Ref

RICO = Namespace("https://www.ica.org/standards/RiC/ontology#")
CLASSES = {
    "person": RICO.Person,
    "group": RICO.CorporateBody,
    "place": RICO.Place,
    "concept": RICO.Concept,
    "language": RICO.Language,
}


def _entity(graph: Graph, ref: Ref, cls: URIRef | None = None) -> URIRef:
    chosen = cls or CLASSES.get(ref.kind, RICO.Thing)
    graph.add((ref.iri, RDF.type, chosen))
    graph.add((ref.iri, RICO.name, Literal(ref.label)))
    return ref.iri


def rico_graph(record: Record) -> Graph:
    """The RiC-O graph of ``record`` (see the module docstring)."""
    graph = Graph(bind_namespaces="core")
    graph.bind("rico", RICO)
    doc = record.iri
    graph.add((doc, RDF.type, RICO.Record))
    title = record.title()
    if title is not None:
        graph.add((doc, RICO.title, title))
    identifier = record.identifier()
    if identifier:
        graph.add((doc, RICO.identifier, Literal(identifier)))
    summary = record.statement("abstract")
    if summary is not None:
        graph.add((doc, RICO.scopeAndContent, Literal(summary[1], lang="en")))
    rights = record.statement("rights")
    if rights is not None:
        graph.add((doc, RICO.conditionsOfUse, Literal(rights[1], lang="en")))
    for language, _ in record.languages():
        graph.add((doc, RICO.hasOrHadLanguage, _entity(graph, language)))
    for kind in record.document_types():
        graph.add((doc, RICO.hasDocumentaryFormType, _entity(graph, kind, RICO.DocumentaryFormType)))
    for sender in record.senders():
        graph.add((doc, RICO.hasSender, _entity(graph, sender)))
        graph.add((doc, RICO.hasCreator, sender.iri))
    for addressee in record.addressees():
        graph.add((doc, RICO.hasAddressee, _entity(graph, addressee)))
    subjects = record.subjects() + [r for r in record.mentions() if r.kind in ("person", "group", "place")]
    for subject in subjects:
        graph.add((doc, RICO.hasOrHadSubject, _entity(graph, subject)))
    created = record.created()
    if created is not None:
        date = created.timespan
        graph.add((doc, RICO.hasCreationDate, date))
        graph.add((date, RDF.type, RICO.Date))
        if created.iso is not None:
            graph.add((doc, RICO.creationDate, Literal(created.iso)))
            graph.add((date, RICO.normalizedDateValue, Literal(created.iso)))
        if created.written:
            graph.add((date, RICO.expressedDate, Literal(created.written)))
        if created.begin is not None:
            graph.add((date, RICO.beginningDate, Literal(str(created.begin), datatype=XSD.dateTime)))
        if created.end is not None:
            graph.add((date, RICO.endDate, Literal(str(created.end), datatype=XSD.dateTime)))
    item = record.item()
    if item is not None:
        graph.add((doc, RICO.hasOrHadInstantiation, item))
        graph.add((item, RDF.type, RICO.Instantiation))
        graph.add((item, RICO.isOrWasInstantiationOf, doc))
        graph.add((item, RICO.title, Literal(record.label(item))))
        if identifier:
            graph.add((item, RICO.identifier, Literal(identifier)))
    child, parent = doc, record.part_of(item)
    while parent is not None and (parent.iri, RDF.type, RICO.RecordSet) not in graph:
        graph.add((child, RICO.isOrWasIncludedIn, parent.iri))
        graph.add((parent.iri, RDF.type, RICO.RecordSet))
        graph.add((parent.iri, RICO.title, Literal(parent.label)))
        for curator in record.refs(record.graph.objects(parent.iri, CRM.P109_has_current_or_former_curator)):
            graph.add((parent.iri, RICO.hasOrHadHolder, _entity(graph, curator)))
        child, parent = parent.iri, record.part_of(parent.iri)
    return graph
