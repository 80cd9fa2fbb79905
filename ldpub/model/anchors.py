"""Mentions, reported figures and references, each anchored to its characters by a Web Annotation.

Offsets count Unicode code points in the English text, end exclusive (docs/modeling.md, "Mentions
and anchors"); ``oa:exact`` is always the text between ``oa:start`` and ``oa:end``.
"""

from __future__ import annotations

from rdflib import Literal, URIRef

from ..read.record import DateValue
from .context import Context
from .namespaces import CRM, DCTERMS, OA, XSD

CONTEXT_CHARS = 32
# What kind of document a reference names → the key of its document type in the authority file.
REFERENCE_TYPES = {
    "telegram": "telegram",
    "cable": "telegram",
    "letter": "letter",
    "memorandum": "memorandum",
}


def anchor(ctx: Context, body: URIRef, start: int, end: int) -> URIRef:
    """An ``oa:Annotation`` whose body is ``body`` and whose target is ``text[start:end]``."""
    text = ctx.doc.text
    node = ctx.uris.id("annotation", f"{ctx.slug}-{start}-{end}")
    ctx.typed(node, OA.Annotation)
    ctx.add(node, OA.motivatedBy, OA.identifying)
    ctx.add(node, OA.hasBody, body)
    target = URIRef(f"{node}/target")
    ctx.typed(target, OA.SpecificResource)
    ctx.add(node, OA.hasTarget, target)
    ctx.add(target, OA.hasSource, ctx.translation)
    position = URIRef(f"{target}/position")
    ctx.typed(position, OA.TextPositionSelector)
    ctx.add(position, OA.start, Literal(start, datatype=XSD.nonNegativeInteger))
    ctx.add(position, OA.end, Literal(end, datatype=XSD.nonNegativeInteger))
    quote = URIRef(f"{target}/quote")
    ctx.typed(quote, OA.TextQuoteSelector)
    ctx.add(quote, OA.exact, Literal(text[start:end]))
    ctx.add(quote, OA.prefix, Literal(text[max(0, start - CONTEXT_CHARS) : start]))
    ctx.add(quote, OA.suffix, Literal(text[end : end + CONTEXT_CHARS]))
    ctx.add(target, OA.hasSelector, position)
    ctx.add(target, OA.hasSelector, quote)
    return node


def add_mentions(ctx: Context) -> None:
    """``P67_refers_to`` every entry the text mentions, and an annotation per mention."""
    for mention in ctx.doc.mentions:
        if mention.kind == "concept":
            uri = ctx.uris.type(mention.key)
        else:
            uri = ctx.uris.id(mention.kind, mention.key)
        ctx.add(ctx.original, CRM.P67_refers_to, uri)
        anchor(ctx, uri, mention.start, mention.end)


def add_figures(ctx: Context) -> None:
    """Each reported figure: an attribute assignment of a dimension to what it counts."""
    doc = ctx.doc
    for figure in doc.figures:
        key = f"{ctx.slug}-figure-{figure.start}"
        assignment = ctx.uris.id("assertion", key)
        ctx.typed(
            assignment, CRM.E13_Attribute_Assignment, label=f"Figure reported by the source: {figure.exact}"
        )
        for sender in doc.senders:
            ctx.add(assignment, CRM.P14_carried_out_by, ctx.entity(sender))
        ctx.add(assignment, CRM.P16_used_specific_object, ctx.original)
        ctx.add(assignment, CRM.P3_has_note, Literal(figure.clause))
        counted = ctx.typed(ctx.uris.id("event", key), CRM.E5_Event, label=figure.clause)
        for place in figure.places:
            ctx.add(counted, CRM.P7_took_place_at, ctx.uris.id("place", place))
        if figure.period is not None:
            span = URIRef(f"{counted}/timespan")
            period = figure.period
            ctx.timespan(span, DateValue(period.label, period.begin, period.end, "year"))
            ctx.infer(counted, CRM["P4_has_time-span"], span, period.rule)
        dimension = ctx.typed(URIRef(f"{assignment}/dimension"), CRM.E54_Dimension)
        ctx.add(dimension, CRM.P90_has_value, Literal(str(figure.value), datatype=XSD.decimal))
        ctx.add(dimension, CRM.P91_has_unit, ctx.uris.type(f"unit-{figure.unit}"))
        ctx.add(assignment, CRM.P140_assigned_attribute_to, counted)
        ctx.add(assignment, CRM.P141_assigned, dimension)
        ctx.add(assignment, CRM.P177_assigned_property_of_type, CRM.P43_has_dimension)
        anchor(ctx, assignment, figure.start, figure.end)


def add_references(ctx: Context) -> None:
    """An earlier document the text refers to ("your telegram dated 6 March [1962]")."""
    doc = ctx.doc
    for reference in doc.references:
        key = f"{ctx.slug}-ref-{reference.date.begin.date().isoformat()}"
        earlier = ctx.uris.document(key)
        label = f"{reference.kind.capitalize()} dated {reference.date.text}"
        ctx.typed(earlier, CRM.E31_Document, CRM.E33_Linguistic_Object, label=label)
        ctx.add(earlier, CRM.P2_has_type, ctx.uris.type(REFERENCE_TYPES.get(reference.kind, "document")))
        creation = ctx.typed(
            ctx.uris.document(key, "creation"), CRM.E65_Creation, label=f"Creation of {label}"
        )
        ctx.add(earlier, CRM.P94i_was_created_by, creation)
        span = ctx.timespan(ctx.uris.document(key, "creation", "timespan"), reference.date)
        ctx.add(creation, CRM["P4_has_time-span"], span)
        creators = {"your": doc.addressees, "our": doc.senders}.get(reference.whose, [])
        for creator in creators:
            rule = f"the writer of '{reference.whose} {reference.kind}' is the document's " + (
                "addressee" if reference.whose == "your" else "sender"
            )
            ctx.infer(creation, CRM.P14_carried_out_by, ctx.entity(creator), rule)
        ctx.add(ctx.original, CRM.P67_refers_to, earlier)
        ctx.add(ctx.original, DCTERMS.references, earlier)
        anchor(ctx, earlier, reference.start, reference.end)
