"""The dataset served from, and loaded into, an external SPARQL 1.1 store (issue 3, item 8).

Two real stores, started on 127.0.0.1 by these tests and stopped at the end: `oxigraph serve` (the oxigraph
package) and Virtuoso 7 (Debian's virtuoso-opensource, from a private virtuoso.ini under a temporary folder).
`ldpub build --store-url … --store-update-url …` loads each; the facts of tests/test_dataset.py, the
counts, the export and the web app must then hold through :class:`RemoteStore` as they do embedded.
"""

from __future__ import annotations

import inspect
import io
import os
import shutil
import subprocess
import urllib.request
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS
from SPARQLWrapper import JSON, SPARQLWrapper

from ldpub.build import BuildReport, build
from ldpub.cli import main
from ldpub.errors import ConfigError, QueryError, StoreError
from ldpub.settings import Settings
from ldpub.store import (
    DatasetStore,
    EmbeddedStore,
    RemoteStore,
    SelectResult,
    new_build_id,
    open_store,
    stage_for,
)
from ldpub.store.remote import Endpoint, release_graph

from . import test_dataset as dataset_facts
from . import test_web_resources as resources_tests
from .conftest import BASE, ROOT, project_settings
from .servers import _stop, free_port, ldpub_server, oxigraph_server, wait_until_up

SLUG = "prc-fma-118-01025-02"
DOC = f"{BASE}/id/document/{SLUG}"
DOC_GRAPH = f"{BASE}/graph/document/{SLUG}"
BUILD_GRAPH = f"{BASE}/graph/build"
TITLE = "Telegram from the Ministry of Foreign Affairs and the Ministry of Public Security"
VIRTUOSO = shutil.which("virtuoso-t")
ISQL = shutil.which("isql-vt")

VIRTUOSO_INI = """\
[Database]
DatabaseFile = {folder}/virtuoso.db
ErrorLogFile = {folder}/virtuoso.log
LockFile = {folder}/virtuoso.lck
TransactionFile = {folder}/virtuoso.trx
xa_persistent_file = {folder}/virtuoso.pxa
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {folder}/virtuoso-temp.db
TransactionFile = {folder}/virtuoso-temp.trx

[Parameters]
ServerPort = 127.0.0.1:{sql}
DisableUnixSocket = 1
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
DirsAllowed = .
CheckpointInterval = 0

[HTTPServer]
ServerPort = 127.0.0.1:{http}
ServerRoot = {folder}/www
ServerThreads = 10
Charset = UTF-8

[SPARQL]
MaxQueryExecutionTime = 60
"""


@contextmanager
def virtuoso_server(folder: Path) -> Iterator[str]:
    """Virtuoso 7 from a private virtuoso.ini (own ports and database folder); yields its /sparql URL.

    SPARQL updates through /sparql need ``GRANT SPARQL_UPDATE TO "SPARQL"``, given with isql-vt.
    """
    assert VIRTUOSO and ISQL
    http, sql = free_port(), free_port()
    (folder / "www").mkdir()
    ini = folder / "virtuoso.ini"
    ini.write_text(VIRTUOSO_INI.format(folder=folder, sql=sql, http=http), encoding="utf-8")
    with open(folder / "server.log", "wb") as log:
        process = subprocess.Popen(
            [VIRTUOSO, "-c", str(ini), "+foreground"], cwd=folder, stdout=log, stderr=log
        )
    url = f"http://127.0.0.1:{http}/sparql"
    try:
        wait_until_up(f"{url}?query=ASK%7B%7D", process, seconds=60)
        grant = [ISQL, f"127.0.0.1:{sql}", "dba", "dba", 'exec=GRANT SPARQL_UPDATE TO "SPARQL";']
        done = subprocess.run(grant, capture_output=True, text=True, timeout=60, check=False)
        assert done.returncode == 0 and "Error" not in done.stdout + done.stderr, done.stdout + done.stderr
        yield url
    finally:
        _stop(process)


