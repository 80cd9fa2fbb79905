"""Family F, structured records (FORMATS.md "F. Structured record").

The same fields as separate values, in a JSON object or a CSV row: title, date, description/summary,
citation/source, credits, language, subjects, places, people, text (plus, where given, funders,
record_id/id and url). Text goes through the body parser, credits through :mod:`.credits`, the
citation through :mod:`.citation`. A value of the wrong type is refused naming the field.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Mapping
from typing import Any

from ..errors import SourceError
from .body import clean, parse_body
from .credits import parse_credits, split_funders
from .dates import parse_date
from .fields import add_funders, apply_body, apply_citation, apply_credits, warn_missing
from .record import Record, SourceInfo

TEXT_FIELDS = ("title", "date", "description", "summary", "citation", "source", "credits", "language",
               "text", "url", "rights")  # fmt: skip
LIST_FIELDS = ("subjects", "places", "people", "funders")
ID_FIELDS = ("record_id", "id")
KNOWN = frozenset(TEXT_FIELDS + LIST_FIELDS + ID_FIELDS)


def _text(data: Mapping[str, Any], name: str, path: str) -> str | None:
    value = data.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise SourceError(path, f"field {name!r} must be a string, not {type(value).__name__}")
    return value.strip() or None


def _list(data: Mapping[str, Any], name: str, path: str) -> list[str]:
    value = data.get(name)
    if value is None:
        return []
    if isinstance(value, str):
        return [v.strip() for v in re.split(r"[;|]", value) if v.strip()]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return [v.strip() for v in value if v.strip()]
    raise SourceError(
        path, f"field {name!r} must be a list of strings or a string, not {type(value).__name__}"
    )


def _record_id(data: Mapping[str, Any], path: str) -> str | None:
    for name in ID_FIELDS:
        value = data.get(name)
        if isinstance(value, bool) or not isinstance(value, str | int | type(None)):
            raise SourceError(
                path, f"field {name!r} must be a string or a number, not {type(value).__name__}"
            )
        if value is not None and str(value).strip():
            return str(value).strip()
    return None


def record_from_mapping(data: Mapping[str, Any], source: SourceInfo) -> Record:
    """Build a Record from one structured record (a JSON object or a CSV row)."""
    path = source.path
    record = Record(source=source, layout="F")
    record.title = _text(data, "title", path)
    date_text = _text(data, "date", path)
    if date_text:
        record.date = parse_date(date_text)
        if record.date is None:
            record.warnings.append(f"date not understood: {date_text!r}")
    record.summary = _text(data, "summary", path) or _text(data, "description", path)
    record.original_language = _text(data, "language", path)
    record.rights = _text(data, "rights", path)
    record.url = _text(data, "url", path)
    record.record_id = _record_id(data, path)
    record.tags = _list(data, "subjects", path) + _list(data, "places", path)
    people = _list(data, "people", path)
    if people:
        record.warnings.append(f"people not kept (no Record field): {', '.join(people)}")
    add_funders(record, [f for item in _list(data, "funders", path) for f in split_funders(item)])
    citation = _text(data, "citation", path) or _text(data, "source", path)
    if citation:
        apply_citation(record, citation)
    credits = _text(data, "credits", path)
    if credits:
        apply_credits(record, parse_credits(credits))
    text = _text(data, "text", path)
    if text:
        apply_body(record, parse_body(text.split("\n"), allow_tags=False))
    unknown = sorted(set(data) - KNOWN)
    if unknown:
        record.warnings.append(f"unknown fields ignored: {', '.join(map(str, unknown))}")
    warn_missing(record)
    return record


def read_json(text: str, source: SourceInfo, many: bool) -> list[Record]:
    """Records from a JSON file: one object, or (with ``many``) a list of objects."""
    path = source.path
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SourceError(path, f"not valid JSON: {exc.msg} (column {exc.colno})", line=exc.lineno) from None
    except RecursionError:
        raise SourceError(path, "not valid JSON: nested too deeply") from None
    if isinstance(data, dict):
        return [record_from_mapping(data, source)]
    if isinstance(data, list):
        if not many:
            raise SourceError(
                path, f"a JSON list of {len(data)} records: give one object per file, or use read_many"
            )
        if not data:
            raise SourceError(path, "an empty JSON list: no records")
        records = []
        for number, item in enumerate(data, start=1):
            if not isinstance(item, dict):
                raise SourceError(
                    path, f"item {number} of the JSON list is {type(item).__name__}, not an object"
                )
            records.append(record_from_mapping(item, _part(source, f"item={number}")))
        return records
    raise SourceError(path, f"a JSON {type(data).__name__}, not an object with the record's fields")


def read_csv(text: str, source: SourceInfo, many: bool) -> list[Record]:
    """Records from a CSV file with a header row: the first data row, or (with ``many``) every row."""
    path = source.path
    reader = csv.DictReader(io.StringIO(text))
    try:
        header = reader.fieldnames or []
        if not KNOWN & {clean(h).lower() for h in header}:
            raise SourceError(
                path, "CSV header names none of the record fields (title, date, text, ...)", line=1
            )
        rows = []
        for row in reader:
            rows.append({clean(k).lower(): v for k, v in row.items() if isinstance(k, str)})
            if not many and len(rows) > 1:
                break
    except csv.Error as exc:
        raise SourceError(path, f"not valid CSV: {exc}", line=reader.line_num) from None
    if not rows:
        raise SourceError(path, "CSV file has a header but no data rows")
    if not many:
        record = record_from_mapping(rows[0], source)
        if len(rows) > 1:
            record.warnings.append("CSV file has more rows: only the first was read (use read_many)")
        return [record]
    return [record_from_mapping(row, _part(source, f"row={n}")) for n, row in enumerate(rows, start=1)]


def _part(source: SourceInfo, fragment: str) -> SourceInfo:
    return SourceInfo(f"{source.path}#{fragment}", source.sha256, source.size)
