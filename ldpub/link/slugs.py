"""Slugs: the stable last part of a minted URI, derived from content, never from file order."""

from __future__ import annotations

import re
import unicodedata


def slugify(text: str) -> str:
    """Lower-case ASCII words joined by hyphens.

    >>> slugify("PRC FMA 118-01025-02")
    'prc-fma-118-01025-02'
    >>> slugify("TsAMO RF, fond 5, opis 918795")
    'tsamo-rf-fond-5-opis-918795'
    >>> slugify("Pak Sŏng-ch'ŏl")
    'pak-song-ch-ol'
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def document_slug(reference: str | None, record_id: str | None, source_name: str) -> str:
    """The slug of a document: its archival reference, else its record number, else its file name.

    >>> document_slug("PRC FMA 118-01025-02", None, "000.txt")
    'prc-fma-118-01025-02'
    >>> document_slug(None, "155255", "004.txt")
    'record-155255'
    """
    if reference and slugify(reference):
        return slugify(reference)[:120].rstrip("-")
    if record_id and slugify(record_id):
        return "record-" + slugify(record_id)
    stem = source_name.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return "source-" + (slugify(stem) or "unnamed")
