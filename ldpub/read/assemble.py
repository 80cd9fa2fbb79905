"""Group records into documents (FORMATS.md, "Transcript only").

A transcript-only record is matched to the page record whose body it transcribes: both bodies are
normalised (quotes, dashes, case, white space; list markers are already gone from parsed points;
editorial brackets are kept) and cut into word 5-grams; the transcript joins the page holding at least
80% of its shingles. An inverted index from shingle to pages keeps this near linear in the number of
records. Page records of the same document (same reference and pages, or same record id) merge too.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from .record import Block, Point, Record, iter_points

TRANSCRIPT = "transcript"
_LAYOUT_RANK = {"A": 0, "B": 1, "D": 2, "C": 3, "F": 4, "E": 5}
_QUOTES = str.maketrans({"’": "'", "‘": "'", "‛": "'", "′": "'", "“": '"', "”": '"', "„": '"', "″": '"'})
_DASHES = re.compile(r"[\u2010-\u2015\u2212-]")
_TOKEN = re.compile(r"[\w'\[\]]+")
_POSTINGS_CAP = 200
_CANDIDATES = 5


@dataclass
class DocumentSources:
    """One document and the records that capture it; ``primary`` is ``sources[0]``."""

    primary: Record
    sources: list[Record]
    warnings: list[str] = field(default_factory=list)


def normalise(text: str) -> list[str]:
    """Comparable words: quotes and dashes unified, case folded, brackets kept.

    >>> normalise("Pak’s “authorization letters” in [North] Korea—especially")
    ["pak's", 'authorization', 'letters', 'in', '[north]', 'korea', 'especially']
    """
    text = _DASHES.sub(" ", text.translate(_QUOTES).lower())
    return _TOKEN.findall(text)


def body_words(record: Record) -> list[str]:
    """The words of what a record transcribes: addressee, paragraphs, points, signatories."""
    texts = [record.addressee or ""]
    for block in record.body:
        texts.append(block.text)
        if isinstance(block, Point):
            texts += [child.text for child in iter_points(list[Block](block.children))]
    texts += record.signatories
    return normalise(" ".join(texts))


def shingles(words: list[str], size: int = 5) -> set[tuple[str, ...]]:
    """Word n-grams (the whole text when shorter than ``size``).

    >>> sorted(shingles(["a", "b", "c"], 2))
    [('a', 'b'), ('b', 'c')]
    """
    if len(words) < size:
        return {tuple(words)} if words else set()
    return {tuple(words[i : i + size]) for i in range(len(words) - size + 1)}


class _Union:
    def __init__(self, size: int) -> None:
        self.parent = list(range(size))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def join(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _identity_keys(record: Record) -> list[str]:
    keys = []
    if record.reference and record.pages:
        keys.append("ref:" + " ".join(f"{record.reference} {record.pages}".lower().split()))
    if record.record_id:
        keys.append("id:" + record.record_id.strip().lower())
    return keys


def group_documents(records: list[Record], threshold: float = 0.8, size: int = 5) -> list[DocumentSources]:
    """Group records into documents, primary first, sorted by the primary's source path."""
    records = sorted(records, key=lambda r: r.source.path)
    union = _Union(len(records))
    pages = [i for i, r in enumerate(records) if r.layout != TRANSCRIPT]
    seen: dict[str, int] = {}
    for i in pages:
        for key in _identity_keys(records[i]):
            union.join(seen.setdefault(key, i), i)
    page_shingles = {i: shingles(body_words(records[i]), size) for i in pages}
    index: dict[tuple[str, ...], list[int]] = {}
    for i in pages:
        for shingle in page_shingles[i]:
            index.setdefault(shingle, []).append(i)
    unmatched: dict[int, str] = {}
    for t, record in enumerate(records):
        if record.layout != TRANSCRIPT:
            continue
        match, score = _best_page(shingles(body_words(record), size), index, page_shingles)
        if match is not None and score >= threshold:
            union.join(match, t)
        else:
            unmatched[t] = (
                f"{record.source.path}: transcript matches no page record "
                f"(best share of shared word 5-grams {score:.2f}); kept as its own document"
            )
    return _collect(records, union, unmatched)


def _best_page(
    wanted: set[tuple[str, ...]],
    index: dict[tuple[str, ...], list[int]],
    page_shingles: dict[int, set[tuple[str, ...]]],
) -> tuple[int | None, float]:
    """The page holding the largest share of ``wanted`` shingles, checked exactly for a few candidates."""
    if not wanted:
        return None, 0.0
    counts: Counter[int] = Counter()
    for shingle in wanted:
        counts.update(index.get(shingle, [])[:_POSTINGS_CAP])
    best: tuple[int | None, float] = (None, 0.0)
    for page, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:_CANDIDATES]:
        score = len(wanted & page_shingles[page]) / len(wanted)
        if score > best[1]:
            best = (page, score)
    return best


def _collect(records: list[Record], union: _Union, unmatched: dict[int, str]) -> list[DocumentSources]:
    groups: dict[int, list[int]] = {}
    for i in range(len(records)):
        groups.setdefault(union.find(i), []).append(i)
    documents = []
    for members in groups.values():
        primary = min(members, key=lambda i: _primary_rank(records[i]))
        others = [records[i] for i in members if i != primary]
        warnings = [unmatched[i] for i in members if i in unmatched]
        documents.append(DocumentSources(records[primary], [records[primary], *others], warnings))
    return sorted(documents, key=lambda d: d.primary.source.path)


def _primary_rank(record: Record) -> tuple[int, int, int, str]:
    """Pages before transcripts; then fewest warnings, the richer layout, the path."""
    return (
        record.layout == TRANSCRIPT,
        len(record.warnings),
        _LAYOUT_RANK.get(record.layout, 9),
        record.source.path,
    )
