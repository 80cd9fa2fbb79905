"""Model step: a linked document → RDF (CIDOC-CRM, Dublin Core, Web Annotation, PROV-O)."""

from .document import document_graph
from .entities import entities_graph, vocabulary_graph
from .provenance import build_activity_graph, build_graph, document_provenance
from .uris import GRAPH_BUILD, GRAPH_ENTITIES, GRAPH_VOCABULARY, Uris

__all__ = [
    "GRAPH_BUILD",
    "GRAPH_ENTITIES",
    "GRAPH_VOCABULARY",
    "Uris",
    "build_activity_graph",
    "build_graph",
    "document_graph",
    "document_provenance",
    "entities_graph",
    "vocabulary_graph",
]
