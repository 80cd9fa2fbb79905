"""The W3C SPARQL 1.1 Protocol tests (tests/data/sparql11-protocol/manifest.ttl) against a real `ldpub serve`.

The server (granian, started by tests/servers.py on 127.0.0.1) serves a store built from the tests' own
data: data1.nt, data2.nt and data3.nt, each in the named graph its ``rdfs:label`` names. Each test's
requests are sent as the manifest writes them (method, path with ``/sparql/`` mapped to ``/sparql``,
headers, body in the declared encoding) with http.client, which adds no header of its own, and the
answer is checked against ``mf:expectedStatus``, ``mf:expectedFormat`` and ``mf:expectedBoolean``.

Run as written: all 20 query tests and all 7 ``bad_update_*`` tests (updates must get a 4xx; ldpub answers
403). Not run as written: the 7 tests that expect an update to succeed (``update_dataset_default_graph``,
``update_dataset_default_graphs``, ``update_dataset_named_graphs``, ``update_dataset_full``,
``update_post_form``, ``update_post_direct``, ``update_base_uri``): the endpoint is read-only by design
(SPARQL Update is refused), so each of their update requests is sent and must be refused with 403, and
the data must be unchanged afterwards.

The service description tests (service-description-manifest.ttl) have no machine-readable actions; the
two that can be checked are: ``returns-rdf`` (GET on the endpoint returns RDF) and
``has-endpoint-triple`` (it holds an ``sd:endpoint`` triple naming the URL asked).
"""

from __future__ import annotations

import http.client
import json
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit
from xml.etree import ElementTree as ET

import pytest
from rdflib import Graph, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDFS
from rdflib.term import Node

from ldpub.store import stage

from .servers import ldpub_server

HERE = Path(__file__).resolve().parent / "data" / "sparql11-protocol"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
RES = "{http://www.w3.org/2005/sparql-results#}"
DATA_FILES = ("data1.nt", "data2.nt", "data3.nt")
TABULAR = {
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
}
RDF_TYPES = {"application/rdf+xml": "xml", "text/turtle": "turtle", "application/n-triples": "nt"}
ASK_DATA1 = "ASK { <http://kasei.us/2009/09/sparql/data/data1.rdf> a ?type }"


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None
    statuses: frozenset[int]
    """Allowed status classes (2 for 2xx …)."""
    expected_format: str | None
    expected_boolean: bool | None


@dataclass(frozen=True)
class ProtocolTest:
    name: str
    title: str
    requests: list[Request]


def _read_manifest() -> tuple[list[ProtocolTest], dict[str, Path]]:
    manifest = Graph()
    manifest.parse(HERE / "manifest.ttl", format="turtle")
    tests, graphs = [], {}
    entries = next(manifest.objects(None, MF.entries), None)
    assert entries is not None
    for entry in Collection(manifest, entries):
        for data in manifest.objects(entry, UT.graphData):
            graphs[str(manifest.value(data, RDFS.label))] = Path(
                str(manifest.value(data, UT.graph)).split("/")[-1]
            )
        action = manifest.value(entry, MF.action)
        requests = [_request(manifest, r) for r in Collection(manifest, manifest.value(action, HT.requests))]  # type: ignore[arg-type]
        name = str(entry).rsplit("#", 1)[1]
        tests.append(ProtocolTest(name, str(manifest.value(entry, MF.name)), requests))
    return tests, graphs


def _request(manifest: Graph, node: Node) -> Request:
    headers: dict[str, str] = {}
    header_list = manifest.value(node, HT.headers)  # type: ignore[arg-type]
    if header_list is not None:
        for header in Collection(manifest, header_list):  # type: ignore[arg-type]
            headers[str(manifest.value(header, HT.fieldName))] = str(manifest.value(header, HT.fieldValue))
    body = None
    body_node = manifest.value(node, HT.body)  # type: ignore[arg-type]
    if body_node is not None:
        encoding = str(manifest.value(body_node, CNT.characterEncoding) or "UTF-8")
        content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
        if "charset=" in content_type.lower():
            encoding = content_type.lower().split("charset=")[1].split(";")[0].strip()
        body = str(manifest.value(body_node, CNT.chars)).encode(encoding)
    response = manifest.value(node, HT.resp)  # type: ignore[arg-type]
    statuses = frozenset(
        int(str(s).rsplit("StatusCode", 1)[1][0]) for s in manifest.objects(response, MF.expectedStatus)
    )  # type: ignore[arg-type]
    fmt = manifest.value(response, MF.expectedFormat)  # type: ignore[arg-type]
    boolean = manifest.value(response, MF.expectedBoolean)  # type: ignore[arg-type]
    path = str(manifest.value(node, HT.absolutePath))  # type: ignore[arg-type]
    return Request(
        method=str(manifest.value(node, HT.methodName)),  # type: ignore[arg-type]
        path="/sparql" + path[len("/sparql/") :] if path.startswith("/sparql/") else path,
        headers=headers,
        body=body,
        statuses=statuses,
        expected_format=str(fmt) if fmt is not None else None,
        expected_boolean=boolean.toPython() if boolean is not None else None,  # type: ignore[union-attr]
    )


