"""Versioned dumps (issue 5, item 4): written at build time, served at /dumps/ with ranges and ETags.

A dump downloaded over HTTP and loaded into a fresh store is isomorphic to the published dataset, graph by
graph; the manifest's sizes and SHA-256 are the bytes'; earlier versions stay available; no request
reaches a file outside the dumps folder.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import shutil
import urllib.request
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

import pytest
from flask.testing import FlaskClient
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from werkzeug.test import TestResponse

from ldpub.build import BuildReport, build
from ldpub.dumps import (
    DumpFile,
    Manifest,
    dump_path,
    dumps_for,
    dumps_root,
    fan_out,
    manifests,
    release_version,
)
from ldpub.history import changes, record_release
from ldpub.published import named_graph
from ldpub.settings import Settings
from ldpub.store import DatasetStore, EmbeddedStore, open_published, stage
from ldpub.web import create_app

from .conftest import DATA, project_settings
from .servers import ldpub_server


def _get(
    client: FlaskClient, url: str, method: str = "GET", follow: bool = False, **headers: str
) -> TestResponse:
    """A request whose response is read and closed (a served file's handle is released)."""
    with client.open(url, method=method, headers=headers, follow_redirects=follow) as response:
        response.get_data()
    return response


def _dataset(data: bytes, fmt: str) -> Dataset:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        dataset = Dataset()
        dataset.parse(data=data, format=fmt)
    return dataset


def canonical(graph: Graph) -> Graph:
    """``graph`` with every typed literal in rdflib's normal form: rdflib parses a dump's "…Z" dateTime as
    "…+00:00", while the store answers it as written ("…Z", see tests/test_store.py)."""
    out = Graph()
    for s, p, o in graph:
        if isinstance(o, Literal) and o.datatype is not None:
            o = Literal(str(o), datatype=o.datatype)
        out.add((s, p, o))
    return out


def _assert_same_graphs(dataset: Dataset, store: DatasetStore) -> None:
    """Every named graph of ``dataset`` is isomorphic to the store's graph of that name, and vice versa."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        names = sorted(str(g.identifier) for g in dataset.graphs() if len(g))
        assert names == store.graphs()
        for name in names:
            assert isomorphic(canonical(dataset.graph(URIRef(name))), canonical(named_graph(store, name))), (
                name
            )


def _union(store: DatasetStore) -> Graph:
    result = store.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
    assert isinstance(result, Graph)
    return result


def _current(settings: Settings) -> Manifest:
    manifest = dumps_for(settings)
    assert manifest is not None
    return manifest


def _listed(manifest: Manifest, fmt: str) -> DumpFile:
    return next(f for f in manifest.files if f.format == fmt)


def _url(manifest: Manifest, fmt: str) -> str:
    return f"/dumps/{manifest.version}/{_listed(manifest, fmt).name}"


def test_a_build_writes_dumps_with_a_manifest_of_sizes_and_checksums(
    built: tuple[Settings, BuildReport],
) -> None:
    settings, report = built
    manifest = _current(settings)
    assert manifest.build_id == report.release.build_id
    assert manifest.version == release_version(settings, report.release) == release_version(settings)
    assert manifest.version.startswith(report.release.created.strftime("%Y-%m-%d"))
    assert [f.format for f in manifest.files] == ["nquads", "turtle", "jsonld"]
    folder = dumps_root(settings) / manifest.version
    for listed in manifest.files:
        data = (folder / listed.name).read_bytes()
        assert listed.name.startswith(f"ldpub-{manifest.version}.")
        assert listed.bytes == len(data)
        assert listed.sha256 == hashlib.sha256(data).hexdigest()
    assert (
        json.loads((folder / "manifest.json").read_text())["files"][0]["sha256"] == manifest.files[0].sha256
    )
    assert not [p.name for p in dumps_root(settings).iterdir() if p.name.startswith(".tmp-")]


def test_nquads_dump_downloaded_and_loaded_into_a_fresh_store_is_isomorphic(
    client: FlaskClient, built: tuple[Settings, BuildReport], store: EmbeddedStore, tmp_path: Path
) -> None:
    response = _get(client, _url(_current(built[0]), "nquads"))
    assert response.status_code == 200
    assert response.content_type == "application/gzip"
    assert "Content-Encoding" not in response.headers
    assert int(response.headers["Content-Length"]) == len(response.data)
    nquads = gzip.decompress(response.data)
    downloaded = _dataset(nquads, "nquads")
    _assert_same_graphs(downloaded, store)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        graphs = [(str(g.identifier), g) for g in downloaded.graphs() if len(g)]
    with stage(tmp_path / "fresh", "fresh-load") as staging:
        for name, graph in graphs:
            staging.add_graph(name, graph)
        staging.publish()
    with open_published(tmp_path / "fresh") as fresh:
        assert fresh.quad_count() == store.quad_count()
        for name in store.graphs():
            assert isomorphic(named_graph(fresh, name), named_graph(store, name)), name


def test_jsonld_dump_keeps_the_graphs_and_turtle_is_their_union(
    client: FlaskClient, built: tuple[Settings, BuildReport], store: EmbeddedStore
) -> None:
    manifest = _current(built[0])
    jsonld = _get(client, _url(manifest, "jsonld"))
    assert jsonld.status_code == 200
    assert jsonld.content_type == "application/gzip"
    assert "Content-Encoding" not in jsonld.headers
    assert _listed(manifest, "jsonld").media_type == "application/ld+json"
    _assert_same_graphs(_dataset(gzip.decompress(jsonld.data), "json-ld"), store)
    turtle = _get(client, _url(manifest, "turtle"))
    assert turtle.content_type == "application/gzip"
    assert _listed(manifest, "turtle").media_type == "text/turtle"
    dumped = Graph().parse(data=gzip.decompress(turtle.data), format="turtle")
    assert isomorphic(canonical(dumped), canonical(_union(store)))


def test_every_dump_is_gzip_and_the_files_are_named_by_version(built: tuple[Settings, BuildReport]) -> None:
    manifest = _current(built[0])
    names = [f.name for f in manifest.files]
    assert names == [f"ldpub-{manifest.version}.{suffix}" for suffix in ("nq.gz", "ttl.gz", "jsonld.gz")]
    folder = dumps_root(built[0]) / manifest.version
    for listed in manifest.files:
        assert listed.compress_format == "application/gzip"
        assert (folder / listed.name).read_bytes()[:2] == b"\x1f\x8b"  # the gzip magic number
        with gzip.open(folder / listed.name) as unzipped:
            assert unzipped.read(1)  # a whole, readable gzip stream with content


def test_range_requests_conditional_requests_and_head(
    client: FlaskClient, built: tuple[Settings, BuildReport]
) -> None:
    manifest = _current(built[0])
    listed = manifest.files[1]
    url = _url(manifest, listed.format)
    whole = _get(client, url)
    etag = f'"{listed.sha256}"'
    assert whole.headers["ETag"] == etag
    assert whole.headers["Accept-Ranges"] == "bytes"
    assert whole.headers["Last-Modified"]
    part = _get(client, url, Range="bytes=10-99")
    assert part.status_code == 206
    assert part.data == whole.data[10:100]
    assert part.headers["Content-Range"] == f"bytes 10-99/{listed.bytes}"
    assert part.headers["Content-Length"] == "90"
    tail = _get(client, url, Range="bytes=-25")
    assert tail.status_code == 206 and tail.data == whole.data[-25:]
    beyond = _get(client, url, Range=f"bytes={listed.bytes + 10}-")
    assert beyond.status_code == 416
    assert beyond.headers["Content-Range"] == f"bytes */{listed.bytes}"
    stale = _get(client, url, Range="bytes=0-9", **{"If-Range": '"not-the-etag"'})
    assert stale.status_code == 200 and stale.data == whole.data
    fresh = _get(client, url, Range="bytes=0-9", **{"If-Range": etag})
    assert fresh.status_code == 206 and fresh.data == whole.data[:10]
    assert _get(client, url, **{"If-None-Match": etag}).status_code == 304
    head = _get(client, url, "HEAD")
    assert head.status_code == 200 and head.data == b""
    assert head.headers["Content-Length"] == str(listed.bytes)
    assert whole.headers["Repr-Digest"].startswith("sha-256=:")


def test_listing_in_json_and_html(client: FlaskClient, built: tuple[Settings, BuildReport]) -> None:
    manifest = _current(built[0])
    answer = _get(client, "/dumps/", Accept="application/json")
    assert answer.status_code == 200
    record = answer.get_json()
    assert record["current"] == manifest.version
    files = record["versions"][0]["files"]
    assert [(f["bytes"], f["sha256"]) for f in files] == [(f.bytes, f.sha256) for f in manifest.files]
    download = _get(client, files[2]["url"])
    assert download.status_code == 200 and hashlib.sha256(download.data).hexdigest() == files[2]["sha256"]
    page = _get(client, "/dumps/", Accept="text/html")
    assert page.content_type.startswith("text/html")
    assert manifest.files[0].sha256 in page.get_data(as_text=True)
    assert _get(client, "/dumps/latest/").headers["Location"].endswith(f"/dumps/{manifest.version}/")
    one = _get(client, f"/dumps/{manifest.version}/?format=json").get_json()
    assert [v["version"] for v in one["versions"]] == [manifest.version]
    served = _get(client, f"/dumps/{manifest.version}/manifest.json").get_json()
    assert served["build_id"] == manifest.build_id
    assert _get(client, "/dumps/1999-01-01/").status_code == 404


TRICKS = [
    "/dumps/../CURRENT",
    "/dumps/%2e%2e/CURRENT",
    "/dumps/%2E%2E/%2E%2E/etc/passwd",
    "/dumps/{v}/../../CURRENT",
    "/dumps/{v}/..%2f..%2fCURRENT",
    "/dumps/{v}/%2e%2e",
    "/dumps/{v}//etc/passwd",
    "/dumps/{v}/%2fetc%2fpasswd",
    "/dumps/..%2freleases/release.json",
    "/dumps/{v}/.lock",
    "/dumps/{v}/ldpub-{v}.nq",
    "/dumps/{v}/ldpub-{v}.nq.gz%00.ttl",
    "/dumps/{v}/ldpub-{v}.nq.gz/",
    "/dumps/versions.json",
    "/dumps/.lock",
    "/dumps/2026-13-45/ldpub-2026-13-45.ttl.gz",
    "/dumps/{v}/ldpub-{v}.ttl",
]


@pytest.mark.parametrize("trick", TRICKS)
def test_path_tricks_never_leave_the_dumps_folder(
    client: FlaskClient, built: tuple[Settings, BuildReport], trick: str
) -> None:
    path = trick.format(v=_current(built[0]).version)
    response = _get(client, path, follow=True)
    assert response.status_code in (404, 400), path
    assert b"<http" not in response.data and b"root:" not in response.data


def test_dump_path_refuses_names_outside_the_manifest(built: tuple[Settings, BuildReport]) -> None:
    settings = built[0]
    version = _current(settings).version
    for name in ("../CURRENT", "/etc/passwd", "manifest.json", ".", "..", "x\\..\\y"):
        assert dump_path(settings, version, name) is None
    assert dump_path(settings, "../releases", "release.json") is None
    found = dump_path(settings, version, f"ldpub-{version}.ttl.gz")
    assert found is not None and found[2].is_file()


@pytest.fixture(scope="module")
def rebuilt(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, list[BuildReport]]:
    """Three builds of data/ into one private store keeping one earlier release."""
    sources = tmp_path_factory.mktemp("sources")
    for path in (DATA / "sources").iterdir():
        shutil.copy(path, sources / path.name)
    settings = project_settings(tmp_path_factory.mktemp("store"), sources=sources, keep_releases=1)
    return settings, [build(settings) for _ in range(3)]


def test_each_build_is_a_new_version_and_the_previous_dumps_stay(
    rebuilt: tuple[Settings, list[BuildReport]],
) -> None:
    settings, reports = rebuilt
    kept = manifests(settings)
    assert [m.build_id for m in kept] == [r.release.build_id for r in reversed(reports[1:])]
    versions = [release_version(settings, r.release) for r in reports]
    assert len(set(versions)) == 3
    assert dumps_for(settings, versions[0]) is None  # beyond keep_releases + 1: pruned
    client = create_app(settings).test_client()
    previous, current = kept[1], kept[0]
    old = _get(client, _url(previous, "nquads"))
    new = _get(client, _url(current, "nquads"))
    assert old.status_code == new.status_code == 200
    assert hashlib.sha256(old.data).hexdigest() == previous.files[0].sha256
    assert old.headers["ETag"] != new.headers["ETag"]
    first = next(f.name for f in kept[0].files if f.format == "nquads").replace(current.version, versions[0])
    assert _get(client, f"/dumps/{versions[0]}/{first}").status_code == 404
    assert _get(client, "/dumps/?format=json").get_json()["current"] == current.version


def test_a_symlink_out_of_the_dumps_folder_is_not_followed(
    rebuilt: tuple[Settings, list[BuildReport]], tmp_path: Path
) -> None:
    settings = rebuilt[0]
    manifest = manifests(settings)[1]
    listed = manifest.files[1]
    target = dumps_root(settings) / manifest.version / listed.name
    secret = tmp_path / "secret.ttl"
    secret.write_text("outside the dumps folder\n")
    saved = target.with_name("saved")
    os.rename(target, saved)
    try:
        os.symlink(secret, target)
        client = create_app(settings).test_client()
        response = _get(client, f"/dumps/{manifest.version}/{listed.name}")
        assert response.status_code == 404
        assert b"outside" not in response.data
    finally:
        target.unlink()
        os.rename(saved, target)


def test_a_dump_through_the_real_server(built: tuple[Settings, BuildReport], store: EmbeddedStore) -> None:
    manifest = _current(built[0])
    listed = manifest.files[0]
    with ldpub_server(built[0].store) as url:
        with urllib.request.urlopen(url + _url(manifest, "nquads"), timeout=30) as answer:
            data = answer.read()
            assert answer.headers["Content-Type"] == "application/gzip"
            assert answer.headers["Content-Length"] == str(listed.bytes)
            assert answer.headers["ETag"] == f'"{listed.sha256}"'
        ranged = urllib.request.Request(url + _url(manifest, "nquads"), headers={"Range": "bytes=100-199"})
        with urllib.request.urlopen(ranged, timeout=30) as answer:
            assert answer.status == 206
            assert answer.read() == data[100:200]
    assert hashlib.sha256(data).hexdigest() == listed.sha256
    with gzip.open(io.BytesIO(data)) as unzipped:
        _assert_same_graphs(_dataset(unzipped.read(), "nquads"), store)


def test_an_external_store_build_writes_its_dumps_in_the_store_folder(
    tmp_path: Path, built: tuple[Settings, BuildReport], store: EmbeddedStore
) -> None:
    from ldpub.history import changes
    from ldpub.store import open_store

    from .servers import oxigraph_server

    with oxigraph_server(tmp_path / "oxigraph") as base:
        settings = project_settings(
            tmp_path / "store", store_url=f"{base}/query", store_update_url=f"{base}/update"
        )
        report = build(settings)
        manifest = _current(settings)
        assert manifest.build_id == report.release.build_id
        assert sorted(p.name for p in (tmp_path / "store").iterdir()) == ["dumps", "history"]
        client = create_app(settings).test_client()
        download = _get(client, _url(manifest, "nquads"))
        assert hashlib.sha256(download.data).hexdigest() == manifest.files[0].sha256
        with open_store(settings) as remote:  # type: ignore[attr-defined]
            _assert_same_graphs(_dataset(gzip.decompress(download.data), "nquads"), remote)
    embedded = {c.iri for c in changes(built[0]) if c.build_id == built[1].release.build_id}
    assert {c.iri for c in changes(settings)} == embedded


def _fails(stream: BinaryIO) -> None:
    stream.read(10)
    raise ValueError("no space left for this one")


def _dies(stream: BinaryIO) -> None:
    stream.read(10)
    os._exit(3)


def _length(stream: BinaryIO) -> int:
    return len(stream.read())


@pytest.mark.parametrize("processes", [False, True])
def test_a_failing_reader_is_named_and_the_others_finish(store: EmbeddedStore, processes: bool) -> None:
    tasks: list[tuple[str, Callable[..., object], tuple[object, ...]]] = [
        ("fails", _fails, ()),
        ("counts", _length, ()),
    ]
    if processes:
        tasks.append(("dies", _dies, ()))
    results = fan_out(store, tasks, processes=processes)
    assert results[0] == (False, "no space left for this one")
    exported = io.BytesIO()
    store.export("nquads", exported)
    assert results[1] == (True, len(exported.getvalue()))
    if processes:
        assert results[2][0] is False and "exit code 3" in str(results[2][1])


def test_writers_in_processes_write_the_same_files_and_history_as_threads(tmp_path: Path) -> None:
    settings = project_settings(tmp_path / "store")
    report = build(settings)
    store_dir = Path(settings.store)
    runs = []
    for processes in (False, True):
        shutil.rmtree(store_dir / "dumps")
        shutil.rmtree(store_dir / "history")
        manifest, recorded = record_release(settings, report.release, processes=processes)
        assert manifest.build_id == report.release.build_id and recorded.created > 0
        runs.append(([(f.name, f.bytes, f.sha256) for f in manifest.files], changes(settings)))
    assert runs[0] == runs[1]
    assert not [p.name for p in store_dir.rglob("*") if ".tmp-" in p.name]
