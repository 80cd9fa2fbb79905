"""A build: sources → records → linked documents → RDF → SHACL → a new published release.

Everything is checked before anything is written to the store; the store's staging area is replaced
atomically only after every document graph conforms. A failing build leaves the published dataset
exactly as it was and says why.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from rdflib import Graph

from . import dumps, history
from .errors import SourceError, ValidationFailed
from .link import LinkedDocument, link_documents, load_authority
from .model import (
    GRAPH_BUILD,
    GRAPH_ENTITIES,
    GRAPH_VOCABULARY,
    Uris,
    build_graph,
    document_graph,
    entities_graph,
    vocabulary_graph,
)
from .read import group_documents, read_path
from .read.record import Record
from .settings import Settings
from .store import ReleaseInfo, new_build_id, stage_for
from .validate import Report, load_shapes, validate

SOURCE_SUFFIXES = (".txt", ".json", ".csv")
Progress = Callable[[str, int, int], None]


@dataclass
class BuildReport:
    release: ReleaseInfo
    documents: int
    sources: int
    entities: int
    annotations: int
    figures: int
    skipped: list[SourceError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)


def source_files(folder: Path) -> list[Path]:
    """The capture files in ``folder`` (recursively), in a stable order."""
    if not folder.is_dir():
        raise SourceError(str(folder), "sources folder not found")
    files = sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in SOURCE_SUFFIXES)
    if not files:
        raise SourceError(str(folder), f"no source files ({', '.join(SOURCE_SUFFIXES)}) in this folder")
    return files


def read_sources(
    files: list[Path], on_error: str, progress: Progress | None = None
) -> tuple[list[Record], list[SourceError]]:
    records: list[Record] = []
    skipped: list[SourceError] = []
    for n, path in enumerate(files, start=1):
        try:
            records.append(read_path(path))
        except SourceError as exc:
            if on_error == "fail":
                raise
            skipped.append(exc)
        if progress:
            progress("read", n, len(files))
    return records, skipped


def _check(report: Report, what: str) -> None:
    if not report.conforms:
        count = len(report.violations)
        raise ValidationFailed(f"{what}: {count} SHACL violation(s); nothing was published", report.text)


def build(settings: Settings, progress: Progress | None = None) -> BuildReport:
    """Build the dataset from ``settings.sources`` and publish it into ``settings.store``."""
    started = datetime.now(UTC)
    clock = time.perf_counter()
    seconds: dict[str, float] = {}

    def lap(step: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        seconds[step] = seconds.get(step, 0.0) + now - clock
        clock = now

    authority = load_authority(settings.authorities)
    shapes = load_shapes(settings.shapes)
    records, skipped = read_sources(source_files(settings.sources), settings.on_source_error, progress)
    if not records:
        raise SourceError(str(settings.sources), "no source could be read; nothing was published")
    lap("read")
    documents = link_documents(group_documents(records), authority)
    lap("link")
    uris = Uris(settings.base_uri)
    entities = entities_graph(authority, uris)
    vocabulary = vocabulary_graph(authority, uris)
    context = entities + vocabulary
    rules = tuple((r.contains, r.uri) for r in settings.rights_rules)
    graphs: list[tuple[LinkedDocument, Graph]] = []
    for n, doc in enumerate(documents, start=1):
        graphs.append((doc, document_graph(doc, uris, rules)))
        if progress:
            progress("model", n, len(documents))
    lap("model")
    warnings = [f"{d.slug}: {w}" for d in documents for w in (*d.record.warnings, *d.warnings)]
    _check(validate(context, shapes), "entities and vocabulary")
    for n, (doc, graph) in enumerate(graphs, start=1):
        report = validate(graph + context, shapes)
        sources = ", ".join(r.source.path for r in doc.sources.sources)
        _check(report, f"document {doc.slug} (from {sources})")
        warnings.extend(f"{doc.slug}: {w.message}" for w in report.warnings)
        if progress:
            progress("validate", n, len(graphs))
    lap("validate")
    build_id = new_build_id()
    provenance = build_graph(
        uris,
        build_id,
        started,
        datetime.now(UTC),
        [(d.slug, [r.source for r in d.sources.sources]) for d, _ in graphs],
    )
    with stage_for(settings, build_id) as staging:
        for doc, graph in graphs:
            staging.add_graph(str(uris.document_graph(doc.slug)), _ntriples(graph))
        staging.add_graph(str(uris.graph(GRAPH_ENTITIES)), _ntriples(entities))
        staging.add_graph(str(uris.graph(GRAPH_VOCABULARY)), _ntriples(vocabulary))
        staging.add_graph(str(uris.graph(GRAPH_BUILD)), _ntriples(provenance))
        release = staging.publish()
    lap("load")
    history.record_history(settings, release, dumps.write_dumps(settings, release))
    lap("dumps")
    return BuildReport(
        release=release,
        documents=len(documents),
        sources=len(records),
        entities=sum(1 for e in authority.entries.values() if e.kind in ("person", "group", "place")),
        annotations=sum(len(d.mentions) + len(d.figures) + len(d.references) for d in documents),
        figures=sum(len(d.figures) for d in documents),
        skipped=skipped,
        warnings=warnings,
        seconds=seconds,
    )


def _ntriples(graph: Graph) -> bytes:
    return graph.serialize(format="nt", encoding="utf-8")
