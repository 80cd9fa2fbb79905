"""Readers: source captures to typed :class:`~ldpub.read.record.Record` objects.

``read_path``/``read_bytes`` read one capture (a text capture of any FORMATS.md family, a ``.json``
object or the first data row of a ``.csv``); ``read_many`` reads every record of a JSON list or CSV
file; ``group_documents`` groups records into documents (a transcript joins the page it transcribes).
Anything that is not a capture raises :class:`~ldpub.errors.SourceError` naming the file.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from ..errors import SourceError
from .assemble import DocumentSources, group_documents
from .decode import DEFAULT_MAX_BYTES, check_size, decode
from .older import read_older
from .page import detect_layout, read_page, read_transcript
from .printed import read_printed
from .record import Record, SourceInfo
from .structured import read_csv, read_json

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DocumentSources",
    "Record",
    "SourceError",
    "group_documents",
    "read_bytes",
    "read_many",
    "read_many_bytes",
    "read_path",
]


def _source(data: bytes, path: str) -> SourceInfo:
    return SourceInfo(path, hashlib.sha256(data).hexdigest(), len(data))


def _read(data: bytes, path: str, many: bool, max_bytes: int) -> list[Record]:
    text, warnings = decode(data, path, max_bytes)
    source = _source(data, path)
    suffix = Path(path).suffix.lower()
    if suffix == ".json":
        records = read_json(text, source, many)
    elif suffix == ".csv":
        records = read_csv(text, source, many)
    else:
        records = [_read_capture(text, source)]
    for record in records:
        record.warnings[:0] = warnings
    return records


def _read_capture(text: str, source: SourceInfo) -> Record:
    layout, reason = detect_layout(text)
    if layout is None:
        raise SourceError(source.path, f"unknown layout: {reason}")
    record = Record(source=source, layout=layout)
    if layout == "D":
        read_older(text, record)
    elif layout == "E":
        read_printed(text, record)
    elif layout == "transcript":
        read_transcript(text, record)
    else:
        read_page(text, record)
    return record


def read_bytes(data: bytes, path: str, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Record:
    """Read one record from the bytes of a file named ``path`` (its suffix picks JSON or CSV).

    A JSON list is refused (use :func:`read_many`); of a CSV file the first data row is read.
    """
    return _read(data, path, False, max_bytes)[0]


def read_many_bytes(data: bytes, path: str, *, max_bytes: int = DEFAULT_MAX_BYTES) -> list[Record]:
    """Every record of a file: each item of a JSON list, each CSV row, or the one capture."""
    return _read(data, path, True, max_bytes)


def _load(path: Path | str, max_bytes: int) -> bytes:
    try:
        check_size(Path(path).stat().st_size, str(path), max_bytes)
        return Path(path).read_bytes()
    except OSError as exc:
        raise SourceError(str(path), f"cannot read: {exc.strerror or exc}") from None


def read_path(path: Path | str, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Record:
    """Read one record from a file (see :func:`read_bytes`)."""
    return read_bytes(_load(path, max_bytes), str(path), max_bytes=max_bytes)


def read_many(path: Path | str, *, max_bytes: int = DEFAULT_MAX_BYTES) -> list[Record]:
    """Read every record of a file (see :func:`read_many_bytes`)."""
    return read_many_bytes(_load(path, max_bytes), str(path), max_bytes=max_bytes)
