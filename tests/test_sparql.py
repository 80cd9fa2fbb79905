"""The SPARQL endpoint in process (Flask's test client over the real built store and real query workers).

Every rule of the SPARQL 1.1 Protocol the endpoint implements, each result format parsed back, the service
description, the example queries, the limits (row cap signalled, a runaway query stopped while another
request is answered) and SERVICE refusal.
"""

from __future__ import annotations

import csv
import io
import json
import threading
import time
import urllib.error
import urllib.request
import warnings
from collections.abc import Iterator
from urllib.parse import quote
from xml.etree import ElementTree as ET

import pytest
from flask import Flask
from flask.testing import FlaskClient
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, RDFS
from werkzeug.test import TestResponse

from ldpub.build import BuildReport
from ldpub.settings import Settings
from ldpub.sparql_service import QUERIES_DIR
from ldpub.store import EmbeddedStore
from ldpub.web import create_app

from .conftest import BASE
from .servers import ldpub_server

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
SH = Namespace("http://www.w3.org/ns/shacl#")
SCHEMA = Namespace("https://schema.org/")
RES = "{http://www.w3.org/2005/sparql-results#}"
CRM = "http://www.cidoc-crm.org/cidoc-crm/"
PERSONS = (
    f"SELECT ?p ?name WHERE {{ ?p a <{CRM}E21_Person> ; <{RDFS.label}> ?name "
    'FILTER(lang(?name) = "en") } ORDER BY ?name'
)
ALL_TRIPLES = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"
EXPENSIVE = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
PAK = f"{BASE}/id/person/pak-seong-cheol"


def parse(data: bytes | str, fmt: str) -> Graph:
    graph = Graph()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        graph.parse(data=data, format=fmt)
    return graph


def app_for(built: tuple[Settings, BuildReport], store: EmbeddedStore, **changes: object) -> Flask:
    settings = built[0].replace(**changes) if changes else built[0]
    app = create_app(settings, store)
    app.testing = True
    return app


@pytest.fixture(scope="module")
def client(built: tuple[Settings, BuildReport], store: EmbeddedStore) -> Iterator[FlaskClient]:
    with app_for(built, store).test_client() as test_client:
        yield test_client


def get(client: FlaskClient, query: str, accept: str | None = None, **params: str) -> TestResponse:
    headers = {"Accept": accept} if accept else {}
    return client.get("/sparql", query_string={"query": query, **params}, headers=headers)


def names_from_json(data: bytes) -> list[str]:
    return [b["name"]["value"] for b in json.loads(data)["results"]["bindings"]]


# Query operation and result formats (Protocol §2.1, Results JSON/XML/CSV/TSV)


def test_select_defaults_to_sparql_json(client: FlaskClient) -> None:
    response = client.get("/sparql", query_string={"query": PERSONS})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/sparql-results+json; charset=utf-8"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Accept" in response.headers["Vary"]
    data = json.loads(response.data)
    assert data["head"]["vars"] == ["p", "name"]
    assert {"type": "uri", "value": PAK} in [b["p"] for b in data["results"]["bindings"]]
    pak = next(b for b in data["results"]["bindings"] if b["p"]["value"] == PAK)
    assert pak["name"] == {"type": "literal", "value": "Pak Seong-cheol", "xml:lang": "en"}


def test_select_as_xml(client: FlaskClient) -> None:
    response = client.get(
        "/sparql", query_string={"query": PERSONS}, headers={"Accept": "application/sparql-results+xml"}
    )
    assert response.headers["Content-Type"] == "application/sparql-results+xml; charset=utf-8"
    root = ET.fromstring(response.data)
    assert root.tag == f"{RES}sparql"
    assert [v.get("name") for v in root.iter(f"{RES}variable")] == ["p", "name"]
    uris = [u.text for u in root.iter(f"{RES}uri")]
    assert PAK in uris
    literal = next(x for x in root.iter(f"{RES}literal") if x.text == "Pak Seong-cheol")
    assert literal.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"


