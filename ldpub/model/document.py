"""The CIDOC-CRM description of one document (docs/modeling.md, "A document")."""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef

from ..link.document import LinkedDocument
from ..link.slugs import slugify
from ..read.record import iter_points
from .anchors import add_figures, add_mentions, add_references
from .context import Context
from .dublincore import add_dublin_core
from .namespaces import CRM, LDPUB, RDFS
from .uris import Uris

MESSAGE_TYPES = ("telegram", "letter")
RIGHTS_RULE = "a rights text maps to a rights URI only by a configured rule (settings: rights_rules)"


def document_graph(doc: LinkedDocument, uris: Uris, rights_rules: tuple[tuple[str, str], ...] = ()) -> Graph:
    """Every triple minted for one document, for its named graph.

    The graph uses rdflib's ``SimpleMemory`` store: no per-context bookkeeping, so adding a triple costs
    less than half of the default store's (issue 6: modeling was the second cost of a build).
    """
    ctx = Context(Graph(store="SimpleMemory"), uris, doc)
    _original(ctx)
    _translation(ctx)
    _archival(ctx)
    _statements(ctx, rights_rules)
    _activities(ctx)
    add_mentions(ctx)
    add_figures(ctx)
    add_references(ctx)
    add_dublin_core(ctx)
    return ctx.graph


def _original(ctx: Context) -> None:
    record, doc = ctx.doc.record, ctx.doc
    # No title is made up: a capture without one fails the documents shape.
    title = record.title or ctx.slug
    ctx.typed(ctx.original, CRM.E31_Document, CRM.E33_Linguistic_Object, label=record.title)
    if record.title:
        title_node = ctx.typed(ctx.uris.document(ctx.slug, "title"), CRM.E35_Title)
        ctx.add(title_node, CRM.P190_has_symbolic_content, Literal(record.title, lang="en"))
        ctx.add(ctx.original, CRM.P102_has_title, title_node)
    ctx.add(ctx.original, CRM.P2_has_type, ctx.entity(doc.doctype))
    if doc.priority is not None:
        ctx.add(ctx.original, CRM.P2_has_type, ctx.entity(doc.priority))
    if doc.language is not None:
        language = ctx.entity(doc.language)
        if doc.language_from_archive and doc.archive is not None:
            rule = f"the original's language is the language of its archive ({doc.archive.label})"
            ctx.infer(ctx.original, CRM.P72_has_language, language, rule)
        else:
            ctx.add(ctx.original, CRM.P72_has_language, language)
    date = record.date or record.closing_date
    creation = ctx.typed(
        ctx.uris.document(ctx.slug, "creation"), CRM.E65_Creation, label=f"Creation of {title}"
    )
    ctx.add(ctx.original, CRM.P94i_was_created_by, creation)
    for sender in doc.senders:
        ctx.add(creation, CRM.P14_carried_out_by, ctx.entity(sender))
    if date is not None:
        span = ctx.timespan(ctx.uris.document(ctx.slug, "creation", "timespan"), date)
        ctx.add(creation, CRM["P4_has_time-span"], span)
    for subject in doc.subjects:
        ctx.add(ctx.original, CRM.P129_is_about, ctx.entity(subject))


def _translation(ctx: Context) -> None:
    en = ctx.typed(ctx.translation, CRM.E33_Linguistic_Object, label=f"English translation of {ctx.slug}")
    ctx.add(en, CRM.P72_has_language, ctx.uris.type("language-en"))
    ctx.add(en, CRM.P73i_is_translation_of, ctx.original)
    ctx.add(en, CRM.P190_has_symbolic_content, Literal(ctx.doc.text))
    creation = ctx.typed(ctx.uris.document(ctx.slug, "en", "creation"), CRM.E65_Creation)
    ctx.add(creation, RDFS.label, Literal(f"Translation of {ctx.slug} into English", lang="en"))
    ctx.add(en, CRM.P94i_was_created_by, creation)
    for translator in ctx.doc.translators:
        ctx.add(creation, CRM.P14_carried_out_by, ctx.entity(translator))
    spans = {s.key: s for s in ctx.doc.spans}
    for point in iter_points(ctx.doc.record.body):
        node = ctx.uris.document(ctx.slug, "en", "section", point.label)
        ctx.typed(node, CRM.E33_Linguistic_Object, label=f"Point {point.label}")
        ctx.add(node, CRM.P2_has_type, ctx.model_type("numbered-point"))
        span = spans[point.label]
        ctx.add(node, CRM.P190_has_symbolic_content, Literal(ctx.doc.text[span.start : span.end]))
        parent_label = point.label.rstrip("abcdefghijklmnopqrstuvwxyz")
        parent = (
            ctx.uris.document(ctx.slug, "en", "section", parent_label)
            if parent_label != point.label
            else ctx.translation
        )
        ctx.add(parent, CRM.P106_is_composed_of, node)
        ctx.add(node, CRM.P106i_forms_part_of, parent)


