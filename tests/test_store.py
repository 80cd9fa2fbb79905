"""The embedded store: staging, atomic publication, crash safety, queries, export and refresh."""

from __future__ import annotations

import io
import os
import pickle
import signal
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import pytest
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic

from ldpub.errors import QueryError, StoreError
from ldpub.store import (
    EXPORT_FORMATS,
    DatasetStore,
    EmbeddedStore,
    ReleaseInfo,
    SelectResult,
    open_published,
    stage,
)

ROOT = Path(__file__).resolve().parents[1]
EX = "http://example.org/"
G1, G2 = f"{EX}graph/one", f"{EX}graph/two"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD_GYEAR = "http://www.w3.org/2001/XMLSchema#gYear"
ONE = f"""\
<{EX}ada> <{RDF_TYPE}> <{EX}Person> .
<{EX}ada> <{EX}name> "Ada" .
<{EX}letter1> <{RDF_TYPE}> <{EX}Letter> .
<{EX}letter1> <{EX}author> <{EX}ada> .
<{EX}letter1> <{EX}title> "Lettre"@fr .
_:n <{EX}note> "a blank\\nnode with two lines" .
""".encode()
TWO = f"""\
<{EX}bob> <{RDF_TYPE}> <{EX}Person> .
<{EX}bob> <{EX}name> "Bob" .
<{EX}bob> <{EX}born> "1815"^^<http://www.w3.org/2001/XMLSchema#gYear> .
<{EX}ada> <{RDF_TYPE}> <{EX}Person> .
""".encode()
NAMES = f"SELECT ?s ?name WHERE {{ ?s <{EX}name> ?name }} ORDER BY ?name"


def build(
    store_dir: Path, build_id: str, graphs: dict[str, bytes] | dict[str, Graph] | None = None, keep: int = 2
) -> ReleaseInfo:
    """Stage and publish one release (by default the two test graphs)."""
    with stage(store_dir, build_id, keep_releases=keep) as staging:
        for iri, data in (graphs if graphs is not None else {G1: ONE, G2: TWO}).items():
            staging.add_graph(iri, data)
        return staging.publish()


def names(store: DatasetStore) -> list[str]:
    result = store.query(NAMES)
    assert isinstance(result, SelectResult)
    return [str(row["name"]) for row in result.rows]


def graph_of(data: bytes) -> Graph:
    return Graph().parse(data=data, format="nt")


def parse_dataset(data: bytes, fmt: str) -> Dataset:
    dataset = Dataset()
    with warnings.catch_warnings():
        # rdflib 7.6's Dataset.parse trips over its own deprecated default_context; not ours to fix.
        warnings.simplefilter("ignore", DeprecationWarning)
        dataset.parse(data=data, format=fmt)
    return dataset


