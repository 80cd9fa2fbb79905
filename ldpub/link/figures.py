"""Reported figures: a number followed by a counted noun ("28,028 people", "243 corpses").

A figure is a claim of the source. It keeps the exact characters of the number, the clause it stands
in (from the number to the end of its sentence), the places the clause names, and, when the paragraph
gives one, the period it concerns. A relative period ("the past year") is resolved against the
document's date by a named rule, and marked as inferred.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from .authority import Authority
from .mentions import Mention

_NUMBER = r"(?<![\w.,])(?P<number>\d{1,3}(?:,\d{3})+|\d+)(?![\w,.]\d)"
_SENTENCE_END = re.compile(r"[.;!?](?=\s|$)|\n")


@dataclass(frozen=True)
class Period:
    begin: datetime
    end: datetime
    label: str  # the words of the text it was read from
    rule: str  # how it was resolved


@dataclass(frozen=True)
class Figure:
    value: Decimal
    unit: str  # key of the unit entry
    start: int  # the number's characters
    end: int
    exact: str
    clause: str
    places: tuple[str, ...]
    period: Period | None


def _year(year: int, label: str, rule: str) -> Period:
    return Period(datetime(year, 1, 1), datetime(year, 12, 31, 23, 59, 59), label, rule)


Resolver = Callable[[datetime, str], Period] | None
_RELATIVE: list[tuple[re.Pattern[str], Resolver]] = [
    (
        re.compile(r"\b(?:during |in |over )?the (?:past|last|previous) year\b|\blast year\b"),
        lambda when, label: _year(
            when.year - 1, label, "'the past year' is the calendar year before the document"
        ),
    ),
    (
        re.compile(r"\bthis year\b"),
        lambda when, label: _year(when.year, label, "'this year' is the calendar year of the document"),
    ),
    (
        re.compile(r"\bin (?P<year>1[89]\d\d|20\d\d)\b"),
        None,
    ),
]


def find_period(text: str, when: datetime | None) -> Period | None:
    """The period a passage names, the last one when there are several.

    >>> find_period("crossed during the past year", datetime(1962, 3, 24)).begin.year
    1961
    """
    best: tuple[int, Period] | None = None
    for pattern, resolve in _RELATIVE:
        for hit in pattern.finditer(text):
            if resolve is None:
                period = _year(int(hit.group("year")), hit.group(0), "a year named in the text")
            elif when is None:
                continue
            else:
                period = resolve(when, hit.group(0))
            if best is None or hit.start() >= best[0]:
                best = (hit.start(), period)
    return best[1] if best else None


def unit_nouns(authority: Authority) -> dict[str, str]:
    """Counted noun → unit key, from the authority file's ``[unit.*]`` entries."""
    return {noun: unit.key for unit in authority.of_kind("unit") for noun in unit.nouns}


def find_figures(
    text: str,
    paragraphs: list[tuple[int, int]],
    mentions: list[Mention],
    nouns: dict[str, str],
    when: datetime | None,
) -> list[Figure]:
    """Every reported figure in ``text``; ``paragraphs`` are the (start, end) spans of its blocks."""
    if not nouns:
        return []
    alternatives = "|".join(re.escape(n) for n in sorted(nouns, key=len, reverse=True))
    pattern = re.compile(_NUMBER + r"\s+(?P<noun>" + alternatives + r")\b")
    figures = []
    for hit in pattern.finditer(text):
        start, end = hit.span("number")
        stop = _SENTENCE_END.search(text, hit.end())
        clause_end = stop.start() if stop else len(text)
        para_start = max((s for s, e in paragraphs if s <= start), default=0)
        places = tuple(
            dict.fromkeys(m.key for m in mentions if m.kind == "place" and start <= m.start < clause_end)
        )
        clause = text[start:clause_end]
        period = find_period(clause, when) or find_period(text[para_start:start], when)
        figures.append(
            Figure(
                value=Decimal(hit.group("number").replace(",", "")),
                unit=nouns[hit.group("noun")],
                start=start,
                end=end,
                exact=text[start:end],
                clause=clause,
                places=places,
                period=period,
            )
        )
    return figures
