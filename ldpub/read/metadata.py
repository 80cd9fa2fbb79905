"""The labelled end of a page: "Document Information", "Source", "Rights", "Record ID", funders.

FORMATS.md families A, B and C: after the body and summary come label lines (some with empty values:
"Associated Places", "Author(s):", ...), the citation paragraph (after "Document Information", or
after a "Source" label in B), the rights paragraph(s) (after a "Rights" label in B), "Original
Uploaded Date" and "Record ID" whose values may be empty, and a final funder line.
"""

from __future__ import annotations

import re

from .body import clean
from .credits import split_funders
from .fields import add_funders, apply_citation, ends_mid_text
from .record import Record

LABELS = {
    "document information": "info",
    "source": "source",
    "rights": "rights",
    "original uploaded date": "uploaded",
    "record id": "record_id",
    "original language": "language",
    "associated people & organizations": "other",
    "associated people and organizations": "other",
    "associated places": "other",
    "associated topics": "other",
    "author(s)": "other",
    "subjects discussed": "other",
    "related documents": "other",
    "original archive": "other",
}
_RIGHTS = re.compile(r"welcomes reuse|rights status|copyright|^To enquire about", re.IGNORECASE)
_ID = re.compile(r"^(?=\S*\d)[\w.\-/]{1,40}$")
_UPLOADED = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[ T][\d:]+)?$")


def label_of(line: str) -> str | None:
    """The section a label line opens, or None.

    >>> label_of("Document Information"), label_of("Author(s):"), label_of("North Korea")
    ('info', 'other', None)
    """
    return LABELS.get(clean(line).rstrip(":").strip().lower())


def first_label(lines: list[str], start: int = 0) -> int | None:
    """Index of the first label line at or after ``start``."""
    for index in range(start, len(lines)):
        if label_of(lines[index]):
            return index
    return None


def is_rights(text: str) -> bool:
    return bool(_RIGHTS.search(text))


def read_metadata(lines: list[str], record: Record) -> None:
    """Fill citation, rights, record id, language and funders from the labelled end of a page."""
    section = "info"
    citation: list[str] = []
    rights: list[str] = []
    funders: list[str] = []
    labels_seen: set[str] = set()
    last_prose: str | None = None
    for line in lines:
        text = clean(line)
        if not text:
            continue
        label = label_of(text)
        if label:
            section = label
            labels_seen.add(label)
            last_prose = None
            continue
        last_prose = None
        if section == "record_id":
            if record.record_id is None and not funders and _ID.match(text):
                record.record_id = text
            else:
                funders.append(text)
        elif section == "uploaded" and re.match(r"^\d{4}-", text):
            if not _UPLOADED.match(text):
                record.warnings.append(
                    f"Original Uploaded Date value is cut short ({text!r}): capture ends mid-text"
                )
        elif section == "language" and record.original_language is None:
            record.original_language = text
        elif section == "rights" or is_rights(text):
            rights.append(text)
            last_prose = text
        elif section in ("info", "source") and not rights:
            citation.append(text)
            last_prose = text
    if citation:
        apply_citation(record, " ".join(citation))
    if rights:
        record.rights = "\n\n".join(rights)
    for line in funders:
        add_funders(record, split_funders(line))
    if "record_id" not in labels_seen:
        record.warnings.append("no Record ID label: the capture may be cut short")
    if last_prose is not None and ends_mid_text(last_prose):
        record.warnings.append("capture ends mid-text")
