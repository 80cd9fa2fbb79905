"""Bytes to text: refuse what is not a text capture, keep everything else as data.

FORMATS.md, "Cut-short and incomplete captures": a reader refuses only what is not a capture at all
(empty, binary, not UTF-8). Everything else is the published text and passes through as written; only
control characters (other than newline and tab) are removed, with a warning naming their lines.
"""

from __future__ import annotations

import re

from ..errors import SourceError

DEFAULT_MAX_BYTES = 5_000_000
_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
# C0 controls except \t and \n, DEL, and C1 controls.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SNIFF = 8192


def check_size(size: int, path: str, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
    """Refuse a file above ``max_bytes`` before reading it all.

    >>> check_size(10, "a.txt", max_bytes=5)
    Traceback (most recent call last):
    ...
    ldpub.errors.SourceError: a.txt: file too large: 10 bytes (limit 5 bytes)
    """
    if size > max_bytes:
        raise SourceError(path, f"file too large: {size} bytes (limit {max_bytes} bytes)")


def _looks_binary(data: bytes) -> bool:
    """NUL bytes anywhere, or (more than one and) over 10% control bytes in the first 8 KB."""
    if b"\x00" in data:
        return True
    head = data[:_SNIFF]
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13))
    return controls > 1 and controls * 10 > len(head)


def _utf8_error(data: bytes, path: str, exc: UnicodeDecodeError) -> SourceError:
    line = data.count(b"\n", 0, exc.start) + 1
    bad = data[exc.start : exc.start + 1].hex()
    return SourceError(path, f"not UTF-8: invalid byte 0x{bad} at byte offset {exc.start}", line=line)


def decode(data: bytes, path: str, max_bytes: int = DEFAULT_MAX_BYTES) -> tuple[str, list[str]]:
    """Decode a capture to text with ``\\n`` line ends; return the text and warnings.

    >>> decode(b"\\xef\\xbb\\xbfA\\r\\nB\\x07C", "x.txt")
    ('A\\nBC', ['control characters removed on line 2'])
    >>> decode(b"  \\n", "x.txt")
    Traceback (most recent call last):
    ...
    ldpub.errors.SourceError: x.txt: empty file
    >>> decode(b"ok\\n\\xff", "x.txt")
    Traceback (most recent call last):
    ...
    ldpub.errors.SourceError: x.txt:2: not UTF-8: invalid byte 0xff at byte offset 3
    """
    check_size(len(data), path, max_bytes)
    if data.startswith(_BOM):
        data = data[len(_BOM) :]
    if not data.strip():
        raise SourceError(path, "empty file")
    if data.startswith(_UTF16_BOMS):
        raise SourceError(path, "not UTF-8: the file starts with a UTF-16 byte order mark")
    if _looks_binary(data):
        raise SourceError(path, "binary data, not a text capture")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _utf8_error(data, path, exc) from None
    text, warnings = _strip_controls(text.replace("\r\n", "\n").replace("\r", "\n"))
    if not text.strip():
        raise SourceError(path, "empty file (only control characters)")
    return text, warnings


def _strip_controls(text: str) -> tuple[str, list[str]]:
    """Remove control characters other than newline and tab, reporting the lines they were on."""
    if not _CONTROL.search(text):
        return text, []
    lines = text.split("\n")
    dirty = [i + 1 for i, line in enumerate(lines) if _CONTROL.search(line)]
    cleaned = "\n".join(_CONTROL.sub("", line) for line in lines)
    shown = ", ".join(str(n) for n in dirty[:10]) + (", …" if len(dirty) > 10 else "")
    plural = "s" if len(dirty) > 1 else ""
    return cleaned, [f"control characters removed on line{plural} {shown}"]
