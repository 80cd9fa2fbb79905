"""The citation paragraph: title, date, archival reference and pages, credits, URL and record id.

FORMATS.md, families A and B: "PRC FMA 118-01025-02, 4-6. Obtained by ... and translated by ...".
Families D and E: ``"<Title>," <Date>, History and Public Policy Program Digital Archive, <archive
reference>. <credits>. <URL>`` with straight or curly quotes and the comma inside or outside the
closing quote; the record number is the last part of the URL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from .credits import Credits, credit_start, parse_credits
from .dates import parse_date
from .record import DateValue

_URL = re.compile(r"https?://[^\s<>\"“”]+")
_QUOTED_TITLE = re.compile(r"^[\"“](?P<title>.+?)(?:,\s*[\"”]|[\"”]\s*,)\s*")
_PUBLISHER = re.compile(r",\s*(?:[\w ]{0,80}?)Digital Archive\s*,\s*", re.IGNORECASE)
_LIST = re.compile(r",\s*(?:list|listy|l\.|ll\.)\s*(?P<pages>\d+[a-z]?(?:\s*[-–]\s*\d+[a-z]?)?)$", re.I)
_PAGES = re.compile(
    r"^(?P<ref>.+?),\s*(?:pp?\.\s*)?(?P<pages>\d+[a-z]?(?:\s*[-–]\s*\d+[a-z]?)?(?:\s*,\s*\d+(?:\s*[-–]\s*\d+)?)*)$"
)


@dataclass
class Citation:
    text: str
    title: str | None = None
    date: DateValue | None = None
    reference: str | None = None
    pages: str | None = None
    url: str | None = None
    record_id: str | None = None
    credits: Credits = field(default_factory=Credits)


def record_id_from_url(url: str) -> str | None:
    """The record number: the last path segment of a Digital Archive URL.

    >>> record_id_from_url("https://digitalarchive.wilsoncenter.org/document/155255")
    '155255'
    >>> record_id_from_url("https://example.org/") is None
    True
    >>> record_id_from_url("http://digitalarchiveNorth]") is None  # not a URL urlsplit accepts
    True
    """
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. "Invalid IPv6 URL" for a stray bracket in the host (found by fuzzing)
        return None
    segments = [s for s in parts.path.split("/") if s]
    if "digitalarchive" not in parts.netloc.lower() or not segments:
        return None
    return segments[-1]


def split_reference(archival: str) -> tuple[str | None, str | None]:
    """Split an archival string into reference and pages.

    >>> split_reference("PRC FMA 118-01025-02, 4-6.")
    ('PRC FMA 118-01025-02', '4-6')
    >>> split_reference("TsAMO RF, fond 5, opis 918795, delo 121, list 720.")
    ('TsAMO RF, fond 5, opis 918795, delo 121, list 720', '720')
    >>> split_reference("Archive of the Romanian Ministry of Foreign Affairs.")
    ('Archive of the Romanian Ministry of Foreign Affairs', None)
    """
    archival = " ".join(archival.split()).rstrip(" .,;")
    if not archival:
        return None, None
    listed = _LIST.search(archival)
    if listed:
        return archival, listed.group("pages")
    paged = _PAGES.match(archival)
    if paged and not re.search(r"(?:fond|opis|delo|f\.|op\.|d\.)$", paged.group("ref"), re.I):
        return paged.group("ref"), paged.group("pages")
    return archival, None


def parse_citation(text: str) -> Citation:
    """Parse a citation paragraph of any family.

    >>> c = parse_citation('"Cable, \\'Son\\'," December 27, 1961, History and Public Policy Program '
    ...     'Digital Archive, PRC FMA 106-00579-16, 58-59. Translated by Stephen Mercado. '
    ...     'https://digitalarchive.wilsoncenter.org/document/155255')
    >>> c.title, c.date.text, c.reference, c.pages, c.record_id, c.credits.translated_by
    ("Cable, 'Son'", 'December 27, 1961', 'PRC FMA 106-00579-16', '58-59', '155255', ['Stephen Mercado'])
    """
    text = " ".join(text.split())
    citation = Citation(text=text)
    rest = text
    url = _URL.search(rest)
    if url:
        citation.url = url.group(0).rstrip(".,;)")
        citation.record_id = record_id_from_url(citation.url)
        rest = (rest[: url.start()] + rest[url.end() :]).strip()
    quoted = _QUOTED_TITLE.match(rest)
    if quoted:
        citation.title = quoted.group("title").strip().rstrip(",")
        rest = rest[quoted.end() :]
        publisher = _PUBLISHER.search(rest)
        if publisher:
            citation.date = parse_date(rest[: publisher.start()])
            rest = rest[publisher.end() :]
    start = credit_start(rest)
    archival = rest if start is None else rest[:start]
    citation.reference, citation.pages = split_reference(archival)
    if start is not None:
        citation.credits = parse_credits(rest[start:])
    return citation
