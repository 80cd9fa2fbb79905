"""The body of a telegram: lead lines, paragraphs, numbered points, signatories, closing date.

Shared by every family (FORMATS.md): the page families A-D, the bare transcript and the ``text``
field of a structured record. The lead may hold tag lines ("North Korea"), a priority marking
("Additional Rush", "Classification: Urgent") and an addressee line ending with a colon. Points are
numbered lines; sub-points are indented more ("    1." under "  4.") or lettered (" - a."), and get
the citable labels "4a", "4b". Short lines after the last long paragraph or point are the
signatories and the closing date. Paragraph text joins wrapped lines with single spaces and keeps
every other character as written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .dates import parse_date
from .record import Block, DateValue, Paragraph, Point

_POINT = re.compile(
    r"^(?P<indent>[ \t]*)(?:(?P<bullet>[-*•–])[ \t]+)?(?P<marker>\d{1,2}|[a-z])[.)][ \t]+(?P<text>\S.*)$"
)
_PRIORITY = re.compile(
    r"^(?:(?:classification|priority|urgency|precedence)\s*:\s*)?"
    r"(?P<value>(?:(?:additional|extra|very|most|highly)\s+)?"
    r"(?:rush|urgent|flash|immediate|top\s+secret|strictly\s+secret|secret|confidential))\.?$",
    re.IGNORECASE,
)
_ADDRESSEE = re.compile(r"^\[?(?:to|dear|comrades?)\b.{0,300}:$", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"^[A-Z][\w'’\-]*(?:[ ,]+(?:[A-Z][\w'’\-]*|of|and|the|&)){0,4}$")
_SENTENCE_END = ('.', '!', '?', '"', '”', '’', ")", "]", ":", ";")  # fmt: skip
_LEAD_MAX = 10
_TAIL_MAX = 8


@dataclass
class Unit:
    """A paragraph or a numbered line, before the point tree is built."""

    text: str
    indent: int = 0
    marker: str | None = None


@dataclass
class BodyParts:
    tags: list[str] = field(default_factory=list)
    priority: str | None = None
    addressee: str | None = None
    blocks: list[Block] = field(default_factory=list)
    signatories: list[str] = field(default_factory=list)
    closing_date: DateValue | None = None
    warnings: list[str] = field(default_factory=list)


def clean(text: str) -> str:
    """Collapse runs of spaces and tabs; keep every other character as written.

    >>> clean("  revisionism.  The\\tSoviet ")
    'revisionism. The Soviet'
    """
    return re.sub(r"[ \t]+", " ", text).strip()


def _joins(previous: str, line: str) -> bool:
    """Whether ``line`` continues a hard-wrapped ``previous`` line."""
    if line[:1].islower():
        return True
    return len(previous) >= 50 and not previous.rstrip().endswith(_SENTENCE_END)


def split_units(lines: list[str], join_wrapped: bool = True) -> list[Unit]:
    """Group lines into paragraphs and numbered lines; blank lines separate paragraphs."""
    units: list[Unit] = []
    open_unit = False
    for raw in lines:
        if not raw.strip():
            open_unit = False
            continue
        match = _POINT.match(raw.expandtabs(4))
        if match:
            indent = len(match.group("indent"))
            units.append(Unit(clean(match.group("text")), indent, match.group("marker")))
            open_unit = True
        elif open_unit and join_wrapped and _joins(units[-1].text, raw.strip()):
            units[-1].text = clean(units[-1].text + " " + raw)
        else:
            units.append(Unit(clean(raw)))
            open_unit = True
    return units


def is_tag(text: str) -> bool:
    """A tag line: a few capitalised words, no digits or sentence punctuation.

    >>> is_tag("North Korea"), is_tag("No. 1443"), is_tag("FROM: PYONGYANG")
    (True, False, False)
    """
    return len(text) <= 60 and bool(_TAG.match(text))


def priority_of(text: str) -> str | None:
    """The priority marking a lead line carries, as written.

    >>> priority_of("Classification: Urgent"), priority_of("Additional Rush"), priority_of("Rush hour")
    ('Urgent', 'Additional Rush', None)
    """
    match = _PRIORITY.match(text.strip())
    return match.group("value") if match else None


def is_addressee(text: str) -> bool:
    """An addressee line: "[To the] [Chinese] Embassy in [North] Korea:" (ends with a colon)."""
    return bool(_ADDRESSEE.match(text))


def _is_long(unit: Unit) -> bool:
    return unit.marker is not None or len(unit.text.split()) > 10


def _is_signatory(text: str) -> bool:
    """A short name line: "Ministry of Foreign Affairs", "S H T Y K O V"."""
    return (
        len(text) <= 100
        and len(text.split()) <= 14
        and not re.search(r"\d", text)
        and not text.endswith((*_SENTENCE_END, ","))
        and (text[:1].isupper() or text[:1] == "[")
    )


def parse_body(lines: list[str], *, allow_tags: bool = False, join_wrapped: bool = True) -> BodyParts:
    """Parse body lines into lead fields, blocks, signatories and closing date."""
    parts = BodyParts()
    units = split_units(lines, join_wrapped)
    units = _take_lead(units, parts, allow_tags)
    units = _take_tail(units, parts)
    parts.blocks = build_blocks(units, parts.warnings)
    return parts


def _take_lead(units: list[Unit], parts: BodyParts, allow_tags: bool) -> list[Unit]:
    """Remove tag, priority and addressee lines from the start of the body."""
    kept: list[Unit] = []
    in_tags = allow_tags
    for index, unit in enumerate(units):
        text = unit.text
        if index >= _LEAD_MAX or unit.marker is not None or parts.addressee is not None:
            kept.extend(units[index:])
            break
        if parts.priority is None and priority_of(text):
            parts.priority = priority_of(text)
            in_tags = False
        elif is_addressee(text):
            parts.addressee = text
        elif in_tags and is_tag(text):
            parts.tags.append(text)
        else:
            in_tags = False
            kept.append(unit)
            if len(text.split()) >= 5 and text.endswith(_SENTENCE_END[:6]):
                kept.extend(units[index + 1 :])
                break
    return kept


def _take_tail(units: list[Unit], parts: BodyParts) -> list[Unit]:
    """Signatories and closing date: the short lines after the last long paragraph or point."""
    start = len(units)
    while start > 0 and len(units) - start < _TAIL_MAX and not _is_long(units[start - 1]):
        start -= 1
    if start == 0 or start == len(units) or not _is_long(units[start - 1]):
        return units
    kept = units[:start]
    for unit in units[start:]:
        date = parse_date(unit.text)
        if date is not None and parts.closing_date is None:
            parts.closing_date = date
        elif date is None and _is_signatory(unit.text):
            parts.signatories.append(unit.text)
        else:
            kept.append(unit)
    return kept


def _child_label(parent: Point, marker: str) -> str:
    if marker.isdigit():
        number = int(marker)
        if parent.label[-1:].isdigit() and 1 <= number <= 26:
            return parent.label + chr(ord("a") + number - 1)
    return parent.label + marker


def build_blocks(units: list[Unit], warnings: list[str]) -> list[Block]:
    """Build paragraphs and the point tree; sub-points are indented deeper or lettered."""
    blocks: list[Block] = []
    stack: list[tuple[int, str, Point]] = []  # (indent, marker, point)
    labels: set[str] = set()
    for unit in units:
        marker = unit.marker
        if marker is None:
            blocks.append(Paragraph(unit.text))
            stack.clear()
            continue
        letter = marker.isalpha()
        # Close deeper points, and a lettered sub-point when a number at its level follows ("b." then "5.").
        while stack and (
            stack[-1][0] > unit.indent
            or (stack[-1][0] == unit.indent and stack[-1][1].isalpha() and not letter)
        ):
            stack.pop()
        # A point at the same level is a sibling, except a letter after a number ("4." then "a.").
        if stack and stack[-1][0] == unit.indent and stack[-1][1].isalpha() == letter:
            stack.pop()
        if not stack and letter:
            blocks.append(Paragraph(f"{marker}. {unit.text}"))
            continue
        if stack:
            parent = stack[-1][2]
            point = Point(_child_label(parent, marker), unit.text)
            parent.children.append(point)
        else:
            point = Point(marker, unit.text)
            blocks.append(point)
        if point.label in labels:
            warnings.append(f"point label {point.label!r} occurs more than once")
        labels.add(point.label)
        stack.append((unit.indent, marker, point))
    return blocks
