"""A build: sources → records → linked documents → RDF → SHACL → a new published release.

Everything is checked before anything is published: the documents stream into the store's staging
area as they are validated, and the staging area replaces the published release atomically only after
every document graph conforms. A failing build leaves the published dataset exactly as it was and says
why.

Scale (issue 6, "Build"): reading and the per-document work (read → link → model → validate →
serialise) run in a pool of ``build_workers`` processes (:mod:`ldpub.build_worker`), over chunks of
documents in a stable order. The main process holds a few hundred bytes per source (a
:class:`~ldpub.read.assemble.Summary`, from which it groups records into documents), never the records;
it streams each chunk's N-Quads (document graphs and their part of the build graph) into the staging
store as they arrive, so memory stays flat in the number of documents. The entities and vocabulary
graphs are validated once, each document with the small context it names
(:class:`ldpub.validate.Context`).

The release's VoID statistics are counted on the way (:mod:`ldpub.statistics`): the workers count their
chunks, the main process adds the numbers up and deduplicates the terms on disk (next to the staging
release), and the staging area keeps the result with the release before it is published.
"""

from __future__ import annotations

import dataclasses
import os
import tempfile
import time
from array import array
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from . import history
from .build_worker import (
    ChunkResult,
    DocumentTask,
    WorkerState,
    init_worker,
    page_shingles_chunk,
    process_chunk,
    summarise_chunk,
)
from .errors import LdpubError, SourceError, ValidationFailed
from .link import load_authority
from .link.document import slugs_for
from .model import (
    GRAPH_BUILD,
    GRAPH_ENTITIES,
    GRAPH_VOCABULARY,
    Uris,
    build_activity_graph,
    entities_graph,
    vocabulary_graph,
)
from .read import DocumentSources
from .read.assemble import Summary, group_summaries
from .settings import Settings
from .statistics import Collector, Statistics, statistics_json
from .store import ReleaseInfo, RemoteStaging, new_build_id, stage_for
from .store.embedded import Staging
from .validate import Report, load_shapes, validate

SOURCE_SUFFIXES = (".txt", ".json", ".csv")
Progress = Callable[[str, int, int], None]
CHUNK_DOCUMENTS = 16
READ_CHUNK = 64
"""Files per reading task."""
"""Documents per task of a worker (and per pySHACL run): small enough to stream, big enough to amortise."""
LOAD_BATCH_BYTES = 32 << 20
"""N-Quads gathered before one bulk load into the embedded staging store."""
IN_FLIGHT = 8
"""Tasks submitted to the pool ahead of the one the main process waits for."""
T = TypeVar("T")
R = TypeVar("R")


@dataclass
class BuildReport:
    """What a build made, and where its time went.

    ``seconds`` (issue 6): ``read``, ``group``, ``process`` (the parallel phase), ``load`` (the main
    process's share of it, streaming into the store), ``count`` (the main process's work on the
    statistics: adding up what the workers counted, then deduplicating the terms), ``publish``,
    ``dumps`` and ``total`` are wall-clock seconds; ``reread`` (reading each document's files again),
    ``link``, ``model``, ``validate``, ``serialise`` and ``statistics`` (counting each chunk's graphs)
    are seconds summed over the workers (CPU spent in each step, so they can exceed the wall time of
    ``process`` with several workers).
    """

    release: ReleaseInfo
    documents: int
    sources: int
    entities: int
    annotations: int
    figures: int
    skipped: list[SourceError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)
    workers: int = 1
    statistics: Statistics | None = None
    """The VoID statistics stored with the release."""


def source_files(folder: Path) -> list[Path]:
    """The capture files in ``folder`` (recursively), in a stable order."""
    if not folder.is_dir():
        raise SourceError(str(folder), "sources folder not found")
    files = sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in SOURCE_SUFFIXES)
    if not files:
        raise SourceError(str(folder), f"no source files ({', '.join(SOURCE_SUFFIXES)}) in this folder")
    return files


def read_sources(
    files: list[Path], on_error: str, progress: Progress | None = None, pool: Executor | None = None
) -> tuple[list[Summary], list[SourceError]]:
    """Read every file (in ``pool`` when given) into a :class:`Summary`, in file order.

    ``on_error`` is ``fail`` or ``skip``. Only summaries come back: the records are read again, a chunk
    at a time, when their documents are made, so the main process never holds the corpus.
    """
    summaries: list[Summary] = []
    skipped: list[SourceError] = []
    done = 0
    for chunk in _mapped(pool, summarise_chunk, _chunks([str(p) for p in files], READ_CHUNK)):
        for outcome in chunk:
            if isinstance(outcome, SourceError):
                if on_error == "fail":
                    raise outcome
                skipped.append(outcome)
            else:
                summaries.append(outcome)
            done += 1
            if progress:
                progress("read", done, len(files))
    return summaries, skipped


