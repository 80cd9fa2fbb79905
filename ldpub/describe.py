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

**Bounded whatever the corpus (issue 6).** A description holds at most :data:`INBOUND_LIMIT` triples
pointing at the resource and at most :data:`OWN_LIMIT` values of each of its own properties (the build
activity ``/id/build/<id>`` has one ``prov:used`` per source file), with the labels of just those
neighbours. Where it holds fewer than the dataset, it says so in its own body: the description document
(``{base}/doc/...``, in the named graph of that name) has an ``rdfs:comment`` saying what was left out
(which property, how many of how many values; or that more triples refer to the resource) and where to get
the rest, the SPARQL query that lists it all and the dumps, also linked by ``rdfs:seeAlso``
(:attr:`Description.omitted`). Reading the description costs one query; a resource with more than
:data:`OWN_LIMIT` triples of its own costs two more (its values counted per property, then the capped
description).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

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

OWN_LIMIT = 500
"""Most values of one property of the resource's own that its description holds. The build activity
``/id/build/<id>`` has one ``prov:used`` per source file: 100,000 at 100,000 documents, tens of MB of
Turtle built in memory for each request without a bound. Past it, :attr:`Description.omitted` names the
property and the description says where every value is (the SPARQL endpoint, the dumps)."""

_INBOUND = "SELECT ?g ?s ?p WHERE {{ GRAPH ?g {{ ?s ?p <{iri}> }} }} LIMIT {limit}"

_OWN = "SELECT ?g ?p ?o WHERE {{ GRAPH ?g {{ <{iri}> ?p ?o }} }} LIMIT {limit}"

_DESCRIBE = """SELECT ?g ?s ?p ?o WHERE {{
  {{ {own} BIND(<{iri}> AS ?s) }}
  UNION
  {{ {{ {inbound} }} BIND(<{iri}> AS ?o) }}
  UNION
  {{ {{ SELECT DISTINCT ?s WHERE {{
         {{ {{ SELECT ?o WHERE {{ {own} }} }} FILTER isIRI(?o) BIND(?o AS ?s) }}
         UNION {{ {inbound} }}
     }} }}
     GRAPH ?g {{ ?s <{label}> ?o }} BIND(<{label}> AS ?p) }}
}}"""

_COUNTS = "SELECT ?p (COUNT(DISTINCT ?o) AS ?n) WHERE {{ GRAPH ?g {{ <{iri}> ?p ?o }} }} GROUP BY ?p"

EVERY_VALUE = "SELECT ?g ?o WHERE {{ GRAPH ?g {{ <{iri}> <{predicate}> ?o }} }}"
"""The query listing every value of a property of a description cut at :data:`OWN_LIMIT`."""
EVERY_REFERRER = "SELECT ?g ?s ?p WHERE {{ GRAPH ?g {{ ?s ?p <{iri}> }} }}"
"""The query listing every triple referring to a resource (a description holds :data:`INBOUND_LIMIT`)."""

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
    omitted: dict[str, tuple[int, int]] = field(default_factory=dict)
    """Property IRI → (values held, values in the dataset), for each property of the resource's own
    that has more values than the description holds (:data:`OWN_LIMIT`)."""

    @property
    def truncated(self) -> bool:
        """Whether the description holds less than the dataset says about the resource."""
        return self.inbound_truncated or bool(self.omitted)

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


def describe(
    store: DatasetStore, iri: str, inbound_limit: int = INBOUND_LIMIT, own_limit: int = OWN_LIMIT
) -> Description:
    """Read the description of ``iri`` from ``store`` (empty, ``found`` False, when it is unknown).

    It holds at most ``inbound_limit`` of the triples whose object is ``iri`` and at most ``own_limit``
    values of each property of ``iri`` (the same ones each time the same store is asked), with the labels
    of those neighbours, and says in its body what it left out (see the module doc).

    Raises :class:`~ldpub.errors.QueryError` for an IRI that cannot be written in a query.
    """
    safe = _iri(iri)
    referrers = _INBOUND.format(iri=safe, limit=inbound_limit + 1)
    own = f"{{ {_OWN.format(iri=safe, limit=own_limit + 1)} }}"
    rows = _rows(store, _DESCRIBE.format(iri=safe, own=own, label=RDFS.label, inbound=referrers))
    node = URIRef(iri)
    omitted: dict[str, tuple[int, int]] = {}
    if sum(1 for row in rows if row.get("s") == node) > own_limit:  # more than the fast query holds
        counts = {str(row["p"]): int(row["n"]) for row in _rows(store, _COUNTS.format(iri=safe))}
        capped = sorted(p for p, n in counts.items() if n > own_limit and _safe(p))
        own = _capped(safe, [p for p in counts if p not in capped and _safe(p)], capped, own_limit)
        rows = _rows(store, _DESCRIBE.format(iri=safe, own=own, label=RDFS.label, inbound=referrers))
        omitted = {p: (0, counts[p]) for p in capped}
    description = Description(iri)
    quads, union = description.quads, set()
    inbound = 0
    for row in rows:
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
    description.omitted = {
        p: (len(set(graph.objects(node, URIRef(p)))), total) for p, (_, total) in omitted.items()
    }
    if description.found:
        _say_what_is_left_out(description, inbound_limit)
        licenses = store.query(_LICENSE.format(iri=safe, rights=DCTERMS.rights))
        if isinstance(licenses, SelectResult):
            description.licenses = [str(row["license"]) for row in licenses.rows if "license" in row]
    return description