TESTS, GRAPHS = _read_manifest()
UPDATES_EXPECTED_TO_SUCCEED = [t for t in TESTS if t.name.startswith("update_")]
AS_WRITTEN = [t for t in TESTS if not t.name.startswith("update_")]


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real `ldpub serve` over a store holding the protocol tests' data in their named graphs."""
    store = tmp_path_factory.mktemp("protocol-store")
    with stage(store) as staging:
        for graph_name, file_name in GRAPHS.items():
            staging.add_graph(graph_name, (HERE / file_name.name).read_bytes())
        staging.publish()
    with ldpub_server(store) as url:
        yield url


@dataclass(frozen=True)
class Answer:
    status: int
    content_type: str
    body: bytes


def send(base: str, request: Request) -> Answer:
    parts = urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=30)
    try:
        connection.request(request.method, request.path, body=request.body, headers=request.headers)
        response = connection.getresponse()
        body = response.read()
        media = (response.getheader("Content-Type") or "").split(";")[0].strip().lower()
        return Answer(response.status, media, body)
    finally:
        connection.close()


def boolean_of(answer: Answer) -> bool:
    if answer.content_type == "application/sparql-results+json":
        value = json.loads(answer.body)["boolean"]
        assert isinstance(value, bool)
        return value
    assert answer.content_type == "application/sparql-results+xml", answer.content_type
    element = ET.fromstring(answer.body).find(f"{RES}boolean")
    assert element is not None and element.text in ("true", "false")
    return element.text == "true"


def check(answer: Answer, request: Request) -> None:
    assert answer.status // 100 in request.statuses, (answer.status, answer.body[:300])
    if request.expected_format == "boolean":
        assert (
            boolean_of(answer) is request.expected_boolean if request.expected_boolean is not None else True
        )
    elif request.expected_format == "tabular":
        assert answer.content_type in TABULAR
        if answer.content_type == "application/sparql-results+json":
            assert json.loads(answer.body)["results"]["bindings"][0]["value"]["value"] == "1"
    elif request.expected_format == "RDF":
        assert answer.content_type in RDF_TYPES, answer.content_type
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            Graph().parse(data=answer.body, format=RDF_TYPES[answer.content_type])


def test_the_manifest_is_read_whole() -> None:
    assert len(TESTS) == 34
    assert len(AS_WRITTEN) == 27 and len(UPDATES_EXPECTED_TO_SUCCEED) == 7
    assert set(GRAPHS) == {
        f"http://kasei.us/2009/09/sparql/data/{f.replace('.nt', '.rdf')}" for f in DATA_FILES
    }


@pytest.mark.parametrize("test", AS_WRITTEN, ids=lambda t: t.name)
def test_protocol(endpoint: str, test: ProtocolTest) -> None:
    for request in test.requests:
        check(send(endpoint, request), request)


@pytest.mark.parametrize("test", UPDATES_EXPECTED_TO_SUCCEED, ids=lambda t: t.name)
def test_updates_are_refused_by_design(endpoint: str, test: ProtocolTest) -> None:
    updates = [r for r in test.requests if r.method == "POST" and b"query=" not in (r.body or b"")]
    update = next(r for r in updates if "sparql-query" not in r.headers.get("Content-Type", ""))
    assert send(endpoint, update).status == 403
    ask = Request("GET", "/sparql?query=" + quote(ASK_DATA1), {}, None, frozenset({2}), "boolean", True)
    check(send(endpoint, ask), ask)


def test_service_description_returns_rdf_with_its_endpoint(endpoint: str) -> None:
    """W3C service-description tests ``returns-rdf`` and ``has-endpoint-triple``."""
    answer = send(
        endpoint, Request("GET", "/sparql", {"Accept": "text/turtle"}, None, frozenset({2}), None, None)
    )
    assert answer.status == 200 and answer.content_type == "text/turtle"
    graph = Graph()
    graph.parse(data=answer.body, format="turtle")
    assert (None, SD.endpoint, URIRef(f"{endpoint}/sparql")) in graph
