"""schema.org descriptions embedded in every page for search engines (issue 3, item 3: "Every page embeds
schema.org JSON-LD").

Documents are ``ArchiveComponent`` + ``Message`` (https://schema.org/ArchiveComponent,
https://schema.org/Message) with ``dateCreated``, ``sender``, ``recipient``, ``mentions``, ``translator``;
persons, groups and places are ``Person``, ``Organization`` and ``Place``; concepts ``DefinedTerm``.
The dicts built here are written into the page by :func:`ldpub.web.markup.json_ld_script`. Each lists only
what its page shows (a page of documents), so the embed stays bounded however large the corpus grows.
"""

from __future__ import annotations

from typing import Any

from .entitydata import EntityView
from .pagedata import DocumentView
from .pagequery import Ref

SCHEMA_TYPES = {
    "person": "Person",
    "group": "Organization",
    "place": "Place",
    "concept": "DefinedTerm",
    "archive": "ArchiveOrganization",
    "document": "CreativeWork",
}


def thing(ref: Ref) -> dict[str, Any]:
    """A short schema.org node for a linked resource.

    >>> thing(Ref("http://x/id/place/dprk", "North Korea", "place"))
    {'@type': 'Place', '@id': 'http://x/id/place/dprk', 'name': 'North Korea'}
    """
    return {"@type": SCHEMA_TYPES.get(ref.kind, "Thing"), "@id": ref.iri, "name": ref.label}


def document_json_ld(view: DocumentView, page_url: str) -> dict[str, Any]:
    """The schema.org description of a document page."""
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": ["ArchiveComponent", "Message"],
        "@id": view.iri,
        "url": page_url,
        "name": view.title,
    }
    if view.date_iso:
        data["dateCreated"] = view.date_iso
    if view.senders:
        data["sender"] = [thing(r) for r in view.senders]
    if view.addressees:
        data["recipient"] = [thing(r) for r in view.addressees]
    mentioned = {m.body.iri: m.body for m in view.mentions if m.body.kind in SCHEMA_TYPES}
    if mentioned:
        data["mentions"] = [thing(r) for r in sorted(mentioned.values(), key=lambda r: r.label)]
    if view.translators:
        data["translator"] = [thing(r) for r in view.translators]
    if view.summary:
        data["abstract"] = view.summary
    if view.reference:
        data["identifier"] = view.reference
    if view.citation:
        data["citation"] = view.citation
    if view.archive is not None:
        data["holdingArchive"] = {
            "@type": "ArchiveOrganization",
            "@id": view.archive.iri,
            "name": view.archive.label,
        }
    if view.subjects:
        data["about"] = [thing(r) for r in view.subjects]
    if view.rights_uris:
        data["license"] = view.rights_uris[0]
    if view.rights_text:
        data["copyrightNotice"] = view.rights_text
    for role, refs in view.credits:
        key = {"Published by": "publisher", "Funded by": "funder", "Obtained by": "contributor"}.get(role)
        if key and refs:
            data[key] = [thing(r) for r in refs]
    if view.english:
        data["workTranslation"] = {
            "@type": "CreativeWork",
            "@id": view.english_iri,
            "inLanguage": "en",
            "translator": [thing(r) for r in view.translators],
        }
    return data


def entity_json_ld(view: EntityView, page_url: str) -> dict[str, Any]:
    """The schema.org description of a person, group, place or concept page."""
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": SCHEMA_TYPES.get(view.kind, "Thing"),
        "@id": view.iri,
        "url": page_url,
        "name": view.label,
    }
    others = sorted({label for _, label in view.labels if label != view.label} | set(view.alt_labels))
    if others:
        data["alternateName"] = others
    same = [wd for wd, _ in view.wikidata] + view.see_also
    if same:
        data["sameAs"] = same
    if view.identifiers:
        data["identifier"] = [
            {"@type": "PropertyValue", "propertyID": scheme, "value": value}
            for scheme, value in view.identifiers
        ]
    if view.roles:
        data["description"] = "; ".join(view.roles)
    if view.kind == "place" and view.falls_within:
        data["containedInPlace"] = [thing(r) for r in view.falls_within]
    if view.kind == "group" and view.part_of:
        data["parentOrganization"] = [thing(r) for r in view.part_of]
    if view.mentioning:  # this page's documents only: the embed stays as small as the page
        data["subjectOf"] = [
            {"@type": "ArchiveComponent", "@id": m.document.iri, "name": m.document.label}
            for m in view.mentioning
        ]
    return data


def generic_json_ld(iri: str, label: str, page_url: str) -> dict[str, Any]:
    """A minimal schema.org node for any other resource page.

    >>> generic_json_ld("http://x/id/a", "A", "/doc/a")["@type"]
    'Thing'
    """
    return {"@context": "https://schema.org", "@type": "Thing", "@id": iri, "url": page_url, "name": label}


def home_json_ld(site_url: str, documents: list[Ref]) -> dict[str, Any]:
    """The home page: a dataset catalogue with a search action."""
    return {
        "@context": "https://schema.org",
        "@type": "WebSite",
        "url": site_url,
        "name": "ldpub: archival documents as linked open data",
        "potentialAction": {
            "@type": "SearchAction",
            "target": site_url.rstrip("/") + "/search?q={search_term_string}",
            "query-input": "required name=search_term_string",
        },
        "hasPart": [{"@type": "ArchiveComponent", "@id": d.iri, "name": d.label} for d in documents],
    }