@pytest.fixture(scope="session", params=["oxigraph", "virtuoso"])
def endpoint(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, str]]:
    """(query URL, update URL) of a real external store, empty at the start."""
    if request.param == "oxigraph":
        with oxigraph_server(tmp_path_factory.mktemp("oxigraph")) as base:
            yield f"{base}/query", f"{base}/update"
    else:
        if not (VIRTUOSO and ISQL):
            if os.environ.get("CI"):
                pytest.fail("Virtuoso (virtuoso-opensource) is missing: .ci/run installs it")
            pytest.skip("Virtuoso is not installed: apt-get install virtuoso-opensource (.ci/run does)")
        with virtuoso_server(tmp_path_factory.mktemp("virtuoso")) as url:
            yield url, url


@pytest.fixture(scope="session")
def loaded(endpoint: tuple[str, str], tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, str]:
    """data/ loaded into the external store by `ldpub build --store-url … --store-update-url …`."""
    query_url, update_url = endpoint
    unused = tmp_path_factory.mktemp("unused-store")
    args = ["--config", str(ROOT / "ldpub.toml"), "build", "--store", str(unused), "--quiet"]
    result = CliRunner().invoke(main, [*args, "--store-url", query_url, "--store-update-url", update_url])
    assert result.exit_code == 0, result.output
    written = {p.name for p in unused.iterdir()}
    assert written <= {"dumps", "history"}, "an external build writes only its dumps and change history here"
    settings = project_settings(unused, store_url=query_url, store_update_url=update_url)
    return settings, result.output


@pytest.fixture(scope="session")
def remote(loaded: tuple[Settings, str]) -> Iterator[DatasetStore]:
    with open_store(loaded[0]) as opened:  # type: ignore[attr-defined]
        yield opened


def _facts() -> list[Callable[[Any], None]]:
    """Every test of tests/test_dataset.py that only needs a store."""
    return [
        f
        for name, f in vars(dataset_facts).items()
        if name.startswith("test_") and list(inspect.signature(f).parameters) == ["store"]
    ]


def staging_graphs(url: str) -> set[str]:
    """Graph names under the loader's staging prefix, whatever the release description says."""
    prefix = f"{release_graph(BASE)}/staging/"
    result = Endpoint(url).run(
        f'SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), "{prefix}")) }}'
    )
    assert isinstance(result, SelectResult)
    return {str(r["g"]) for r in result.rows}


def comparable(graph: Graph) -> set[tuple[object, ...]]:
    """Triples compared by value. Stores keep numbers in their own canonical forms: Virtuoso writes 28028.0
    as "28028"^^xsd:decimal, Oxigraph stores xsd:nonNegativeInteger as xsd:integer; the numbers are equal."""

    def key(term: object) -> object:
        if not isinstance(term, Literal):
            return term
        value = term.toPython()
        if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
            return (Literal, Decimal(str(value)), term.language)
        return (Literal, value, term.datatype, term.language)

    return {tuple(key(t) for t in triple) for triple in graph}


def builds(graph: Graph) -> Graph:
    """The triples about builds, which differ from build to build."""
    out = Graph()
    for s, p, o in graph:
        if any(str(t).startswith(f"{BASE}/id/build/") for t in (s, o)):
            out.add((s, p, o))
    return out


def test_build_loads_the_external_store(loaded: tuple[Settings, str], remote: DatasetStore) -> None:
    settings, output = loaded
    info = remote.release_info()
    assert info is not None
    assert f"built release {info.build_id}: 1 document(s) from 2 source(s)" in output
    assert isinstance(remote, RemoteStore) and isinstance(remote, DatasetStore)
    assert remote.url == settings.store_url


@pytest.mark.parametrize("fact", _facts(), ids=lambda f: f.__name__.removeprefix("test_"))
def test_dataset_facts_hold_in_the_external_store(remote: DatasetStore, fact: Callable[[Any], None]) -> None:
    fact(remote)


