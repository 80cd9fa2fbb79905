"""Family D, the older page layout (FORMATS.md "D. Older layout").

"Search in" / "Digital Archive International History Declassified"; a zero-padded date; the title
in capitals or missing (the mixed-case title is then taken from the citation's quotes); "CITATION
SHARE DOWNLOAD"; after "get citation" the summary and the full citation, both BEFORE the body; a
"share document" URL; "VIEW DOCUMENT IN" and a language/format line; then the body.
"""

from __future__ import annotations

import re

from .body import clean, parse_body
from .dates import parse_date
from .fields import add_funders, apply_body, apply_citation, ends_mid_text, support_funders, warn_missing
from .metadata import first_label, read_metadata
from .record import Record

_BOILERPLATE = {
    "search in",
    "add search filter cancel search filter",
    "digital archive international history declassified",
    "citation share download",
    "citation",
    "share document",
}
_QUOTE_START = ("\"", "“")  # fmt: skip
_FORMAT_LINE = re.compile(r"^\w+(?: \w+)? (?:HTML|PDF|Text)$", re.IGNORECASE)


def _key(line: str) -> str:
    return clean(line).lstrip("•·*- ").strip().lower()


def _find(lines: list[str], key: str, start: int = 0) -> int | None:
    for index in range(start, len(lines)):
        if _key(lines[index]) == key:
            return index
    return None


def read_older(text: str, record: Record) -> None:
    """Fill a record from a family D capture."""
    lines = text.split("\n")
    page_title = _read_header(lines, record)
    after = _read_citation_block(lines, record)
    # A title in capitals yields to the mixed-case one inside the citation's quotes.
    if page_title and (record.title is None or page_title.upper() != page_title):
        record.title = page_title
    view = _find(lines, "view document in", after)
    start = after if view is None else view + 1
    while start < len(lines) and (not lines[start].strip() or _FORMAT_LINE.match(clean(lines[start]))):
        start += 1
    end = first_label(lines, start)
    body_lines = lines[start:end]
    apply_body(record, parse_body(body_lines, allow_tags=False))
    if end is not None:
        read_metadata(lines[end:], record)
    else:
        filled = [line for line in body_lines if line.strip()]
        if filled and ends_mid_text(filled[-1]):
            record.warnings.append("capture ends mid-text")
    warn_missing(record)


def _read_header(lines: list[str], record: Record) -> str | None:
    """Date, page title and credit line; returns the page title as written (maybe in capitals)."""
    title: str | None = None
    for line in lines:
        text = clean(line)
        key = _key(line)
        if not text or key in _BOILERPLATE:
            if key == "citation share download" or key == "get citation":
                break
            continue
        funders = support_funders(text)
        if funders is not None:
            add_funders(record, funders)
            break
        if record.date is None and parse_date(text):
            record.date = parse_date(text)
        elif record.date is not None and title is None:
            title = text
        else:
            break
    return title


def _read_citation_block(lines: list[str], record: Record) -> int:
    """Summary and citation after "get citation"; the URL after "share document"."""
    begin = _find(lines, "get citation")
    if begin is None:
        record.warnings.append("no 'get citation' block: no summary or citation found")
        return _after_header(lines)
    stop = begin + 1
    summary: list[str] = []
    citation: list[str] = []
    while stop < len(lines) and _key(lines[stop]) not in ("share document", "view document in"):
        text = clean(lines[stop])
        if text:
            (citation if citation or text.startswith(_QUOTE_START) else summary).append(text)
        stop += 1
    if summary:
        record.summary = " ".join(summary)
    if citation:
        apply_citation(record, " ".join(citation), prefer_citation_title=True)
    share = _find(lines, "share document", begin)
    if share is None:
        return stop
    for index in range(share + 1, len(lines)):
        url = clean(lines[index])
        if url:
            if not url.startswith("http"):
                return index
            record.url = record.url or url
            return index + 1
    return len(lines)


def _after_header(lines: list[str]) -> int:
    download = _find(lines, "citation share download")
    return 0 if download is None else download + 1
