"""The Dublin Core view on the original text, each value taken from a CRM path (docs/modeling.md)."""

from __future__ import annotations

from rdflib import Literal, URIRef

from ..read.record import DateValue
from .context import Context
from .document_paths import archival_file
from .namespaces import CRM, DCMITYPE, DCTERMS, XSD


def created_literal(date: DateValue) -> Literal:
    """``dcterms:created`` at the precision of the source: xsd:date, xsd:gYearMonth or xsd:gYear."""
    if date.precision == "day":
        return Literal(date.begin.date().isoformat(), datatype=XSD.date)
    if date.precision == "month":
        return Literal(date.begin.strftime("%Y-%m"), datatype=XSD.gYearMonth)
    return Literal(str(date.begin.year), datatype=XSD.gYear)


def add_dublin_core(ctx: Context) -> None:
    doc, record, g = ctx.doc, ctx.doc.record, ctx.graph
    original = ctx.original
    for title in g.objects(URIRef(f"{original}/title"), CRM.P190_has_symbolic_content):
        ctx.add(original, DCTERMS.title, title)
    for sender in doc.senders:
        ctx.add(original, DCTERMS.creator, ctx.entity(sender))
    date = record.date or record.closing_date
    if date is not None:
        ctx.add(original, DCTERMS.created, created_literal(date))
        ctx.add(original, DCTERMS.temporal, ctx.uris.document(ctx.slug, "creation", "timespan"))
    for language in g.objects(original, CRM.P72_has_language):
        ctx.add(original, DCTERMS.language, language)
    ctx.add(original, DCTERMS.type, DCMITYPE.Text)
    for subject in g.objects(original, CRM.P129_is_about):
        ctx.add(original, DCTERMS.subject, subject)
    places = {m.key for m in doc.mentions if m.kind == "place"}
    for key in sorted(places):
        ctx.add(original, DCTERMS.spatial, ctx.uris.id("place", key))
    file_node = archival_file(ctx)
    if file_node is not None:
        ctx.add(original, DCTERMS.isPartOf, file_node)
    if record.citation:
        ctx.add(original, DCTERMS.bibliographicCitation, Literal(record.citation))
    identifier = ctx.uris.id("object", ctx.slug, "identifier")
    for text in g.objects(identifier, CRM.P190_has_symbolic_content):
        ctx.add(original, DCTERMS.identifier, text)
        ctx.add(original, DCTERMS.source, ctx.uris.id("object", ctx.slug))
    if doc.publisher is not None:
        ctx.add(original, DCTERMS.publisher, ctx.entity(doc.publisher))
    for translator in doc.translators:
        ctx.add(original, DCTERMS.contributor, ctx.entity(translator))
    if record.summary:
        ctx.add(original, DCTERMS.abstract, Literal(record.summary))
    rights = ctx.uris.document(ctx.slug, "rights")
    if record.rights:
        ctx.add(original, DCTERMS.rights, rights)
        for rights_type in g.objects(rights, CRM.P2_has_type):
            if rights_type != ctx.model_type("rights"):
                ctx.add(original, DCTERMS.rights, rights_type)
