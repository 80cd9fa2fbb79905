"""Explainable scores: what we know of an entity, and four features per Wikidata candidate.

Issue 4, section 1 ("score each candidate with features you can explain"). The score is a product, so each
feature can only lower it and the review file can say by how much:

    score = name × type × country × dates

- **name**: the best rapidfuzz similarity between one of our names (labels, other romanisations and
  scripts) and one of the item's labels or aliases in the same script, after normalisation (:mod:`.names`);
  a match on a form used only to find mentions ("Foreign Ministry", "ethnic Koreans") counts
  ``FORM_WEIGHT`` of it.
- **type**: the item's ``wdt:P31`` classes against the table ``data/wikidata/classes.csv`` (kind, class):
  *compatible* (a listed class of our kind; a person must be human Q5), *contradicts* (only classes listed for
  another kind, or a "person" that is not human), *unlisted* (classes the table does not know: a curator
  decides), *none* (no P31 at all).
- **country**: the countries we know for the entity (the enclosing place's curated item for a place; the
  places our names mention for a group, "… of the People's Republic of China") against the item's ``wdt:P17``.
- **dates**: for a person, the years of office in their roles ("in office in March 1962") against the
  item's birth ``P569`` and death ``P570``: born at least 15 years before and not dead before.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from ..link.authority import Authority, Entry
from .client import ReconcileError
from .names import script, similarity
from .wikidata import Item

FORM_WEIGHT = 0.8
TYPE_FACTOR = {"compatible": 1.0, "none": 0.8, "unlisted": 0.6, "contradicts": 0.2}
COUNTRY_FACTOR = {"match": 1.0, "n/a": 1.0, "unknown": 0.9, "mismatch": 0.5}
DATES_FACTOR = {
    "compatible": 1.0,
    "n/a": 1.0,
    "ours unknown": 1.0,
    "theirs unknown": 1.0,
    "incompatible": 0.3,
}
ADULT_AGE = 15
_YEAR = re.compile(r"\b(1[5-9]\d\d|20\d\d)\b")

Classes = dict[str, dict[str, str]]  # kind → {QID: label}


@dataclass(frozen=True)
class Subject:
    """One of our persons, groups or places, as the reconciler sees it."""

    kind: str
    key: str
    label: str
    names: tuple[tuple[str, str | None], ...]  # (text, language or None)
    forms: tuple[str, ...]
    countries: frozenset[str]
    years: tuple[int, ...]  # years the person is known to have been active
    curated: str | None  # a verified QID from data/wikidata/entities.csv


@dataclass(frozen=True)
class Features:
    """The features of one candidate and the score they make."""

    name: float
    ours: str
    theirs: str
    type: str
    classes: tuple[str, ...]
    country: str
    dates: str
    score: float

    def text(self) -> str:
        """One line a curator reads: every feature, its value and the evidence."""
        classes = " ".join(self.classes) or "no P31"
        return (
            f"name {self.name:.2f} ({self.ours!r} ~ {self.theirs!r}); type {self.type} ({classes}); "
            f"country {self.country}; dates {self.dates}"
        )


def load_classes(path: Path) -> Classes:
    """The class table: for each kind, the Wikidata classes its instances may have."""
    table: Classes = {}
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                table.setdefault(row["kind"], {})[row["qid"]] = row["label"]
    except (OSError, KeyError, csv.Error) as exc:
        raise ReconcileError(f"{path}: cannot read the class table (kind,qid,label,note): {exc}") from exc
    return table


def years_in(texts: list[str]) -> tuple[int, ...]:
    """The years written in some texts (roles), sorted.

    >>> years_in(["Minister (in office in March 1962, as the telegram of 24 March 1962 shows)"])
    (1962,)
    """
    return tuple(sorted({int(y) for text in texts for y in _YEAR.findall(text)}))


def curated(entry: Entry | None) -> str | None:
    """The verified QID of an entry (from data/wikidata/entities.csv), not one reconciled earlier."""
    link = entry.wikidata if entry is not None else None
    return link.qid if link is not None and not link.reconciled else None


def _countries(entry: Entry, authority: Authority, places: dict[str, str]) -> frozenset[str]:
    """Items of the places around an entity: the nearest enclosing place with an item, and the places its
    names mention; ``places`` maps a place key to its item (curated, or linked earlier in this run)."""
    found: set[str] = set()
    place, seen = entry.falls_within, set()
    while place is not None and place not in seen:
        seen.add(place)
        if place in places:
            found.add(places[place])
            break
        enclosing = authority.find("place", place)
        place = enclosing.falls_within if enclosing is not None else None
    texts = [n for n in [*entry.labels.values(), *entry.alt] if script(n) == "latin"]
    for place_entry in authority.of_kind("place"):
        qid = places.get(place_entry.key)
        if qid is None or (place_entry.kind, place_entry.key) == (entry.kind, entry.key):
            continue
        for name in [place_entry.label, *place_entry.alt]:
            pattern = re.compile(rf"(?<!\w){re.escape(name)}(?!\w)")
            if script(name) == "latin" and any(pattern.search(t) for t in texts):
                found.add(qid)
    return frozenset(found)


def subject(entry: Entry, authority: Authority, places: dict[str, str] | None = None) -> Subject:
    """What the reconciler knows of an authority entry (``places``: place key → item, for the context)."""
    names: list[tuple[str, str | None]] = [(text, lang) for lang, text in sorted(entry.labels.items())]
    names += [(text, None) for text in entry.alt]
    forms = [*entry.match, *(f for fs in entry.match_in.values() for f in fs)]
    return Subject(
        kind=entry.kind,
        key=entry.key,
        label=entry.label,
        names=tuple(names),
        forms=tuple(dict.fromkeys(forms)),
        countries=_countries(entry, authority, places or {}),
        years=years_in(entry.roles) if entry.kind == "person" else (),
        curated=curated(entry),
    )


def name_feature(ours: Subject, item: Item) -> tuple[float, str, str]:
    """The best weighted similarity of our names and forms to the item's names, with the pair."""
    best = (0.0, "", "")
    theirs = sorted(item.names())
    candidates = [(n, 1.0) for n, _ in ours.names] + [(f, FORM_WEIGHT) for f in ours.forms]
    for mine, weight in candidates:
        for other in theirs:
            value = round(similarity(mine, other) * weight, 3)
            if value > best[0]:
                best = (value, mine, other)
    return best


