"""Linked Art view of a record (Linked Art 1.0 API, https://linked.art/api/1.0/; model: "Textual Works").

The record is a ``LinguisticObject`` (its text), with ``identified_by`` a primary ``Name`` (AAT
300404670) and the archival reference as an ``Identifier``, ``classified_as`` its document types,
``language``, ``about`` (what it is about), ``refers_to`` (every person, group, place, concept and
document it mentions), ``referred_to_by`` (its summary), ``subject_to`` a ``Right`` classified by its
rights URI, ``created_by`` a ``Creation`` (``carried_out_by`` the senders, ``timespan``),
``used_for`` the sending ``Activity`` (``participant`` the addressee), ``carried_by`` the archival
``HumanMadeObject`` (its ``Identifier``, ``part_of`` the archival file and holding) and ``translation``
the English ``LinguisticObject`` (``created_by`` a ``Creation`` carried out by the translators).

The JSON-LD names Linked Art's context URL, :data:`CONTEXT_URL`, and is served with it as the media
type's ``profile``. :data:`CONTEXT` is that context as published (``linked-art.json`` beside this module,
from the ``cromulent`` 1.0.1 package's ``cromulent/data/linked-art.json``, Apache-2.0, the Linked Art
project's reference implementation): ldpub reads the JSON-LD with it and never fetches the context.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from rdflib import URIRef

from ..model.namespaces import CRM
from .record import Record, Ref

CONTEXT_URL = "https://linked.art/ns/v1/linked-art.json"
PRIMARY_NAME = "http://vocab.getty.edu/aat/300404670"
TYPES = {
    "person": "Person",
    "group": "Group",
    "place": "Place",
    "concept": "Type",
    "language": "Language",
    "document": "LinguisticObject",
    "object": "HumanMadeObject",
    "holding": "Set",
}


@cache
def context() -> dict[str, Any]:
    """The Linked Art JSON-LD context document shipped with ldpub (``{"@context": {...}}``)."""
    loaded: dict[str, Any] = json.loads((Path(__file__).parent / "linked-art.json").read_text("utf-8"))
    return loaded


def ref(item: Ref) -> dict[str, Any]:
    """A Linked Art reference to another resource: id, type and ``_label``.

    >>> ref(Ref(URIRef("http://x/id/group/a"), "A", "group"))
    {'id': 'http://x/id/group/a', 'type': 'Group', '_label': 'A'}
    """
    return {"id": str(item.iri), "type": TYPES.get(item.kind, "Type"), "_label": item.label}


def _typed(record: Record, node: URIRef, kind: str) -> dict[str, Any]:
    return {"id": str(node), "type": kind, "_label": record.label(node)}


def linked_art(record: Record) -> dict[str, Any]:
    """The Linked Art JSON-LD of ``record`` (see the module docstring)."""
    title = record.title()
    data: dict[str, Any] = {
        "@context": CONTEXT_URL,
        "id": str(record.iri),
        "type": "LinguisticObject",
        "_label": str(title) if title is not None else record.label(record.iri),
    }
    if types := record.types():
        data["classified_as"] = [ref(r) | {"type": "Type"} for r in types]
    names: list[dict[str, Any]] = []
    if title is not None:
        primary = {"id": PRIMARY_NAME, "type": "Type", "_label": "Primary Name"}
        names.append({"type": "Name", "content": str(title), "classified_as": [primary]})
    identifier = record.identifier()
    if identifier:
        names.append({"type": "Identifier", "content": identifier})
    if names:
        data["identified_by"] = names
    if languages := record.languages():
        data["language"] = [ref(lang) | {"type": "Language"} for lang, _ in languages]
    if subjects := record.subjects():
        data["about"] = [ref(r) for r in subjects]
    if mentions := record.mentions():
        data["refers_to"] = [ref(r) for r in mentions]
    if summary := record.statement("abstract"):
        data["referred_to_by"] = [{"id": str(summary[0]), "type": "LinguisticObject", "content": summary[1]}]
    if rights := record.rights_uris():
        data["subject_to"] = [
            {"type": "Right", "classified_as": [{"id": uri, "type": "Type"} for uri in rights]}
        ]
    creation = record.creation()
    if creation is not None:
        made: dict[str, Any] = {"id": str(creation), "type": "Creation"}
        if senders := record.senders():
            made["carried_out_by"] = [ref(r) for r in senders]
        created = record.created()
        if created is not None:
            span: dict[str, Any] = {"id": str(created.timespan), "type": "TimeSpan"}
            if created.written:
                span["_label"] = created.written
            if created.begin is not None:
                span["begin_of_the_begin"] = str(created.begin)
            if created.end is not None:
                span["end_of_the_end"] = str(created.end)
            made["timespan"] = span
        data["created_by"] = made
    sending = record.sending()
    if sending is not None:
        activity = _typed(record, sending, "Activity")
        if addressees := record.addressees():
            activity["participant"] = [ref(r) for r in addressees]
        data["used_for"] = [activity]
    item = record.item()
    if item is not None:
        carrier = _typed(record, item, "HumanMadeObject")
        if identifier:
            carrier["identified_by"] = [{"type": "Identifier", "content": identifier}]
        parent, child = record.part_of(item), carrier
        while parent is not None:
            kind = "Set" if (parent.iri, None, CRM.E78_Curated_Holding) in record.graph else "HumanMadeObject"
            upper = ref(parent) | {"type": kind}
            child["member_of" if kind == "Set" else "part_of"] = [upper]
            parent, child = record.part_of(parent.iri), upper
        data["carried_by"] = [carrier]
    english = record.translation()
    if english is not None:
        version = _typed(record, english, "LinguisticObject")
        version["language"] = [
            {"id": str(lang), "type": "Language", "_label": record.label(lang)}
            for lang in sorted(record.graph.objects(english, CRM.P72_has_language), key=str)
        ]
        if translators := record.translators():
            version["created_by"] = {"type": "Creation", "carried_out_by": [ref(r) for r in translators]}
        data["translation"] = [version]
    return data
