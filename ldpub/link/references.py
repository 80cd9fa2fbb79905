"""References to earlier documents in a text: "your telegram dated 6 March [1962]"."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..read.dates import parse_date
from ..read.record import DateValue

_KINDS = "telegram|cable|letter|report|note|memorandum|instruction|instructions"
_REFERENCE = re.compile(
    rf"\b(?P<whose>your|our|the|their|his)\s+(?P<kind>{_KINDS})\s+"
    r"(?:(?:No\.|no\.|number)\s*[\w/.-]+\s+)?(?:dated|of)\s+"
    r"(?P<date>\[?\d{1,2}\]?\s+\[?[A-Z][a-z]+\]?(?:\s+\[?\d{4}\]?)?)"
)


@dataclass(frozen=True)
class Reference:
    whose: str  # "your", "our", ...: who wrote the earlier document, seen from the senders
    kind: str  # "telegram"
    date: DateValue
    start: int  # the whole phrase
    end: int
    exact: str
    year_inferred: bool  # the text gives no year: the document's own year was used


def find_references(text: str, year: int | None) -> list[Reference]:
    """Earlier documents the text refers to by kind and date."""
    found = []
    for hit in _REFERENCE.finditer(text):
        raw = hit.group("date")
        date = parse_date(raw)
        inferred = False
        if date is None and year is not None:
            date = parse_date(f"{raw} {year}")
            inferred = date is not None
        if date is None or date.precision != "day":
            continue
        date = DateValue(raw, date.begin, date.end, date.precision)
        found.append(
            Reference(
                hit.group("whose"), hit.group("kind"), date, hit.start(), hit.end(), hit.group(0), inferred
            )
        )
    return found
