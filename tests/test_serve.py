"""`ldpub serve` for real (granian on 127.0.0.1) read by real clients: http.client, rdflib and `rapper`.

rapper is Debian's raptor2-utils (CI installs it). Its 2.0.15 parsers are RDF/XML, N-Triples, Turtle, TriG,
N-Quads, RDFa and RDF/JSON, not JSON-LD: JSON-LD is read by rdflib only.
"""

from __future__ import annotations

import http.client
import os
import shutil
import subprocess
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from rdflib import Dataset, Graph, URIRef
from rdflib.namespace import RDFS

from ldpub.build import BuildReport
from ldpub.describe import describe
from ldpub.settings import Settings
from ldpub.store import EmbeddedStore

from .conftest import BASE, ROOT
from .servers import ldpub_server

pytestmark = pytest.mark.slow

SLUG = "prc-fma-118-01025-02"
IRI = f"{BASE}/id/document/{SLUG}"
TITLE = "Telegram from the Ministry of Foreign Affairs and the Ministry of Public Security"


@pytest.fixture(scope="module")
def server(built: tuple[Settings, BuildReport]) -> Iterator[str]:
    with ldpub_server(built[0].store, "--workers", "2") as url:
        yield url


@pytest.fixture(scope="module")
def expected(store: EmbeddedStore) -> int:
    """How many triples the telegram's description holds, read from the store directly."""
    return len(describe(store, IRI).graph)


def request(url: str, method: str = "GET", headers: dict[str, str] | None = None) -> http.client.HTTPResponse:
    """One raw request (no redirect following), like `curl -I` / `curl -i`."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=10)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    connection.request(method, path, headers=headers or {})
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


def rdflib_parse(url: str, fmt: str | None) -> Graph:
    with warnings.catch_warnings():  # rdflib's JSON-LD and N-Quads parsers use deprecated classes
        warnings.simplefilter("ignore", DeprecationWarning)
        if fmt == "nquads":
            dataset = Dataset()
            dataset.parse(url, format="nquads")
            union = Graph()
            for s, p, o, _ in dataset.quads((None, None, None, None)):
                union.add((s, p, o))
            return union
        return Graph().parse(url, format=fmt)


def test_head_of_an_id_answers_303(server: str) -> None:
    response = request(f"{server}/id/document/{SLUG}", "HEAD")
    assert response.status == 303
    assert response.getheader("Location") == f"{server}/doc/document/{SLUG}"
    assert response.getheader("Server") == "granian"  # the production server, not Flask's


@pytest.mark.parametrize("fmt", [None, "turtle", "xml", "nt", "json-ld", "n3"])
def test_rdflib_follows_the_303_and_reads_every_format(server: str, expected: int, fmt: str | None) -> None:
    graph = rdflib_parse(f"{server}/id/document/{SLUG}", fmt)
    assert len(graph) == expected
    assert any(TITLE in str(o) for o in graph.objects(URIRef(IRI), RDFS.label))


def test_rdflib_reads_nquads_through_the_303(server: str, expected: int) -> None:
    # rdflib sends no N-Quads Accept header, so ask with ?format=, which the 303 keeps
    assert len(rdflib_parse(f"{server}/id/document/{SLUG}?format=nq", "nquads")) == expected


def rapper() -> str:
    found = shutil.which("rapper")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("rapper (raptor2-utils) is missing: .ci/run installs it")
        pytest.skip("rapper is not installed here (apt-get install raptor2-utils)")
    return found


@pytest.mark.parametrize(
    ("parser", "path"),
    [
        ("turtle", f"/doc/document/{SLUG}.ttl"),
        ("rdfxml", f"/doc/document/{SLUG}.rdf"),
        ("ntriples", f"/doc/document/{SLUG}.nt"),
        ("nquads", f"/doc/document/{SLUG}.nq"),
        ("guess", f"/id/document/{SLUG}"),  # follows the 303 and picks the parser from Content-Type
    ],
)
def test_rapper_reads_each_format_with_the_same_count_as_rdflib(
    server: str, expected: int, parser: str, path: str
) -> None:
    run = subprocess.run(
        [rapper(), "-i", parser, "-c", f"{server}{path}"], capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 0, run.stderr
    assert f"Parsing returned {expected} triples" in run.stderr
    assert "Error" not in run.stderr and "Warning" not in run.stderr


def test_conditional_get_and_cors_on_the_real_server(server: str) -> None:
    url = f"{server}/doc/document/{SLUG}.ttl"
    first = request(url)
    assert first.status == 200
    assert first.getheader("Content-Type") == "text/turtle; charset=utf-8"
    etag = first.getheader("ETag")
    assert etag is not None and not etag.startswith("W/")
    assert request(url, headers={"If-None-Match": etag}).status == 304
    modified = first.getheader("Last-Modified")
    assert modified is not None
    assert request(url, headers={"If-Modified-Since": modified}).status == 304
    preflight = request(
        url, "OPTIONS", {"Origin": "https://example.org", "Access-Control-Request-Method": "GET"}
    )
    assert preflight.status == 200
    assert preflight.getheader("Access-Control-Allow-Origin") == "*"


def test_serve_on_a_store_never_built_is_a_clear_error(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "ldpub", "--config", str(ROOT / "ldpub.toml"), "serve"]
    command += ["--store", str(tmp_path / "nothing"), "--port", "1"]
    run = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert run.returncode == 1
    assert run.stderr.startswith("error:") and "Traceback" not in run.stderr


def test_the_server_removes_its_client_limit_lock_file_when_it_stops(
    built: tuple[Settings, BuildReport], tmp_path: Path
) -> None:
    """The per-client SPARQL limit's lock file (in the temporary folder) goes with the server."""
    with ldpub_server(built[0].store, env={"TMPDIR": str(tmp_path)}) as url:
        answer = request(
            f"{url}/sparql?query=ASK%7B%3Fs%3Fp%3Fo%7D", headers={"Accept": "application/sparql-results+json"}
        )
        assert answer.status == 200
        assert len(list(tmp_path.glob("ldpub-sparql-clients-*.lock"))) == 1, (
            "a query takes a slot in the lock file"
        )
    assert list(tmp_path.glob("ldpub-sparql-clients-*.lock")) == []