def test_same_graphs_counts_and_classes_as_the_embedded_store(
    remote: DatasetStore, store: EmbeddedStore, built: tuple[Settings, BuildReport]
) -> None:
    assert remote.graphs() == store.graphs()
    assert remote.quad_count() == store.quad_count() == built[1].release.quads
    assert remote.stats() == store.stats()
    info = remote.release_info()
    assert info is not None and (info.triples, info.quads) == (
        built[1].release.triples,
        built[1].release.quads,
    )


def test_export_holds_the_same_data(remote: DatasetStore, store: EmbeddedStore) -> None:
    for fmt, parse_as in (("nquads", "nquads"), ("trig", "trig")):
        ours, theirs = io.BytesIO(), io.BytesIO()
        remote.export(fmt, ours)
        store.export(fmt, theirs)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            a, b = Dataset(), Dataset()
            a.parse(data=ours.getvalue(), format=parse_as)
            b.parse(data=theirs.getvalue(), format=parse_as)
            graphs = sorted(str(g.identifier) for g in a.graphs() if len(g))
            assert graphs == store.graphs()
            for name in graphs:
                ours_graph, theirs_graph = a.graph(URIRef(name)), b.graph(URIRef(name))
                if name == BUILD_GRAPH:  # another build: same shape, other ids and times
                    assert len(ours_graph) == len(theirs_graph)
                else:
                    assert comparable(ours_graph) == comparable(theirs_graph), (fmt, name)
    union = io.BytesIO()
    remote.export("turtle", union)
    turtle = Graph().parse(data=union.getvalue(), format="turtle")
    embedded = io.BytesIO()
    store.export("turtle", embedded)
    theirs_union = Graph().parse(data=embedded.getvalue(), format="turtle")
    assert len(turtle) == len(theirs_union)
    assert comparable(turtle - builds(turtle)) == comparable(theirs_union - builds(theirs_union))


def test_construct_describe_and_the_default_graph(remote: DatasetStore) -> None:
    graph = remote.query(f"CONSTRUCT {{ <{DOC}> ?p ?o }} WHERE {{ <{DOC}> ?p ?o }}")
    assert isinstance(graph, Graph)
    assert any(TITLE in str(o) for o in graph.objects(URIRef(DOC), DCTERMS.title))
    described = remote.query(f"DESCRIBE <{DOC}>")
    assert isinstance(described, Graph) and (URIRef(DOC), DCTERMS.title, None) in described
    # The default graph is the union of the release's graphs, or empty; named graphs stay reachable.
    assert remote.query("ASK { ?s ?p ?o }") is True
    assert remote.query("ASK { ?s ?p ?o }", union_default_graph=False) is False
    assert (
        remote.query(f"ASK {{ GRAPH <{DOC_GRAPH}> {{ <{DOC}> ?p ?o }} }}", union_default_graph=False) is True
    )
    # Only the release's graphs: not the release description, not the store's own graphs.
    graphs = remote.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert isinstance(graphs, SelectResult)
    assert sorted(str(r["g"]) for r in graphs.rows) == remote.graphs()


def test_bad_queries_are_query_errors_naming_the_endpoint(
    remote: DatasetStore, loaded: tuple[Settings, str]
) -> None:
    url = loaded[0].store_url
    with pytest.raises(QueryError, match=url):
        remote.query("SELECT ?x WHERE { ?x ")
    with pytest.raises(QueryError, match="updates are refused"):
        remote.query(f"DELETE WHERE {{ GRAPH <{DOC_GRAPH}> {{ ?s ?p ?o }} }}")
    with pytest.raises(QueryError, match="SERVICE"):
        remote.query("SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }")
    assert remote.quad_count() > 1000  # the refused update changed nothing


