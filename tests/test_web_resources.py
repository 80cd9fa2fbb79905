"""Linked-data resources in-process (Flask's test client over the built store): 303s, content negotiation,
every representation parsed back with rdflib, caching and conditional requests, CORS, Link headers, errors."""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDFS
from werkzeug.test import TestResponse

from ldpub.build import BuildReport, build
from ldpub.errors import QueryError, StoreError
from ldpub.settings import Settings
from ldpub.store import EmbeddedStore, open_published
from ldpub.web import create_app

from .conftest import BASE, project_settings

SLUG = "prc-fma-118-01025-02"
DOC = f"/doc/document/{SLUG}"
IRI = f"{BASE}/id/document/{SLUG}"
PERSON = f"{BASE}/id/person/pak-seong-cheol"
TITLE = "Telegram from the Ministry of Foreign Affairs and the Ministry of Public Security"
CRM = "http://www.cidoc-crm.org/cidoc-crm/"
LICENSE = "http://rightsstatements.org/vocab/InC-EDU/1.0/"
CONTENT_TYPES = {
    "text/turtle": "text/turtle; charset=utf-8",
    "application/ld+json": "application/ld+json",
    "application/rdf+xml": "application/rdf+xml; charset=utf-8",
    "application/n-triples": "application/n-triples",
    "application/n-quads": "application/n-quads",
    "text/html": "text/html; charset=utf-8",
}
RDFLIB_FORMAT = {
    "text/turtle": "turtle",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
    "application/n-triples": "nt",
}
SUFFIXES = {"ttl": "text/turtle", "jsonld": "application/ld+json", "rdf": "application/rdf+xml"}
SUFFIXES |= {"nt": "application/n-triples", "nq": "application/n-quads", "html": "text/html"}
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8"


def parse(body: bytes, media_type: str) -> Graph:
    """The triples of a body (N-Quads: the union of its graphs)."""
    if media_type == "application/n-quads":
        dataset = Dataset()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            dataset.parse(data=body, format="nquads")
        union = Graph()
        for s, p, o, _ in dataset.quads((None, None, None, None)):
            union.add((s, p, o))
        return union
    with warnings.catch_warnings():  # rdflib's JSON-LD parser uses the deprecated ConjunctiveGraph
        warnings.simplefilter("ignore", DeprecationWarning)
        return Graph().parse(data=body, format=RDFLIB_FORMAT[media_type])


def titles(graph: Graph) -> list[str]:
    return [str(o) for o in graph.objects(URIRef(IRI), RDFS.label)]


# --- /id/ → 303 ---------------------------------------------------------------------------------


def test_id_answers_303_see_other_to_its_description(client: FlaskClient) -> None:
    response = client.get(f"/id/document/{SLUG}")
    assert response.status_code == 303
    assert response.headers["Location"] == f"http://localhost{DOC}"
    assert f"http://localhost{DOC}" in response.get_data(as_text=True)  # the short body names the target
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert response.headers["Vary"] == "Accept"
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_id_303_body_is_html_for_a_browser_and_keeps_the_query(client: FlaskClient) -> None:
    response = client.get("/id/person/pak-seong-cheol?format=ttl", headers={"Accept": BROWSER})
    assert response.status_code == 303
    assert response.headers["Location"] == "http://localhost/doc/person/pak-seong-cheol?format=ttl"
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert 'href="http://localhost/doc/person/pak-seong-cheol?format=ttl"' in response.get_data(as_text=True)


def test_following_the_303_gets_the_description(client: FlaskClient) -> None:
    response = client.get(f"/id/document/{SLUG}", headers={"Accept": "text/turtle"}, follow_redirects=True)
    assert response.status_code == 200
    assert response.request.path == DOC
    assert any(TITLE in t for t in titles(parse(response.data, "text/turtle")))


def test_markup_in_an_id_stays_inert_in_the_303_body(client: FlaskClient) -> None:
    response = client.get('/id/x"><script>alert(1)</script>', headers={"Accept": "text/html"})
    assert response.status_code == 303
    assert "<script>" not in response.get_data(as_text=True)


