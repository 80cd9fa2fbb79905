"""The VoID statistics a build counts and stores with its release are exactly what SPARQL counts over the
published store (:func:`ldpub.views.dataset.statistics`, over the union of every graph): on data/, on a
generated corpus built by two worker processes, and on literals the store holds as one term. The web
layer only reads them; a release without them is described without counts."""

from __future__ import annotations

import json
import random
import shutil
import subprocess
import sys
import warnings
from array import array
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, RDFS

from ldpub.build import BuildReport, build
from ldpub.settings import Settings
from ldpub.statistics import Collector, DistinctCounter, Statistics, statistics_json, stored_statistics
from ldpub.store import EmbeddedStore, SelectResult, open_published, stage
from ldpub.views.dataset import NO_STATISTICS, statistics
from ldpub.web import create_app

from .conftest import BASE, ROOT, project_settings

VOID = Namespace("http://rdfs.org/ns/void#")
DATASET = URIRef("http://localhost/.well-known/void#dataset")
XSD = "http://www.w3.org/2001/XMLSchema#"


def parse_turtle(data: bytes) -> Graph:
    graph = Graph()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        graph.parse(data=data, format="turtle")
    return graph


def release_folder(settings: Settings, store: EmbeddedStore) -> Path:
    release = store.release_info()
    return Path(settings.store) / "releases" / release.build_id


def distinct_triples(store: EmbeddedStore) -> int:
    result = store.query("SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }")
    assert isinstance(result, SelectResult)
    return int(str(result.rows[0]["n"]))


@pytest.fixture(scope="module")
def corpus_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, BuildReport]:
    """40 generated documents (benchmarks/make_corpus.py, seed 5) built by two worker processes."""
    sources = tmp_path_factory.mktemp("corpus") / "sources"
    script = str(ROOT / "benchmarks" / "make_corpus.py")
    subprocess.run(
        [sys.executable, script, "--documents", "40", "--seed", "5", "--out", str(sources)],
        check=True,
        capture_output=True,
    )
    settings = project_settings(tmp_path_factory.mktemp("store"), sources=sources, build_workers=2)
    return settings, build(settings)


def test_stored_statistics_are_what_sparql_counts_on_data(
    built: tuple[Settings, BuildReport], store: EmbeddedStore
) -> None:
    stored = stored_statistics(store)
    assert stored is not None
    assert stored == statistics(store, BASE) == built[1].statistics
    assert stored.triples == built[1].release.triples > 1000
    assert stored.entities > 100
    assert stored.examples == (f"{BASE}/id/document/prc-fma-118-01025-02",)


def test_stored_statistics_are_what_sparql_counts_on_a_generated_corpus(
    corpus_build: tuple[Settings, BuildReport],
) -> None:
    settings, report = corpus_build
    assert report.workers == 2 and report.documents == 40
    with open_published(settings.store) as store:
        stored, exact = stored_statistics(store), statistics(store, BASE)
    assert stored == exact == report.statistics
    assert exact.triples > 30_000 and exact.entities > 1000
    assert exact.distinct_objects > exact.distinct_subjects > exact.entities
    assert len(exact.examples) == 3
    assert exact.classes["http://www.cidoc-crm.org/cidoc-crm/E21_Person"] > 10


def test_no_triple_is_stated_in_two_graphs_of_a_generated_corpus(
    corpus_build: tuple[Settings, BuildReport],
) -> None:
    """The invariant the build's statistics rely on (triples, properties and classes add up per graph):
    the union has as many distinct triples as the store has quads."""
    with open_published(corpus_build[0].store) as store:
        assert distinct_triples(store) == store.quad_count() == corpus_build[1].release.quads


def test_the_statistics_are_kept_with_the_release_and_nothing_else_is_left(
    built: tuple[Settings, BuildReport], store: EmbeddedStore
) -> None:
    folder = release_folder(built[0], store)
    assert sorted(p.name for p in folder.iterdir()) == ["oxigraph", "release.json", "statistics.json"]
    record = json.loads((folder / "statistics.json").read_text("utf-8"))
    assert record["build_id"] == store.release_info().build_id
    assert record["triples"] == built[1].release.triples


def test_literals_the_store_holds_as_one_term_are_counted_once(tmp_path: Path) -> None:
    """Oxigraph stores typed literals by value, lower-cases language tags and makes xsd:string plain: two
    graphs stating the same values differently hold the same terms, and the counts say so."""
    first = f"""<{BASE}/id/a> <{BASE}/p> "01"^^<{XSD}integer> .
<{BASE}/id/a> <{BASE}/q> "x"^^<{XSD}string> .
<{BASE}/id/a> <{BASE}/q> "y"@EN .
<{BASE}/id/a> <{BASE}/r> "1"^^<{XSD}boolean> .
<{BASE}/id/a> <{RDF.type}> <{BASE}/C> .
""".encode()
    second = f"""<{BASE}/id/b> <{BASE}/p> "1"^^<{XSD}integer> .
<{BASE}/id/b> <{BASE}/p> "1"^^<{XSD}int> .
<{BASE}/id/b> <{BASE}/q> "x" .
<{BASE}/id/b> <{BASE}/q> "y"@en .
<{BASE}/id/b> <{BASE}/r> "true"^^<{XSD}boolean> .
<{BASE}/id/a> <{BASE}/s> <{BASE}/id/b> .
_:n <{RDF.type}> <{BASE}/C> .
_:n <{RDFS.label}> "1.50"^^<{XSD}decimal> .
<{BASE}/other> <{RDFS.label}> "1.5"^^<{XSD}decimal> .
""".encode()
    collector = Collector(BASE, tmp_path)
    with stage(tmp_path / "store", "b1") as staging:
        for n, data in enumerate((first, second)):
            staging.add_graph(f"{BASE}/graph/{n}", data)
            collector.add_graph(data)
        counted = collector.result()
        staging.set_statistics(statistics_json(counted, "b1"))
        staging.publish()
    with open_published(tmp_path / "store") as store:
        exact = statistics(store, BASE)
        assert stored_statistics(store) == counted
    assert counted == exact
    assert counted.distinct_objects == 7  # 1, "x", "y"@en, true, <b>, <C>, 1.5
    assert counted.distinct_subjects == 4 and counted.entities == 2
    assert counted.triples == 13 == exact.triples
    assert counted.classes == {f"{BASE}/C": 2}


