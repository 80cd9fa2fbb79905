"""Family F: structured records given as a JSON object or CSV rows."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from ldpub.errors import SourceError
from ldpub.read import read_bytes, read_many, read_path
from ldpub.read.record import Paragraph, iter_points

RECORD = {
    "title": "Telegram from Shtykov to USSR Council of Ministers",
    "date": "October 8, 1950",
    "description": "Telegram from the Ambassador of the USSR in the DPRK about the leadership's reaction.",
    "citation": "TsAMO RF, fond 5, opis 918795, delo 121, list 720. Translated for NKIDP by James F. Person.",
    "credits": "Obtained by the Institute for Far Eastern Studies, Kyungnam University, and translated "
    "by Jane Roe.",
    "language": "Russian",
    "subjects": ["Korean War, 1950-1953"],
    "places": ["North Korea", "Soviet Union"],
    "people": ["Kim Il Sung"],
    "text": "On 8 October I met with Kim Il Sung and read him your letter.\n\n"
    "1. The first point of the letter.\n2. The second point:\n   a. its first part.\n   b. its second part.",
}


def write(tmp_path: Path, name: str, content: str) -> Path:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return path


def test_json_object(tmp_path: Path) -> None:
    r = read_path(write(tmp_path, "r.json", json.dumps(RECORD)))
    assert r.layout == "F"
    assert r.title == RECORD["title"]
    assert r.date is not None and r.date.begin == datetime(1950, 10, 8)
    assert r.summary == RECORD["description"]
    assert r.original_language == "Russian"
    assert r.reference == "TsAMO RF, fond 5, opis 918795, delo 121, list 720" and r.pages == "720"
    assert r.translated_by == ["James F. Person", "Jane Roe"]
    assert r.credit_for == "NKIDP"
    assert r.obtained_by == ["the Institute for Far Eastern Studies, Kyungnam University"]
    assert r.tags == ["Korean War, 1950-1953", "North Korea", "Soviet Union"]
    assert r.body[0] == Paragraph("On 8 October I met with Kim Il Sung and read him your letter.")
    assert [p.label for p in iter_points(r.body)] == ["1", "2", "2a", "2b"]


def test_json_list_needs_read_many(tmp_path: Path) -> None:
    path = write(tmp_path, "many.json", json.dumps([RECORD, {**RECORD, "title": "Second"}]))
    with pytest.raises(SourceError, match="read_many") as info:
        read_path(path)
    assert str(path) in str(info.value)
    records = read_many(path)
    assert [r.title for r in records] == [RECORD["title"], "Second"]
    assert records[1].source.path == f"{path}#item=2"


@pytest.mark.parametrize(
    ("field", "value"),
    [("title", 5), ("date", ["1950"]), ("subjects", [1, 2]), ("text", {"a": 1}), ("record_id", 1.5)],
)
def test_wrong_types_name_the_field(field: str, value: object) -> None:
    with pytest.raises(SourceError, match=f"'{field}'") as info:
        read_bytes(json.dumps({**RECORD, field: value}).encode(), "bad.json")
    assert "bad.json" in str(info.value)


def test_invalid_json_names_the_line() -> None:
    with pytest.raises(SourceError, match="not valid JSON") as info:
        read_bytes(b'{\n"title": "x",\n}', "broken.json")
    assert info.value.line == 3


def test_json_that_is_not_an_object() -> None:
    with pytest.raises(SourceError, match="not an object"):
        read_bytes(b'"just a string"', "s.json")


def test_csv_rows(tmp_path: Path) -> None:
    content = (
        "title,date,summary,source,credits,language,subjects,places,text\n"
        '"Telegram, first",April 1976,A summary.,"PRC FMA 118-01025-02, 4-6.",Translated by A. B. Cee.,'
        'Chinese,Border;Migration,North Korea|China,"Body paragraph one.\n\n1. Point one."\n'
        "Second,1962,,,,,,,Another body.\n"
    )
    path = write(tmp_path, "rows.csv", content)
    first = read_path(path)
    assert first.title == "Telegram, first"
    assert first.date is not None and first.date.precision == "month"
    assert first.date.end == datetime(1976, 4, 30, 23, 59, 59)
    assert (first.reference, first.pages) == ("PRC FMA 118-01025-02", "4-6")
    assert first.translated_by == ["A. B. Cee"]
    assert first.tags == ["Border", "Migration", "North Korea", "China"]
    assert [p.label for p in iter_points(first.body)] == ["1"]
    assert any("more rows" in w for w in first.warnings)
    rows = read_many(path)
    assert [r.title for r in rows] == ["Telegram, first", "Second"]
    assert rows[1].date is not None and rows[1].date.precision == "year"
    assert rows[1].source.path.endswith("#row=2")


def test_csv_without_known_columns_is_refused() -> None:
    with pytest.raises(SourceError, match="CSV header"):
        read_bytes(b"a,b\n1,2\n", "x.csv")


def test_csv_without_rows_is_refused() -> None:
    with pytest.raises(SourceError, match="no data rows"):
        read_bytes(b"title,date\n", "x.csv")


def test_unparseable_date_is_a_warning_not_a_guess() -> None:
    r = read_bytes(json.dumps({"title": "T", "date": "sometime in spring"}).encode(), "d.json")
    assert r.date is None
    assert any("date not understood" in w for w in r.warnings)