def run_python(code: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def leftovers(store_dir: Path) -> list[str]:
    return sorted(p.name for p in (store_dir / "releases").iterdir() if p.name.startswith("."))


# --- publish and query ---------------------------------------------------------------------------------


def test_publish_then_query_select_ask_construct(tmp_path: Path) -> None:
    info = build(tmp_path, "b1")
    # "ada a Person" is stated in both graphs: triples are counted per graph (see ReleaseInfo.triples)
    assert (info.build_id, info.quads, info.triples) == ("b1", 10, 10)
    with open_published(tmp_path) as store:
        assert isinstance(store, DatasetStore)
        assert store.graphs() == [G1, G2]
        assert store.quad_count() == 10
        assert names(store) == ["Ada", "Bob"]  # union default graph spans both named graphs
        only_default = store.query(NAMES, union_default_graph=False)
        assert isinstance(only_default, SelectResult) and only_default.rows == []
        assert store.query(f"ASK {{ <{EX}bob> <{EX}name> 'Bob' }}") is True
        assert store.query(f"ASK {{ <{EX}bob> <{EX}name> 'Ada' }}") is False
        graph = store.query(f"CONSTRUCT {{ ?s a <{EX}Person> }} WHERE {{ ?s a <{EX}Person> }}")
        assert isinstance(graph, Graph)
        assert set(graph.subjects()) == {URIRef(f"{EX}ada"), URIRef(f"{EX}bob")}
        assert store.release_info() == info


def test_select_rows_hold_rdflib_terms_and_omit_unbound(tmp_path: Path) -> None:
    build(tmp_path, "b1")
    with open_published(tmp_path) as store:
        result = store.query(
            f"SELECT ?s ?name ?born ?title WHERE {{ ?s a ?c OPTIONAL {{ ?s <{EX}name> ?name }} "
            f"OPTIONAL {{ ?s <{EX}born> ?born }} OPTIONAL {{ ?s <{EX}title> ?title }} }} ORDER BY ?s"
        )
        assert isinstance(result, SelectResult)
        assert result.vars == ("s", "name", "born", "title")
        rows = {row["s"]: row for row in result.rows}
        assert rows[URIRef(f"{EX}ada")] == {"s": URIRef(f"{EX}ada"), "name": Literal("Ada")}
        assert rows[URIRef(f"{EX}bob")]["born"] == Literal("1815", datatype=URIRef(XSD_GYEAR))
        assert rows[URIRef(f"{EX}letter1")]["title"] == Literal("Lettre", lang="fr")
        notes = store.query(f"SELECT ?n WHERE {{ ?n <{EX}note> ?text }}")
        assert isinstance(notes, SelectResult) and isinstance(notes.rows[0]["n"], BNode)


def test_malformed_and_federated_queries_are_query_errors(tmp_path: Path) -> None:
    build(tmp_path, "b1")
    with open_published(tmp_path) as store:
        with pytest.raises(QueryError, match="malformed SPARQL"):
            store.query("SELEC * WHERE { ?s ?p ?o }")
        with pytest.raises(QueryError, match="SERVICE"):
            store.query("SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }")
        assert store.query('ASK { ?s ?p "SERVICE" }') is False  # the word in a literal is harmless


def test_add_graph_accepts_rdflib_triples(tmp_path: Path) -> None:
    source = graph_of(TWO)
    build(tmp_path, "b1", {G1: source})
    with open_published(tmp_path) as store:
        assert store.graphs() == [G1]
        out = io.BytesIO()
        store.export("turtle", out)
        assert isomorphic(Graph().parse(data=out.getvalue(), format="turtle"), source)


def test_stats_counts_instances_per_class_across_graphs(tmp_path: Path) -> None:
    build(tmp_path, "b1")
    with open_published(tmp_path) as store:
        assert store.stats() == {f"{EX}Letter": 1, f"{EX}Person": 2}


@pytest.mark.parametrize("fmt", EXPORT_FORMATS)
def test_export_round_trips(tmp_path: Path, fmt: str) -> None:
    build(tmp_path, "b1")
    out = io.BytesIO()
    with open_published(tmp_path) as store:
        store.export(fmt, out)
    if fmt == "turtle":
        union = graph_of(ONE) + graph_of(TWO)
        assert isomorphic(Graph().parse(data=out.getvalue(), format="turtle"), union)
        return
    dataset = parse_dataset(out.getvalue(), {"nquads": "nquads", "trig": "trig", "jsonld": "json-ld"}[fmt])
    assert len(list(dataset.quads())) == 10
    assert isomorphic(dataset.graph(URIRef(G1)), graph_of(ONE))
    assert isomorphic(dataset.graph(URIRef(G2)), graph_of(TWO))


def test_export_unknown_format(tmp_path: Path) -> None:
    build(tmp_path, "b1")
    with open_published(tmp_path) as store, pytest.raises(StoreError, match="unknown export format 'rdfxml'"):
        store.export("rdfxml", io.BytesIO())


# --- releases ------------------------------------------------------------------------------------------


def test_open_without_a_release_is_a_clear_error(tmp_path: Path) -> None:
    for folder in (tmp_path, tmp_path / "missing"):
        with pytest.raises(StoreError, match=r"no dataset has been built in .*: run `ldpub build`"):
            open_published(folder)


def test_republishing_switches_current_and_prunes_beyond_keep(tmp_path: Path) -> None:
    build(tmp_path, "b1", keep=1)
    build(tmp_path, "b2", {G1: ONE}, keep=1)
    assert (tmp_path / "CURRENT").read_text() == "b2\n"
    assert sorted(os.listdir(tmp_path / "releases")) == ["b1", "b2"]
    build(tmp_path, "b3", {G2: TWO}, keep=1)
    assert sorted(os.listdir(tmp_path / "releases")) == ["b2", "b3"]  # b1 pruned, one earlier kept
    with open_published(tmp_path) as store:
        assert store.release_info().build_id == "b3"
        assert store.graphs() == [G2]
    build(tmp_path, "b4", keep=0)
    assert sorted(os.listdir(tmp_path / "releases")) == ["b4"]


def test_exception_inside_staging_leaves_the_release_untouched(tmp_path: Path) -> None:
    build(tmp_path, "b1")
    before = (tmp_path / "CURRENT").stat()
    with pytest.raises(RuntimeError, match="boom"), stage(tmp_path, "b2") as staging:
        staging.add_graph(G1, TWO)
        raise RuntimeError("boom")
    assert (tmp_path / "CURRENT").stat().st_ino == before.st_ino
    assert (tmp_path / "CURRENT").read_text() == "b1\n"
    assert sorted(os.listdir(tmp_path / "releases")) == ["b1"]
    with open_published(tmp_path) as store:
        assert names(store) == ["Ada", "Bob"] and store.quad_count() == 10
    with stage(tmp_path, "b3") as staging:  # the lock was released
        staging.add_graph(G1, ONE)
    assert sorted(os.listdir(tmp_path / "releases")) == ["b1"]  # leaving without publish() aborts


def test_bad_input_is_a_store_error_and_aborts(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="not a plain name"):
        stage(tmp_path, "../escape")
    with pytest.raises(StoreError, match="cannot store the data"), stage(tmp_path, "b1") as staging:
        staging.add_graph(G1, b"<not n-triples")
    with pytest.raises(StoreError, match="not a valid IRI"), stage(tmp_path, "b1") as staging:
        staging.add_graph("no iri", ONE)
    build(tmp_path, "b1")
    with pytest.raises(StoreError, match="already exists"):
        stage(tmp_path, "b1")


def test_a_second_build_fails_fast_on_the_lock(tmp_path: Path) -> None:
    with stage(tmp_path, "b1") as first:
        with pytest.raises(StoreError, match=r"another build is running .*\.build\.lock"):
            stage(tmp_path, "b2")
        first.add_graph(G1, ONE)
        first.publish()
    build(tmp_path, "b2")


def test_the_lock_holds_across_processes(tmp_path: Path) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys; from ldpub.store import stage; s = stage(sys.argv[1], 'x');"
         " print('ready', flush=True); sys.stdin.read()", str(tmp_path)],
        env={**os.environ, "PYTHONPATH": str(ROOT)}, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "ready\n"
        with pytest.raises(StoreError, match=rf"holds the lock .*\(pid {holder.pid}\)"):
            stage(tmp_path, "b1")
    finally:
        holder.kill()
        holder.wait()
        for stream in (holder.stdin, holder.stdout):
            assert stream is not None
            stream.close()
    build(tmp_path, "b1")
    assert leftovers(tmp_path) == []