@pytest.mark.parametrize("run_values, fan_in", [(1, 2), (7, 2), (100, 3), (10_000, 64)])
def test_distinct_counter_matches_a_set(tmp_path: Path, run_values: int, fan_in: int) -> None:
    """Runs on disk merged in several passes count what a set in memory counts, and are removed."""
    rng = random.Random(run_values)
    pool = [rng.getrandbits(64) for _ in range(2_000)] + [0, 1, 2**64 - 1]
    values = [rng.choice(pool) for _ in range(5_000)]
    counter = DistinctCounter(tmp_path, "t", run_values=run_values, fan_in=fan_in)
    for start in range(0, len(values), 333):
        counter.add(array("Q", values[start : start + 333]))
    if run_values < len(values):
        assert len(counter.runs) > fan_in
    distinct = set(values)
    assert counter.count() == (len(distinct), sum(v & 1 for v in distinct))
    assert list(tmp_path.iterdir()) == []


def test_statistics_of_another_release_are_not_used(
    built: tuple[Settings, BuildReport], tmp_path: Path
) -> None:
    """The file names its release: one copied from another release is not believed."""
    copy = tmp_path / "store"
    shutil.copytree(built[0].store, copy, symlinks=True)
    with open_published(copy) as store:
        path = release_folder(project_settings(copy), store) / "statistics.json"
        record = json.loads(path.read_text("utf-8"))
        path.write_text(json.dumps(record | {"build_id": "20000101T000000Z-000000"}), "utf-8")
        assert stored_statistics(store) is None


def test_a_release_without_statistics_is_described_without_counts(
    built: tuple[Settings, BuildReport], tmp_path: Path
) -> None:
    """A release built by an older ldpub (no statistics.json): VoID and DCAT without the counts, saying
    so, and nothing counted over the store."""
    copy = tmp_path / "store"
    shutil.copytree(built[0].store, copy, symlinks=True)
    settings = project_settings(copy)
    with open_published(copy) as store:
        (release_folder(settings, store) / "statistics.json").unlink()
        assert stored_statistics(store) is None
        client = create_app(settings, store).test_client()
        void = client.get("/.well-known/void")
        assert void.status_code == 200
        graph = parse_turtle(void.data)
        assert (DATASET, RDF.type, VOID.Dataset) in graph
        assert list(graph.objects(DATASET, VOID.triples)) == []
        assert list(graph.objects(DATASET, VOID.classPartition)) == []
        assert Literal(NO_STATISTICS, lang="en") in set(graph.objects(DATASET, RDFS.comment))
        assert list(graph.objects(DATASET, VOID.sparqlEndpoint))
        catalog = client.get("/catalog")
        assert catalog.status_code == 200
        assert list(parse_turtle(catalog.data).objects(DATASET, VOID.triples)) == []
        assert client.get("/sitemap.xml").status_code == 200


def test_the_web_layer_serves_the_stored_numbers(client: FlaskClient, store: EmbeddedStore) -> None:
    stored = stored_statistics(store)
    assert isinstance(stored, Statistics)
    graph = parse_turtle(client.get("/.well-known/void").data)
    for predicate, value in (
        (VOID.triples, stored.triples),
        (VOID.entities, stored.entities),
        (VOID.distinctSubjects, stored.distinct_subjects),
        (VOID.distinctObjects, stored.distinct_objects),
        (VOID.classes, len(stored.classes)),
        (VOID.properties, len(stored.properties)),
    ):
        assert [int(v) for v in graph.objects(DATASET, predicate)] == [value]


def test_an_external_store_keeps_the_statistics_in_its_release_description(
    remote_client: FlaskClient, client: FlaskClient
) -> None:
    """data/ built into `oxigraph serve`: the same numbers as the embedded build, read from the release
    description (the build graphs differ only in times and ids)."""
    ours, theirs = (parse_turtle(c.get("/.well-known/void").data) for c in (remote_client, client))
    for predicate in (VOID.triples, VOID.entities, VOID.distinctSubjects, VOID.distinctObjects, VOID.classes):
        assert list(ours.objects(DATASET, predicate)) == list(theirs.objects(DATASET, predicate))
        assert list(ours.objects(DATASET, predicate))
