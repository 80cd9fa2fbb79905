"""Annotations that provably satisfy ``shapes/annotations.ttl``, found without pySHACL (issue 6, "Build").

Four out of five seconds of pySHACL on a document graph went to its annotations (one per mention and
figure, each with a target and two selectors: about 40 per document). :func:`proven_annotation_nodes`
checks the canonical annotation pattern that :func:`ldpub.model.anchors.anchor` writes, with plain
dictionary lookups, and returns the nodes of the annotations that meet every constraint of
``annotations.ttl`` (Web Annotation §3.2 selectors; SHACL §4.1-4.8 core constraints and the quote-equals-
text SPARQL constraint). The build leaves those nodes out of what it gives pySHACL, which then checks
only what this module cannot vouch for. It is conservative: anything unusual (an extra type, predicate
or incoming link, a shared selector, a second text, an unexpected datatype) is left to pySHACL, so the
report is the one pySHACL gives on the whole graph (tests/test_build_scale.py compares them on every
case of tests/test_shapes.py).

No shape outside ``annotations.ttl`` can see the nodes left out: their only predicates are ``rdf:type``
and ``oa:*`` ones, and no other shape targets their classes or those predicates.

>>> from rdflib import Graph
>>> sorted(proven_annotation_nodes(Graph()))
[]
"""

from __future__ import annotations

from rdflib import RDF, XSD, Graph, Literal, Namespace, URIRef
from rdflib.term import Node

OA = Namespace("http://www.w3.org/ns/oa#")
CRM_TEXT = URIRef("http://www.cidoc-crm.org/cidoc-crm/P190_has_symbolic_content")
_INTEGERS = {XSD.integer, XSD.nonNegativeInteger}
_STRINGS = {None, XSD.string, RDF.langString}
_OWN = {
    OA.Annotation: {RDF.type, OA.motivatedBy, OA.hasBody, OA.hasTarget},
    OA.SpecificResource: {RDF.type, OA.hasSource, OA.hasSelector},
    OA.TextPositionSelector: {RDF.type, OA.start, OA.end},
    OA.TextQuoteSelector: {RDF.type, OA.exact, OA.prefix, OA.suffix},
}


def proven_annotation_nodes(graph: Graph) -> set[Node]:
    """The annotation, target and selector nodes of every annotation that conforms for certain."""
    proven: set[Node] = set()
    texts: dict[Node, str | None] = {}
    for annotation in graph.subjects(RDF.type, OA.Annotation):
        nodes = _proven(graph, annotation, texts)
        if nodes:
            proven.update(nodes)
    return proven


def _only(graph: Graph, subject: Node, predicate: Node) -> Node | None:
    values = list(graph.objects(subject, predicate))
    return values[0] if len(values) == 1 else None


def _shaped(graph: Graph, node: Node, kind: URIRef, incoming: set[tuple[Node, Node]]) -> bool:
    """``node`` is an IRI of exactly the class ``kind``, with only that class's own predicates and links."""
    if not isinstance(node, URIRef) or set(graph.objects(node, RDF.type)) != {kind}:
        return False
    if not set(graph.predicates(node, None)) <= _OWN[kind]:
        return False
    return set(graph.subject_predicates(node)) == incoming


def _integer(value: Node | None) -> int | None:
    if not isinstance(value, Literal) or value.datatype not in _INTEGERS or value.ill_typed:
        return None
    number = value.toPython()
    return number if isinstance(number, int) and not isinstance(number, bool) and number >= 0 else None


def _text(graph: Graph, source: Node, texts: dict[Node, str | None]) -> str | None:
    if source not in texts:
        values = list(graph.objects(source, CRM_TEXT))
        texts[source] = str(values[0]) if len(values) == 1 and isinstance(values[0], Literal) else None
    return texts[source]


def _proven(graph: Graph, annotation: Node, texts: dict[Node, str | None]) -> list[Node] | None:
    if not _shaped(graph, annotation, OA.Annotation, set()):
        return None
    target = _only(graph, annotation, OA.hasTarget)
    if target is None or next(graph.objects(annotation, OA.hasBody), None) is None:
        return None
    if not _shaped(graph, target, OA.SpecificResource, {(annotation, OA.hasTarget)}):
        return None
    source = _only(graph, target, OA.hasSource)
    selectors = list(graph.objects(target, OA.hasSelector))
    if not isinstance(source, URIRef) or len(selectors) != 2:
        return None
    position, quote = sorted(selectors, key=lambda s: OA.TextQuoteSelector in set(graph.objects(s, RDF.type)))
    link: set[tuple[Node, Node]] = {(target, OA.hasSelector)}
    if not _shaped(graph, position, OA.TextPositionSelector, link):
        return None
    if not _shaped(graph, quote, OA.TextQuoteSelector, link):
        return None
    start, end = _integer(_only(graph, position, OA.start)), _integer(_only(graph, position, OA.end))
    exact = _only(graph, quote, OA.exact)
    if start is None or end is None or not start < end:
        return None
    if not isinstance(exact, Literal) or exact.datatype not in _STRINGS or not str(exact):
        return None
    text = _text(graph, source, texts)
    if text is None or text[start:end] != str(exact):
        return None
    return [annotation, target, position, quote]