# --- /doc/: every format --------------------------------------------------------------------------


@pytest.mark.parametrize("media_type", [m for m in CONTENT_TYPES if m != "text/html"])
def test_each_rdf_format_parses_and_holds_the_title(client: FlaskClient, media_type: str) -> None:
    response = client.get(DOC, headers={"Accept": media_type})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == CONTENT_TYPES[media_type]
    graph = parse(response.data, media_type)
    assert any(TITLE in t for t in titles(graph))
    assert (URIRef(IRI), URIRef(CRM + "P67_refers_to"), URIRef(PERSON)) in graph


@pytest.mark.parametrize("suffix", sorted(SUFFIXES))
def test_a_suffix_overrides_accept(client: FlaskClient, suffix: str) -> None:
    response = client.get(f"{DOC}.{suffix}", headers={"Accept": "application/ld+json"})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == CONTENT_TYPES[SUFFIXES[suffix]]
    assert "Content-Location" not in response.headers  # this URL names one representation


def test_format_parameter_overrides_accept(client: FlaskClient) -> None:
    response = client.get(f"{DOC}?format=nt", headers={"Accept": "text/html"})
    assert response.headers["Content-Type"] == "application/n-triples"
    response = client.get(f"{DOC}?format=application/rdf%2Bxml", headers={"Accept": "text/html"})
    assert response.headers["Content-Type"] == "application/rdf+xml; charset=utf-8"


def test_html_page_names_the_document(client: FlaskClient) -> None:
    response = client.get(DOC, headers={"Accept": BROWSER})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert "Ethnic Koreans Crossing the Border" in response.get_data(as_text=True)


def test_nquads_keep_the_named_graphs(client: FlaskClient) -> None:
    body = client.get(f"{DOC}.nq").data
    dataset = Dataset()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        dataset.parse(data=body, format="nquads")
        graphs = {str(g.identifier) for g in dataset.graphs() if len(g)}
    assert f"{BASE}/graph/document/{SLUG}" in graphs
    assert f"{BASE}/graph/entities" in graphs  # the labels of the people and groups it refers to


def test_jsonld_is_compacted_with_the_published_context(client: FlaskClient) -> None:
    context = client.get("/ns/context.jsonld")
    assert context.status_code == 200
    assert context.headers["Content-Type"] == "application/ld+json"
    published = context.get_json()["@context"]
    assert published["crm"] == CRM
    body = json.loads(client.get(f"{DOC}.jsonld").data)
    assert body["@context"] == published  # embedded, so no client ever fetches it
    keys = {k for node in body["@graph"] for k in node}
    assert "crm:P67_refers_to" in keys and "rdfs:label" in keys  # compact IRIs, not full ones
    assert not any(k.startswith("http://www.cidoc-crm.org/") for k in keys)


