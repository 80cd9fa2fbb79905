"""Filling a Record from the parts every family shares: body, citation, funders, warnings.

FORMATS.md, "Cut-short and incomplete captures": a reader keeps what is there and lists what it could
not find as warnings; it never invents a value.
"""

from __future__ import annotations

import re

from .body import BodyParts, clean
from .citation import parse_citation
from .credits import Credits, merge_names, split_funders
from .record import Record

_SUPPORT = re.compile(r"^This document was made possible with support from\s+(?P<funders>.+?)\s*\.?$", re.I)
_COMPLETE_END = (".", "!", "?", '"', "”", "’", "'", ")", "]", ":")


def support_funders(line: str) -> list[str] | None:
    """Funders of a credit line, or None if the line is not one.

    >>> support_funders("This document was made possible with support from the Henry Luce Foundation")
    ['Henry Luce Foundation']
    >>> support_funders("North Korea") is None
    True
    """
    match = _SUPPORT.match(line.strip())
    return split_funders(match.group("funders")) if match else None


def ends_mid_text(text: str) -> bool:
    """Whether prose stops without closing punctuation (a capture cut mid-sentence).

    >>> ends_mid_text("not in the spirit of the Moscow Declaration. The"), ends_mid_text("Done.")
    (True, False)
    """
    stripped = text.rstrip()
    return bool(stripped) and not stripped.endswith(_COMPLETE_END)


def apply_body(record: Record, parts: BodyParts) -> None:
    """Copy the parsed body onto the record (tags are added, not replaced)."""
    record.tags.extend(t for t in parts.tags if t not in record.tags)
    record.priority = parts.priority
    record.addressee = parts.addressee
    record.body = parts.blocks
    record.signatories = parts.signatories
    record.closing_date = parts.closing_date
    record.warnings.extend(parts.warnings)


def apply_citation(record: Record, text: str, *, prefer_citation_title: bool = False) -> None:
    """Fill citation, reference, pages, URL, record id, credits (and title/date where missing)."""
    record.citation = clean(text)
    citation = parse_citation(text)
    record.reference = record.reference or citation.reference
    record.pages = record.pages or citation.pages
    record.url = record.url or citation.url
    record.record_id = record.record_id or citation.record_id
    if citation.title and (prefer_citation_title or record.title is None):
        record.title = citation.title
    if citation.date and record.date is None:
        record.date = citation.date
    apply_credits(record, citation.credits)


def apply_credits(record: Record, credits: Credits) -> None:
    """Add the names of parsed credits to the record's credit fields."""
    record.obtained_by = merge_names(record.obtained_by, credits.obtained_by)
    record.translated_by = merge_names(record.translated_by, credits.translated_by)
    record.contributed_by = merge_names(record.contributed_by, credits.contributed_by)
    record.transcribed_by = merge_names(record.transcribed_by, credits.transcribed_by)
    record.credit_for = record.credit_for or credits.credit_for


def add_funders(record: Record, names: list[str]) -> None:
    record.funders = merge_names(record.funders, names)


def warn_missing(record: Record) -> None:
    """Warnings for the fields a publishable record normally has and this capture lacks."""
    checks = [
        (record.title, "no title found"),
        (record.date, "no date found"),
        (record.body, "no body text found"),
        (record.citation, "no citation found"),
        (record.summary, "no summary found"),
        (record.rights, "no rights statement found"),
    ]
    for value, message in checks:
        if not value and message not in record.warnings:
            record.warnings.append(message)
