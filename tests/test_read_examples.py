"""The real captures of families A, B, D and E (several cut short) and a family C staging copy."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from ldpub.read import read_bytes, read_many, read_path
from ldpub.read.record import Paragraph, Point, iter_points

CAPTURES = Path(__file__).parent / "data" / "captures"


def capture(prefix: str) -> Path:
    return next(CAPTURES.glob(prefix + "_*.txt"))


def test_004_older_layout_cut_short() -> None:
    r = read_path(capture("004"))
    assert r.layout == "D"
    assert (
        r.title
        == "Cable from the Chinese Embassy in North Korea, 'Premier Kim’s Son on Soviet-Albanian Relations'"
    )
    assert r.date is not None and r.date.begin == datetime(1961, 12, 27) and r.date.precision == "day"
    assert r.record_id == "155255"
    assert r.url == "https://digitalarchive.wilsoncenter.org/document/155255"
    assert (r.reference, r.pages) == ("PRC FMA 106-00579-16", "58-59")
    assert r.translated_by == ["Stephen Mercado"]
    assert r.obtained_by == []
    assert r.funders == ["Henry Luce Foundation"]
    assert r.summary == (
        "The Chinese Embassy in Pyongyang conveys comments that Kim Jong Il made to a Chinese student "
        "in the DPRK."
    )
    assert r.citation is not None and r.citation.startswith('"Cable from the Chinese Embassy')
    assert r.priority == "Urgent"
    assert r.addressee == (
        "To the Foreign Ministry and the International Liaison Department, Central Committee, "
        "Communist Party of China:"
    )
    last = r.body[-1]
    assert isinstance(last, Paragraph)
    assert last.text.startswith("Premier Kim’s eldest son, Kim Jong Il")
    assert "revisionism. The Soviet representative" in last.text  # double space collapsed
    assert last.text.endswith("talking about disarmament as central to world peace. The")
    assert "capture ends mid-text" in r.warnings
    assert "no rights statement found" in r.warnings
    assert not any("get citation" in b.text or "CITATION" in b.text for b in r.body)


def test_006_current_page_complete() -> None:
    r = read_path(capture("006"))
    assert r.layout == "A"
    assert r.title == "Telegram from Shtykov to USSR Council of Ministers"
    assert r.date is not None and r.date.begin == datetime(1950, 10, 8)
    assert r.tags == []
    assert r.translated_by == ["James F. Person"]
    assert r.credit_for == "NKIDP"
    assert r.obtained_by == []
    assert r.reference == "TsAMO RF, fond 5, opis 918795, delo 121, list 720"
    assert r.pages == "720"
    assert r.funders == ["Leon Levy Foundation"]
    assert r.summary is not None
    assert r.summary.startswith("Telegram from the Ambassador of the USSR in the DPRK to the chairman")
    assert iter_points(r.body) == []
    assert r.body[0] == Paragraph("No. 1443")
    assert Paragraph("Kim Il Sung exclaimed “now our future is clear.”") in r.body
    assert r.rights is not None and r.rights.endswith("[email protected].")
    assert r.record_id is None and r.url is None
    assert r.warnings == []


def test_007_labelled_page_cut_short() -> None:
    r = read_path(capture("007"))
    assert r.layout == "B"
    assert r.title == "Ciphered Telegram, Shtykov to Feng Xi (Stalin)"
    assert (
        r.date is not None
        and r.date.begin == datetime(1950, 10, 14)
        and r.date.end == datetime(1950, 10, 14, 23, 59, 59)
    )
    assert r.reference == "APRF, fond 45, opis 1, delo 335, list 3"
    assert r.pages == "3"
    assert r.citation == "APRF, fond 45, opis 1, delo 335, list 3."
    assert r.rights is not None and r.rights.endswith("HAPP@wilsoncenter.org.")
    assert r.signatories == ["S H T Y K O V"]
    assert r.closing_date is not None and r.closing_date.text == "14 October 1950"
    assert r.summary is not None and r.summary.startswith("Shtykov describes the reactions of Kim Il Sung")
    assert Paragraph("FENG XI [STALIN]") in r.body
    assert r.translated_by == [] and r.funders == [] and r.record_id is None
    assert any("Original Uploaded Date" in w and "cut short" in w for w in r.warnings)
    assert any("Record ID" in w for w in r.warnings)


def test_015_printed_pdf_cut_short() -> None:
    r = read_path(capture("015"))
    assert r.layout == "E"
    assert r.title == "Telegram from Pyongyang to Bucharest, No.76.171, TOP SECRET, May 20, 1967"
    assert r.date is not None and r.date.begin == datetime(1967, 5, 20)
    assert r.original_language == "Romanian"
    assert r.obtained_by == ["Eliza Gheorghe"]
    assert r.translated_by == ["Eliza Gheorghe"]
    assert r.record_id == "116709"
    assert r.url == "http://digitalarchive.wilsoncenter.org/document/116709"
    assert r.reference == "Archive of the Romanian Ministry of Foreign Affairs"
    assert r.pages is None
    assert r.summary == "A description of the deteriorating relationship between North Korea and China."
    assert r.body[0] == Paragraph("Regarding your telegram no. 08/00316:")
    point = r.body[1]
    assert isinstance(point, Point) and point.label == "1"
    assert point.text.startswith("As we have already informed you, Sino-Korean relations")
    assert point.text.endswith("the level of diplomatic represen")
    assert "capture ends mid-text" in r.warnings


def test_compact_copy_ignores_a_leading_blurb_about_another_record() -> None:
    r = read_path(capture("101"))
    assert r.layout == "C"
    assert r.title == "Telegram from Shtykov to USSR Council of Ministers"
    assert r.date is not None and r.date.begin == datetime(1950, 10, 8)
    assert r.summary is not None
    assert r.summary.startswith("Telegram from the Ambassador of the USSR in the DPRK")
    assert "Shtykov describes" not in r.summary
    assert not any("Shtykov describes" in b.text for b in r.body)
    assert r.body[0] == Paragraph("No. 1443")
    assert r.body[-1].text.startswith("Turning to Pak Heon-Yeong")
    assert r.funders == ["Leon Levy Foundation"]
    assert r.citation is None and r.reference is None
    assert "no citation found" in r.warnings
    assert any("blurb" in w for w in r.warnings)
    assert r.rights is not None and r.rights.startswith("The History and Public Policy Program welcomes")


def test_older_layout_without_a_title_line_takes_the_citation_title() -> None:
    data = capture("004").read_bytes()
    heading = (
        "CABLE FROM THE CHINESE EMBASSY IN NORTH KOREA, 'PREMIER KIM’S SON ON SOVIET-ALBANIAN RELATIONS'\n"
    )
    r = read_bytes(data.replace(heading.encode(), b""), "no-title.txt")
    assert r.layout == "D"
    assert (
        r.title
        == "Cable from the Chinese Embassy in North Korea, 'Premier Kim’s Son on Soviet-Albanian Relations'"
    )
    assert r.funders == ["Henry Luce Foundation"]


def test_a_month_only_page_date_covers_the_month() -> None:
    data = capture("000").read_bytes().replace(b"March 24, 1962\n", b"April 1976\n")
    r = read_bytes(data, "month.txt")
    assert r.date is not None and r.date.precision == "month"
    assert (r.date.begin, r.date.end) == (datetime(1976, 4, 1), datetime(1976, 4, 30, 23, 59, 59))
    assert r.title is not None and r.title.startswith("Telegram from the Ministry")


def test_printed_copy_prefers_the_citation_wording_and_reads_a_credits_label() -> None:
    data = capture("015").read_bytes()
    data = data.replace(
        "Citation: “Telegram from Pyongyang".encode(), "Citation: “Telegram from Korea".encode()
    )
    data = data.replace(b"Summary:", b"Credits: Translated by Jane Roe. Summary:")
    r = read_bytes(data, "e.txt")
    assert r.title == "Telegram from Korea to Bucharest, No.76.171, TOP SECRET, May 20, 1967"
    assert any("citation's wording" in w for w in r.warnings)
    assert r.translated_by == ["Eliza Gheorghe", "Jane Roe"]
    assert r.summary == "A description of the deteriorating relationship between North Korea and China."


def test_read_many_on_a_text_capture_gives_the_one_record() -> None:
    (only,) = read_many(capture("006"))
    assert only.title == "Telegram from Shtykov to USSR Council of Ministers"
