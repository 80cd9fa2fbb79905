"""Group records into documents (FORMATS.md, "Transcript only").

A transcript-only record is matched to the page record whose body it transcribes: both bodies are
normalised (quotes, dashes, case, white space; list markers are already gone from parsed points;
editorial brackets are kept) and cut into word 5-grams; the transcript joins the page holding at least
80% of its shingles. An inverted index from shingle to pages keeps this near linear in the number of
records. Page records of the same document (same reference and pages, or same record id) merge too.

Grouping works on :class:`Summary` values (identity keys, rank, shingle *hashes*), so a build can read
its sources in worker processes and keep only summaries in the main process, never whole records.
"""

from __future__ import annotations

import hashlib
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


def shingle_hashes(words: list[str], size: int = 5) -> frozenset[int]:
    """The shingles of ``words`` as stable 64-bit hashes (the same in every process and run).

    Grouping compares hashes, not word tuples, so a build's workers can send them to the main process
    in little space. A 64-bit collision between two 5-grams is too rare to move an 80% share.

    >>> shingle_hashes(["a", "b", "c"], 2) == shingle_hashes(["a", "b", "c"], 2)
    True
    >>> len(shingle_hashes(["a", "b", "c"], 2))
    2
    """
    return frozenset(
        int.from_bytes(hashlib.blake2b("\x1f".join(s).encode(), digest_size=8).digest(), "big")
        for s in shingles(words, size)
    )


@dataclass(frozen=True)
class Summary:
    """What grouping needs of a record: a few hundred bytes, however long the record.

    ``shingles`` are the record's body shingle hashes (:func:`shingle_hashes`); a build leaves them out
    (``None``) for pages until it knows there are transcripts to match, then keeps only the ones that
    occur in some transcript.
    """

    path: str
    layout: str
    keys: tuple[str, ...]
    rank: tuple[int, int, int, str]
    reference: str | None
    record_id: str | None
    pages: str | None
    shingles: frozenset[int] | None = None

    @property
    def is_transcript(self) -> bool:
        return self.layout == TRANSCRIPT


def summarise(record: Record, *, with_shingles: bool = True, size: int = 5) -> Summary:
    """The :class:`Summary` of ``record``."""
    return Summary(
        path=record.source.path,
        layout=record.layout,
        keys=tuple(_identity_keys(record)),
        rank=_primary_rank(record),
        reference=record.reference,
        record_id=record.record_id,
        pages=record.pages,
        shingles=shingle_hashes(body_words(record), size) if with_shingles else None,
    )


@dataclass(frozen=True)
class Group:
    """One document: indexes into the summaries given to :func:`group_summaries`, primary first."""

    members: tuple[int, ...]
    warnings: tuple[str, ...] = ()


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
    groups = group_summaries([summarise(r, size=size) for r in records], threshold)
    return [
        DocumentSources(records[g.members[0]], [records[i] for i in g.members], list(g.warnings))
        for g in groups
    ]


def group_summaries(summaries: list[Summary], threshold: float = 0.8) -> list[Group]:
    """Group summarised records into documents (see the module doc), sorted by the primary's path.

    Memory is that of the summaries plus an index of the page shingles that some transcript has: a
    corpus without transcripts builds no index at all.
    """
    order = sorted(range(len(summaries)), key=lambda i: summaries[i].path)
    ranked = [summaries[i] for i in order]
    union = _Union(len(ranked))
    pages = [i for i, r in enumerate(ranked) if not r.is_transcript]
    seen: dict[str, int] = {}
    for i in pages:
        for key in ranked[i].keys:
            union.join(seen.setdefault(key, i), i)
    unmatched: dict[int, str] = {}
    transcripts = [t for t, r in enumerate(ranked) if r.is_transcript]
    if transcripts:
        wanted_any = frozenset().union(*(ranked[t].shingles or () for t in transcripts))
        page_shingles = {i: (ranked[i].shingles or frozenset()) & wanted_any for i in pages}
        index: dict[int, list[int]] = {}
        for i in pages:
            for shingle in page_shingles[i]:
                index.setdefault(shingle, []).append(i)
        for t in transcripts:
            match, score = _best_page(ranked[t].shingles or frozenset(), index, page_shingles)
            if match is not None and score >= threshold:
                union.join(match, t)
            else:
                unmatched[t] = (
                    f"{ranked[t].path}: transcript matches no page record "
                    f"(best share of shared word 5-grams {score:.2f}); kept as its own document"
                )
    found: dict[int, list[int]] = {}
    for i in range(len(ranked)):
        found.setdefault(union.find(i), []).append(i)
    result = []
    for members in found.values():
        primary = min(members, key=lambda i: ranked[i].rank)
        ordered = [primary, *(i for i in members if i != primary)]
        warnings = tuple(unmatched[i] for i in members if i in unmatched)
        result.append(Group(tuple(order[i] for i in ordered), warnings))
    return sorted(result, key=lambda g: summaries[g.members[0]].path)


def _best_page(
    wanted: frozenset[int], index: dict[int, list[int]], page_shingles: dict[int, frozenset[int]]
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


def _primary_rank(record: Record) -> tuple[int, int, int, str]:
    """Pages before transcripts; then fewest warnings, the richer layout, the path."""
    return (
        record.layout == TRANSCRIPT,
        len(record.warnings),
        _LAYOUT_RANK.get(record.layout, 9),
        record.source.path,
    )
