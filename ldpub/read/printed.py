"""Family E, a printed PDF re-hosted (FORMATS.md "E. Printed PDF re-hosted").

One flattened paragraph with the labels "Citation:", "Summary:", "Credits:", "Original Language:",
"Contents:" and "English Translation", possibly after unrelated site boilerplate. Such copies can
drop words, so the citation's wording is preferred for the title and date.
"""

from __future__ import annotations

import re

from .body import clean, parse_body
from .credits import parse_credits
from .dates import find_dates
from .fields import apply_body, apply_citation, apply_credits, ends_mid_text, warn_missing
from .record import DateValue, Record

_LABEL = re.compile(r"\b(?P<label>Citation|Summary|Credits|Original Language|Contents):\s*")
_DECLASSIFIED = re.compile(r"International History Declassified\s+", re.IGNORECASE)
_TRANSLATION = re.compile(r"^(?:English\s+Translation|Translation)\s*", re.IGNORECASE)


def labelled_values(text: str) -> dict[str, str]:
    """The value after each label (first occurrence), up to the next label.

    >>> labelled_values("x Citation: “T,” 1967. Summary: S. Original Language: Romanian Contents: B")
    {'Citation': '“T,” 1967.', 'Summary': 'S.', 'Original Language': 'Romanian', 'Contents': 'B'}
    """
    found: list[tuple[str, int, int]] = []
    seen: set[str] = set()
    for match in _LABEL.finditer(text):
        label = match.group("label")
        if label in seen or (label != "Citation" and "Citation" not in seen):
            continue
        seen.add(label)
        found.append((label, match.start(), match.end()))
        if label == "Contents":
            break  # the body may quote a label word; nothing after Contents is a label
    values: dict[str, str] = {}
    for i, (label, _, end) in enumerate(found):
        stop = found[i + 1][1] if i + 1 < len(found) else len(text)
        values[label] = clean(text[end:stop])
    return values


def flat_lines(text: str) -> list[str]:
    """Break a flattened body before its numbered points ("1. ", "2. ", ... in sequence).

    >>> flat_lines("Regarding your telegram: 1. As we said. In 1966. 2. Then we left.")
    ['Regarding your telegram:', '', '1. As we said. In 1966.', '', '2. Then we left.']
    """
    lines: list[str] = []
    position = 0
    expected = 1
    while True:
        pattern = rf"(?:(?<=[.:;!?”\"’)\]])\s+)(?={expected}\.\s+[A-Z\[“\"])"
        match = re.compile(pattern).search(text, position)
        if not match:
            break
        lines.append(text[position : match.start()].strip())
        position = match.end()
        expected += 1
    lines.append(text[position:].strip())
    spaced: list[str] = []
    for line in (x for x in lines if x):
        spaced.extend([line, ""])
    return spaced[:-1]


def read_printed(text: str, record: Record) -> None:
    """Fill a record from a family E capture."""
    flat = clean(text.replace("\n", " "))
    values = labelled_values(flat)
    header = flat[: flat.find("Citation:")] if "Citation:" in flat else flat
    page_date, page_title = _heading(header)
    if "Citation" in values:
        apply_citation(record, values["Citation"], prefer_citation_title=True)
    if page_title and record.title and page_title != record.title:
        record.warnings.append("the page heading differs from the citation; the citation's wording is kept")
    record.title = record.title or page_title
    record.date = record.date or page_date
    record.summary = values.get("Summary") or None
    record.original_language = values.get("Original Language") or None
    if values.get("Credits"):
        apply_credits(record, parse_credits(values["Credits"]))
    contents = _TRANSLATION.sub("", values.get("Contents", ""))
    if contents:
        apply_body(record, parse_body(flat_lines(contents), allow_tags=False))
        if ends_mid_text(contents):
            record.warnings.append("capture ends mid-text")
    warn_missing(record)


def _heading(header: str) -> tuple[DateValue | None, str | None]:
    """Date and title from the heading after "International History Declassified".

    >>> date, title = _heading("Digital Archive International History Declassified May 20, 1967 Telegram")
    >>> date.text, title
    ('May 20, 1967', 'Telegram')
    """
    heading = _DECLASSIFIED.split(header)[-1].strip()
    for start, end, value in find_dates(heading):
        if start == 0:
            return value, heading[end:].strip() or None
        break
    return None, None
