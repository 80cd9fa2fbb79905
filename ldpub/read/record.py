"""The typed record a reader extracts from one capture.

A record holds only what the capture says: a field the capture does not have is ``None`` (or an
empty list), never guessed. What a reader could not find is listed in ``warnings``.

The English text of a document is *rendered* from the record by :func:`render_text`: that string is
the published transcript (``crm:P190_has_symbolic_content``) and every character offset in the
dataset (mentions, figures, numbered points) counts Unicode code points in it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, Literal

Precision = Literal["day", "month", "year"]


@dataclass(frozen=True)
class DateValue:
    """A date as written, with the bounds of the whole period it covers.

    ``begin`` is the first second and ``end`` the last second of the period: a day-precision date
    covers one day, a month-only date the whole month, a year-only date the whole year.
    """

    text: str
    begin: datetime
    end: datetime
    precision: Precision


@dataclass
class Point:
    """A numbered point of the body; ``label`` is its citable number ("4", "4a")."""

    label: str
    text: str
    children: list[Point] = field(default_factory=list)


@dataclass
class Paragraph:
    text: str


Block = Paragraph | Point


@dataclass(frozen=True)
class SourceInfo:
    """Where a record came from: the file as given, its size and SHA-256."""

    path: str
    sha256: str
    size: int


@dataclass
class Record:
    source: SourceInfo
    layout: str  # "A".."F" (FORMATS.md families) or "transcript"
    title: str | None = None
    date: DateValue | None = None
    tags: list[str] = field(default_factory=list)
    priority: str | None = None
    addressee: str | None = None
    body: list[Block] = field(default_factory=list)
    signatories: list[str] = field(default_factory=list)
    closing_date: DateValue | None = None
    summary: str | None = None
    citation: str | None = None
    reference: str | None = None
    pages: str | None = None
    record_id: str | None = None
    url: str | None = None
    obtained_by: list[str] = field(default_factory=list)
    translated_by: list[str] = field(default_factory=list)
    contributed_by: list[str] = field(default_factory=list)
    transcribed_by: list[str] = field(default_factory=list)
    credit_for: str | None = None  # "NKIDP" in "Translated for NKIDP by ..."
    funders: list[str] = field(default_factory=list)
    rights: str | None = None
    original_language: str | None = None
    warnings: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (dates as ISO strings, blocks tagged by kind)."""

        def convert(value: Any) -> Any:
            if isinstance(value, datetime):
                return value.isoformat()
            if isinstance(value, dict):
                return {k: convert(v) for k, v in value.items()}
            if isinstance(value, list):
                return [convert(v) for v in value]
            return value

        data = asdict(self)
        data["body"] = [_block_json(b) for b in self.body]
        return {k: convert(v) for k, v in data.items()}


def _block_json(block: Block) -> dict[str, Any]:
    if isinstance(block, Paragraph):
        return {"kind": "paragraph", "text": block.text}
    return {
        "kind": "point",
        "label": block.label,
        "text": block.text,
        "children": [_block_json(c) for c in block.children],
    }


@dataclass(frozen=True)
class Span:
    """A part of the rendered text: ``start``/``end`` are code-point offsets, end exclusive."""

    key: str  # "addressee", "p1" (paragraph 1), "4", "4a", "signatories", "closing-date", ...
    start: int
    end: int


def render_text(record: Record) -> tuple[str, list[Span]]:
    """Render the English text of a record and the spans of its parts.

    Blocks are separated by a blank line; a sub-point is written with its letter ("a. ...").
    The spans of a numbered point cover the point and its sub-points.

    >>> r = Record(SourceInfo("x", "", 0), "A", addressee="To X:",
    ...            body=[Paragraph("Hello."), Point("1", "One.", [Point("1a", "Sub.")])])
    >>> text, spans = render_text(r)
    >>> print(text)
    To X:
    <BLANKLINE>
    Hello.
    <BLANKLINE>
    1. One.
    <BLANKLINE>
    a. Sub.
    >>> [(s.key, text[s.start:s.end]) for s in spans][-1]
    ('1a', 'a. Sub.')
    """
    pieces: list[str] = []
    spans: list[Span] = []
    offset = 0

    def add(key: str, text: str) -> None:
        nonlocal offset
        if pieces:
            pieces.append("\n\n")
            offset += 2
        pieces.append(text)
        spans.append(Span(key, offset, offset + len(text)))
        offset += len(text)

    if record.priority:
        add("priority", record.priority)
    if record.addressee:
        add("addressee", record.addressee)
    paragraph_no = 0

    def add_point(point: Point, depth: int) -> None:
        nonlocal offset
        marker = point.label if depth == 0 else point.label.lstrip("0123456789")
        add(point.label, f"{marker}. {point.text}")
        index = len(spans) - 1
        for child in point.children:
            add_point(child, depth + 1)
        first = spans[index]
        spans[index] = Span(first.key, first.start, offset)

    for block in record.body:
        if isinstance(block, Paragraph):
            paragraph_no += 1
            add(f"p{paragraph_no}", block.text)
        else:
            add_point(block, 0)
    if record.signatories:
        add("signatories", "\n".join(record.signatories))
    if record.closing_date:
        add("closing-date", record.closing_date.text)
    return "".join(pieces), spans


def iter_points(blocks: list[Block]) -> list[Point]:
    """Every numbered point, depth first (4 before 4a)."""
    found: list[Point] = []
    for block in blocks:
        if isinstance(block, Point):
            found.append(block)
            found.extend(iter_points(list(block.children)))
    return found
