"""The properties of the reconciliation service: used as query conditions (Reconciliation Service API 0.2,
§ "Reconciliation queries", ``properties``) and as columns of data extension (§ "Data extension").

Each property declares the kinds it applies to, how its values are read from an index entry, how a value
given in a query condition is compared with them, and how much a match raises (or a mismatch lowers) a
candidate's score.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from rapidfuzz import fuzz

from .index import Entry, ReconIndex
from .text import normalise

WIKIDATA_SERVICE = "https://wikidata.reconci.link/en/api"
"""The reconciliation service named for Wikidata values (``meta[].service``), as data extension requires
for entities outside our identifier space."""

ALL_KINDS = ("person", "group", "place", "document", "concept")
ACTORS_PLACES = ("person", "group", "place")


@dataclass(frozen=True)
class Property:
    id: str
    name: str
    description: str
    kinds: tuple[str, ...]
    read: Callable[[ReconIndex, Entry], list[str]]
    compare: str  # "entity" (ids of our entries), "wikidata", "identifier" or "text"
    raise_by: float
    lower_by: float
    target_kind: str = ""  # for entity values: the kind of the entries they name

    def values(self, index: ReconIndex, entry: Entry) -> list[str]:
        return self.read(index, entry) if entry.kind in self.kinds else []


def _labels(lang: str) -> Callable[[ReconIndex, Entry], list[str]]:
    return lambda _index, entry: sorted(entry.labels.get(lang, []))


_ID, _TEXT, _ENTITY, _WD = "identifier", "text", "entity", "wikidata"
_EN, _ZH, _KO = _labels("en"), _labels("zh"), _labels("ko")
_MENTIONABLE = ("person", "group", "place", "concept")

PROPERTIES: dict[str, Property] = {
    p.id: p
    for p in (
        Property("wikidata", "Wikidata ID", "The Wikidata item it is the same as (owl:sameAs, verified)",
                 ACTORS_PLACES, lambda _i, e: e.wikidata, _WD, 30, 40),
        Property("label_en", "Label in English", "rdfs:label in English", ALL_KINDS, _EN, _TEXT, 10, 0),
        Property("label_zh", "Label in Chinese", "rdfs:label in Chinese (zh)", ALL_KINDS, _ZH, _TEXT, 10, 0),
        Property("label_ko", "Label in Korean", "rdfs:label in Korean (ko)", ALL_KINDS, _KO, _TEXT, 10, 0),
        Property("other_names", "Other names", "Other romanisations and scripts (skos:altLabel)",
                 ALL_KINDS, lambda _i, e: sorted(e.alt), _TEXT, 10, 0),
        Property("falls_within", "Falls within", "The places a place falls within (P89, transitively)",
                 ("place",), lambda i, e: i.falls_within_all(e), _ENTITY, 15, 25, "place"),
        Property("part_of", "Part of", "The group a group is part of (P107i_is_current_or_former_member_of)",
                 ("group",), lambda _i, e: e.part_of, _ENTITY, 15, 25, "group"),
        Property("mentioned_in", "Documents that mention it", "Documents referring to it (P67_refers_to)",
                 _MENTIONABLE, lambda _i, e: e.mentioned_in, _ENTITY, 10, 10, "document"),
        Property("mentions", "Mentions", "What a document refers to (P67_refers_to)",
                 ("document",), lambda _i, e: e.mentions, _ENTITY, 10, 10),
        Property("kind", "Kind", "person, group, place, document or concept", ALL_KINDS,
                 lambda _i, e: [e.kind], _TEXT, 0, 30),
        Property("roles", "Roles", "Statements of office of a person", ("person",),
                 lambda _i, e: e.roles, _TEXT, 10, 0),
        Property("ror", "ROR ID", "Research Organization Registry identifier", ("group",),
                 lambda _i, e: e.identifiers.get("ror", []), _ID, 30, 40),
        Property("isni", "ISNI", "International Standard Name Identifier", ("group",),
                 lambda _i, e: e.identifiers.get("isni", []), _ID, 30, 40),
        Property("crossref_funder", "Crossref Funder ID", "Open Funder Registry identifier", ("group",),
                 lambda _i, e: e.identifiers.get("crossref_funder", []), _ID, 30, 40),
        Property("date", "Date", "When a document was created (dcterms:created)", ("document",),
                 lambda _i, e: [e.date] if e.date else [], _ID, 10, 20),
        Property("reference", "Archival reference", "The archival reference of a document", ("document",),
                 lambda _i, e: [e.reference] if e.reference else [], _ID, 20, 20),
    )
}  # fmt: skip
"""Property id → definition, in the order they are proposed."""

_QID = re.compile(r"(?:^|[/:])(Q[1-9][0-9]*)\s*$", re.IGNORECASE)
_ID_PREFIXES = ("https://ror.org/", "http://ror.org/", "https://isni.org/isni/", "http://isni.org/isni/")


def wikidata_id(value: str) -> str:
    """The Q-id in a Wikidata item id or IRI, upper-cased (``''`` when there is none).

    >>> wikidata_id("http://www.wikidata.org/entity/Q423"), wikidata_id("wd:q148"), wikidata_id("Korea")
    ('Q423', 'Q148', '')
    """
    found = _QID.search(value.strip())
    return found.group(1).upper() if found else ""


def identifier_key(value: str) -> str:
    """An identifier without its resolver prefix, spaces, hyphens or case.

    >>> identifier_key("https://ror.org/00BT9WE26") == identifier_key("00bt9we26")
    True
    >>> identifier_key("0000 0004 0368 9544")
    '0000000403689544'
    """
    text = value.strip()
    for prefix in _ID_PREFIXES:
        if text.lower().startswith(prefix):
            text = text[len(prefix) :]
    return re.sub(r"[\s\-]", "", text).casefold()


def condition_values(raw: object) -> list[tuple[str, str]]:
    """The values of one condition as (id, text) pairs: a reconciled entity ``{id, name?}`` gives its id
    and name; a string, number or boolean gives itself as text (JSON spelling for booleans).

    >>> condition_values(["China", {"id": "place/prc", "name": "PRC"}, 3, True])
    [('', 'China'), ('place/prc', 'PRC'), ('', '3'), ('', 'true')]
    """
    items = raw if isinstance(raw, list) else [raw]
    found: list[tuple[str, str]] = []
    for item in items:
        if isinstance(item, dict):
            found.append((str(item.get("id", "")), str(item.get("name", ""))))
        elif isinstance(item, bool):
            found.append(("", "true" if item else "false"))
        else:
            found.append(("", str(item)))
    return found


def _text_match(given: str, values: list[str]) -> bool:
    wanted = normalise(given)
    return bool(wanted) and any(
        (have := normalise(v)) == wanted or fuzz.ratio(have, wanted) >= 90 for v in values
    )


def matches(prop: Property, index: ReconIndex, have: list[str], given: list[tuple[str, str]]) -> bool:
    """Whether any value given in a condition matches any value the candidate has for ``prop``."""
    for ident, text in given:
        if prop.compare == "wikidata":
            wanted = {wikidata_id(ident), wikidata_id(text)} - {""}
            if wanted & set(have):
                return True
        elif prop.compare == "identifier":
            keys = {identifier_key(v) for v in have}
            if ({identifier_key(ident), identifier_key(text)} - {""}) & keys:
                return True
        elif prop.compare == "entity":
            for candidate in (ident, text):
                local = index.local_id(candidate) if candidate else ""
                if local in have:
                    return True
            names = [n for target in have if (e := index.get(target)) for n in e.names()]
            if text and _text_match(text, names):
                return True
        elif _text_match(text or ident, have):
            return True
    return False