# --- negotiation ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("text/turtle;q=0.5, application/ld+json;q=0.9", "application/ld+json"),
        ("application/ld+json;q=0.2, application/rdf+xml;q=0.3, text/html;q=0.1", "application/rdf+xml"),
        ("*/*", "text/turtle"),
        ("", "text/turtle"),
        ("text/*", "text/turtle"),
        ("text/*;q=0.5, text/html", "text/html"),
        ("application/*", "application/ld+json"),
        ("application/*;q=0.9, application/n-quads", "application/n-quads"),
        ("text/turtle;q=0, */*;q=0.1", "application/ld+json"),
        (BROWSER, "text/html"),
        ("text/plain, */*;q=0.1", "application/n-triples"),  # what rdflib sends for format="nt"
        ("text/n3, */*;q=0.1", "text/turtle"),
        ('application/ld+json; profile="http://www.w3.org/ns/json-ld#compacted"', "application/ld+json"),
    ],
)
def test_accept_with_q_values_and_wildcards(client: FlaskClient, accept: str, expected: str) -> None:
    response = client.get(DOC, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == CONTENT_TYPES[expected]
    suffix = next(s for s, m in SUFFIXES.items() if m == expected)
    assert response.headers["Content-Location"] == f"{DOC}.{suffix}"


@pytest.mark.parametrize("accept", ["image/png", "text/turtle;q=0, application/*;q=0, text/html;q=0"])
def test_nothing_acceptable_is_406_listing_the_types(client: FlaskClient, accept: str) -> None:
    response = client.get(DOC, headers={"Accept": accept})
    assert response.status_code == 406
    body = response.get_data(as_text=True)
    for media_type in CONTENT_TYPES:
        assert media_type in body
    assert response.headers["Vary"] == "Accept, Accept-Profile"  # Content Negotiation by Profile


def test_an_unknown_format_parameter_is_406(client: FlaskClient) -> None:
    response = client.get(f"{DOC}?format=pdf")
    assert response.status_code == 406
    assert "text/turtle" in response.get_data(as_text=True)


@pytest.mark.parametrize("media_type", list(CONTENT_TYPES))
def test_unknown_resource_is_404_in_the_negotiated_format(client: FlaskClient, media_type: str) -> None:
    response = client.get("/doc/person/nobody-at-all", headers={"Accept": media_type})
    assert response.status_code == 404
    assert response.headers["Content-Type"] == CONTENT_TYPES[media_type]
    if media_type == "text/html":
        assert "Not Found" in response.get_data(as_text=True)
    else:
        assert len(parse(response.data, media_type)) == 0  # a valid, empty document
    if media_type in ("text/turtle", "application/n-triples", "application/n-quads"):
        assert f"{BASE}/id/person/nobody-at-all" in response.get_data(as_text=True)


# --- what a description holds ------------------------------------------------------------------------


def test_person_description_has_incoming_triples_and_labelled_neighbours(client: FlaskClient) -> None:
    graph = parse(client.get("/doc/person/pak-seong-cheol.ttl").data, "text/turtle")
    assert (URIRef(IRI), URIRef(CRM + "P67_refers_to"), URIRef(PERSON)) in graph  # the document refers to him
    assert any(TITLE in str(o) for o in graph.objects(URIRef(IRI), RDFS.label))  # named, not a bare IRI
    assert Literal("Pak Seong-cheol", lang="en") in set(graph.objects(URIRef(PERSON), RDFS.label))


def test_document_description_labels_its_neighbours(client: FlaskClient) -> None:
    graph = parse(client.get(f"{DOC}.ttl").data, "text/turtle")
    for neighbour in graph.objects(URIRef(IRI), URIRef(CRM + "P67_refers_to")):
        assert list(graph.objects(neighbour, RDFS.label)), f"{neighbour} has no label in the description"


# --- caching headers and conditional requests ------------------------------------------------------


def test_caching_headers(client: FlaskClient, store: EmbeddedStore) -> None:
    response = client.get(f"{DOC}.ttl")
    etag = response.headers["ETag"]
    assert etag.startswith('"') and etag.endswith('"')  # strong: no W/ prefix
    assert store.release_info().build_id in etag
    assert response.headers["Last-Modified"] == response.last_modified.strftime("%a, %d %b %Y %H:%M:%S GMT")
    assert response.last_modified == store.release_info().created.replace(microsecond=0)
    assert "max-age" in response.headers["Cache-Control"]
    assert response.headers["Vary"] == "Accept, Accept-Profile"  # Content Negotiation by Profile
    assert client.get(f"{DOC}.ttl").headers["ETag"] == etag  # stable
    assert client.get(DOC, headers={"Accept": "text/turtle"}).headers["ETag"] == etag  # same representation
    other = {client.get(f"{DOC}.{s}").headers["ETag"] for s in SUFFIXES}
    assert len(other) == len(SUFFIXES)  # one per format
    assert client.get("/doc/person/pak-seong-cheol.ttl").headers["ETag"] != etag  # one per resource


def test_if_none_match_gets_304(client: FlaskClient) -> None:
    first = client.get(f"{DOC}.jsonld")
    again = client.get(f"{DOC}.jsonld", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == first.headers["ETag"]
    assert again.headers["Vary"] == "Accept, Accept-Profile"  # Content Negotiation by Profile
    assert (
        client.get(
            f"{DOC}.jsonld", headers={"If-None-Match": '"other", W/' + first.headers["ETag"]}
        ).status_code
        == 304
    )
    assert client.get(f"{DOC}.jsonld", headers={"If-None-Match": "*"}).status_code == 304
    assert client.get(f"{DOC}.jsonld", headers={"If-None-Match": '"stale"'}).status_code == 200
    # another format's tag does not match this one
    assert client.get(f"{DOC}.ttl", headers={"If-None-Match": first.headers["ETag"]}).status_code == 200


def test_if_modified_since_gets_304(client: FlaskClient) -> None:
    first = client.get(f"{DOC}.ttl")
    modified = first.headers["Last-Modified"]
    assert client.get(f"{DOC}.ttl", headers={"If-Modified-Since": modified}).status_code == 304
    earlier = "Mon, 01 Jan 2001 00:00:00 GMT"
    assert client.get(f"{DOC}.ttl", headers={"If-Modified-Since": earlier}).status_code == 200
    # If-None-Match takes precedence (RFC 9110 §13.2.2): a stale tag means 200 whatever the date
    headers = {"If-Modified-Since": modified, "If-None-Match": '"stale"'}
    assert client.get(f"{DOC}.ttl", headers=headers).status_code == 200


@pytest.mark.parametrize(
    "path", [DOC, f"{DOC}.nq", f"/id/document/{SLUG}", "/doc/person/nobody", "/ns/context.jsonld"]
)
def test_head_has_the_headers_of_get_and_no_body(client: FlaskClient, path: str) -> None:
    get = client.get(path, headers={"Accept": "application/rdf+xml"})
    head = client.head(path, headers={"Accept": "application/rdf+xml"})
    assert head.status_code == get.status_code
    assert head.data == b""
    for name in (
        "Content-Type",
        "Content-Length",
        "ETag",
        "Last-Modified",
        "Vary",
        "Location",
        "Cache-Control",
    ):
        assert head.headers.get(name) == get.headers.get(name), name
    assert head.headers.getlist("Link") == get.headers.getlist("Link")


def test_cors_preflight(client: FlaskClient) -> None:
    headers = {
        "Origin": "https://example.org",
        "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "accept, if-none-match",
    }
    response = client.options(DOC, headers=headers)
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "GET" in response.headers["Access-Control-Allow-Methods"]
    assert "if-none-match" in response.headers["Access-Control-Allow-Headers"]
    simple = client.get(DOC, headers={"Origin": "https://example.org"})
    assert simple.headers["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in simple.headers["Access-Control-Expose-Headers"]


LINK = re.compile(r'<([^>]*)>((?:\s*;\s*[a-z-]+="[^"]*")*)')
PARAM = re.compile(r'([a-z-]+)="([^"]*)"')


def links(response: TestResponse) -> list[tuple[str, dict[str, str]]]:
    """The Link header (RFC 8288 §3, one or several header lines) as (target, parameters)."""
    return [
        (match.group(1), dict(PARAM.findall(match.group(2))))
        for value in response.headers.getlist("Link")
        for match in LINK.finditer(value)
    ]


def test_link_headers_alternates_and_signposting(client: FlaskClient) -> None:
    found = links(client.get(f"{DOC}.html"))
    crm = "http://www.cidoc-crm.org/cidoc-crm/"  # the default profile; other profiles are in test_views
    alternates = {p["type"]: t for t, p in found if p["rel"] == "alternate" and p.get("profile", crm) == crm}
    assert set(alternates) == set(CONTENT_TYPES) - {"text/html"}
    assert alternates["text/turtle"] == f"http://localhost{DOC}.ttl"
    described = {p["type"] for t, p in found if p["rel"] == "describedby"}
    assert {"text/turtle", "application/ld+json", "application/rdf+xml"} <= described
    assert ("" if not found else [t for t, p in found if p["rel"] == "cite-as"]) == [IRI]
    assert [t for t, p in found if p["rel"] == "license"] == [LICENSE]
    # every alternate answers with the type it announces
    for media_type, url in alternates.items():
        assert client.get(url).headers["Content-Type"] == CONTENT_TYPES[media_type]


def test_an_entity_without_a_rights_statement_has_no_license_link(client: FlaskClient) -> None:
    found = links(client.get("/doc/person/pak-seong-cheol"))
    assert [t for t, p in found if p["rel"] == "cite-as"] == [PERSON]
    assert not [t for t, p in found if p["rel"] == "license"]


def test_etag_changes_when_a_rebuild_is_published(tmp_path: Path) -> None:
    settings = project_settings(tmp_path / "store")
    build(settings)
    with open_published(settings.store) as store:
        client = create_app(settings, store).test_client()
        first = client.get(f"{DOC}.ttl")
        build(settings)  # the same inputs, a new release
        second = client.get(f"{DOC}.ttl", headers={"If-None-Match": first.headers["ETag"]})
        assert second.status_code == 200  # the old tag no longer matches
        assert second.headers["ETag"] != first.headers["ETag"]
        assert store.release_info().build_id in second.headers["ETag"]
        assert second.data == first.data or len(parse(second.data, "text/turtle")) == len(
            parse(first.data, "text/turtle")
        )


# --- errors --------------------------------------------------------------------------------------------


@pytest.fixture
def failing_app(built: tuple[Settings, BuildReport], store: EmbeddedStore) -> Iterator[Flask]:
    app = create_app(built[0], store)

    @app.get("/test-store-error")
    def _store_error() -> str:
        raise StoreError("the store is being swapped")

    @app.get("/test-query-error")
    def _query_error() -> str:
        raise QueryError("malformed SPARQL query: expected '{'")

    @app.get("/test-crash")
    def _crash() -> str:
        raise RuntimeError("secret internals /etc/passwd")

    yield app


def test_errors_are_problem_details_without_tracebacks(failing_app: Flask) -> None:
    client = failing_app.test_client()
    response = client.get("/test-store-error")
    assert response.status_code == 503
    assert response.headers["Content-Type"] == "application/problem+json"
    assert {"status": 503, "title": "Service Unavailable"}.items() <= response.get_json().items()
    assert client.get("/test-query-error").get_json()["detail"].startswith("malformed SPARQL query")
    assert client.get("/test-query-error").status_code == 400
    crash = client.get("/test-crash")
    assert crash.status_code == 500
    assert "passwd" not in crash.get_data(as_text=True) and "Traceback" not in crash.get_data(as_text=True)
    page = client.get("/no/such/page", headers={"Accept": BROWSER})
    assert page.status_code == 404 and page.headers["Content-Type"] == "text/html; charset=utf-8"
    assert client.get("/no/such/page").get_json()["status"] == 404
    not_allowed = client.post(DOC)
    assert not_allowed.status_code == 405
    assert "GET" in not_allowed.headers["Allow"]


# --- the same behaviour from an external SPARQL store -------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("media_type", [m for m in CONTENT_TYPES if m != "text/html"])
@pytest.mark.parametrize("path", [DOC, "/doc/person/pak-seong-cheol", "/doc/place/jilin"])
def test_descriptions_are_the_same_from_an_external_store(
    client: FlaskClient, remote_client: FlaskClient, path: str, media_type: str
) -> None:
    embedded = client.get(path, headers={"Accept": media_type})
    external = remote_client.get(path, headers={"Accept": media_type})
    assert external.status_code == embedded.status_code == 200
    assert external.headers["Content-Type"] == embedded.headers["Content-Type"]
    assert isomorphic(parse(external.data, media_type), parse(embedded.data, media_type))
    assert [link for link in links(external) if link[1]["rel"] in ("license", "cite-as")] == [
        link for link in links(embedded) if link[1]["rel"] in ("license", "cite-as")
    ]


@pytest.mark.slow
def test_caching_and_errors_from_an_external_store(remote_client: FlaskClient) -> None:
    assert remote_client.get(f"/id/document/{SLUG}").headers["Location"] == f"http://localhost{DOC}"
    first = remote_client.get(f"{DOC}.ttl")
    assert first.headers["ETag"].startswith('"') and first.headers["Last-Modified"]
    assert (
        remote_client.get(f"{DOC}.ttl", headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    )
    assert remote_client.get("/doc/person/nobody-at-all.ttl").status_code == 404