KILLED_BUILD = """
    import os, signal, sys
    from ldpub.store import stage
    staging = stage(sys.argv[1], "killed", keep_releases=int(sys.argv[3]))
    staging.add_graph("http://example.org/g", b'<http://example.org/x> <http://example.org/name> "X" .')
    if sys.argv[2] == "after-rename":
        staging._seal()
        staging._install()
    os.kill(os.getpid(), signal.SIGKILL)
"""


@pytest.mark.parametrize(
    ("moment", "keep"), [("before-publish", 2), ("after-rename", 2), ("after-rename", 0)]
)
def test_a_killed_build_leaves_the_published_release_intact(tmp_path: Path, moment: str, keep: int) -> None:
    build(tmp_path, "b1")
    killed = run_python(KILLED_BUILD, str(tmp_path), moment, str(keep))
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert (tmp_path / "CURRENT").read_text() == "b1\n"
    if moment == "before-publish":
        assert leftovers(tmp_path) == [f".staging-killed-{_pid_of_staging(tmp_path)}"]
    else:
        assert "killed" in os.listdir(tmp_path / "releases")  # complete but never published
    with open_published(tmp_path) as store:
        assert names(store) == ["Ada", "Bob"]
    build(tmp_path, "b2", {G1: ONE}, keep=keep)
    assert leftovers(tmp_path) == []
    expected = {"b1", "b2"} | ({"killed"} if moment == "after-rename" else set())
    assert set(os.listdir(tmp_path / "releases")) == (expected if keep else {"b2"})
    with open_published(tmp_path) as store:
        assert names(store) == ["Ada"]


