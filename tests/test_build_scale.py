"""A parallel build (issue 6, "Build") makes the same dataset as a serial one, fails as a whole, reports progress.

The corpus comes from the real generator (benchmarks/make_corpus.py); no timing is asserted here (the
figures are in benchmarks/BUILD.md).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import RDF, Graph, URIRef
from rdflib.compare import isomorphic

from ldpub.build import BuildReport, build
from ldpub.errors import ValidationFailed
from ldpub.published import named_graph
from ldpub.settings import Settings
from ldpub.store import SelectResult, open_published
from ldpub.validate import Context, load_shapes, validate, validate_document
from ldpub.validate_anchors import proven_annotation_nodes

from .conftest import ROOT, SEED_PAGE, SEED_TRANSCRIPT, UNTITLED_RECORD, project_settings
from .test_shapes import CASES, SHAPES, VALID, Case, broken

DOCUMENTS = 24
RDF_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
Built = tuple[Settings, BuildReport, list[tuple[str, int, int]]]


@pytest.fixture(scope="module")
def shapes_graph() -> Graph:
    return load_shapes(SHAPES)


@pytest.fixture(scope="module")
def valid() -> Graph:
    return Graph().parse(VALID, format="turtle")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("corpus") / "sources"
    script = str(ROOT / "benchmarks" / "make_corpus.py")
    subprocess.run(
        [sys.executable, script, "--documents", str(DOCUMENTS), "--seed", "7", "--out", str(out)],
        check=True,
        capture_output=True,
    )
    for seed in (SEED_PAGE, SEED_TRANSCRIPT):  # a page and its transcript: one more document, two sources
        shutil.copy(seed, out / seed.name)
    return out


@pytest.fixture(scope="module")
def serial(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, BuildReport]:
    settings = project_settings(tmp_path_factory.mktemp("serial"), sources=corpus, build_workers=1)
    return settings, build(settings)


@pytest.fixture(scope="module")
def parallel(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The same corpus built with 2 workers, with its progress calls."""
    seen: list[tuple[str, int, int]] = []
    settings = project_settings(tmp_path_factory.mktemp("parallel"), sources=corpus, build_workers=2)
    report = build(settings, lambda step, done, total: seen.append((step, done, total)))
    return settings, report, seen


def graphs(settings: Settings) -> dict[str, Graph]:
    """Every named graph of the published release but the build graph (its times differ by design)."""
    with open_published(settings.store) as store:
        return {
            iri.rsplit("/graph/", 1)[-1]: named_graph(store, iri)
            for iri in store.graphs()
            if not iri.endswith("/graph/build")
        }


def test_two_workers_build_the_same_dataset_as_one(
    serial: tuple[Settings, BuildReport], parallel: Built
) -> None:
    settings, report, _ = parallel
    assert report.workers == 2 and serial[1].workers == 1
    assert report.documents == serial[1].documents == DOCUMENTS + 1
    assert report.release.triples == serial[1].release.triples
    assert (report.annotations, report.figures, report.entities) == (
        serial[1].annotations,
        serial[1].figures,
        serial[1].entities,
    )
    assert sorted(report.warnings) == sorted(serial[1].warnings)
    one, two = graphs(serial[0]), graphs(settings)
    assert sorted(one) == sorted(two)
    assert sum(name.startswith("document/") for name in one) == DOCUMENTS + 1
    for name in one:
        assert isomorphic(one[name], two[name]), f"graph {name} differs between 1 and 2 workers"


def test_workers_match_the_transcript_to_its_page_and_record_every_source(parallel: Built) -> None:
    """The main process groups from summaries (shingle hashes), the workers read the files again: the
    telegram's page and transcript still make one document, and the build graph, written a document
    at a time, derives every document graph from exactly its sources."""
    settings = parallel[0]
    prov = "http://www.w3.org/ns/prov#"
    with open_published(settings.store) as store:
        derived = store.query(
            f"""SELECT ?g ?label WHERE {{ GRAPH ?b {{ ?g <{prov}wasDerivedFrom> ?s . ?s <{RDF_LABEL}> ?label }}
                FILTER(STRENDS(STR(?b), "/graph/build")) }}"""
        )
    assert isinstance(derived, SelectResult)
    sources: dict[str, set[str]] = {}
    for row in derived.rows:
        sources.setdefault(str(row["g"]).rsplit("/", 1)[-1], set()).add(Path(str(row["label"])).name)
    assert sources["prc-fma-118-01025-02"] == {SEED_PAGE.name, SEED_TRANSCRIPT.name}
    assert len(sources) == DOCUMENTS + 1
    assert sum(len(names) for names in sources.values()) == DOCUMENTS + 2


def test_no_triple_of_a_generated_corpus_is_in_two_graphs(parallel: Built) -> None:
    """ReleaseInfo.triples counts per graph; on a generated corpus too it is the distinct count."""
    with open_published(parallel[0].store) as store:
        result = store.query("SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }")
        assert isinstance(result, SelectResult)
        assert int(str(result.rows[0]["n"])) == parallel[1].release.triples == store.quad_count()


