"""Operations on the published dataset: validate it again, export it, count it."""

from __future__ import annotations

import sys
from contextlib import closing
from pathlib import Path

from rdflib import Graph

from .model import GRAPH_ENTITIES, GRAPH_VOCABULARY
from .settings import Settings
from .store import DatasetStore, ReleaseInfo, open_store
from .validate import Context, Report, load_shapes, validate, validate_document, validate_documents

CHUNK = 16
"""Document graphs validated in one pySHACL run by ``ldpub validate``."""


def named_graph(store: DatasetStore, iri: str) -> Graph:
    """One named graph of the store as an rdflib graph."""
    result = store.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{iri}> {{ ?s ?p ?o }} }}")
    assert isinstance(result, Graph)
    return result


def _graph_name(iri: str, suffix: str) -> bool:
    return iri.rsplit("/graph/", 1)[-1] == suffix


def validate_published(settings: Settings) -> Report:
    """Validate the published release like a build does (issue 6, "validation scales per document").

    The entities and vocabulary graphs are validated once on their own; then each document graph, a
    few at a time, with only the type and label triples of the IRIs it names
    (:class:`~ldpub.validate.Context`). A chunk with a violation is validated again document by
    document, so every violation is reported. Memory stays bounded by a chunk, not the dataset.
    """
    shapes = load_shapes(settings.shapes)
    with closing(open_store(settings)) as store:
        graphs = store.graphs()
        context = Graph()
        for iri in graphs:
            if _graph_name(iri, GRAPH_ENTITIES) or _graph_name(iri, GRAPH_VOCABULARY):
                context += named_graph(store, iri)
        reports = [validate(context, shapes)]
        index = Context([context])
        documents = [iri for iri in graphs if "/graph/document/" in iri]
        for start in range(0, len(documents), CHUNK):
            chunk = [(iri, named_graph(store, iri)) for iri in documents[start : start + CHUNK]]
            batch = validate_documents(chunk, index, shapes)
            if batch.failed is None:
                reports.append(batch.report)
            else:
                reports.extend(validate_document(graph, index, shapes) for _, graph in chunk)
    violations = [f for r in reports for f in r.violations]
    warnings = [f for r in reports for f in r.warnings]
    text = "\n".join(r.text for r in reports if r.text.strip())
    return Report(conforms=not violations, violations=violations, warnings=warnings, text=text)


def export_published(settings: Settings, fmt: str, output: Path | None) -> None:
    """Write the published dataset to ``output`` (stdout when None); a partial file never remains."""
    with closing(open_store(settings)) as store:
        if output is None:
            store.export(fmt, sys.stdout.buffer)
            return
        partial = output.with_name(output.name + ".partial")
        try:
            with partial.open("wb") as handle:
                store.export(fmt, handle)
            partial.replace(output)
        finally:
            partial.unlink(missing_ok=True)


def published_stats(settings: Settings) -> tuple[ReleaseInfo, dict[str, int]]:
    with closing(open_store(settings)) as store:
        info = store.release_info()
        assert info is not None
        return info, store.stats()


__all__ = ["export_published", "named_graph", "published_stats", "validate_published"]
