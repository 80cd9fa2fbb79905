"""Every date form of FORMATS.md ("Dates seen") and the period each covers."""

from __future__ import annotations

from datetime import datetime

import pytest

from ldpub.read.dates import find_dates, parse_date


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("March 24, 1962", (1962, 3, 24)),
        ("September 01, 1975", (1975, 9, 1)),
        ("24 March 1962", (1962, 3, 24)),
        ("6 March [1962]", (1962, 3, 6)),
        ("April 14th, 1978", (1978, 4, 14)),
        ("10/14/50", (1950, 10, 14)),
        ("13.10.50", (1950, 10, 13)),
        ("24.III.50", (1950, 3, 24)),
        ("1980 October 31", (1980, 10, 31)),
        ("28 th September, 1955", (1955, 9, 28)),
        ("DECEMBER 27, 1961", (1961, 12, 27)),
        ("Sept. 3, 1950", (1950, 9, 3)),
    ],
)
def test_day_forms_cover_one_whole_day(text: str, day: tuple[int, int, int]) -> None:
    value = parse_date(text)
    assert value is not None
    assert value.precision == "day"
    assert value.begin == datetime(*day, 0, 0, 0)
    assert value.end == datetime(*day, 23, 59, 59)
    assert value.text == text


def test_month_only_covers_the_whole_month() -> None:
    value = parse_date("April 1976")
    assert value is not None
    assert (value.precision, value.begin, value.end) == (
        "month",
        datetime(1976, 4, 1),
        datetime(1976, 4, 30, 23, 59, 59),
    )
    february = parse_date("February 1964")
    assert february is not None and february.end == datetime(1964, 2, 29, 23, 59, 59)


def test_year_only_covers_the_whole_year() -> None:
    value = parse_date("1962")
    assert value is not None
    assert (value.precision, value.begin, value.end) == (
        "year",
        datetime(1962, 1, 1),
        datetime(1962, 12, 31, 23, 59, 59),
    )


def test_editorial_brackets_are_kept_in_the_text() -> None:
    value = parse_date("[1962]")
    assert value is not None and value.text == "[1962]" and value.precision == "year"


@pytest.mark.parametrize(
    "text", ["February 30, 1962", "31.04.50", "13/14/50", "24.XIII.50", "the 23rd", "", "Rush", "March 24"]
)
def test_invalid_or_incomplete_dates_are_none(text: str) -> None:
    assert parse_date(text) is None


def test_find_dates_in_running_text() -> None:
    text = (
        "Sent by wire on 10/14/50 at 03:15 a.m. In accordance with your directive dated 13.10.50 "
        "and your telegram dated 6 March [1962], and on 24.III.50, 1980 October 31 and April 1976."
    )
    found = [(text[s:e], v.begin.date().isoformat()) for s, e, v in find_dates(text)]
    assert found == [
        ("10/14/50", "1950-10-14"),
        ("13.10.50", "1950-10-13"),
        ("6 March [1962]", "1962-03-06"),
        ("24.III.50", "1950-03-24"),
        ("1980 October 31", "1980-10-31"),
        ("April 1976", "1976-04-01"),
    ]


def test_find_dates_skips_numbers_that_are_not_dates() -> None:
    text = "there were 28,028 people; No.76.171; 8 October 1950 11.20; in 1966"
    assert [v.text for _, _, v in find_dates(text)] == ["8 October 1950"]
    assert [v.text for _, _, v in find_dates(text, include_years=True)] == ["8 October 1950", "1966"]


def test_lower_case_may_is_not_a_month() -> None:
    assert list(find_dates("they may 1962 come")) == []
