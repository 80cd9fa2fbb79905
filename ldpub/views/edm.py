"""Europeana Data Model view of a record (EDM Definitions 5.2.8; Europeana's "EDM - Mapping guidelines"
and the Europeana Publishing Framework's mandatory elements).

* ``edm:ProvidedCHO`` is the record's own IRI, with ``dc:title``, ``dc:description`` (the summary),
  ``dc:language`` (ISO 639 code, mandatory because ``edm:type`` is ``TEXT``; ``und`` when the CRM graph
  gives no language), ``dc:type`` (the document types' labels), ``dc:subject`` (``P129_is_about``),
  ``dc:creator`` (the creation's actors), ``dcterms:created`` (the creation time-span as an ISO 8601 date),
  ``dcterms:spatial`` (places it refers to), ``dc:identifier`` (the archival reference), ``dcterms:isPartOf``
  (the archival file) and ``edm:type "TEXT"``.
* ``ore:Aggregation`` ``{record}#aggregation`` with ``edm:aggregatedCHO``, ``edm:dataProvider``
  (setting ``data_provider``), ``edm:provider`` (setting ``provider``), ``edm:isShownAt`` (the record's
  HTML page) and ``edm:rights`` chosen by :func:`edm_rights`.
* Contextual classes for what is linked: ``edm:Agent``, ``edm:Place``, ``skos:Concept`` with
  ``skos:prefLabel``.
"""

from __future__ import annotations

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DC, DCTERMS, RDF, SKOS

from .record import Record, Ref

EDM = Namespace("http://www.europeana.eu/schemas/edm/")
ORE = Namespace("http://www.openarchives.org/ore/terms/")
PREFIXES = {"edm": EDM, "ore": ORE, "dc": DC, "dcterms": DCTERMS, "skos": SKOS}
CONTEXTUAL = {"person": EDM.Agent, "group": EDM.Agent, "place": EDM.Place, "concept": SKOS.Concept}
CONTROLLED_RIGHTS = (
    "http://rightsstatements.org/vocab/",
    "http://creativecommons.org/licenses/",
    "http://creativecommons.org/publicdomain/",
)


def edm_rights(record_rights: list[str], dataset_license: str) -> str:
    """The ``edm:rights`` URI: the record's first rights URI from rightsstatements.org or
    creativecommons.org (https accepted, written http as Europeana requires), else the dataset's license.

    >>> edm_rights(["http://rightsstatements.org/vocab/InC-EDU/1.0/"], "http://x/license")
    'http://rightsstatements.org/vocab/InC-EDU/1.0/'
    >>> edm_rights(["https://creativecommons.org/licenses/by/4.0/"], "http://x/license")
    'http://creativecommons.org/licenses/by/4.0/'
    >>> edm_rights(["http://example.org/our-terms"], "http://rightsstatements.org/vocab/InC/1.0/")
    'http://rightsstatements.org/vocab/InC/1.0/'
    """
    for uri in record_rights:
        normal = "http://" + uri.removeprefix("https://").removeprefix("http://")
        if normal.startswith(CONTROLLED_RIGHTS):
            return normal
    return dataset_license


def _contextual(graph: Graph, record: Record, ref: Ref) -> None:
    cls = CONTEXTUAL.get(ref.kind)
    if cls is None:
        return
    graph.add((ref.iri, RDF.type, cls))
    for label in record.labels(ref.iri):
        graph.add((ref.iri, SKOS.prefLabel, label))


def edm_graph(
    record: Record, *, page_url: str, data_provider: str, provider: str, dataset_license: str
) -> Graph:
    """The EDM graph of ``record`` (see the module docstring)."""
    graph = Graph(bind_namespaces="core")
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    cho = record.iri
    graph.add((cho, RDF.type, EDM.ProvidedCHO))
    title = record.title()
    if title is not None:
        graph.add((cho, DC.title, title))
    summary = record.statement("abstract")
    if summary is not None:
        graph.add((cho, DC.description, Literal(summary[1], lang="en")))
    codes = [code for _, code in record.languages()] or ["und"]
    for code in codes:
        graph.add((cho, DC.language, Literal(code)))
    for kind in record.document_types():
        graph.add((cho, DC.type, Literal(kind.label, lang="en")))
    for subject in record.subjects():
        graph.add((cho, DC.subject, subject.iri))
        _contextual(graph, record, subject)
    for sender in record.senders():
        graph.add((cho, DC.creator, sender.iri))
        _contextual(graph, record, sender)
    created = record.created()
    if created is not None and created.iso is not None:
        graph.add((cho, DCTERMS.created, Literal(created.iso)))
    for place in record.mentions():
        if place.kind == "place":
            graph.add((cho, DCTERMS.spatial, place.iri))
            _contextual(graph, record, place)
    identifier = record.identifier()
    if identifier:
        graph.add((cho, DC.identifier, Literal(identifier)))
    archival_file = record.part_of(record.item())
    if archival_file is not None:
        graph.add((cho, DCTERMS.isPartOf, archival_file.iri))
    graph.add((cho, EDM.type, Literal("TEXT")))

    aggregation = URIRef(f"{cho}#aggregation")
    graph.add((aggregation, RDF.type, ORE.Aggregation))
    graph.add((aggregation, EDM.aggregatedCHO, cho))
    graph.add((aggregation, EDM.dataProvider, Literal(data_provider)))
    graph.add((aggregation, EDM.provider, Literal(provider)))
    graph.add((aggregation, EDM.isShownAt, URIRef(page_url)))
    graph.add((aggregation, EDM.rights, URIRef(edm_rights(record.rights_uris(), dataset_license))))
    return graph