def type_feature(kind: str, item: Item, classes: Classes) -> str:
    """compatible, contradicts, unlisted or none (see the module's docstring).

    >>> table = {"person": {"Q5": "human"}, "place": {"Q6256": "country"}}
    >>> [type_feature("person", Item("Q1", claims=c), table) for c in ({"P31": ["Q5"]}, {"P31": ["Q11424"]})]
    ['compatible', 'contradicts']
    >>> type_feature("place", Item("Q1", claims={"P31": ["Q11424"]}), table)
    'unlisted'
    """
    p31 = set(item.values("P31"))
    if not p31:
        return "none"
    if p31 & set(classes.get(kind, {})):
        return "compatible"
    others = {q for k, table in classes.items() if k != kind for q in table}
    return "contradicts" if kind == "person" or p31 & others else "unlisted"


def country_feature(ours: Subject, item: Item) -> str:
    if not ours.countries:
        return "n/a"
    theirs = set(item.values("P17"))
    if not theirs:
        return "unknown"
    return "match" if theirs & ours.countries else "mismatch"


def dates_feature(ours: Subject, item: Item) -> str:
    """For a person: do the item's birth and death allow the years we know them active?

    >>> s = Subject("person", "p", "P", (), (), frozenset(), (1962,), None)
    >>> [dates_feature(s, Item("Q1", claims={"P569": [f"{y}-01-01T00:00:00Z"]})) for y in (1913, 1987)]
    ['compatible', 'incompatible']
    """
    if ours.kind != "person":
        return "n/a"
    if not ours.years:
        return "ours unknown"
    born, died = item.year("P569"), item.year("P570")
    if born is None and died is None:
        return "theirs unknown"
    if born is not None and born > min(ours.years) - ADULT_AGE:
        return "incompatible"
    if died is not None and died < max(ours.years):
        return "incompatible"
    return "compatible"


def score(ours: Subject, item: Item, classes: Classes) -> Features:
    """All four features of one candidate and their product."""
    name, mine, theirs = name_feature(ours, item)
    kind = type_feature(ours.kind, item, classes)
    country = country_feature(ours, item)
    dates = dates_feature(ours, item)
    total = name * TYPE_FACTOR[kind] * COUNTRY_FACTOR[country] * DATES_FACTOR[dates]
    known = {q: label for table in classes.values() for q, label in table.items()}
    labelled = tuple(f"{q} {known.get(q, '')}".strip() for q in item.values("P31"))
    return Features(name, mine, theirs, kind, labelled, country, dates, round(total, 3))