def identifier_text(reference: str, pages: str | None) -> str:
    """The archival reference with its pages, as cited.

    >>> identifier_text("PRC FMA 118-01025-02", "4-6")
    'PRC FMA 118-01025-02, 4-6'
    >>> identifier_text("APRF, fond 45, opis 1, delo 335, list 3", "3")
    'APRF, fond 45, opis 1, delo 335, list 3'
    """
    if not pages or reference.endswith(pages):
        return reference
    return f"{reference}, {pages}"


def _archival(ctx: Context) -> None:
    record, doc = ctx.doc.record, ctx.doc
    if not record.reference:
        return
    item = ctx.typed(ctx.uris.id("object", ctx.slug), CRM["E22_Human-Made_Object"])
    ctx.add(
        item,
        RDFS.label,
        Literal(f"Archival item {identifier_text(record.reference, record.pages)}", lang="en"),
    )
    ctx.add(item, CRM.P128_carries, ctx.original)
    ident = ctx.typed(ctx.uris.id("object", ctx.slug, "identifier"), CRM.E42_Identifier)
    ctx.add(ident, CRM.P190_has_symbolic_content, Literal(identifier_text(record.reference, record.pages)))
    ctx.add(ident, CRM.P2_has_type, ctx.model_type("archival-reference"))
    ctx.add(item, CRM.P1_is_identified_by, ident)
    if record.pages:
        ctx.add(item, CRM.P3_has_note, Literal(f"pages {record.pages}", lang="en"))
    if doc.archive is not None and doc.file_number:
        holding = ctx.entity(doc.archive)
        file_node = ctx.uris.id(
            "object", f"{doc.archive.key}-file-{file_slug(doc.file_number, record.pages)}"
        )
        ctx.typed(file_node, CRM["E22_Human-Made_Object"])
        ctx.add(file_node, RDFS.label, Literal(f"File {doc.file_number}, {doc.archive.label}", lang="en"))
        ctx.add(file_node, CRM.P46i_forms_part_of, holding)
        ctx.add(item, CRM.P46i_forms_part_of, file_node)


def file_slug(file_number: str, pages: str | None) -> str:
    """The file's slug: the file number without the item's pages.

    >>> file_slug("118-01025-02, 4-6", "4-6")
    '118-01025-02'
    """
    if pages and file_number.endswith(pages):
        file_number = file_number[: -len(pages)].rstrip(" ,")
    return slugify(file_number)


def _statements(ctx: Context, rights_rules: tuple[tuple[str, str], ...]) -> None:
    record = ctx.doc.record
    if record.summary:
        ctx.statement(
            ctx.uris.document(ctx.slug, "summary"), "abstract", record.summary, ctx.original, "Summary"
        )
    if record.citation:
        node = ctx.statement(
            ctx.uris.document(ctx.slug, "citation"), "citation", record.citation, None, "Citation"
        )
        ctx.add(node, CRM.P67_refers_to, ctx.original)
    if record.rights:
        node = ctx.statement(
            ctx.uris.document(ctx.slug, "rights"), "rights", record.rights, ctx.original, "Rights"
        )
        for contains, uri in rights_rules:
            if contains in record.rights:
                ctx.infer(node, CRM.P2_has_type, URIRef(uri), f"{RIGHTS_RULE}: text contains {contains!r}")
                break


def _activities(ctx: Context) -> None:
    doc = ctx.doc
    activity = ctx.uris.id

    def make(suffix: str, type_key: str, label: str) -> URIRef:
        node = ctx.typed(activity("activity", f"{ctx.slug}-{suffix}"), CRM.E7_Activity, label=label)
        ctx.add(node, CRM.P2_has_type, ctx.model_type(type_key))
        return node

    if doc.doctype.key in MESSAGE_TYPES and (doc.senders or doc.addressees):
        sending = make("sending", f"sending-of-{doc.doctype.key}", f"Sending of {ctx.slug}")
        ctx.add(sending, CRM.P16_used_specific_object, ctx.original)
        for sender in doc.senders:
            ctx.add(sending, CRM.P14_carried_out_by, ctx.entity(sender))
        for addressee in doc.addressees:
            ctx.add(sending, LDPUB.addressee, ctx.entity(addressee))
    if doc.obtainers and doc.record.reference:
        obtaining = make("obtaining", "obtaining-a-copy", f"Obtaining a copy of {ctx.slug}")
        ctx.add(obtaining, CRM.P16_used_specific_object, ctx.uris.id("object", ctx.slug))
        for person in doc.obtainers:
            ctx.add(obtaining, CRM.P14_carried_out_by, ctx.entity(person))
    publication = None
    if doc.publisher is not None:
        publication = make("publication", "publication", f"Publication of {ctx.slug} in the Digital Archive")
        ctx.add(publication, CRM.P14_carried_out_by, ctx.entity(doc.publisher))
        ctx.add(publication, CRM.P16_used_specific_object, ctx.translation)
    if doc.funders:
        funding = make("funding", "funding", f"Funding of the translation and publication of {ctx.slug}")
        for funder in doc.funders:
            ctx.add(funding, CRM.P14_carried_out_by, ctx.entity(funder))
        ctx.add(funding, CRM.P20_had_specific_purpose, ctx.uris.document(ctx.slug, "en", "creation"))
        if publication is not None:
            ctx.add(funding, CRM.P20_had_specific_purpose, publication)
