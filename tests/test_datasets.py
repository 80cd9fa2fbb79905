"""VoID at /.well-known/void, the DCAT 3 catalogue at /catalog and /sitemap.xml: parsed back, and every
number (counted by the build, stored with the release) compared with what the store holds, counted here by
independent queries."""

from __future__ import annotations

import hashlib
import warnings
import xml.etree.ElementTree as ET

import pytest
from flask.testing import FlaskClient
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF

from ldpub.build import BuildReport
from ldpub.dumps import dumps_for, release_version
from ldpub.settings import Settings
from ldpub.store import EmbeddedStore, SelectResult
from tests.conftest import BASE

DCAT = Namespace("http://www.w3.org/ns/dcat#")
VOID = Namespace("http://rdfs.org/ns/void#")
PAV = Namespace("http://purl.org/pav/")
SPDX = Namespace("http://spdx.org/rdf/terms#")
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
SC = "{http://sw.deri.org/2007/07/sitemapextension/scschema.xsd}"
DATASET = URIRef("http://localhost/.well-known/void#dataset")
CRM = "http://www.cidoc-crm.org/cidoc-crm/"


def parse(data: bytes, fmt: str) -> Graph:
    graph = Graph()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        graph.parse(data=data, format=fmt)
    return graph


def count(store: EmbeddedStore, sparql: str) -> int:
    result = store.query(sparql)
    assert isinstance(result, SelectResult)
    return int(str(result.rows[0]["n"]))


def download(client: FlaskClient, url: str) -> bytes:
    """GET a dump file through the app (closing the streamed file) and return its bytes."""
    response = client.get(url.removeprefix("http://localhost"))
    try:
        assert response.status_code == 200, url
        return response.get_data()
    finally:
        response.close()


def number(graph: Graph, subject: URIRef, predicate: URIRef) -> int:
    (value,) = graph.objects(subject, predicate)
    assert isinstance(value, Literal)
    return int(value)


@pytest.fixture(scope="module")
def void(client_module: FlaskClient) -> Graph:
    response = client_module.get("/.well-known/void")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/turtle; charset=utf-8"
    return parse(response.data, "turtle")


@pytest.fixture(scope="module")
def client_module(app: object) -> FlaskClient:
    return app.test_client()  # type: ignore[attr-defined,no-any-return]


def test_void_counts_equal_the_store(void: Graph, store: EmbeddedStore) -> None:
    assert (DATASET, RDF.type, VOID.Dataset) in void
    release = store.release_info()
    assert release is not None
    triples = count(store, "SELECT (COUNT(*) AS ?n) { SELECT DISTINCT ?s ?p ?o { ?s ?p ?o } }")
    assert number(void, DATASET, VOID.triples) == triples == release.triples
    assert number(void, DATASET, VOID.distinctSubjects) == count(
        store, "SELECT (COUNT(DISTINCT ?s) AS ?n) { ?s ?p ?o }"
    )
    assert number(void, DATASET, VOID.distinctObjects) == count(
        store, "SELECT (COUNT(DISTINCT ?o) AS ?n) { ?s ?p ?o }"
    )
    assert number(void, DATASET, VOID.properties) == count(
        store, "SELECT (COUNT(DISTINCT ?p) AS ?n) { ?s ?p ?o }"
    )
    stats = store.stats()
    assert number(void, DATASET, VOID.classes) == len(stats)
    entities = count(
        store, f'SELECT (COUNT(DISTINCT ?s) AS ?n) {{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), "{BASE}/id/")) }}'
    )
    assert number(void, DATASET, VOID.entities) == entities > 100
    # a class partition per class, with the store's instance count
    partitions = {
        str(void.value(part, VOID["class"])): number(void, part, VOID.entities)
        for part in void.objects(DATASET, VOID.classPartition)
    }
    assert partitions == stats
    assert partitions[CRM + "E21_Person"] == count(
        store, f"SELECT (COUNT(DISTINCT ?s) AS ?n) {{ ?s a <{CRM}E21_Person> }}"
    )
    # a property partition per property, with its triples
    properties = {
        str(void.value(part, VOID.property)): number(void, part, VOID.triples)
        for part in void.objects(DATASET, VOID.propertyPartition)
    }
    assert len(properties) == number(void, DATASET, VOID.properties)
    assert sum(properties.values()) == triples
    refers = count(
        store, f"SELECT (COUNT(*) AS ?n) {{ SELECT DISTINCT ?s ?o {{ ?s <{CRM}P67_refers_to> ?o }} }}"
    )
    assert properties[CRM + "P67_refers_to"] == refers


def test_void_says_where_the_data_is(
    void: Graph, client_module: FlaskClient, built: tuple[Settings, BuildReport]
) -> None:
    assert [str(v) for v in void.objects(DATASET, VOID.uriSpace)] == [f"{BASE}/id/"]
    assert URIRef(f"{BASE}/id/document/prc-fma-118-01025-02") in set(
        void.objects(DATASET, VOID.exampleResource)
    )
    (endpoint,) = void.objects(DATASET, VOID.sparqlEndpoint)
    assert (
        client_module.get(str(endpoint).removeprefix("http://localhost") + "?query=ASK%7B%7D").status_code
        == 200
    )
    assert URIRef(CRM) in set(void.objects(DATASET, VOID.vocabulary))
    dumps = sorted(str(d) for d in void.objects(DATASET, VOID.dataDump))
    manifest = dumps_for(built[0])
    assert manifest is not None
    assert len(dumps) == len(manifest.files) == 3
    for url in dumps:
        assert download(client_module, url)
    assert [str(v) for v in void.objects(DATASET, PAV.version)] == [manifest.version]


