"""The per-document work of a build, run in each worker process (issue 6, "Build").

:func:`init_worker` loads what every document needs once per process (authority, shapes, the small
validation context). The main process never holds the records themselves:

1. :func:`summarise_chunk` reads source files and returns a small :class:`~ldpub.read.assemble.Summary` of
   each (with its shingle hashes only when it is a transcript);
2. :func:`page_shingles_chunk`, only when there are transcripts, reads pages again and returns those of
   their shingle hashes that some transcript has;
3. :func:`process_chunk` reads each document's files again (reading costs ~1 ms a file) and links,
   models, validates and serialises them; it returns N-Triples bytes (the document graph and its part of
   the build graph) and the little the main process keeps (counts, warnings, the persons and groups
   minted from credit lines, the first violation). Minting is deterministic (kind and key come from the
   name), so the main process merges what the workers minted, in document order. It also counts the
   chunk's graphs for the release's VoID statistics (:class:`ldpub.statistics.Counts`: numbers that add up
   across documents, and the hashes of the chunk's distinct subjects and objects).
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from array import array
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph

from .errors import SourceError
from .link import LinkedDocument, Linker, load_authority
from .link.authority import Authority, Entry
from .model import Uris, document_graph, document_provenance, entities_graph, vocabulary_graph
from .model.entities import _entity
from .read import DocumentSources, read_path
from .read.assemble import Summary, body_words, shingle_hashes, summarise
from .read.record import Record, SourceInfo
from .settings import Settings
from .statistics import Counts, PackedCounts, TermKeys
from .validate import Context, Report, load_shapes, validate_documents


@dataclass
class DocumentResult:
    slug: str
    sources: list[SourceInfo]
    ntriples: bytes
    provenance: bytes
    warnings: list[str]
    annotations: int
    figures: int


@dataclass
class ChunkResult:
    documents: list[DocumentResult] = field(default_factory=list)
    minted: list[Entry] = field(default_factory=list)
    violation: tuple[str, Report] | None = None
    seconds: dict[str, float] = field(default_factory=dict)
    statistics: PackedCounts | None = None
    """What the chunk's document graphs and their part of the build graph add to the VoID statistics."""


class WorkerState:
    """What a worker loads once: the authority (with what it mints), shapes, URIs and the context."""

    def __init__(self, settings: Settings) -> None:
        self.authority: Authority = load_authority(settings.authorities)
        self.linker = Linker(self.authority)
        self.shapes = load_shapes(settings.shapes)
        self.uris = Uris(settings.base_uri)
        self.rules = tuple((r.contains, r.uri) for r in settings.rights_rules)
        self.context = Context(
            [entities_graph(self.authority, self.uris), vocabulary_graph(self.authority, self.uris)]
        )
        self.keys = TermKeys()

    def link(self, sources: DocumentSources, slug: str) -> tuple[LinkedDocument, list[Entry]]:
        """Link one document; the entries it minted are added to the context too."""
        before = len(self.authority.entries)
        doc = self.linker.link(sources, slug)
        minted = list(self.authority.entries.values())[before:]
        if minted:
            graph = Graph()
            for entry in minted:
                _entity(graph, self.uris, self.authority, entry)
            self.context.add(graph)
        return doc, minted


_STATE: WorkerState | None = None


def init_worker(settings: Settings) -> None:
    """Pool initializer (also called once for an in-process build)."""
    global _STATE
    _exit_with_parent()
    _STATE = WorkerState(settings)


def _exit_with_parent() -> None:
    """In a pool worker: exit as soon as the build process is gone (killed, even by SIGKILL), so no
    worker lingers as an orphan (issue 7; tests/test_reliability.py). Nothing in an in-process build."""
    if multiprocessing.parent_process() is None:
        return
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.25)
        os._exit(1)

    threading.Thread(target=watch, name="ldpub-exit-with-parent", daemon=True).start()


def read_chunk(paths: list[str]) -> list[Record | SourceError]:
    """Read files; an unreadable one comes back as its (re-built) error, never raised here."""
    out: list[Record | SourceError] = []
    for path in paths:
        try:
            out.append(read_path(Path(path)))
        except SourceError as error:
            out.append(_PicklableSourceError(error.path, error.reason, error.line))
    return out


