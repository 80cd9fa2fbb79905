"""Grouping records into documents: transcripts join their page; same-document pages merge."""

from __future__ import annotations

import random
import time
from pathlib import Path

from ldpub.read import group_documents, read_bytes, read_path
from ldpub.read.assemble import DocumentSources
from ldpub.read.record import Paragraph, Point, Record, SourceInfo

CAPTURES = Path(__file__).parent / "data" / "captures"


def record(path: str, layout: str, body: list[Paragraph | Point], **fields: str) -> Record:
    r = Record(SourceInfo(path, "", 0), layout, body=list(body))
    for name, value in fields.items():
        setattr(r, name, value)
    return r


def test_unmatched_transcript_is_its_own_document_with_a_warning() -> None:
    page = read_path(CAPTURES / "000_020ce75d772fb1c8.txt")
    stranger = read_bytes(
        b"Comrade Ambassador,\n\n"
        b"We have received the shipment of grain and thank the fraternal people for it.\n",
        "stranger.txt",
    )
    assert stranger.layout == "transcript"
    documents = group_documents([page, stranger])
    assert [d.primary.source.path for d in documents] == sorted([page.source.path, "stranger.txt"])
    lonely = next(d for d in documents if d.primary is stranger)
    assert lonely.sources == [stranger]
    assert lonely.warnings and "matches no page" in lonely.warnings[0]


def test_pages_with_the_same_reference_and_pages_merge() -> None:
    a = record("b.txt", "A", [Paragraph("one")], reference="PRC FMA 1", pages="4-6")
    d = record("a.txt", "D", [Paragraph("two")], reference="PRC FMA 1", pages="4-6")
    other = record("c.txt", "A", [Paragraph("three")], reference="PRC FMA 1", pages="7")
    documents = group_documents([a, d, other])
    assert len(documents) == 2
    merged = documents[0]
    assert merged.primary is a  # the current layout wins over the older one
    assert merged.sources == [a, d]


def test_a_reference_without_pages_does_not_merge() -> None:
    ref = "Archive of the Romanian Ministry of Foreign Affairs"
    x = record("x.txt", "E", [Paragraph("x")], reference=ref)
    y = record("y.txt", "E", [Paragraph("y")], reference=ref)
    assert len(group_documents([x, y])) == 2


def test_pages_with_the_same_record_id_merge() -> None:
    e = record("e.txt", "E", [Paragraph("x")], record_id="116709")
    f = record("f.json", "F", [Paragraph("y")], record_id="116709")
    (document,) = group_documents([f, e])
    assert isinstance(document, DocumentSources)
    assert [s.source.path for s in document.sources] == ["f.json", "e.txt"]


VOCABULARY = [f"w{i}" for i in range(5000)]


def _words(rng: random.Random, n: int) -> str:
    return " ".join(rng.choices(VOCABULARY, k=n)) + "."


def test_thousands_of_records_group_fast_and_deterministically() -> None:
    rng = random.Random(7)
    pages = [
        record(f"p{i:05d}.txt", "A", [Paragraph(_words(rng, 80)), Point("1", _words(rng, 40))])
        for i in range(3000)
    ]
    transcripts = []
    for i in range(0, 3000, 3):
        source = pages[i]
        body = [Paragraph(source.body[0].text.upper()), Point("1", source.body[1].text.replace(" ", "  "))]
        transcripts.append(record(f"t{i:05d}.txt", "transcript", body))
    started = time.perf_counter()
    documents = group_documents(transcripts + pages)
    elapsed = time.perf_counter() - started
    assert elapsed < 10
    assert len(documents) == 3000
    assert all(d.primary.layout == "A" for d in documents)
    assert [d.primary.source.path for d in documents] == sorted(p.source.path for p in pages)
    assert documents[0].sources[1].source.path == "t00000.txt"
    assert documents == group_documents(list(reversed(transcripts + pages)))
