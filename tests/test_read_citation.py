"""Citation paragraphs: reference, pages, credits, URL and record id (families A, B, D, E)."""

from __future__ import annotations

import pytest

from ldpub.read.citation import parse_citation, record_id_from_url, split_reference


@pytest.mark.parametrize(
    ("text", "reference", "pages"),
    [
        ("PRC FMA 118-01025-02, 4-6.", "PRC FMA 118-01025-02", "4-6"),
        (
            "TsAMO RF, fond 5, opis 918795, delo 121, list 720.",
            "TsAMO RF, fond 5, opis 918795, delo 121, list 720",
            "720",
        ),
        ("APRF, fond 45, opis 1, delo 335, list 3.", "APRF, fond 45, opis 1, delo 335, list 3", "3"),
        (
            "Archive of the Romanian Ministry of Foreign Affairs.",
            "Archive of the Romanian Ministry of Foreign Affairs",
            None,
        ),
        ("RGANI, fond 5, opis 30, delo 335", "RGANI, fond 5, opis 30, delo 335", None),
        ("", None, None),
    ],
)
def test_split_reference(text: str, reference: str | None, pages: str | None) -> None:
    assert split_reference(text) == (reference, pages)


def test_family_a_citation() -> None:
    c = parse_citation(
        "PRC FMA 118-01025-02, 4-6. Obtained by Shen Zhihua and translated by Jeffrey Wang and Charles Kraus."
    )
    assert (c.reference, c.pages, c.title, c.url, c.record_id) == (
        "PRC FMA 118-01025-02",
        "4-6",
        None,
        None,
        None,
    )
    assert c.credits.obtained_by == ["Shen Zhihua"]
    assert c.credits.translated_by == ["Jeffrey Wang", "Charles Kraus"]


@pytest.mark.parametrize(
    "quoted",
    [
        "\"Cable from the Chinese Embassy, 'Premier Kim’s Son',\" December 27, 1961,",
        "“Cable from the Chinese Embassy, 'Premier Kim’s Son',” December 27, 1961,",
        "“Cable from the Chinese Embassy, 'Premier Kim’s Son'”, December 27, 1961,",
    ],
)
def test_family_d_citation_with_either_quotes(quoted: str) -> None:
    c = parse_citation(
        quoted + " History and Public Policy Program Digital Archive, PRC FMA 106-00579-16, 58-59. "
        "Translated by Stephen Mercado. https://digitalarchive.wilsoncenter.org/document/155255"
    )
    assert c.title == "Cable from the Chinese Embassy, 'Premier Kim’s Son'"
    assert c.date is not None and c.date.begin.date().isoformat() == "1961-12-27"
    assert (c.reference, c.pages, c.record_id) == ("PRC FMA 106-00579-16", "58-59", "155255")
    assert c.url == "https://digitalarchive.wilsoncenter.org/document/155255"
    assert c.credits.translated_by == ["Stephen Mercado"]


def test_family_e_citation_with_comma_inside_the_title() -> None:
    c = parse_citation(
        "“Telegram from Pyongyang to Bucharest, No.76.171, TOP SECRET, May 20, 1967,” May 20, 1967, "
        "History and Public Policy Program Digital Archive, Archive of the Romanian Ministry of Foreign "
        "Affairs. Obtained and translated by Eliza Gheorghe. "
        "http://digitalarchive.wilsoncenter.org/document/116709"
    )
    assert c.title == "Telegram from Pyongyang to Bucharest, No.76.171, TOP SECRET, May 20, 1967"
    assert (c.reference, c.pages, c.record_id) == (
        "Archive of the Romanian Ministry of Foreign Affairs",
        None,
        "116709",
    )
    assert c.credits.obtained_by == c.credits.translated_by == ["Eliza Gheorghe"]


def test_record_id_only_from_digital_archive_urls() -> None:
    assert record_id_from_url("https://digitalarchive.wilsoncenter.org/document/116709/") == "116709"
    assert record_id_from_url("https://example.org/document/116709") is None
