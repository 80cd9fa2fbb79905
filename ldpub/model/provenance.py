"""The build graph: sources, the build activity, and which document graph came from which sources."""

from __future__ import annotations

from datetime import datetime

from rdflib import Graph, Literal, URIRef

from .. import __version__
from ..link.slugs import slugify
from ..read.record import SourceInfo
from .namespaces import DCTERMS, PROV, RDF, RDFS, XSD
from .uris import Uris


def source_uri(uris: Uris, source: SourceInfo) -> URIRef:
    name = source.path.replace("\\", "/").rsplit("/", 1)[-1]
    return uris.id("source", slugify(name) or "unnamed")


def build_graph(
    uris: Uris,
    build_id: str,
    started: datetime,
    ended: datetime,
    documents: list[tuple[str, list[SourceInfo]]],
) -> Graph:
    """``documents`` pairs each document slug with the sources it was read from."""
    g = Graph()
    build = uris.id("build", build_id)
    agent = URIRef(f"{uris.base}/id/software/ldpub")
    g.add((agent, RDF.type, PROV.SoftwareAgent))
    g.add((agent, RDFS.label, Literal("ldpub", lang="en")))
    g.add((agent, DCTERMS.hasVersion, Literal(__version__)))
    g.add((build, RDF.type, PROV.Activity))
    g.add((build, RDFS.label, Literal(f"ldpub build {build_id}", lang="en")))
    g.add((build, PROV.startedAtTime, Literal(started.isoformat(), datatype=XSD.dateTime)))
    g.add((build, PROV.endedAtTime, Literal(ended.isoformat(), datatype=XSD.dateTime)))
    g.add((build, PROV.wasAssociatedWith, agent))
    for slug, sources in documents:
        graph_node = uris.document_graph(slug)
        g.add((graph_node, RDF.type, PROV.Entity))
        g.add((graph_node, PROV.wasGeneratedBy, build))
        for source in sources:
            node = source_uri(uris, source)
            g.add((node, RDF.type, PROV.Entity))
            g.add((node, RDFS.label, Literal(source.path)))
            g.add((node, DCTERMS.identifier, Literal(f"sha256:{source.sha256}")))
            g.add((node, DCTERMS.extent, Literal(source.size, datatype=XSD.integer)))
            g.add((graph_node, PROV.wasDerivedFrom, node))
            g.add((build, PROV.used, node))
    return g