def _rows(store: DatasetStore, sparql: str) -> list[dict[str, Term]]:
    result = store.query(sparql)
    if not isinstance(result, SelectResult):
        raise QueryError("the store answered a description query with something other than rows")
    return result.rows


def _safe(predicate: str) -> bool:
    try:
        _iri(predicate)
    except QueryError:
        return False
    return True


def _capped(iri: str, whole: list[str], capped: list[str], limit: int) -> str:
    """The own-triples pattern (``?g ?p ?o``) holding every value of ``whole`` and ``limit`` of each of
    ``capped``."""
    parts = []
    if whole:
        values = " ".join(f"<{p}>" for p in whole)
        parts.append(f"{{ VALUES ?p {{ {values} }} GRAPH ?g {{ <{iri}> ?p ?o }} }}")
    for predicate in capped:
        parts.append(
            f"{{ {{ SELECT ?g ?o WHERE {{ GRAPH ?g {{ <{iri}> <{predicate}> ?o }} }} LIMIT {limit} }} "
            f"BIND(<{predicate}> AS ?p) }}"
        )
    return "{ " + " UNION ".join(parts or ["{ FILTER(false) }"]) + " }"


def description_document(iri: str) -> tuple[str, str] | None:
    """(the ``/doc/`` document describing ``iri``, the base of the dataset) for ``{base}/id/...``.

    >>> description_document("http://localhost:5000/id/build/b1")
    ('http://localhost:5000/doc/build/b1', 'http://localhost:5000')
    >>> description_document("http://example.org/thing") is None
    True
    """
    scheme, _, rest = iri.partition("://")
    cut = rest.find("/id/")
    if not scheme or cut < 0:
        return None
    base = f"{scheme}://{rest[:cut]}"
    return f"{base}/doc/{rest[cut + len('/id/') :]}", base


def _say_what_is_left_out(description: Description, inbound_limit: int) -> None:
    """State in the description what it leaves out and where the rest is (module doc)."""
    if not description.truncated:
        return
    found = description_document(description.iri)
    if found is None:
        return
    document, base = found
    iri = description.iri
    endpoint, dumps = f"{base}/sparql", f"{base}/dumps/"
    notes: list[tuple[str, str]] = []
    for predicate, (held, total) in sorted(description.omitted.items()):
        query = EVERY_VALUE.format(iri=iri, predicate=predicate)
        notes.append(
            (
                f"This description holds {held:,} of the {total:,} values of <{predicate}> of <{iri}>. "
                f"Every one: the SPARQL endpoint <{endpoint}>, query {query} ; or the dumps of the "
                f"dataset <{dumps}>.",
                query,
            )
        )
    if description.inbound_truncated:
        query = EVERY_REFERRER.format(iri=iri)
        notes.append(
            (
                f"This description holds the first {inbound_limit:,} triples that refer to <{iri}>; there "
                f"are more. Every one: the SPARQL endpoint <{endpoint}>, query {query} ; or the dumps of "
                f"the dataset <{dumps}>.",
                query,
            )
        )
    subject = URIRef(document)
    said: list[tuple[Term, URIRef, Term]] = []
    for text, query in notes:
        said.append((subject, RDFS.comment, Literal(text, lang="en")))
        said.append((subject, RDFS.seeAlso, URIRef(f"{endpoint}?{urlencode({'query': query})}")))
    said.append((subject, RDFS.seeAlso, URIRef(dumps)))
    description.quads.setdefault(document, []).extend(said)
    for triple in said:
        description.graph.add(triple)
