"""The shared body parser: lead lines, points and sub-points, signatories, closing date."""

from __future__ import annotations

import pytest

from ldpub.read.body import parse_body, priority_of
from ldpub.read.record import Paragraph, Point, iter_points

POINTS_INDENTED = """\
Intro paragraph that explains what follows in a few words.

  1. First point.
  2. Second point with sub-points:
    1. Sub one.
    2. Sub two.
  3. Third point.
"""
POINTS_BULLETED = """\
Intro paragraph that explains what follows in a few words.

- 1. First point.
- 2. Second point with sub-points:
 - a. Sub one.
 - b. Sub two.
- 3. Third point.
"""
POINTS_FLAT_LETTERS = """\
Intro paragraph that explains what follows in a few words.

1. First point.
2. Second point with sub-points:
a. Sub one.
b. Sub two.
3. Third point.
"""


@pytest.mark.parametrize("text", [POINTS_INDENTED, POINTS_BULLETED, POINTS_FLAT_LETTERS])
def test_point_nesting_is_the_same_in_every_notation(text: str) -> None:
    parts = parse_body(text.split("\n"))
    assert isinstance(parts.blocks[0], Paragraph)
    points = iter_points(parts.blocks)
    assert [(p.label, p.text) for p in points] == [
        ("1", "First point."),
        ("2", "Second point with sub-points:"),
        ("2a", "Sub one."),
        ("2b", "Sub two."),
        ("3", "Third point."),
    ]
    top = [b for b in parts.blocks if isinstance(b, Point)]
    assert [p.label for p in top] == ["1", "2", "3"]
    assert [c.label for c in top[1].children] == ["2a", "2b"]


def test_a_letter_line_with_no_open_point_is_a_paragraph() -> None:
    parts = parse_body(["a. stray line with a letter."])
    assert parts.blocks == [Paragraph("a. stray line with a letter.")]


def test_wrapped_lines_join_with_single_spaces_and_keep_characters() -> None:
    lines = [
        "The implementation of the “authorization letters” protocol—as the Ministry put it—is not",
        "the main issue,   and from today onwards we need to be more lenient.",
        "",
        "Next paragraph.",
    ]
    parts = parse_body(lines)
    assert parts.blocks[0] == Paragraph(
        "The implementation of the “authorization letters” protocol—as the Ministry put it—is not "
        "the main issue, and from today onwards we need to be more lenient."
    )
    assert parts.blocks[1] == Paragraph("Next paragraph.")


@pytest.mark.parametrize(
    ("line", "value"),
    [
        ("Additional Rush", "Additional Rush"),
        ("Urgent", "Urgent"),
        ("Classification: Urgent", "Urgent"),
        ("TOP SECRET", "TOP SECRET"),
        ("Extra Urgent", "Extra Urgent"),
        ("Flash", "Flash"),
        ("North Korea", None),
        ("Urgent measures are needed.", None),
    ],
)
def test_priority_markings(line: str, value: str | None) -> None:
    assert priority_of(line) == value


def test_lead_tags_priority_addressee_and_tail() -> None:
    lines = [
        "North Korea",
        "China",
        "",
        "Extra Urgent",
        "",
        "To the Foreign Ministry and the International Liaison Department:",
        "",
        "We received your telegram about the border and report the following facts in detail.",
        "",
        "Embassy in Korea",
        "24 March 1962",
    ]
    parts = parse_body(lines, allow_tags=True)
    assert parts.tags == ["North Korea", "China"]
    assert parts.priority == "Extra Urgent"
    assert parts.addressee == "To the Foreign Ministry and the International Liaison Department:"
    assert parts.signatories == ["Embassy in Korea"]
    assert parts.closing_date is not None and parts.closing_date.text == "24 March 1962"
    assert len(parts.blocks) == 1


def test_tags_are_only_read_when_allowed() -> None:
    parts = parse_body(["North Korea", "", "A paragraph that is long enough to be body text here."])
    assert parts.tags == []
    assert parts.blocks[0] == Paragraph("North Korea")


def test_short_body_lines_alone_are_not_signatories() -> None:
    parts = parse_body(["Ministry of Foreign Affairs", "", "Ministry of Public Security"])
    assert parts.signatories == []
    assert len(parts.blocks) == 2
