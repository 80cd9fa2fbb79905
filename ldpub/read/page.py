"""Page captures of families A, B and C, the bare transcript, and the layout detector.

FORMATS.md: A (current page: "Skip to content", date, title, credit line, tags, body, summary,
"Document Information", citation, rights, labels, funder line); B (as A with "Source"/"Rights"
labels); C (compact staging copy: no "Skip to content", single newlines, empty labels, maybe a
leading blurb about a *different* record, the real summary being the paragraph after the body);
and "transcript only" (body text with no metadata).
"""

from __future__ import annotations

import re

from .body import clean, parse_body
from .dates import parse_date
from .fields import add_funders, apply_body, ends_mid_text, support_funders, warn_missing
from .metadata import first_label, label_of, read_metadata
from .record import Record

SKIP_LINE = "skip to content"
_D_MARKERS = {
    "search in",
    "digital archive international history declassified",
    "citation share download",
    "get citation",
}
_E_CITATION = re.compile(r"\bCitation:\s*[\"“]")
_E_LABELS = re.compile(r"\b(?:Summary|Credits|Original Language|Contents):")
_HEADER_WINDOW = 3


def _nonblank(lines: list[str], start: int = 0) -> list[int]:
    return [i for i in range(start, len(lines)) if lines[i].strip()]


def detect_layout(text: str) -> tuple[str | None, str]:
    """The family of a text capture, or None with the reason it has no recognisable layout.

    >>> detect_layout("Skip to content\\n\\nMarch 24, 1962\\n\\nTitle\\n\\nDocument Information\\n")[0]
    'A'
    >>> detect_layout("<html><body>x</body></html>")
    (None, 'HTML markup, not a text capture')
    """
    if re.search(r"<\s*(?:html|!doctype|body|head)\b", text[:2000], re.IGNORECASE):
        return None, "HTML markup, not a text capture"
    lines = [clean(line) for line in text.split("\n")]
    filled = [line for line in lines if line]
    head = {line.lower() for line in filled[:40]}
    if head & _D_MARKERS:
        return "D", ""
    if _E_CITATION.search(text[:20000]) and _E_LABELS.search(text[:40000]):
        return "E", ""
    labels = [label_of(line) for line in filled]
    if filled and filled[0].lower() == SKIP_LINE:
        return ("B" if _has_source_label(labels) else "A"), ""
    if any(labels) or any(support_funders(line) is not None for line in filled[:8]):
        blank_share = (len(lines) - len(filled)) / max(len(filled), 1)
        if blank_share >= 0.5:
            return ("B" if _has_source_label(labels) else "A"), ""
        return "C", ""
    if _looks_like_prose(filled):
        return "transcript", ""
    return None, "no page labels, citation or body text found"


def _has_source_label(labels: list[str | None]) -> bool:
    if "info" not in labels:
        return False
    return "source" in labels[labels.index("info") :]


def _looks_like_prose(lines: list[str]) -> bool:
    """Body text: some line of six words or more, mostly letters."""
    sample = " ".join(lines)[:20000]
    letters = sum(ch.isalpha() for ch in sample)
    visible = sum(not ch.isspace() for ch in sample)
    has_sentence = any(len(re.findall(r"[^\W\d_]{2,}", line)) >= 6 for line in lines[:200])
    return has_sentence and visible > 0 and letters / visible >= 0.6


def read_page(text: str, record: Record) -> None:
    """Fill a record from a family A, B or C capture."""
    lines = text.split("\n")
    start = _nonblank(lines)
    index = start[0] + 1 if start and clean(lines[start[0]]).lower() == SKIP_LINE else 0
    index = _read_header(lines, index, record)
    end = first_label(lines, index)
    body_lines = lines[index:end]
    if end is None:
        record.warnings.append("no 'Document Information' section: the capture ends before it")
        tail = [line for line in body_lines if line.strip()]
        if tail and ends_mid_text(tail[-1]):
            record.warnings.append("capture ends mid-text")
    else:
        summary_at = _last_paragraph(body_lines, single_lines=record.layout == "C")
        if summary_at is not None:
            record.summary = clean(" ".join(body_lines[summary_at:]))
            body_lines = body_lines[:summary_at]
        read_metadata(lines[end:], record)
    apply_body(record, parse_body(body_lines, allow_tags=True, join_wrapped=record.layout != "C"))
    warn_missing(record)


def _read_header(lines: list[str], index: int, record: Record) -> int:
    """Date, title and credit line at the top of a page; skips a leading blurb (family C)."""
    window = _nonblank(lines, index)[: _HEADER_WINDOW + 1]
    dated = [i for i in window[:_HEADER_WINDOW] if parse_date(clean(lines[i]))]
    if dated:
        record.date = parse_date(clean(lines[dated[0]]))
        _warn_blurb(record, [i for i in window if i < dated[0]], lines)
        rest = _nonblank(lines, dated[0] + 1)
    else:
        record.warnings.append("no date line at the top of the page")
        rest = window
        if len(rest) > 1 and _is_sentence(clean(lines[rest[0]])) and not _is_sentence(clean(lines[rest[1]])):
            _warn_blurb(record, rest[:1], lines)
            rest = rest[1:]
    if not rest:
        return len(lines)
    position = rest[0]
    candidate = clean(lines[position])
    if support_funders(candidate) is None and label_of(candidate) is None:
        record.title = candidate
        position = _next_nonblank(lines, position + 1)
    if position < len(lines):
        funders = support_funders(clean(lines[position]))
        if funders is not None:
            add_funders(record, funders)
            position += 1
    return position


def _next_nonblank(lines: list[str], start: int) -> int:
    following = _nonblank(lines, start)
    return following[0] if following else len(lines)


def _is_sentence(text: str) -> bool:
    return len(text.split()) >= 8 and text.endswith((".", "!", "?"))


def _warn_blurb(record: Record, indexes: list[int], lines: list[str]) -> None:
    if indexes:
        first = clean(lines[indexes[0]])
        record.warnings.append(
            f"leading paragraph ignored (a blurb, not this record's summary): {first[:80]!r}"
        )


def _last_paragraph(lines: list[str], single_lines: bool) -> int | None:
    """Start of the last paragraph: the summary (the paragraph after the body)."""
    filled = _nonblank(lines)
    if not filled:
        return None
    start = filled[-1]
    while not single_lines and start > 0 and lines[start - 1].strip():
        start -= 1
    return start


def read_transcript(text: str, record: Record) -> None:
    """Fill a record from bare body text (tags and priority lines may lead)."""
    record.warnings.append("transcript only: no title, date, citation or credits")
    apply_body(record, parse_body(text.split("\n"), allow_tags=True))
    if not record.body:
        record.warnings.append("no body text found")