def _with_page_shingles(summaries: list[Summary], pool: Executor | None) -> list[Summary]:
    """When there are transcripts: give each page the shingle hashes it shares with some transcript."""
    wanted = frozenset().union(*(s.shingles or () for s in summaries if s.is_transcript))
    if not wanted:
        return summaries
    pages = [i for i, s in enumerate(summaries) if not s.is_transcript]
    with tempfile.NamedTemporaryFile(prefix="ldpub-shingles-", suffix=".bin") as handle:
        handle.write(array("Q", sorted(wanted)).tobytes())
        handle.flush()
        tasks = [(handle.name, [summaries[i].path for i in part]) for part in _chunks(pages, READ_CHUNK)]
        found = [shared for chunk in _mapped(pool, page_shingles_chunk, tasks) for shared in chunk]
    result = list(summaries)
    for i, shared in zip(pages, found, strict=True):
        result[i] = dataclasses.replace(summaries[i], shingles=shared)
    return result


def worker_count(settings: Settings) -> int:
    """``build_workers``, or the number of cores this process may use when it is 0."""
    if settings.build_workers > 0:
        return settings.build_workers
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def build(settings: Settings, progress: Progress | None = None) -> BuildReport:
    """Build the dataset from ``settings.sources`` and publish it into ``settings.store``."""
    workers = worker_count(settings)
    if workers == 1:
        init_worker(settings)
        return _build(settings, progress, None, 1)
    try:
        with ProcessPoolExecutor(workers, initializer=init_worker, initargs=(settings,)) as pool:
            return _build(settings, progress, pool, workers)
    except BrokenProcessPool as exc:
        raise LdpubError(
            f"a build worker process died ({exc}); nothing was published (out of memory? try build_workers=1)"
        ) from exc