def test_select_as_csv_and_tsv(client: FlaskClient) -> None:
    response = client.get("/sparql", query_string={"query": PERSONS}, headers={"Accept": "text/csv"})
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.data.decode())))
    assert rows[0] == ["p", "name"]
    assert [PAK, "Pak Seong-cheol"] in rows
    assert response.data.endswith(b"\r\n")

    response = client.get(
        "/sparql", query_string={"query": PERSONS}, headers={"Accept": "text/tab-separated-values"}
    )
    assert response.headers["Content-Type"] == "text/tab-separated-values; charset=utf-8"
    lines = [line.split("\t") for line in response.data.decode().splitlines()]
    assert lines[0] == ["?p", "?name"]
    assert [f"<{PAK}>", '"Pak Seong-cheol"@en'] in lines


def test_format_parameter_wins_over_accept(client: FlaskClient) -> None:
    response = get(client, PERSONS, "application/sparql-results+json", format="csv")
    assert response.headers["Content-Type"].startswith("text/csv")
    response = get(client, PERSONS, None, format="application/sparql-results+xml")
    assert ET.fromstring(response.data).tag == f"{RES}sparql"
    response = get(client, PERSONS, None, format="pdf")
    assert response.status_code == 400


def test_q_values_choose_the_format(client: FlaskClient) -> None:
    accept = "application/sparql-results+json;q=0.5, text/csv;q=0.9, */*;q=0.1"
    response = get(client, PERSONS, accept)
    assert response.headers["Content-Type"].startswith("text/csv")


def test_post_form_and_post_direct(client: FlaskClient) -> None:
    response = client.post("/sparql", data={"query": PERSONS})
    assert response.status_code == 200
    assert "Pak Seong-cheol" in names_from_json(response.data)
    response = client.post("/sparql", data=PERSONS.encode(), content_type="application/sparql-query")
    assert response.status_code == 200
    assert "Hao Deqing" in names_from_json(response.data)
    response = client.post(
        "/sparql", data=PERSONS.encode(), content_type="application/sparql-query; charset=UTF-8"
    )
    assert response.status_code == 200


def test_post_with_another_body_type_or_encoding_is_refused(client: FlaskClient) -> None:
    assert client.post("/sparql", data=b"ASK {}", content_type="text/plain").status_code == 415
    assert client.post("/sparql", data=b"query=ASK%20%7B%7D").status_code == 415
    body = "ASK {}".encode("utf-16")
    response = client.post("/sparql", data=body, content_type="application/sparql-query; charset=UTF-16")
    assert response.status_code == 415


def test_ask_as_json_and_xml(client: FlaskClient) -> None:
    ask = f"ASK {{ <{PAK}> a <{CRM}E21_Person> }}"
    assert json.loads(get(client, ask).data) == {"head": {}, "boolean": True}
    xml = get(client, "ASK { ?s <http://example.org/nothing> ?o }", "application/sparql-results+xml")
    assert ET.fromstring(xml.data).find(f"{RES}boolean").text == "false"
    assert get(client, ask, "text/csv").status_code == 406


@pytest.mark.parametrize(
    ("accept", "rdflib_format"),
    [
        ("text/turtle", "turtle"),
        ("application/n-triples", "nt"),
        ("application/rdf+xml", "xml"),
        ("application/ld+json", "json-ld"),
    ],
)
def test_construct_in_every_rdf_format(client: FlaskClient, accept: str, rdflib_format: str) -> None:
    query = (
        f"CONSTRUCT {{ ?p <{RDFS.label}> ?name }} WHERE {{ ?p a <{CRM}E21_Person> ; <{RDFS.label}> ?name }}"
    )
    response = get(client, query, accept)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == f"{accept}; charset=utf-8"
    graph = parse(response.data, rdflib_format)
    assert (URIRef(PAK), RDFS.label, Literal("Pak Seong-cheol", lang="en")) in graph
    assert (URIRef(PAK), RDFS.label, Literal("박성철", lang="ko")) in graph


def test_construct_defaults_to_turtle_and_describe_works(client: FlaskClient) -> None:
    response = get(client, f"DESCRIBE <{PAK}>")
    assert response.headers["Content-Type"] == "text/turtle; charset=utf-8"
    graph = parse(response.data, "turtle")
    assert (URIRef(PAK), RDF.type, URIRef(f"{CRM}E21_Person")) in graph
    assert get(client, f"DESCRIBE <{PAK}>", "text/csv").status_code == 406