def test_the_next_build_removes_any_leftovers(tmp_path: Path) -> None:
    build(tmp_path, "b1")
    (tmp_path / "CURRENT.tmp-99999").write_text("half")
    for name in (".staging-x-99999", ".trash-b0-99999"):
        (tmp_path / "releases" / name / "oxigraph").mkdir(parents=True)
    (tmp_path / "releases" / "notes").mkdir()  # not a release (no release.json): left alone
    build(tmp_path, "b2", keep=0)
    assert sorted(os.listdir(tmp_path)) == [".build.lock", "CURRENT", "releases"]
    assert sorted(os.listdir(tmp_path / "releases")) == ["b2", "notes"]


def _pid_of_staging(store_dir: Path) -> str:
    return leftovers(store_dir)[0].rsplit("-", 1)[1]


# --- readers -------------------------------------------------------------------------------------------


def test_refresh_is_cheap_and_detects_a_new_release(tmp_path: Path) -> None:
    build(tmp_path, "b1")
    with open_published(tmp_path) as store:
        assert store.refresh() is False
        build(tmp_path, "b2", {G1: ONE})
        assert store.refresh() is True
        assert store.release_info().build_id == "b2"
        assert names(store) == ["Ada"]
        assert store.refresh() is False


def test_a_reader_keeps_answering_while_a_release_is_published(tmp_path: Path) -> None:
    build(tmp_path, "b1")
    reader = open_published(tmp_path)
    with stage(tmp_path, "b2") as staging:
        staging.add_graph(G2, TWO)
        assert names(reader) == ["Ada", "Bob"]
        staging.publish()
    assert names(reader) == ["Ada", "Bob"]  # still on b1 until it refreshes
    assert reader.release_info().build_id == "b1"
    assert reader.refresh() is True
    assert names(reader) == ["Bob"]
    reader.close()
    with pytest.raises(StoreError, match="closed"):
        reader.query(NAMES)


def test_a_snapshot_stays_on_its_release_while_the_store_moves_on(tmp_path: Path) -> None:
    """What one web request holds: its queries and its release info stay on one release, whatever the
    publishes and refreshes around it."""
    build(tmp_path, "b1")
    with open_published(tmp_path) as store:
        pinned = store.snapshot()
        build(tmp_path, "b2", {G1: ONE})
        assert store.refresh() is True
        assert pinned.refresh() is False
        assert (store.release_info().build_id, names(store)) == ("b2", ["Ada"])
        assert (pinned.release_info().build_id, names(pinned)) == ("b1", ["Ada", "Bob"])
        pinned.close()  # closing a snapshot leaves the store open
        assert names(store) == ["Ada"]
        with pytest.raises(StoreError, match="closed"):
            pinned.query(NAMES)


def test_embedded_store_satisfies_the_protocol(tmp_path: Path) -> None:
    build(tmp_path, "b1")
    store: DatasetStore = open_published(tmp_path)
    assert isinstance(store, EmbeddedStore)
    store.close()


def test_literals_keep_their_lexical_form(tmp_path: Path) -> None:
    """A dateTime stored as "…Z" is answered as "…Z" (rdflib would normalise it to "…+00:00"), so ldpub's
    SPARQL answers equal Oxigraph server's on the same data (benchmarks: query 13)."""
    stamp = "2026-11-24T10:28:04.641393Z"
    data = f'<{EX}b> <{EX}at> "{stamp}"^^<http://www.w3.org/2001/XMLSchema#dateTime> .\n'.encode()
    build(tmp_path, "b1", {G1: data})
    with open_published(tmp_path) as store:
        result = store.query(f"SELECT ?t WHERE {{ ?b <{EX}at> ?t }}")
        assert isinstance(result, SelectResult)
        assert str(result.rows[0]["t"]) == stamp
        # and on its way from a SPARQL query process to the web process (pickled)
        assert str(pickle.loads(pickle.dumps(result.rows[0]["t"]))) == stamp