def test_a_failed_load_leaves_the_previous_release(
    remote: DatasetStore, loaded: tuple[Settings, str]
) -> None:
    settings = loaded[0]
    before = remote.release_info()
    quads = remote.quad_count()
    # The build dies after loading a replacement for the document graph: nothing of it is published.
    with pytest.raises(RuntimeError, match="died"), stage_for(settings, new_build_id()) as staging:
        staging.add_graph(
            DOC_GRAPH, b"<http://example.org/a> <http://example.org/b> <http://example.org/c> .\n"
        )
        raise RuntimeError("the build died while loading")
    # The data to load is unreadable: a StoreError, and nothing is published.
    with pytest.raises(StoreError, match=DOC_GRAPH), stage_for(settings, new_build_id()) as staging:
        staging.add_graph(f"{BASE}/graph/entities", b'<http://example.org/a> <http://example.org/b> "1" .\n')
        staging.add_graph(DOC_GRAPH, b"this is not N-Triples\n")
        staging.publish()
    # The store refuses the load (a wrong update URL): a StoreError naming that URL.
    wrong = settings.replace(store_update_url=settings.store_update_url + "-nowhere")
    with pytest.raises(StoreError, match="-nowhere"), stage_for(wrong, new_build_id()) as staging:
        staging.add_graph(
            DOC_GRAPH, b"<http://example.org/a> <http://example.org/b> <http://example.org/c> .\n"
        )
    fresh = open_store(settings)
    assert fresh.release_info() == before
    assert fresh.quad_count() == quads
    dataset_facts.test_the_telegram_refers_to_exactly_these_persons(fresh)
    assert not staging_graphs(settings.store_url)


def test_a_rebuild_switches_release_and_refresh_sees_it(
    remote: DatasetStore, loaded: tuple[Settings, str]
) -> None:
    settings = loaded[0]
    watcher = RemoteStore(settings.store_url, release_graph=release_graph(BASE), check_every=0)
    before = watcher.release_info()
    assert watcher.refresh() is False
    pinned = watcher.snapshot()
    report = build(settings)
    assert report.release.build_id != before.build_id
    assert watcher.refresh() is True
    assert watcher.release_info() == report.release
    assert pinned.refresh() is False and pinned.release_info() == before  # one request, one release
    assert watcher.quad_count() == before.quads
    assert not staging_graphs(settings.store_url)
    dataset_facts.test_reported_figures_with_unit_place_and_time(watcher)
    # A long-lived store checks again only after check_every seconds, and answers meanwhile.
    assert remote.quad_count() == before.quads
    watcher.close()
    with pytest.raises(StoreError, match="closed"):
        watcher.quad_count()


def test_unreachable_or_empty_store_is_a_clear_store_error(loaded: tuple[Settings, str]) -> None:
    nowhere = f"http://127.0.0.1:{free_port()}/sparql"
    with pytest.raises(StoreError, match=nowhere):
        RemoteStore(nowhere, release_graph=release_graph(BASE), timeout=5)
    other = release_graph("http://example.org/elsewhere")
    with pytest.raises(StoreError, match="no ldpub release"):
        RemoteStore(loaded[0].store_url, release_graph=other)
    with pytest.raises(ConfigError, match="store_update_url"):
        stage_for(loaded[0].replace(store_update_url=""), new_build_id())


def test_the_web_app_serves_from_the_external_store(
    remote: DatasetStore, loaded: tuple[Settings, str]
) -> None:
    from ldpub.web import create_app

    client = create_app(loaded[0], store=remote).test_client()
    page = client.get(f"/doc/document/{SLUG}", headers={"Accept": "text/turtle"})
    assert page.status_code == 200
    assert page.headers["Content-Type"].startswith("text/turtle")
    graph = Graph().parse(data=page.data, format="turtle")
    assert any(TITLE in str(o) for o in graph.objects(URIRef(DOC), DCTERMS.title))
    query = f"SELECT ?title WHERE {{ <{DOC}> <{DCTERMS.title}> ?title }}"
    answer = client.get(
        "/sparql", query_string={"query": query}, headers={"Accept": "application/sparql-results+json"}
    )
    assert answer.status_code == 200
    titles = [b["title"]["value"] for b in answer.get_json()["results"]["bindings"]]
    assert len(titles) == 1 and TITLE in titles[0]