def _build(settings: Settings, progress: Progress | None, pool: Executor | None, workers: int) -> BuildReport:
    started = datetime.now(UTC)
    begin = clock = time.perf_counter()
    seconds: dict[str, float] = {}

    def lap(step: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        seconds[step] = seconds.get(step, 0.0) + now - clock
        clock = now

    authority = load_authority(settings.authorities)
    shapes = load_shapes(settings.shapes)
    summaries, skipped = read_sources(
        source_files(settings.sources), settings.on_source_error, progress, pool
    )
    if not summaries:
        raise SourceError(str(settings.sources), "no source could be read; nothing was published")
    sources = len(summaries)
    lap("read")
    summaries = _with_page_shingles(summaries, pool)
    groups = group_summaries(summaries)
    primaries = [summaries[g.members[0]] for g in groups]
    slugs = slugs_for([(p.reference, p.record_id, p.path, p.pages) for p in primaries])
    tasks = [
        DocumentTask(tuple(summaries[i].path for i in g.members), g.warnings, slug)
        for g, slug in zip(groups, slugs, strict=True)
    ]
    total = len(tasks)
    del summaries, groups, primaries, slugs
    lap("group")
    uris = Uris(settings.base_uri)
    vocabulary = vocabulary_graph(authority, uris)
    _check(validate(entities_graph(authority, uris) + vocabulary, shapes), "entities and vocabulary")
    build_id = new_build_id()
    pending = deque((build_id, chunk) for chunk in _chunks(tasks, CHUNK_DOCUMENTS))
    del tasks
    warnings: list[str] = []
    counts = {"annotations": 0, "figures": 0}
    with stage_for(settings, build_id) as staging:
        # the statistics' temporary runs: in the staging release (removed with it if the build dies)
        scratch_dir = staging.path if isinstance(staging, Staging) else None
        with tempfile.TemporaryDirectory(prefix=".statistics-", dir=scratch_dir) as scratch:
            loader = _Loader(staging)
            collector = Collector(settings.base_uri, Path(scratch))
            counting = 0.0
            done = 0
            for result in _mapped(pool, process_chunk, _drain(pending)):
                if result.violation is not None:
                    what, report = result.violation
                    _check(report, what)
                for doc in result.documents:
                    loader.add(str(uris.document_graph(doc.slug)), doc.ntriples)
                    loader.add(str(uris.graph(GRAPH_BUILD)), doc.provenance)
                    warnings.extend(doc.warnings)
                    counts["annotations"] += doc.annotations
                    counts["figures"] += doc.figures
                if result.statistics is not None:
                    added = time.perf_counter()
                    collector.add(result.statistics)
                    counting += time.perf_counter() - added
                for entry in result.minted:
                    if authority.find(entry.kind, entry.key) is None:
                        authority.add(entry)
                for step, spent in result.seconds.items():
                    seconds[step] = seconds.get(step, 0.0) + spent
                done += len(result.documents)
                if progress:
                    progress("documents", done, total)
            loader.flush()
            entities = entities_graph(authority, uris)
            if any(entry.minted for entry in authority.entries.values()):
                _check(
                    validate(entities + vocabulary, shapes), "entities (with the names minted from credits)"
                )
            activity = build_activity_graph(uris, build_id, started, datetime.now(UTC))
            made = [(GRAPH_ENTITIES, _ntriples(entities)), (GRAPH_VOCABULARY, _ntriples(vocabulary))]
            made.append((GRAPH_BUILD, _ntriples(activity)))
            for name, ntriples in made:
                loader.add(str(uris.graph(name)), ntriples)
            loader.flush()
            seconds["load"] = loader.seconds
            lap("process")
            for _, ntriples in made:
                collector.add_graph(ntriples)
            del made
            statistics = collector.result()
        if isinstance(staging, Staging | RemoteStaging):
            staging.set_statistics(statistics_json(statistics, build_id))
        lap("count")
        seconds["count"] += counting
        release = staging.publish()
    lap("publish")
    history.record_release(settings, release)  # dumps and change history from one export, at once
    lap("dumps")
    seconds["total"] = time.perf_counter() - begin
    return BuildReport(
        release=release,
        documents=total,
        sources=sources,
        entities=sum(1 for e in authority.entries.values() if e.kind in ("person", "group", "place")),
        annotations=counts["annotations"],
        figures=counts["figures"],
        skipped=skipped,
        warnings=warnings,
        seconds=seconds,
        workers=workers,
        statistics=statistics,
    )


class _Loader:
    """Streams graphs into the staging area: N-Quads gathered into large bulk loads when it is embedded."""

    def __init__(self, staging: object) -> None:
        self.staging = staging
        self.pending: list[bytes] = []
        self.size = 0
        self.seconds = 0.0

    def add(self, graph_iri: str, ntriples: bytes) -> None:
        started = time.perf_counter()
        if isinstance(self.staging, Staging) and hasattr(self.staging, "add_nquads"):
            quads = ntriples.replace(b" .\n", f" <{graph_iri}> .\n".encode())
            self.pending.append(quads)
            self.size += len(quads)
            if self.size >= LOAD_BATCH_BYTES:
                self.flush()
        else:
            self.staging.add_graph(graph_iri, ntriples)  # type: ignore[attr-defined]
        self.seconds += time.perf_counter() - started

    def flush(self) -> None:
        if not self.pending:
            return
        started = time.perf_counter()
        self.staging.add_nquads(b"".join(self.pending))  # type: ignore[attr-defined]
        self.pending, self.size = [], 0
        self.seconds += time.perf_counter() - started


def _check(report: Report, what: str) -> None:
    if not report.conforms:
        count = len(report.violations)
        raise ValidationFailed(f"{what}: {count} SHACL violation(s); nothing was published", report.text)


def _chunks(items: Sequence[T], size: int) -> Iterator[list[T]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


def _drain(queue: deque[T]) -> Iterator[T]:
    """The items of ``queue``, each removed as it is taken (so the queue does not keep it alive)."""
    while queue:
        yield queue.popleft()


def _mapped(pool: Executor | None, function: Callable[[T], R], tasks: Iterable[T]) -> Iterator[R]:
    """``function`` over ``tasks``, in order: in the pool with a few tasks in flight, or in-process.

    The window keeps memory flat: results never pile up faster than the main process consumes them.
    """
    if pool is None:
        for task in tasks:
            yield function(task)
        return
    window: deque[Future[R]] = deque()
    try:
        for task in tasks:
            window.append(pool.submit(function, task))
            if len(window) >= IN_FLIGHT:
                yield window.popleft().result()
        while window:
            yield window.popleft().result()
    finally:
        for future in window:
            future.cancel()


def _ntriples(graph: object) -> bytes:
    data = graph.serialize(format="nt", encoding="utf-8")  # type: ignore[attr-defined]
    assert isinstance(data, bytes)
    return data


__all__ = ["BuildReport", "ChunkResult", "DocumentSources", "WorkerState", "build", "source_files"]
