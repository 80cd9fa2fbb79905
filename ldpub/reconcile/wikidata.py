"""The two batched queries asked of a Wikidata-shaped endpoint, and the items read from their answers.

Issue 4, section 1: standard SPARQL 1.1 only (SPARQL 1.1 Query §10.2.3 ``VALUES``, §7 ``UNION``), over
Wikidata's RDF shape (https://www.mediawiki.org/wiki/Wikibase/Indexing/RDF_Dump_Format): language-tagged
``rdfs:label`` and ``skos:altLabel``, ``schema:description``, truthy ``wdt:`` statements. No
``wikibase:label`` service, no ``mwapi`` search: any endpoint holding a Wikidata extract answers the same.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from .client import Binding, WikidataClient
from .names import SearchString

WD = "http://www.wikidata.org/entity/"
PREFIXES = """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX schema: <http://schema.org/>
PREFIX wd: <http://www.wikidata.org/entity/>
PREFIX wdt: <http://www.wikidata.org/prop/direct/>
"""
# Statements read for scoring (P31 instance of, P17 country, P569/P570 born/died) and for the
# QuickStatements export (P973 described at URL: not proposed when already there).
STATEMENTS = ("P31", "P17", "P569", "P570", "P973")
STRINGS_PER_QUERY = 250
ITEMS_PER_QUERY = 150
_QID = re.compile(r"^Q[1-9][0-9]*$")
_LANG = re.compile(r"^[a-z]{2,3}(-[a-z0-9]+)*$")


@dataclass
class Item:
    """What the endpoint says about one Wikidata item."""

    qid: str
    labels: dict[str, str] = field(default_factory=dict)
    aliases: list[tuple[str, str]] = field(default_factory=list)
    description: str = ""
    claims: dict[str, list[str]] = field(default_factory=dict)

    @property
    def label(self) -> str:
        """The English (else multilingual, else any) label, for people reading the review file."""
        for lang in ("en", "mul", *sorted(self.labels)):
            if lang in self.labels:
                return self.labels[lang]
        return self.qid

    def names(self) -> list[str]:
        return list(dict.fromkeys([*self.labels.values(), *(text for text, _ in self.aliases)]))

    def values(self, prop: str) -> list[str]:
        """QIDs (for item values) or lexical forms of the truthy statements ``prop``, sorted."""
        return sorted(self.claims.get(prop, []))

    def year(self, prop: str) -> int | None:
        """The year of a date statement (``P569``, ``P570``), the earliest when there are several.

        >>> Item("Q1", claims={"P569": ["1913-08-02T00:00:00Z", "1912-01-01T00:00:00Z"]}).year("P569")
        1912
        """
        years = [int(m.group(1)) for v in self.claims.get(prop, []) if (m := re.match(r"^(-?\d{1,})-", v))]
        return min(years) if years else None


def literal(text: str, lang: str) -> str:
    """A language-tagged SPARQL literal, escaped (SPARQL 1.1 Query §19.7 ECHAR).

    >>> literal('Say "hi"\\n', "en")
    '"Say \\\\"hi\\\\"\\\\n"@en'
    """
    if not _LANG.match(lang):
        raise ValueError(f"not a language tag: {lang!r}")
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return f'"{escaped}"@{lang}'


def hits_query(strings: Iterable[SearchString]) -> str:
    """Items one of whose labels or aliases is exactly one of ``strings`` (with its language tag)."""
    values = "\n    ".join(sorted({literal(s.text, s.lang) for s in strings}))
    return (
        f"{PREFIXES}SELECT DISTINCT ?name ?item WHERE {{\n  VALUES ?name {{\n    {values}\n  }}\n"
        "  { ?item rdfs:label ?name } UNION { ?item skos:altLabel ?name }\n"
        f'  FILTER(STRSTARTS(STR(?item), "{WD}Q"))\n}}\n'
    )


def details_query(qids: Iterable[str], langs: Iterable[str]) -> str:
    """Labels and aliases in ``langs``, the English description and the statements we score, per item."""
    items = " ".join(f"wd:{q}" for q in sorted(set(qids)) if _QID.match(q))
    tags = ", ".join(f'"{t}"' for t in sorted(set(langs)) if _LANG.match(t))
    unions = [
        '{ ?item rdfs:label ?value . BIND("label" AS ?field) }',
        '{ ?item skos:altLabel ?value . BIND("alias" AS ?field) }',
        '{ ?item schema:description ?value . BIND("description" AS ?field) FILTER(LANG(?value) = "en") }',
        *(f'{{ ?item wdt:{p} ?value . BIND("{p}" AS ?field) }}' for p in STATEMENTS),
    ]
    body = "\n  UNION ".join(unions)
    return (
        f"{PREFIXES}SELECT ?item ?field ?value WHERE {{\n  VALUES ?item {{ {items} }}\n  {body}\n"
        f'  FILTER(!isLiteral(?value) || LANG(?value) = "" || LANG(?value) IN ({tags}))\n}}\n'
    )


def _chunks(values: list[SearchString], size: int) -> Iterator[list[SearchString]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def find_hits(client: WikidataClient, strings: list[SearchString]) -> dict[tuple[str, str], set[str]]:
    """(text, language) of each search string → the QIDs having it as a label or alias."""
    ordered = sorted(set(strings), key=lambda s: (s.text, s.lang))
    hits: dict[tuple[str, str], set[str]] = {}
    for chunk in _chunks(ordered, STRINGS_PER_QUERY):
        for row in client.select(hits_query(chunk)):
            qid = _qid(row, "item")
            name = row.get("name", {})
            if qid and name.get("value") is not None:
                key = (name["value"], name.get("xml:lang", ""))
                hits.setdefault(key, set()).add(qid)
    return hits


def fetch_items(client: WikidataClient, qids: set[str], langs: set[str]) -> dict[str, Item]:
    """The items ``qids`` as the endpoint describes them."""
    ordered = sorted(qids, key=lambda q: int(q[1:]))
    items = {q: Item(q) for q in ordered}
    for start in range(0, len(ordered), ITEMS_PER_QUERY):
        for row in client.select(details_query(ordered[start : start + ITEMS_PER_QUERY], langs)):
            qid = _qid(row, "item")
            if qid in items:
                _read(items[qid], row)
    return items


def _qid(row: Binding, var: str) -> str | None:
    value = row.get(var, {}).get("value", "")
    if value.startswith(WD) and _QID.match(value[len(WD) :]):
        return value[len(WD) :]
    return None


def _read(item: Item, row: Binding) -> None:
    what = row.get("field", {}).get("value", "")
    term = row.get("value", {})
    value, lang = term.get("value", ""), term.get("xml:lang", "")
    if what == "label":
        item.labels.setdefault(lang, value)
    elif what == "alias":
        if (value, lang) not in item.aliases:
            item.aliases.append((value, lang))
    elif what == "description":
        item.description = item.description or value
    elif what in STATEMENTS:
        if value.startswith(WD):
            value = value[len(WD) :]
        item.claims.setdefault(what, [])
        if value not in item.claims[what]:
            item.claims[what].append(value)