# --- the same web behaviour from every store ----------------------------------------------------------

PERSONS = f"""SELECT ?person ?label WHERE {{ <{DOC}> <http://www.cidoc-crm.org/cidoc-crm/P67_refers_to> ?person .
    ?person a <http://www.cidoc-crm.org/cidoc-crm/E21_Person> ; <http://www.w3.org/2000/01/rdf-schema#label> ?label }}"""


@pytest.fixture(scope="module")
def embedded_client(built: tuple[Settings, BuildReport], store: EmbeddedStore) -> FlaskClient:
    from ldpub.web import create_app

    return create_app(built[0], store).test_client()


@pytest.mark.parametrize("media_type", [m for m in resources_tests.RDFLIB_FORMAT] + ["application/n-quads"])
@pytest.mark.parametrize("path", [f"/doc/document/{SLUG}", "/doc/person/pak-seong-cheol", "/doc/place/jilin"])
def test_descriptions_are_the_same_as_embedded(
    remote: DatasetStore,
    loaded: tuple[Settings, str],
    embedded_client: FlaskClient,
    path: str,
    media_type: str,
) -> None:
    from ldpub.web import create_app

    external = create_app(loaded[0], store=remote).test_client().get(path, headers={"Accept": media_type})
    embedded = embedded_client.get(path, headers={"Accept": media_type})
    assert external.status_code == embedded.status_code == 200
    assert external.headers["Content-Type"] == embedded.headers["Content-Type"]
    ours, theirs = (
        resources_tests.parse(external.data, media_type),
        resources_tests.parse(embedded.data, media_type),
    )
    assert len(ours) == len(theirs) > 10
    assert comparable(ours - builds(ours)) == comparable(theirs - builds(theirs))


def test_sparql_answers_are_the_same_as_embedded(
    remote: DatasetStore, loaded: tuple[Settings, str], embedded_client: FlaskClient
) -> None:
    from ldpub.web import create_app

    client = create_app(loaded[0], store=remote).test_client()
    answers = []
    for c in (client, embedded_client):
        response = c.post(
            "/sparql", data={"query": PERSONS}, headers={"Accept": "application/sparql-results+json"}
        )
        assert response.status_code == 200
        bindings = response.get_json()["results"]["bindings"]
        answers.append({(b["person"]["value"], b["label"]["value"]) for b in bindings})
    assert answers[0] == answers[1]
    assert (f"{BASE}/id/person/pak-seong-cheol", "Pak Seong-cheol") in answers[0]


def test_ldpub_serve_reads_the_external_store(loaded: tuple[Settings, str]) -> None:
    """`ldpub serve --store-url URL` under the real server: resources and SPARQL from the external store."""
    settings = loaded[0]
    with ldpub_server(settings.store, "--store-url", settings.store_url) as base:
        request = urllib.request.Request(f"{base}/doc/document/{SLUG}", headers={"Accept": "text/turtle"})
        with urllib.request.urlopen(request, timeout=30) as response:
            assert response.status == 200
            graph = Graph().parse(data=response.read(), format="turtle")
        assert any(TITLE in str(o) for o in graph.objects(URIRef(DOC), DCTERMS.title))
        sparql = SPARQLWrapper(f"{base}/sparql")
        sparql.setQuery(PERSONS)
        sparql.setReturnFormat(JSON)
        bindings = sparql.queryAndConvert()["results"]["bindings"]  # type: ignore[index, call-overload]
        assert {b["label"]["value"] for b in bindings} >= {"Pak Seong-cheol"}