def test_head_answers_without_body(client: FlaskClient) -> None:
    response = client.head("/sparql", query_string={"query": PERSONS})
    assert response.status_code == 200
    assert response.data == b""
    assert response.headers["Content-Type"].startswith("application/sparql-results+json")


def test_answers_carry_validators_of_the_release_they_were_read_from(
    client: FlaskClient, store: EmbeddedStore
) -> None:
    """A weak ETag naming the release (build id first) and the query, Last-Modified the release's time;
    304 for a matching If-None-Match; another query or format has another ETag."""
    release = store.release_info()
    response = get(client, PERSONS)
    etag = response.headers["ETag"]
    assert etag.startswith(f'W/"{release.build_id}.')
    assert response.last_modified == release.created.replace(microsecond=0)
    assert response.headers["Cache-Control"] == "no-cache"
    again = client.get("/sparql", query_string={"query": PERSONS}, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert get(client, PERSONS, "application/sparql-results+xml").headers["ETag"] != etag
    assert get(client, PERSONS + " LIMIT 1").headers["ETag"] != etag
    posted = client.post("/sparql", data={"query": PERSONS})
    assert posted.status_code == 200 and posted.headers["ETag"] == etag


# Dataset (Protocol §2.1.4; the default graph is the union of the named graphs)


def count(client: FlaskClient, query: str, **params: object) -> int:
    response = client.get("/sparql", query_string={"query": query, **params})
    assert response.status_code == 200, response.data
    return int(json.loads(response.data)["results"]["bindings"][0]["n"]["value"])


def test_default_graph_is_the_union_of_the_named_graphs(client: FlaskClient, store: EmbeddedStore) -> None:
    union = count(client, "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }")
    info = store.release_info()
    assert union == info.triples
    per_graph = count(client, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert per_graph == store.quad_count()


def test_default_graph_uri_restricts_the_default_graph(client: FlaskClient) -> None:
    entities = f"{BASE}/graph/entities"
    expected = count(client, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{entities}> {{ ?s ?p ?o }} }}")
    restricted = count(
        client, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", **{"default-graph-uri": entities}
    )
    assert 0 < restricted == expected
    # The protocol's dataset replaces the query's own FROM.
    query = f"SELECT (COUNT(*) AS ?n) FROM <{BASE}/graph/build> WHERE {{ ?s ?p ?o }}"
    assert count(client, query, **{"default-graph-uri": entities}) == expected
    assert count(client, query) < expected


def test_named_graph_uri_restricts_the_named_graphs(client: FlaskClient) -> None:
    entities, build = f"{BASE}/graph/entities", f"{BASE}/graph/build"
    response = client.get(
        "/sparql",
        query_string=[
            ("query", "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"),
            ("named-graph-uri", entities),
            ("named-graph-uri", build),
        ],
    )
    graphs = {b["g"]["value"] for b in json.loads(response.data)["results"]["bindings"]}
    assert graphs == {entities, build}


def test_a_bad_graph_iri_is_a_client_error(client: FlaskClient) -> None:
    response = client.get("/sparql", query_string={"query": "ASK {}", "default-graph-uri": "not an iri"})
    assert response.status_code == 400


# Service description (SPARQL 1.1 Service Description §3) and the query page


def test_get_without_query_is_the_service_description(client: FlaskClient, store: EmbeddedStore) -> None:
    response = client.get("/sparql", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/turtle; charset=utf-8"
    graph = parse(response.data, "turtle")
    service = URIRef("http://localhost/sparql")
    assert (service, SD.endpoint, service) in graph
    assert (service, SD.feature, SD.UnionDefaultGraph) in graph
    assert (service, SD.supportedLanguage, SD.SPARQL11Query) in graph
    assert (service, SD.feature, SD.BasicFederatedQuery) not in graph
    comments = [str(c) for c in graph.objects(None, RDFS.comment)]
    assert any("union of all the named graphs" in c for c in comments)
    assert {str(n) for n in graph.objects(None, SD.name)} == set(store.graphs())
    assert response.headers["ETag"]
    again = client.get(
        "/sparql", headers={"Accept": "text/turtle", "If-None-Match": response.headers["ETag"]}
    )
    assert again.status_code == 304


def test_service_description_in_rdf_xml_and_json_ld(client: FlaskClient) -> None:
    for accept, fmt in (("application/rdf+xml", "xml"), ("application/ld+json", "json-ld")):
        response = client.get("/sparql", headers={"Accept": accept})
        graph = parse(response.data, fmt)
        assert (None, SD.endpoint, URIRef("http://localhost/sparql")) in graph


def test_browser_gets_the_query_page_with_a_packaged_editor(client: FlaskClient) -> None:
    accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    response = client.get("/sparql", headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    page = response.data.decode()
    for path in (
        "vendor/codemirror/lib/codemirror.js",
        "vendor/codemirror/mode/sparql/sparql.js",
        "vendor/codemirror/lib/codemirror.css",
    ):
        assert f"/static/{path}" in page
        with client.get(f"/static/{path}") as static:
            assert static.status_code == 200
    assert "cdn" not in page.lower() and "https://unpkg" not in page
    assert "Persons mentioned in each document, with their Wikidata IDs" in page
    assert page.count('<option value="') >= 12 + 7  # the examples and the result formats


def test_query_page_shows_results_as_an_escaped_table(client: FlaskClient) -> None:
    response = get(client, PERSONS, "text/html")
    page = response.data.decode()
    assert '<table class="results">' in page
    assert "Pak Seong-cheol @en" in page and "Hao Deqing @en" in page
    assert f'<a href="/doc/person/pak-seong-cheol">{PAK}</a>' in page  # our IRIs link to their pages here
    hostile = 'SELECT ?x WHERE { BIND("<script>alert(1)</script>" AS ?x) }'
    page = get(client, hostile, "text/html").data.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


# Errors (Protocol §2.1.5)


def test_malformed_query_is_400_with_the_parser_message(client: FlaskClient) -> None:
    response = get(client, "SELECT * WHERE { ?s ?p ")
    assert response.status_code == 400
    detail = json.loads(response.data)["detail"]
    assert "error at 1:" in detail and "expected" in detail


def test_two_queries_an_empty_query_or_none_are_400(client: FlaskClient) -> None:
    response = client.get("/sparql?query=ASK%20%7B%7D&query=SELECT%20%2A%20%7B%7D")
    assert response.status_code == 400
    assert "exactly one query" in json.loads(response.data)["detail"]
    assert client.get("/sparql?query=").status_code == 400
    assert client.post("/sparql", data={"format": "json"}).status_code == 400


def test_updates_are_refused_and_change_nothing(client: FlaskClient, store: EmbeddedStore) -> None:
    before = store.quad_count()
    drop = "DROP ALL"
    assert client.get("/sparql", query_string={"update": drop}).status_code == 403
    assert client.post("/sparql", data={"update": drop}).status_code == 403
    response = client.post("/sparql", data=drop.encode(), content_type="application/sparql-update")
    assert response.status_code == 403
    assert "read-only" in json.loads(response.data)["detail"]
    assert get(client, "INSERT DATA { <http://a> <http://b> <http://c> }").status_code == 400
    assert store.quad_count() == before


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
def test_other_methods_are_405_with_allow(client: FlaskClient, method: str) -> None:
    response = client.open("/sparql?query=ASK%20%7B%7D", method=method)
    assert response.status_code == 405
    allowed = {m.strip() for m in response.headers["Allow"].split(",")}
    assert {"GET", "POST"} <= allowed and method not in allowed


def test_cors_preflight(client: FlaskClient) -> None:
    response = client.options(
        "/sparql",
        headers={
            "Origin": "https://example.org",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in response.headers["Access-Control-Allow-Methods"]
    assert response.headers["Access-Control-Allow-Headers"] == "content-type"


# SERVICE federation (SPARQL 1.1 Federated Query): refused unless allowed


def test_service_is_refused(client: FlaskClient) -> None:
    response = get(client, "SELECT * WHERE { SERVICE <https://query.wikidata.org/sparql> { ?s ?p ?o } }")
    assert response.status_code == 403
    assert "https://query.wikidata.org/sparql" in json.loads(response.data)["detail"]
    harmless = 'SELECT ?x WHERE { BIND("SERVICE <http://a/>" AS ?x) } # SERVICE <http://b/>'
    assert get(client, harmless).status_code == 200


def test_service_allow_list_is_announced(built: tuple[Settings, BuildReport], store: EmbeddedStore) -> None:
    allowed = "https://query.wikidata.org/sparql"
    client = app_for(built, store, sparql_service_allow=(allowed,)).test_client()
    graph = parse(client.get("/sparql", headers={"Accept": "text/turtle"}).data, "turtle")
    assert (URIRef("http://localhost/sparql"), SD.feature, SD.BasicFederatedQuery) in graph
    refused = get(client, "SELECT * WHERE { SERVICE <https://elsewhere.example/sparql> { ?s ?p ?o } }")
    assert refused.status_code == 403


# Limits: the row cap is signalled; a runaway query is stopped while others are answered


def test_row_cap_truncates_and_says_so(built: tuple[Settings, BuildReport], store: EmbeddedStore) -> None:
    client = app_for(built, store, sparql_max_rows=5).test_client()
    response = get(client, ALL_TRIPLES)
    assert len(json.loads(response.data)["results"]["bindings"]) == 5
    assert response.headers["X-SPARQL-Truncated"] == "true"
    assert response.headers["X-SPARQL-Max-Rows"] == "5"
    assert "X-SPARQL-Truncated" in response.headers["Access-Control-Expose-Headers"]
    construct = get(client, "CONSTRUCT WHERE { ?s ?p ?o }", "application/n-triples")
    assert len(parse(construct.data, "nt")) == 5
    assert construct.headers["X-SPARQL-Truncated"] == "true"
    small = get(client, ALL_TRIPLES + " LIMIT 5")
    assert "X-SPARQL-Truncated" not in small.headers
    page = get(client, ALL_TRIPLES, "text/html").data.decode()
    assert 'id="truncated"' in page and "cut to the first 5 rows" in page


def test_runaway_query_is_stopped_while_others_are_answered(
    built: tuple[Settings, BuildReport], store: EmbeddedStore
) -> None:
    app = app_for(built, store, sparql_timeout=2.0, trusted_proxies=1)
    slow: dict[str, object] = {}
    other = {"X-Forwarded-For": "203.0.113.9"}  # another client than the slow query's

    def run_slow() -> None:
        started = time.monotonic()
        response = app.test_client().get(
            "/sparql", query_string={"query": EXPENSIVE}, headers={"X-Forwarded-For": "198.51.100.1"}
        )
        slow.update(status=response.status_code, body=response.data, seconds=time.monotonic() - started)

    # Warm the pool so both workers are up before the race.
    assert app.test_client().get("/sparql", query_string={"query": "ASK {}"}).status_code == 200
    thread = threading.Thread(target=run_slow)
    thread.start()
    time.sleep(0.5)
    started = time.monotonic()
    fast = app.test_client().get("/sparql", query_string={"query": PERSONS}, headers=other)
    fast_seconds = time.monotonic() - started
    assert thread.is_alive(), "the expensive query should still be running"
    thread.join(timeout=30)
    assert fast.status_code == 200 and "Pak Seong-cheol" in names_from_json(fast.data)
    assert fast_seconds < 1.0
    assert slow["status"] == 503
    assert "time limit of 2 s" in json.loads(slow["body"])["detail"]
    assert 1.9 < slow["seconds"] < 6.0
    # The stopped worker was replaced: the endpoint still answers.
    assert app.test_client().get("/sparql", query_string={"query": PERSONS}).status_code == 200


# The example queries (/.well-known/sparql-examples)


def test_examples_are_published_as_sparql_executables(client: FlaskClient) -> None:
    files = sorted(QUERIES_DIR.glob("*.rq"))
    assert len(files) >= 12
    response = client.get("/.well-known/sparql-examples")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/turtle; charset=utf-8"
    graph = parse(response.data, "turtle")
    executables = set(graph.subjects(RDF.type, SH.SPARQLExecutable))
    assert len(executables) == len(files)
    for node in executables:
        assert graph.value(node, RDFS.label) and graph.value(node, RDFS.comment)
        assert graph.value(node, SCHEMA.target) == URIRef("http://localhost/sparql")
    persons = URIRef("http://localhost/.well-known/sparql-examples#01-persons-mentioned")
    assert (persons, RDF.type, SH.SPARQLSelectExecutable) in graph
    assert "crm:E21_Person" in str(graph.value(persons, SH.select))
    assert any(graph.subjects(RDF.type, SH.SPARQLConstructExecutable))
    assert any(graph.subjects(RDF.type, SH.SPARQLAskExecutable))
    as_json = client.get("/.well-known/sparql-examples", headers={"Accept": "application/ld+json"})
    assert as_json.headers["Content-Type"] == "application/ld+json; charset=utf-8"
    assert len(set(parse(as_json.data, "json-ld").subjects(RDF.type, SH.SPARQLExecutable))) == len(files)


def test_every_example_runs_at_the_endpoint(client: FlaskClient) -> None:
    for path in sorted(QUERIES_DIR.glob("*.rq")):
        response = client.post("/sparql", data={"query": path.read_text(encoding="utf-8")})
        assert response.status_code == 200, (path.name, response.data[:300])
        assert "X-SPARQL-Truncated" not in response.headers


def test_query_text_in_a_link_round_trips(client: FlaskClient) -> None:
    response = client.get("/sparql?query=" + quote(PERSONS) + "&format=json")
    assert "Hao Deqing" in names_from_json(response.data)


def test_real_server_stops_a_runaway_query_and_keeps_answering(built: tuple[Settings, BuildReport]) -> None:
    """The same under `ldpub serve` (granian, one worker process): the slow request gets 503 at the limit
    while another client's request sent meanwhile is answered at once."""
    slow: dict[str, object] = {}
    env = {"LDPUB_SPARQL_TIMEOUT": "2", "LDPUB_TRUSTED_PROXIES": "1"}
    with ldpub_server(built[0].store, env=env) as url:

        def run_slow() -> None:
            started = time.monotonic()
            try:
                request = urllib.request.Request(
                    f"{url}/sparql?query={quote(EXPENSIVE)}", headers={"X-Forwarded-For": "198.51.100.1"}
                )
                urllib.request.urlopen(request, timeout=30)
            except urllib.error.HTTPError as exc:
                slow.update(status=exc.code, body=exc.read(), seconds=time.monotonic() - started)

        thread = threading.Thread(target=run_slow)
        thread.start()
        time.sleep(0.5)
        started = time.monotonic()
        request = urllib.request.Request(
            f"{url}/sparql?query={quote(PERSONS)}", headers={"X-Forwarded-For": "203.0.113.9"}
        )
        with urllib.request.urlopen(request, timeout=30) as fast:
            names = names_from_json(fast.read())
        fast_seconds = time.monotonic() - started
        still_running = thread.is_alive()
        thread.join(timeout=30)
    assert "Pak Seong-cheol" in names and fast_seconds < 1.0 and still_running
    assert slow["status"] == 503 and 1.9 < slow["seconds"] < 6.0  # type: ignore[operator]
    assert "time limit of 2 s" in json.loads(slow["body"])["detail"]  # type: ignore[arg-type]


def test_the_service_description_does_not_grow_with_the_named_graphs() -> None:
    """One graph per document: past LISTED_GRAPHS the description says how many there are and how to list
    them, instead of naming each (at 100,000 documents that was 12.7 MB and a minute per request)."""
    from ldpub.sparql_service import LISTED_GRAPHS, ServiceFacts, service_description

    def facts(n: int) -> ServiceFacts:
        graphs = [f"http://example.org/graph/{i}" for i in range(n)]
        return ServiceFacts("http://example.org/sparql", graphs, 10.0, 10000, (), "http://example.org/ex")

    few = service_description(facts(LISTED_GRAPHS))
    assert len(set(few.objects(None, SD.name))) == LISTED_GRAPHS
    many = service_description(facts(100_000))
    assert set(many.objects(None, SD.name)) == set()
    assert len(many) < 100
    assert any("100000 named graphs" in str(o) for o in many.objects(None, RDFS.comment))
