"""The description of one resource, read from the store: what ``/doc/...`` serves in every format.

A description (the "document" a 303 from ``/id/...`` leads to; W3C "Cool URIs for the Semantic Web" §4.3
and the Linked Data Platform practice of one description per resource) holds:

* the resource's own triples (it is the subject),
* the triples that point at it (it is the object), so a person's description names the documents that
  refer to them,
* the ``rdfs:label`` of every IRI on the other side of those triples (its labelled neighbours), so a
  page or a client shows names, not bare IRIs.

Each triple keeps the named graph it is stated in (for N-Quads); :attr:`Description.graph` is their union,
as a query over the union default graph would see it. Only the store interface is used, so the same
description comes from the embedded store and from an external SPARQL 1.1 endpoint.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDFS

from .errors import QueryError
from .store import DatasetStore, SelectResult, Term

INBOUND_LIMIT = 500
"""Most triples pointing at a resource that its description holds. A place or an agent named in every
document is the object of a few triples per document: without a bound its description (and the time to
read, serialise and send it) grows with the corpus — 0.7 MB of Turtle and 20 s for ``/doc/place/prc`` at
1,000 documents (benchmarks/RESULTS.md). Past the bound, :attr:`Description.inbound_truncated` is set
and ``/doc/...`` links the SPARQL query that lists them all."""

_INBOUND = "SELECT ?g ?s ?p WHERE {{ GRAPH ?g {{ ?s ?p <{iri}> }} }} LIMIT {limit}"

_DESCRIBE = """SELECT ?g ?s ?p ?o WHERE {{
  {{ GRAPH ?g {{ <{iri}> ?p ?o }} BIND(<{iri}> AS ?s) }}
  UNION
  {{ {{ {inbound} }} BIND(<{iri}> AS ?o) }}
  UNION
  {{ {{ SELECT DISTINCT ?s WHERE {{
         {{ GRAPH ?g1 {{ <{iri}> ?p1 ?s }} FILTER isIRI(?s) }}
         UNION {{ {inbound} }}
     }} }}
     GRAPH ?g {{ ?s <{label}> ?o }} BIND(<{label}> AS ?p) }}
}}"""

_LICENSE = """SELECT DISTINCT ?license WHERE {{
  GRAPH ?g {{ <{iri}> ?p ?o }}
  GRAPH ?g {{ ?document <{rights}> ?license FILTER isIRI(?license) }}
  FILTER(!STRSTARTS(STR(?license), STR(?document)))
}} ORDER BY ?license"""


@dataclass
class Description:
    """The description of :attr:`iri`: its quads by graph, their union, and the licenses that apply."""

    iri: str
    quads: dict[str, list[tuple[Term, URIRef, Term]]] = field(default_factory=dict)
    """Named graph IRI → the triples of the description stated in that graph (plain tuples: building an
    rdflib Graph per named graph cost more than the query itself for a resource cited by many documents)."""
    graph: Graph = field(default_factory=Graph)
    """The union of :attr:`quads`: what a triple format (Turtle, RDF/XML, JSON-LD, HTML) shows."""
    licenses: list[str] = field(default_factory=list)
    """Rights URIs (``dcterms:rights`` IRIs) of the documents whose graphs describe the resource."""
    inbound_truncated: bool = False
    """Whether more triples point at the resource than the description holds (:data:`INBOUND_LIMIT`)."""

    @property
    def found(self) -> bool:
        """Whether the dataset says anything about the resource (else ``/doc/...`` answers 404)."""
        return len(self.graph) > 0


def _iri(text: str) -> str:
    """``text`` checked to be safe inside ``<...>`` in a SPARQL query (SPARQL 1.1 §19.8 IRIREF).

    >>> _iri("http://localhost:5000/id/person/kim-il-sung")
    'http://localhost:5000/id/person/kim-il-sung'
    >>> _iri("http://x/> } DROP ALL #")
    Traceback (most recent call last):
    ...
    ldpub.errors.QueryError: not an IRI that can be described: 'http://x/> } DROP ALL #'
    """
    if any(c in text for c in '<>"{}|^`\\') or any(ord(c) <= 0x20 for c in text):
        raise QueryError(f"not an IRI that can be described: {text!r}")
    return text


def describe(store: DatasetStore, iri: str, inbound_limit: int = INBOUND_LIMIT) -> Description:
    """Read the description of ``iri`` from ``store`` (empty, ``found`` False, when it is unknown).

    It holds at most ``inbound_limit`` of the triples whose object is ``iri`` (the same ones each time the
    same store is asked), with the labels of their subjects.

    Raises :class:`~ldpub.errors.QueryError` for an IRI that cannot be written in a query.
    """
    safe = _iri(iri)
    referrers = _INBOUND.format(iri=safe, limit=inbound_limit + 1)
    result = store.query(_DESCRIBE.format(iri=safe, label=RDFS.label, inbound=referrers))
    if not isinstance(result, SelectResult):
        raise QueryError("the store answered a description query with something other than rows")
    description = Description(iri)
    quads, union = description.quads, set()
    node, inbound = URIRef(iri), 0
    for row in result.rows:
        g, s, p, o = row.get("g"), row.get("s"), row.get("p"), row.get("o")
        if g is None or s is None or o is None or not isinstance(p, URIRef) or isinstance(s, Literal):
            continue
        if o == node and s != node:
            inbound += 1
            if inbound > inbound_limit:
                description.inbound_truncated = True
                continue
        triple = (s, p, o)
        quads.setdefault(str(g), []).append(triple)
        union.add(triple)
    graph = description.graph
    for triple in union:
        graph.add(triple)
    if description.found:
        licenses = store.query(_LICENSE.format(iri=safe, rights=DCTERMS.rights))
        if isinstance(licenses, SelectResult):
            description.licenses = [str(row["license"]) for row in licenses.rows if "license" in row]
    return description