def summarise_chunk(paths: list[str]) -> list[Summary | SourceError]:
    """Read files into summaries (shingle hashes for transcripts only); errors come back, not raised."""
    return [
        r if isinstance(r, SourceError) else summarise(r, with_shingles=r.layout == "transcript")
        for r in read_chunk(paths)
    ]


_WANTED: tuple[str, frozenset[int]] | None = None


def page_shingles_chunk(task: tuple[str, list[str]]) -> list[frozenset[int]]:
    """``(wanted_file, page paths)`` → each page's shingle hashes that are in the wanted set.

    The wanted set (every transcript's shingle hashes, as native 64-bit integers) is read from
    ``wanted_file`` once per process.
    """
    global _WANTED
    wanted_file, paths = task
    if _WANTED is None or _WANTED[0] != wanted_file:
        _WANTED = (wanted_file, frozenset(array("Q", Path(wanted_file).read_bytes())))
    wanted = _WANTED[1]
    return [shingle_hashes(body_words(_reread(path))) & wanted for path in paths]


def _reread(path: str) -> Record:
    """A source read again after the first pass; one that no longer reads fails the build clearly."""
    try:
        return read_path(Path(path))
    except SourceError as error:
        reason = f"changed while the build ran: {error.reason}"
        raise _PicklableSourceError(error.path, reason, error.line) from None


class _PicklableSourceError(SourceError):
    """A :class:`SourceError` that survives the trip back from a worker process."""

    def __reduce__(self) -> tuple[type[SourceError], tuple[str, str, int | None]]:
        return SourceError, (self.path, self.reason, self.line)


@dataclass(frozen=True)
class DocumentTask:
    """One document to make: its source files (primary first), grouping warnings and slug."""

    paths: tuple[str, ...]
    warnings: tuple[str, ...]
    slug: str


def process_chunk(task: tuple[str, list[DocumentTask]]) -> ChunkResult:
    """``(build_id, documents)``: read, link, model, validate and serialise; stops at a violation."""
    state = _STATE
    assert state is not None, "init_worker() was not called in this process"
    build_id, documents = task
    result = ChunkResult()
    seconds = {"reread": 0.0, "link": 0.0, "model": 0.0, "validate": 0.0, "serialise": 0.0, "statistics": 0.0}
    clock = time.perf_counter()

    def lap(step: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        seconds[step] += now - clock
        clock = now

    linked: list[tuple[LinkedDocument, Graph]] = []
    for document in documents:
        records = [_reread(path) for path in document.paths]
        sources = DocumentSources(records[0], records, list(document.warnings))
        lap("reread")
        doc, minted = state.link(sources, document.slug)
        result.minted.extend(minted)
        lap("link")
        linked.append((doc, document_graph(doc, state.uris, state.rules)))
        lap("model")
    batch = validate_documents([(doc.slug, graph) for doc, graph in linked], state.context, state.shapes)
    lap("validate")
    if batch.failed is not None:
        doc = next(d for d, _ in linked if d.slug == batch.failed)
        paths = ", ".join(r.source.path for r in doc.sources.sources)
        result.violation = (f"document {doc.slug} (from {paths})", batch.report)
        result.seconds = seconds
        return result
    for doc, graph in linked:
        warnings = [f"{doc.slug}: {w}" for w in (*doc.record.warnings, *doc.warnings)]
        warnings += [f"{doc.slug}: {w.message}" for w in batch.warnings.get(doc.slug, [])]
        result.documents.append(
            DocumentResult(
                slug=doc.slug,
                sources=[r.source for r in doc.sources.sources],
                ntriples=graph.serialize(format="nt", encoding="utf-8"),
                provenance=document_provenance(
                    state.uris, build_id, doc.slug, [r.source for r in doc.sources.sources]
                ).serialize(format="nt", encoding="utf-8"),
                warnings=warnings,
                annotations=len(doc.mentions) + len(doc.figures) + len(doc.references),
                figures=len(doc.figures),
            )
        )
    lap("serialise")
    counts = Counts()
    for doc, graph in linked:
        counts.add_example(graph, state.uris.id("document", doc.slug))
    parts = (part for made in result.documents for part in (made.ntriples, made.provenance))
    counts.add_graphs(parts, state.keys, f"{state.uris.base}/id/")
    result.statistics = counts.packed()
    lap("statistics")
    result.seconds = seconds
    return result