def test_every_step_is_timed(serial: tuple[Settings, BuildReport]) -> None:
    seconds = serial[1].seconds
    for step in ("read", "link", "model", "validate", "load", "total"):
        assert seconds[step] >= 0, step
    assert seconds["total"] >= seconds["read"]


def test_a_violation_in_one_document_of_many_publishes_nothing(
    corpus: Path, parallel: Built, tmp_path: Path
) -> None:
    folder = tmp_path / "sources"
    shutil.copytree(corpus, folder)
    settings = parallel[0].replace(sources=folder)
    with open_published(settings.store) as store:
        before = (store.release_info(), store.quad_count())
    record = UNTITLED_RECORD
    (folder / "doc-000013-untitled.json").write_text(json.dumps(record), encoding="utf-8")
    with pytest.raises(ValidationFailed) as caught:
        build(settings)
    assert "doc-000013-untitled.json" in str(caught.value)
    assert "nothing was published" in str(caught.value)
    assert "title" in caught.value.report.lower()
    with open_published(settings.store) as store:
        assert (store.release_info(), store.quad_count()) == before
    assert not [p for p in (settings.store / "releases").iterdir() if p.name.startswith(".")]


def test_progress_is_reported_for_reading_and_documents(parallel: Built) -> None:
    seen = parallel[2]
    reads = [done for step, done, _ in seen if step == "read"]
    documents = [done for step, done, _ in seen if step == "documents"]
    assert reads == list(range(1, DOCUMENTS + 3))  # every source file
    assert documents == sorted(documents) and documents[-1] == DOCUMENTS + 1
    assert {total for step, _, total in seen if step == "documents"} == {DOCUMENTS + 1}


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_per_document_validation_reports_what_pyshacl_reports_on_the_whole_graph(
    case: Case, shapes_graph: Graph, valid: Graph
) -> None:
    """Every broken case of test_shapes.py: the build's path (annotation pre-check, small context) finds
    exactly the findings of pySHACL on the whole graph."""
    graph = broken(valid, case.update)
    whole, per_document = validate(graph, shapes_graph), validate_document(graph, Context(), shapes_graph)
    assert per_document.conforms == whole.conforms
    assert per_document.violations == whole.violations
    assert per_document.warnings == whole.warnings


def test_the_valid_graph_is_proven_annotation_by_annotation(valid: Graph, shapes_graph: Graph) -> None:
    proven = proven_annotation_nodes(valid)
    annotations = set(valid.subjects(RDF.type, URIRef("http://www.w3.org/ns/oa#Annotation")))
    assert annotations and annotations <= proven
    assert validate_document(valid, Context(), shapes_graph).conforms


def test_a_source_that_stops_reading_between_the_passes_fails_clearly(tmp_path: Path) -> None:
    """Workers read each document's files again when they make it: a file deleted meanwhile fails the
    build naming the file (the published release is untouched: the build never reaches publishing)."""
    from ldpub.build_worker import DocumentTask, init_worker, process_chunk
    from ldpub.errors import SourceError

    init_worker(project_settings(tmp_path / "store"))
    gone = tmp_path / "gone.txt"
    with pytest.raises(SourceError, match="changed while the build ran") as caught:
        process_chunk(("b1", [DocumentTask((str(gone),), (), "gone")]))
    assert "gone.txt" in str(caught.value)


def test_the_reconciliation_index_lists_each_mention_of_a_generated_corpus_once(parallel: Built) -> None:
    """Hub entities (a ministry mentioned in most documents) are where the index's mention lists are long:
    each list must hold exactly the documents (and entities) the store says, each once, in order."""
    from ldpub.reconciliation.index import build_index

    settings = parallel[0]
    prefix = f"{settings.base_uri}/id/"
    with open_published(settings.store) as store:
        index = build_index(store, settings.base_uri)
        result = store.query(
            "PREFIX crm: <http://www.cidoc-crm.org/cidoc-crm/> "
            "SELECT DISTINCT ?d ?e WHERE { ?d a crm:E31_Document ; crm:P67_refers_to ?e }"
        )
    assert isinstance(result, SelectResult)
    expected: dict[str, set[str]] = {}
    for row in result.rows:
        doc, entity = str(row["d"]).removeprefix(prefix), str(row["e"]).removeprefix(prefix)
        if index.get(doc) is not None and index.get(entity) is not None:
            expected.setdefault(entity, set()).add(doc)
            expected.setdefault(doc, set()).add(entity)
    hub = max(
        (e for e in index.entries if not e.id.startswith("document/")), key=lambda e: len(e.mentioned_in)
    )
    assert len(hub.mentioned_in) >= DOCUMENTS // 2  # the corpus has hubs
    for entry in index.entries:
        for found in (entry.mentioned_in, entry.mentions):
            assert found == sorted(set(found))
        assert set(entry.mentioned_in) | set(entry.mentions) == expected.get(entry.id, set())