def test_void_in_other_formats_and_406(client_module: FlaskClient, void: Graph) -> None:
    as_jsonld = client_module.get("/.well-known/void", headers={"Accept": "application/ld+json"})
    assert as_jsonld.headers["Content-Type"] == "application/ld+json"
    assert len(parse(as_jsonld.data, "json-ld")) == len(void)
    assert len(parse(client_module.get("/.well-known/void?format=rdfxml").data, "xml")) == len(void)
    assert client_module.get("/.well-known/void", headers={"Accept": "image/png"}).status_code == 406
    first = client_module.get("/.well-known/void")
    again = client_module.get("/.well-known/void", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def test_void_is_linked_from_the_home_page_and_every_page(client_module: FlaskClient) -> None:
    home = client_module.get("/", headers={"Accept": "text/html"})
    assert '</.well-known/void>; rel="describedby"' in home.headers["Link"]
    page = client_module.get("/doc/person/pak-seong-cheol.html").get_data(as_text=True)
    assert 'href="/.well-known/void"' in page and 'href="/catalog"' in page


def test_dcat_catalogue(
    client_module: FlaskClient, store: EmbeddedStore, built: tuple[Settings, BuildReport]
) -> None:
    response = client_module.get("/catalog")
    assert response.status_code == 200
    graph = parse(response.data, "turtle")
    (catalog,) = graph.subjects(RDF.type, DCAT.Catalog)
    assert list(graph.objects(catalog, DCAT.dataset)) == [DATASET]
    assert (DATASET, RDF.type, DCAT.Dataset) in graph
    release = store.release_info()
    assert release is not None
    version = release_version(built[0], release)
    assert [str(v) for v in graph.objects(DATASET, DCAT.version)] == [version]
    assert [str(v) for v in graph.objects(DATASET, PAV.version)] == [version]
    assert number(graph, DATASET, VOID.triples) == release.triples
    # a distribution per dump, with the byte size and SHA-256 of the file served
    manifest = dumps_for(built[0], version)
    assert manifest is not None and manifest.build_id == release.build_id
    distributions = list(graph.objects(DATASET, DCAT.distribution))
    assert len(distributions) == len(manifest.files) == 3
    for dist in distributions:
        url = str(graph.value(dist, DCAT.downloadURL))
        body = download(client_module, url)
        assert number(graph, dist, DCAT.byteSize) == len(body)
        checksum = graph.value(dist, SPDX.checksum)
        assert graph.value(checksum, SPDX.algorithm) == SPDX.checksumAlgorithm_sha256
        assert str(graph.value(checksum, SPDX.checksumValue)) == hashlib.sha256(body).hexdigest()
        assert str(graph.value(dist, DCAT.mediaType)).startswith(
            "http://www.iana.org/assignments/media-types/"
        )
    # the SPARQL and OAI-PMH services serve the dataset and answer
    services = {str(graph.value(s, DCAT.endpointURL)): s for s in graph.subjects(RDF.type, DCAT.DataService)}
    assert set(services) == {"http://localhost/sparql", "http://localhost/oai"}
    for service in services.values():
        assert graph.value(service, DCAT.servesDataset) == DATASET
        assert (catalog, DCAT.service, service) in graph
        assert graph.value(service, DCTERMS.conformsTo) is not None
    assert client_module.get("/oai?verb=Identify").status_code == 200


def test_sitemap_lists_every_document_and_entity_page(
    client_module: FlaskClient, store: EmbeddedStore
) -> None:
    response = client_module.get("/sitemap.xml")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/xml")
    root = ET.fromstring(response.data)
    assert root.tag == f"{SITEMAP}urlset"
    locations = [e.text or "" for e in root.iter(f"{SITEMAP}loc")]
    expected = store.query(
        f"""SELECT DISTINCT ?s {{ {{ GRAPH <{BASE}/graph/entities> {{ ?s a ?c VALUES ?c {{ <{CRM}E21_Person> <{CRM}E74_Group> <{CRM}E53_Place> <{CRM}E55_Type> }} }} }}
            UNION {{ GRAPH <{BASE}/graph/document/prc-fma-118-01025-02> {{ ?s a <{CRM}E31_Document> }} FILTER(?s = <{BASE}/id/document/prc-fma-118-01025-02>) }} }}"""
    )
    assert isinstance(expected, SelectResult)
    pages = {"http://localhost/doc/" + str(row["s"]).removeprefix(f"{BASE}/id/") for row in expected.rows}
    assert set(locations) == pages
    assert len(locations) == len(pages) > 20
    assert "http://localhost/doc/person/pak-seong-cheol" in locations
    for location in locations[:5] + locations[-5:]:
        assert (
            client_module.get(
                location.removeprefix("http://localhost"), headers={"Accept": "text/html"}
            ).status_code
            == 200
        )
    (dataset,) = root.iter(f"{SC}dataset")
    assert dataset.findtext(f"{SC}datasetURI") == str(DATASET)
    assert dataset.findtext(f"{SC}linkedDataPrefix") == f"{BASE}/id/"
    assert dataset.findtext(f"{SC}sparqlEndpointLocation") == "http://localhost/sparql"
    assert len(list(dataset.iter(f"{SC}dataDumpLocation"))) == 3
    assert f"{BASE}/id/document/prc-fma-118-01025-02" in [e.text for e in dataset.iter(f"{SC}sampleURI")]
