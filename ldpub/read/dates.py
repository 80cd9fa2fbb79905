"""Dates as the captures write them (FORMATS.md, "Dates seen").

Every form becomes a :class:`DateValue` whose ``begin``/``end`` bound the whole period the text names:
a day, a month ("April 1976") or a year ("1962"), never a made-up day. Editorial brackets
("6 March [1962]") are stripped for parsing and kept in ``text``. Two-digit years are 19yy.
"""

from __future__ import annotations

import calendar
import re
from datetime import datetime

from .record import DateValue, Precision

_MONTHS = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6,
    "july": 7, "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8,
    "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
_ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5, "VI": 6, "VII": 7, "VIII": 8, "IX": 9, "X": 10,
          "XI": 11, "XII": 12}  # fmt: skip


def _month_alternation() -> str:
    """Month names in Title case or CAPITALS ("May" the verb is lower case in running text)."""
    names = sorted(_MONTHS, key=len, reverse=True)
    forms = [n.capitalize() for n in names] + [n.upper() for n in names]
    return "|".join(forms)


_MON = rf"\[?(?P<{{g}}>{_month_alternation()})\.?\]?"
_DAY = r"\[?(?P<{g}>[0-3]?\d)\]?"
_YEAR4 = r"\[?(?P<{g}>1\d{{3}}|20\d{{2}})\]?"
_ORD = r"(?:\s?(?:st|nd|rd|th))?"
_B = r"(?<![\w/.\-])"  # left boundary
_E = r"(?![\w/]|\.\d)"  # right boundary

_FORMS: list[tuple[str, str]] = [
    # "1980 October 31"
    ("ymd", _YEAR4.format(g="y1") + r"\s+" + _MON.format(g="m1") + r"\s+" + _DAY.format(g="d1")),
    # "March 24, 1962", "April 14th, 1978", "September 01, 1975"
    ("mdy", _MON.format(g="m2") + r"\s+" + _DAY.format(g="d2") + _ORD + r",?\s+" + _YEAR4.format(g="y2")),
    # "24 March 1962", "6 March [1962]", "28 th September, 1955"
    (
        "dmy",
        _DAY.format(g="d3")
        + _ORD
        + r"\s+(?:of\s+)?"
        + _MON.format(g="m3")
        + r",?\s+"
        + _YEAR4.format(g="y3"),
    ),
    # "10/14/50" (US month/day/year)
    ("us", r"(?P<m4>[01]?\d)/(?P<d4>[0-3]?\d)/(?P<y4>\d{2}|\d{4})"),
    # "24.III.50"
    ("roman", r"(?P<d5>[0-3]?\d)\.(?P<m5>XII|XI|X|IX|VIII|VII|VI|V|IV|III|II|I)\.(?P<y5>\d{2}|\d{4})"),
    # "13.10.50"
    ("dot", r"(?P<d6>[0-3]?\d)\.(?P<m6>[01]?\d)\.(?P<y6>\d{2}|\d{4})"),
    # "April 1976"
    ("my", _MON.format(g="m7") + r",?\s+" + _YEAR4.format(g="y7")),
]
_YEAR_ONLY = re.compile(r"\[?(?P<y>1\d{3}|20\d{2})\]?")
_ANY = re.compile(_B + "(?:" + "|".join(f"(?P<{name}>{rx})" for name, rx in _FORMS) + ")" + _E)


def _year(text: str) -> int:
    value = int(text)
    return 1900 + value if len(text) == 2 else value


def _month(text: str) -> int:
    if text in _ROMAN:
        return _ROMAN[text]
    if text.isdigit():
        return int(text)
    return _MONTHS[text.lower().rstrip(".")]


_GROUPS = {"ymd": "1", "mdy": "2", "dmy": "3", "us": "4", "roman": "5", "dot": "6", "my": "7"}


