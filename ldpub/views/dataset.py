"""Descriptions of the dataset as a whole: VoID statistics and the DCAT 3 catalogue, from the store.

* VoID (W3C Interest Group Note "Describing Linked Datasets with the VoID Vocabulary", 2011):
  ``void:Dataset`` with the statistics of §4.6 (``void:triples``, ``void:entities``,
  ``void:distinctSubjects``, ``void:distinctObjects``, ``void:properties``, ``void:classes``), class and
  property partitions with their counts (§4.6.1, §4.6.2), ``void:exampleResource`` (§4.5),
  ``void:sparqlEndpoint`` and ``void:dataDump`` (§4.3), ``void:uriSpace`` ``{base}/id/`` (§4.4) and
  ``void:vocabulary`` (§4.2). *Entities* are the resources in the URI space: distinct IRIs under
  ``{base}/id/`` that are the subject of a triple.
* DCAT 3 (W3C Recommendation 2024): a ``dcat:Catalog`` with the ``dcat:Dataset`` (the same node as the
  VoID dataset), ``dcat:version`` and ``pav:version`` from the release, one ``dcat:Distribution`` per dump
  with ``dcat:downloadURL``, ``dcat:mediaType``, ``dcat:compressFormat``, ``dcat:byteSize`` and
  ``spdx:checksum`` (SHA-256), and ``dcat:DataService`` s for SPARQL and OAI-PMH with
  ``dcat:endpointURL`` and ``dcat:servesDataset`` (§6.8).

The numbers are the release's :class:`~ldpub.statistics.Statistics`, counted once by the build that made it
(:mod:`ldpub.statistics`) and stored with it. :func:`statistics` counts the same numbers in a published
store by SPARQL over the union of its graphs: it holds every distinct term of the dataset in memory
(7–14 s and ~250 MB more per web worker at 1,000 documents, growing with the dataset), so it is only for
checking the build's numbers (tests), never for a web request. A release without stored statistics
(built by an older ldpub) is described without them, and says so (:data:`NO_STATISTICS`).
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, RDF, RDFS, XSD

from ..model.namespaces import PREFIXES
from ..statistics import Statistics
from ..store import DatasetStore, SelectResult
from ..store.base import Term

DCAT = Namespace("http://www.w3.org/ns/dcat#")
"""DCAT 3 (rdflib's closed ``DCAT`` namespace is DCAT 2: it lacks ``dcat:version``)."""
VOID = Namespace("http://rdfs.org/ns/void#")
PAV = Namespace("http://purl.org/pav/")
SPDX = Namespace("http://spdx.org/rdf/terms#")
IANA = "http://www.iana.org/assignments/media-types/"
SPARQL_PROTOCOL = "https://www.w3.org/TR/sparql11-protocol/"
OAI_PMH = "http://www.openarchives.org/OAI/2.0/openarchivesprotocol.htm"
NO_STATISTICS = (
    "This release has no statistics: it was built by an older ldpub, which did not count them at build "
    "time, so the triples, entities, classes and properties are not given here. The next build adds them."
)
"""``rdfs:comment`` of a dataset described without statistics."""

_COUNTS = """SELECT (COUNT(*) AS ?triples) WHERE {{ SELECT DISTINCT ?s ?p ?o WHERE {{ ?s ?p ?o }} }}"""
_DISTINCT = """SELECT (COUNT(DISTINCT ?{var}) AS ?n) WHERE {{ ?s ?p ?o }}"""
_ENTITIES = """SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{
  ?s ?p ?o FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{space}"))
}}"""
_CLASSES = """SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c ORDER BY ?c"""
_PROPERTIES = """SELECT ?p (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }
GROUP BY ?p ORDER BY ?p"""
_EXAMPLES = """SELECT DISTINCT ?s WHERE {{
  GRAPH ?g {{ ?s a <http://www.cidoc-crm.org/cidoc-crm/E31_Document> }}
  FILTER(STRSTARTS(STR(?g), "{base}/graph/document/") && STR(?s) = CONCAT("{base}/id/document/",
         STRAFTER(STR(?g), "{base}/graph/document/")))
}} ORDER BY ?s LIMIT 3"""


@dataclass(frozen=True)
class Distribution:
    """One dump file as DCAT describes it."""

    url: str
    media_type: str
    compress_format: str | None
    byte_size: int | None
    sha256: str | None


@dataclass(frozen=True)
class Endpoints:
    """Where the dataset is served: the description documents, SPARQL, OAI-PMH and the dumps."""

    void: str
    catalog: str
    sparql: str
    oai: str
    distributions: tuple[Distribution, ...] = ()


def _rows(store: DatasetStore, sparql: str) -> list[dict[str, Term]]:
    result = store.query(sparql)
    return list(result.rows) if isinstance(result, SelectResult) else []


def _number(store: DatasetStore, sparql: str, var: str = "n") -> int:
    rows = _rows(store, sparql)
    value = rows[0].get(var) if rows else None
    return int(str(value)) if value is not None else 0


def statistics(store: DatasetStore, base_uri: str) -> Statistics:
    """Count the dataset in ``store`` (every query over the union of its graphs).

    Exact, slow and memory-hungry on a large store (see the module docstring): the reference the build's
    statistics are checked against, not something to run per request.
    """
    classes = {
        str(r["c"]): int(str(r["n"])) for r in _rows(store, _CLASSES) if isinstance(r.get("c"), URIRef)
    }
    properties = {str(r["p"]): int(str(r["n"])) for r in _rows(store, _PROPERTIES) if "p" in r}
    examples = tuple(str(r["s"]) for r in _rows(store, _EXAMPLES.format(base=base_uri)) if "s" in r)
    return Statistics(
        triples=_number(store, _COUNTS, "triples"),
        entities=_number(store, _ENTITIES.format(space=f"{base_uri}/id/")),
        distinct_subjects=_number(store, _DISTINCT.format(var="s")),
        distinct_objects=_number(store, _DISTINCT.format(var="o")),
        classes=classes,
        properties=properties,
        examples=examples,
    )


def vocabularies(stats: Statistics) -> list[str]:
    """The namespaces (of ldpub's model, plus RDF/RDFS) that the used classes and properties come from.

    >>> vocabularies(Statistics(1, 1, 1, 1, {"http://www.cidoc-crm.org/cidoc-crm/E21_Person": 1}))
    ['http://www.cidoc-crm.org/cidoc-crm/']
    """
    known = sorted({str(ns) for ns in PREFIXES.values()} | {str(RDF), str(RDFS)}, key=len, reverse=True)
    used = set()
    for term in list(stats.classes) + list(stats.properties):
        for namespace in known:
            if term.startswith(namespace):
                used.add(namespace)
                break
    return sorted(used)


def _count(value: int) -> Literal:
    return Literal(value, datatype=XSD.integer)


def void_graph(
    stats: Statistics | None,
    *,
    dataset: str,
    base_uri: str,
    title: str,
    license: str,
    version: str,
    at: Endpoints,
) -> Graph:
    """The VoID description (see the module docstring); without counts when ``stats`` is None."""
    graph = Graph(bind_namespaces="core")
    for prefix, ns in (("void", VOID), ("dcterms", DCTERMS), ("pav", PAV), ("dcat", DCAT), ("foaf", FOAF)):
        graph.bind(prefix, ns)
    ds = URIRef(dataset)
    graph.add((URIRef(at.void), RDF.type, VOID.DatasetDescription))
    graph.add((URIRef(at.void), FOAF.primaryTopic, ds))
    graph.add((ds, RDF.type, VOID.Dataset))
    graph.add((ds, DCTERMS.title, Literal(title, lang="en")))
    graph.add((ds, DCTERMS.license, URIRef(license)))
    graph.add((ds, PAV.version, Literal(version)))
    graph.add((ds, DCAT.version, Literal(version)))
    graph.add((ds, VOID.uriSpace, Literal(f"{base_uri}/id/")))
    graph.add((ds, VOID.sparqlEndpoint, URIRef(at.sparql)))
    for dump in at.distributions:
        graph.add((ds, VOID.dataDump, URIRef(dump.url)))
    if stats is None:
        graph.add((ds, RDFS.comment, Literal(NO_STATISTICS, lang="en")))
        return graph
    graph.add((ds, VOID.triples, _count(stats.triples)))
    graph.add((ds, VOID.entities, _count(stats.entities)))
    graph.add((ds, VOID.distinctSubjects, _count(stats.distinct_subjects)))
    graph.add((ds, VOID.distinctObjects, _count(stats.distinct_objects)))
    graph.add((ds, VOID.properties, _count(len(stats.properties))))
    graph.add((ds, VOID.classes, _count(len(stats.classes))))
    for example in stats.examples:
        graph.add((ds, VOID.exampleResource, URIRef(example)))
    for namespace in vocabularies(stats):
        graph.add((ds, VOID.vocabulary, URIRef(namespace)))
    for iri, instances in stats.classes.items():
        part = BNode()
        graph.add((ds, VOID.classPartition, part))
        graph.add((part, VOID["class"], URIRef(iri)))
        graph.add((part, VOID.entities, _count(instances)))
    for iri, triples in stats.properties.items():
        part = BNode()
        graph.add((ds, VOID.propertyPartition, part))
        graph.add((part, VOID.property, URIRef(iri)))
        graph.add((part, VOID.triples, _count(triples)))
    return graph


def dcat_graph(
    stats: Statistics | None,
    *,
    dataset: str,
    title: str,
    license: str,
    version: str,
    modified: str,
    at: Endpoints,
) -> Graph:
    """The DCAT 3 catalogue (see the module docstring)."""
    graph = Graph(bind_namespaces="core")
    for prefix, ns in (("dcat", DCAT), ("dcterms", DCTERMS), ("pav", PAV), ("spdx", SPDX), ("void", VOID)):
        graph.bind(prefix, ns)
    catalog, ds = URIRef(at.catalog), URIRef(dataset)
    graph.add((catalog, RDF.type, DCAT.Catalog))
    graph.add((catalog, DCTERMS.title, Literal(f"Catalogue of {title}", lang="en")))
    graph.add((catalog, DCAT.dataset, ds))
    graph.add((ds, RDF.type, DCAT.Dataset))
    graph.add((ds, DCTERMS.title, Literal(title, lang="en")))
    graph.add((ds, DCTERMS.license, URIRef(license)))
    graph.add((ds, DCTERMS.modified, Literal(modified, datatype=XSD.dateTime)))
    graph.add((ds, DCAT.version, Literal(version)))
    graph.add((ds, PAV.version, Literal(version)))
    if stats is not None:
        graph.add((ds, VOID.triples, _count(stats.triples)))
        graph.add((ds, VOID.entities, _count(stats.entities)))
    graph.add((ds, RDFS.seeAlso, URIRef(at.void)))
    for n, dump in enumerate(at.distributions):
        dist = URIRef(f"{at.catalog}#distribution-{n + 1}")
        graph.add((ds, DCAT.distribution, dist))
        graph.add((dist, RDF.type, DCAT.Distribution))
        graph.add((dist, DCAT.downloadURL, URIRef(dump.url)))
        graph.add((dist, DCAT.accessURL, URIRef(dump.url)))
        graph.add((dist, DCAT.mediaType, URIRef(IANA + dump.media_type)))
        graph.add((dist, DCTERMS.license, URIRef(license)))
        if dump.compress_format:
            graph.add((dist, DCAT.compressFormat, URIRef(IANA + dump.compress_format)))
        if dump.byte_size is not None:
            graph.add((dist, DCAT.byteSize, Literal(dump.byte_size, datatype=XSD.nonNegativeInteger)))
        if dump.sha256:
            checksum = URIRef(f"{at.catalog}#distribution-{n + 1}-sha256")
            graph.add((dist, SPDX.checksum, checksum))
            graph.add((checksum, RDF.type, SPDX.Checksum))
            graph.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
            graph.add((checksum, SPDX.checksumValue, Literal(dump.sha256, datatype=XSD.hexBinary)))
    for name, url, standard in (("sparql", at.sparql, SPARQL_PROTOCOL), ("oai-pmh", at.oai, OAI_PMH)):
        service = URIRef(f"{at.catalog}#service-{name}")
        graph.add((catalog, DCAT.service, service))
        graph.add((service, RDF.type, DCAT.DataService))
        graph.add((service, DCTERMS.title, Literal(f"{name.upper()} endpoint", lang="en")))
        graph.add((service, DCAT.endpointURL, URIRef(url)))
        graph.add((service, DCAT.servesDataset, ds))
        graph.add((service, DCTERMS.conformsTo, URIRef(standard)))
    return graph
