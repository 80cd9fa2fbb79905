"""The seed telegram: its page (family A) and its bare transcript, read and grouped."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from ldpub.read import group_documents, read_path
from ldpub.read.assemble import normalise
from ldpub.read.record import Paragraph, Point, Record, iter_points, render_text

CAPTURES = Path(__file__).parent / "data" / "captures"
PAGE = CAPTURES / "000_020ce75d772fb1c8.txt"
TRANSCRIPT = CAPTURES / "001_2b4c022557e90890.txt"


@pytest.fixture(scope="module")
def page() -> Record:
    return read_path(PAGE)


@pytest.fixture(scope="module")
def transcript() -> Record:
    return read_path(TRANSCRIPT)


def test_page_header(page: Record) -> None:
    assert page.layout == "A"
    assert page.title == (
        "Telegram from the Ministry of Foreign Affairs and the Ministry of Public Security on the Issue of "
        "Ethnic Koreans Crossing the Border to Korea"
    )
    assert page.date is not None
    assert (page.date.text, page.date.precision) == ("March 24, 1962", "day")
    assert page.date.begin == datetime(1962, 3, 24, 0, 0, 0)
    assert page.date.end == datetime(1962, 3, 24, 23, 59, 59)
    assert page.tags == ["North Korea"]
    assert page.priority == "Additional Rush"
    assert page.addressee == "[To the] [Chinese] Embassy in [North] Korea:"


def test_page_body(page: Record) -> None:
    kinds = [type(b).__name__ for b in page.body]
    assert kinds == ["Paragraph"] * 4 + ["Point"] * 5
    first = page.body[0]
    assert isinstance(first, Paragraph) and first.text == "[We] received your telegram dated 6 March [1962]."
    assert page.body[1].text.startswith("According to [our] initial understanding")
    assert "28,028 people" in page.body[1].text
    assert "work—[we have been] too stringent" in page.body[2].text
    assert "“authorization letters” protocol" in page.body[2].text
    assert page.body[3].text.startswith("Please have Ambassador Hao [Deqing] meet")
    points = [b for b in page.body if isinstance(b, Point)]
    assert [p.label for p in points] == ["1", "2", "3", "4", "5"]
    assert points[0].text.startswith("Since last year, huge numbers")
    assert points[3].text == "Regarding two specific issues, we have the following views:"
    assert [c.label for c in points[3].children] == ["4a", "4b"]
    assert points[3].children[0].text.startswith("For those individuals who have already crossed")
    assert points[3].children[1].text.startswith("For those that have already settled")
    assert points[4].text.startswith("Foreign Minister Pak’s suggestion")
    assert all(not p.children for p in points if p.label != "4")
    assert not any(p.text.startswith(("1.", "2.", "-")) for p in iter_points(page.body))


def test_page_closing(page: Record) -> None:
    assert page.signatories == ["Ministry of Foreign Affairs", "Ministry of Public Security"]
    assert page.closing_date is not None
    assert page.closing_date.text == "24 March 1962"
    assert page.closing_date.begin == datetime(1962, 3, 24)
    assert page.summary is not None
    assert page.summary.startswith("The Ministries of Foreign Affairs and Public Security announces that")


def test_page_document_information(page: Record) -> None:
    assert page.citation == (
        "PRC FMA 118-01025-02, 4-6. Obtained by Shen Zhihua and translated by Jeffrey Wang and Charles Kraus."
    )
    assert (page.reference, page.pages) == ("PRC FMA 118-01025-02", "4-6")
    assert page.obtained_by == ["Shen Zhihua"]
    assert page.translated_by == ["Jeffrey Wang", "Charles Kraus"]
    assert page.contributed_by == page.transcribed_by == []
    assert page.funders == ["MacArthur Foundation", "Leon Levy Foundation"]
    assert page.rights is not None
    assert page.rights.startswith("The History and Public Policy Program welcomes")
    assert "[email\xa0protected]" in page.rights
    assert page.record_id is None
    assert page.url is None
    assert page.warnings == []


def test_rendered_text_has_the_citable_spans(page: Record) -> None:
    text, spans = render_text(page)
    keys = [s.key for s in spans]
    assert keys[:3] == ["priority", "addressee", "p1"]
    assert {"1", "4", "4a", "4b", "5", "signatories", "closing-date"} <= set(keys)
    span = {s.key: s for s in spans}["4b"]
    assert text[span.start : span.end].startswith("b. For those that have already settled")


def test_transcript_has_the_same_telegram(page: Record, transcript: Record) -> None:
    assert transcript.layout == "transcript"
    assert transcript.tags == ["North Korea"]
    assert transcript.priority == page.priority
    assert transcript.addressee == page.addressee
    assert transcript.signatories == page.signatories
    assert transcript.closing_date == page.closing_date
    assert [type(b) for b in transcript.body] == [type(b) for b in page.body]
    assert [p.label for p in iter_points(transcript.body)] == [p.label for p in iter_points(page.body)]
    for mine, theirs in zip(transcript.body, page.body, strict=True):
        assert normalise(mine.text) == normalise(theirs.text)
    for mine, theirs in zip(iter_points(transcript.body), iter_points(page.body), strict=True):
        assert normalise(mine.text) == normalise(theirs.text)
    assert transcript.title is None and transcript.citation is None


def test_transcript_and_page_are_one_document(page: Record, transcript: Record) -> None:
    documents = group_documents([transcript, page])
    assert len(documents) == 1
    assert documents[0].primary is page
    assert documents[0].sources == [page, transcript]
    assert documents[0].warnings == []
