"""Credit formulas of FORMATS.md ("Credit formulas seen") and funder lists."""

from __future__ import annotations

import pytest

from ldpub.read.credits import parse_credits, split_funders, split_names


def roles(text: str) -> tuple[list[str], list[str], list[str], list[str], str | None]:
    c = parse_credits(text)
    return c.obtained_by, c.translated_by, c.contributed_by, c.transcribed_by, c.credit_for


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Obtained by Shen Zhihua and translated by Jeffrey Wang and Charles Kraus.",
            (["Shen Zhihua"], ["Jeffrey Wang", "Charles Kraus"], [], [], None),
        ),
        (
            "Translated by Gary Goldberg and Sergey Radchenko.",
            ([], ["Gary Goldberg", "Sergey Radchenko"], [], [], None),
        ),
        ("Translated for NKIDP by James F. Person.", ([], ["James F. Person"], [], [], "NKIDP")),
        (
            "Obtained and translated for NKIDP by Balazs Szalontai.",
            (["Balazs Szalontai"], ["Balazs Szalontai"], [], [], "NKIDP"),
        ),
        (
            "Obtained for NKIDP by Eliza Gheorghe and translated for NKIDP by Eliza Gheorghe and "
            "Irina Stanciu.",
            (["Eliza Gheorghe"], ["Eliza Gheorghe", "Irina Stanciu"], [], [], "NKIDP"),
        ),
        (
            "Obtained by the Institute for Far Eastern Studies, Kyungnam University, and translated "
            "by Jane Doe.",
            (["the Institute for Far Eastern Studies, Kyungnam University"], ["Jane Doe"], [], [], None),
        ),
        (
            "Obtained by Korea Institute for National Unification, Seoul, South Korea, and translated "
            "by Jae Kim.",
            (["Korea Institute for National Unification, Seoul, South Korea"], ["Jae Kim"], [], [], None),
        ),
        (
            "Contributed by Bernd Schaefer and translated by Karen Riechert.",
            ([], ["Karen Riechert"], ["Bernd Schaefer"], [], None),
        ),
        (
            "Contributed, transcribed, and translated by Gregg Brazinsky.",
            ([], ["Gregg Brazinsky"], ["Gregg Brazinsky"], ["Gregg Brazinsky"], None),
        ),
        (
            "Translated by Jeffrey Wang, Charles Kraus, and Sergey Radchenko.",
            ([], ["Jeffrey Wang", "Charles Kraus", "Sergey Radchenko"], [], [], None),
        ),
        ("PRC FMA 118-01025-02, 4-6.", ([], [], [], [], None)),
        ("", ([], [], [], [], None)),
    ],
)
def test_credit_formulas(text: str, expected: tuple[list[str], ...]) -> None:
    assert roles(text) == expected


def test_a_body_line_naming_a_note_taker_is_not_a_credit() -> None:
    assert parse_credits("Translator and Documentation: Ri Chang-ho").is_empty()


def test_credit_stops_at_the_url() -> None:
    text = "Translated by Stephen Mercado. https://digitalarchive.wilsoncenter.org/document/155255"
    assert parse_credits(text).translated_by == ["Stephen Mercado"]


def test_organisations_are_never_split_on_commas() -> None:
    assert split_names("the Woodrow Wilson Center, Washington, D.C.") == [
        "the Woodrow Wilson Center, Washington, D.C"
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("MacArthur Foundation and Leon Levy Foundation", ["MacArthur Foundation", "Leon Levy Foundation"]),
        (
            "MacArthur Foundation\xa0 and Leon Levy Foundation",
            ["MacArthur Foundation", "Leon Levy Foundation"],
        ),
        ("John D. and Catherine T. MacArthur Foundation", ["John D. and Catherine T. MacArthur Foundation"]),
        ("the Henry Luce Foundation", ["Henry Luce Foundation"]),
        (
            "MacArthur Foundation, Leon Levy Foundation, and Henry Luce Foundation",
            ["MacArthur Foundation", "Leon Levy Foundation", "Henry Luce Foundation"],
        ),
        (
            "John D. and Catherine T. MacArthur Foundation and Leon Levy Foundation",
            ["John D. and Catherine T. MacArthur Foundation", "Leon Levy Foundation"],
        ),
    ],
)
def test_split_funders(text: str, expected: list[str]) -> None:
    assert split_funders(text) == expected
