"""schema.org view of a record (https://schema.org/ArchiveComponent, https://schema.org/Message).

The record is an ``ArchiveComponent`` and a ``Message`` with ``name``, ``sender`` (the creation's
actors), ``recipient`` (the sending's addressee), ``dateCreated`` (ISO 8601), ``mentions`` (every
person, group, place and concept it refers to), ``about``, ``inLanguage`` (ISO 639 code), ``isPartOf``
(the archival file, itself part of the archive's holding), ``holdingArchive`` (the holding's curator),
``identifier``, ``abstract``, ``license`` and ``copyrightNotice``, ``publisher``, ``url`` (its page) and
``workTranslation`` → the English translation with its ``translator`` s (also given on the record, as
schema.org's ``translator`` property allows).

:func:`schema_json_ld` is the JSON-LD served (``"@context": "https://schema.org"``, as search engines
expect); :data:`LOCAL_CONTEXT` is the context ldpub uses to read it as RDF without fetching anything: it
expands every term into ``http://schema.org/`` as the published schema.org context does. Every IRI is
written as ``{"@id": …}``, so both contexts give the same triples.
"""

from __future__ import annotations

from typing import Any

from ..model.namespaces import CRM
from .record import Record, Ref

SCHEMA = "http://schema.org/"
LOCAL_CONTEXT: dict[str, Any] = {"@vocab": SCHEMA, "schema": SCHEMA}
TYPES = {
    "person": "Person",
    "group": "Organization",
    "place": "Place",
    "concept": "DefinedTerm",
    "document": "CreativeWork",
    "object": "ArchiveComponent",
    "holding": "ArchiveComponent",
}


def node(ref: Ref) -> dict[str, Any]:
    """A short schema.org node for a linked resource.

    >>> from rdflib import URIRef
    >>> node(Ref(URIRef("http://x/id/place/dprk"), "North Korea", "place"))
    {'@id': 'http://x/id/place/dprk', '@type': 'Place', 'name': 'North Korea'}
    """
    return {"@id": str(ref.iri), "@type": TYPES.get(ref.kind, "Thing"), "name": ref.label}


def schema_json_ld(record: Record, *, page_url: str) -> dict[str, Any]:
    """The schema.org description of ``record`` (see the module docstring)."""
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@id": str(record.iri),
        "@type": ["ArchiveComponent", "Message"],
        "url": {"@id": page_url},
    }
    title = record.title()
    if title is not None:
        data["name"] = str(title)
    languages = [code for _, code in record.languages()]
    if languages:
        data["inLanguage"] = languages
    if senders := record.senders():
        data["sender"] = [node(r) for r in senders]
    if recipients := record.addressees():
        data["recipient"] = [node(r) for r in recipients]
    created = record.created()
    if created is not None and created.iso is not None:
        data["dateCreated"] = created.iso
    if mentions := [r for r in record.mentions() if r.kind in ("person", "group", "place", "concept")]:
        data["mentions"] = [node(r) for r in mentions]
    if subjects := record.subjects():
        data["about"] = [node(r) for r in subjects]
    if identifier := record.identifier():
        data["identifier"] = identifier
    if summary := record.statement("abstract"):
        data["abstract"] = summary[1]
    archival_file = record.part_of(record.item())
    if archival_file is not None:
        part: dict[str, Any] = node(archival_file)
        holding = record.part_of(archival_file.iri)
        if holding is not None:
            part["isPartOf"] = node(holding)
            curators = record.refs(record.graph.objects(holding.iri, CRM.P109_has_current_or_former_curator))
            if curators:
                data["holdingArchive"] = [node(r) | {"@type": "ArchiveOrganization"} for r in curators]
        data["isPartOf"] = part
    if rights := record.rights_uris():
        data["license"] = [{"@id": uri} for uri in rights]
    if (statement := record.statement("rights")) is not None:
        data["copyrightNotice"] = statement[1]
    if publishers := record.publishers():
        data["publisher"] = [node(r) for r in publishers]
    translators = record.translators()
    if translators:
        data["translator"] = [node(r) for r in translators]
    english = record.translation()
    if english is not None:
        data["workTranslation"] = {
            "@id": str(english),
            "@type": "CreativeWork",
            "inLanguage": "en",
            "translator": [node(r) for r in translators],
        }
    return data