def _value(match: re.Match[str]) -> DateValue | None:
    kind = match.lastgroup
    if kind is None:
        return None
    n = _GROUPS[kind]
    year = _year(match.group("y" + n))
    month = _month(match.group("m" + n))
    text = match.group(0)
    if kind == "my":
        return _span(text, year, month, None)
    return _span(text, year, month, int(match.group("d" + n)))


def _span(text: str, year: int, month: int | None, day: int | None) -> DateValue | None:
    """The DateValue covering a day, a month or a year; None when the date does not exist."""
    precision: Precision
    try:
        if month is None:
            begin, end, precision = datetime(year, 1, 1), datetime(year, 12, 31, 23, 59, 59), "year"
        elif day is None:
            last = calendar.monthrange(year, month)[1]
            begin, end, precision = datetime(year, month, 1), datetime(year, month, last, 23, 59, 59), "month"
        else:
            begin, end, precision = datetime(year, month, day), datetime(year, month, day, 23, 59, 59), "day"
    except (ValueError, calendar.IllegalMonthError):
        return None
    return DateValue(text, begin, end, precision)


def parse_date(text: str) -> DateValue | None:
    """Parse a whole string as one date; None if it is not exactly a date (or does not exist).

    >>> d = parse_date("March 24, 1962")
    >>> d.begin.isoformat(), d.end.isoformat(), d.precision
    ('1962-03-24T00:00:00', '1962-03-24T23:59:59', 'day')
    >>> d = parse_date("April 1976")
    >>> d.begin.isoformat(), d.end.isoformat(), d.precision
    ('1976-04-01T00:00:00', '1976-04-30T23:59:59', 'month')
    >>> parse_date("1962").end.isoformat()
    '1962-12-31T23:59:59'
    >>> d = parse_date("6 March [1962]")
    >>> d.text, d.begin.date().isoformat()
    ('6 March [1962]', '1962-03-06')
    >>> forms = ["10/14/50", "13.10.50", "24.III.50", "1980 October 31", "28 th September, 1955",
    ...          "April 14th, 1978"]
    >>> [parse_date(t).begin.date().isoformat() for t in forms]
    ['1950-10-14', '1950-10-13', '1950-03-24', '1980-10-31', '1955-09-28', '1978-04-14']
    >>> parse_date("February 30, 1962") is None, parse_date("the 23rd") is None
    (True, True)
    """
    stripped = text.strip()
    year = _YEAR_ONLY.fullmatch(stripped)
    if year:
        return _span(stripped, int(year.group("y")), None, None)
    match = _ANY.fullmatch(stripped)
    return _value(match) if match else None


def find_dates(text: str, include_years: bool = False) -> list[tuple[int, int, DateValue]]:
    """Dates inside running text as ``(start, end, value)``, left to right, not overlapping.

    Bare years ("in 1966") are found only with ``include_years``: in running text most four-digit
    numbers are not dates.

    >>> [(s, v.text) for s, _, v in find_dates("received your telegram dated 6 March [1962].")]
    [(29, '6 March [1962]')]
    >>> [v.text for _, _, v in find_dates("Sent on 10/14/50 at 03:15; directive dated 13.10.50.")]
    ['10/14/50', '13.10.50']
    >>> [v.text for _, _, v in find_dates("in 1966 and in 1967", include_years=True)]
    ['1966', '1967']
    """
    pattern = _ANY_WITH_YEARS if include_years else _ANY
    found = []
    for match in pattern.finditer(text):
        value = _value(match) if match.lastgroup != "year" else _year_value(match)
        if value is not None:
            found.append((match.start(), match.end(), value))
    return found


def _year_value(match: re.Match[str]) -> DateValue | None:
    return _span(match.group(0), int(match.group("yy")), None, None)


_ANY_WITH_YEARS = re.compile(
    _B
    + "(?:"
    + "|".join(f"(?P<{name}>{rx})" for name, rx in _FORMS)
    + r"|(?P<year>\[?(?P<yy>1\d{3}|20\d{2})\]?)"
    + ")"
    + _E
)
