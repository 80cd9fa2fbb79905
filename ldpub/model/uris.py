"""Minting URIs: ``{base}/id/{kind}/{slug}`` for things, ``{base}/graph/…`` for named graphs.

Sub-resources get fixed paths under their parent (``…/document/{slug}/creation``).
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import URIRef

GRAPH_ENTITIES = "entities"
GRAPH_VOCABULARY = "vocabulary"
GRAPH_BUILD = "build"


@dataclass(frozen=True)
class Uris:
    base: str

    def id(self, kind: str, slug: str, *parts: str) -> URIRef:
        """The URI of a thing.

        >>> Uris("http://localhost:5000").id("document", "prc-fma-1", "en", "section", "4b")
        rdflib.term.URIRef('http://localhost:5000/id/document/prc-fma-1/en/section/4b')
        """
        return URIRef("/".join((self.base, "id", kind, slug, *parts)))

    def document(self, slug: str, *parts: str) -> URIRef:
        return self.id("document", slug, *parts)

    def type(self, key: str) -> URIRef:
        return self.id("type", key)

    def graph(self, name: str, slug: str | None = None) -> URIRef:
        return URIRef(f"{self.base}/graph/{name}" + (f"/{slug}" if slug else ""))

    def document_graph(self, slug: str) -> URIRef:
        return self.graph("document", slug)
