"""Small look-ups in a document graph that several views need."""

from __future__ import annotations

from rdflib import URIRef

from .context import Context
from .namespaces import CRM


def archival_file(ctx: Context) -> URIRef | None:
    """The archival file the document's carrier forms part of, if the graph has one."""
    item = ctx.uris.id("object", ctx.slug)
    for part in ctx.graph.objects(item, CRM.P46i_forms_part_of):
        if isinstance(part, URIRef):
            return part
    return None
