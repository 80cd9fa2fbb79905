"""The EDM, schema.org, RiC-O and Linked Art views of the telegram, and Content Negotiation by Profile on
/doc (W3C dx-prof-conneg): every view parsed, every term checked against its vocabulary, Europeana's
mandatory properties, headers, alternates, errors; the EDM profile through the real server."""

from __future__ import annotations

import json
import re
import urllib.request
import warnings
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DC, DCTERMS, RDF, SKOS
from werkzeug.test import TestResponse

from ldpub.build import BuildReport
from ldpub.settings import Settings
from ldpub.views import PROFILES, load_record, view_graph, view_json
from ldpub.views.linkedart import context as linked_art_context
from tests.conftest import BASE
from tests.servers import ldpub_server

ROOT = Path(__file__).resolve().parent.parent
VOCAB = ROOT / "vocab"
SLUG = "prc-fma-118-01025-02"
IRI = f"{BASE}/id/document/{SLUG}"
DOC = f"/doc/document/{SLUG}"
EDM = "http://www.europeana.eu/schemas/edm/"
ORE = "http://www.openarchives.org/ore/terms/"
RICO = "https://www.ica.org/standards/RiC/ontology#"
CRM = "http://www.cidoc-crm.org/cidoc-crm/"
SCHEMA = "http://schema.org/"
LINKED_ART = "https://linked.art/ns/v1/linked-art.json"
URIS = {p.token: p.uri for p in PROFILES}

# The 15 elements of the Dublin Core Metadata Element Set 1.1 (ISO 15836-1:2017, DCMI "dces"): EDM's
# dc: properties are these; no DCMES file is in vocab/, and the list is fixed by the standard.
DCMES = {
    f"http://purl.org/dc/elements/1.1/{n}"
    for n in [
        "contributor",
        "coverage",
        "creator",
        "date",
        "description",
        "format",
        "identifier",
        "language",
        "publisher",
        "relation",
        "rights",
        "source",
        "subject",
        "title",
        "type",
    ]
}
# SKOS (W3C Recommendation 2009-08-18, §§3, 5): the two terms EDM's contextual classes use.
SKOS_TERMS = {str(SKOS.Concept), str(SKOS.prefLabel)}
# schema.org terms the schema.org view uses, each defined on https://schema.org/<term> (schema.org 29.x,
# core): the two types of the record (ArchiveComponent, Message), the types of linked things, and the
# properties the view writes. No machine-readable schema.org file is in vocab/, so this list is the check.
SCHEMA_TERMS = {
    SCHEMA + t
    for t in [
        "ArchiveComponent",
        "Message",
        "CreativeWork",
        "Person",
        "Organization",
        "Place",
        "DefinedTerm",
        "ArchiveOrganization",
        "Thing",
        "name",
        "url",
        "sender",
        "recipient",
        "dateCreated",
        "mentions",
        "about",
        "inLanguage",
        "isPartOf",
        "holdingArchive",
        "identifier",
        "abstract",
        "license",
        "copyrightNotice",
        "publisher",
        "translator",
        "workTranslation",
    ]
}
# Europeana's available rights statements (Europeana Publishing Framework / EDM "edm:rights" values).
EUROPEANA_RIGHTS = {
    "http://creativecommons.org/publicdomain/mark/1.0/",
    "http://creativecommons.org/publicdomain/zero/1.0/",
    *(
        f"http://creativecommons.org/licenses/{v}/4.0/"
        for v in ("by", "by-sa", "by-nd", "by-nc", "by-nc-sa", "by-nc-nd")
    ),
    *(
        f"http://rightsstatements.org/vocab/{v}/1.0/"
        for v in ("InC", "InC-EDU", "InC-OW-EU", "NoC-NC", "NoC-OKLR", "CNE")
    ),
}


def parse(data: bytes | str, fmt: str) -> Graph:
    graph = Graph()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        graph.parse(data=data, format=fmt)
    return graph


@cache
def defined(*names: str) -> frozenset[str]:
    """IRIs that are the subject of a triple in the vocabulary files ``names``."""
    terms: set[str] = set()
    for name in names:
        graph = Graph()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            graph.parse(VOCAB / name, format="nt" if name == "edm.ttl" else None)
        terms.update(str(s) for s in graph.subjects() if isinstance(s, URIRef))
    return frozenset(terms)


@cache
def mentioned(name: str) -> frozenset[str]:
    """Every IRI a vocabulary file names (EDM's file names the ore: terms it uses)."""
    graph = Graph()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        graph.parse(VOCAB / name, format="nt")
    return frozenset(str(t) for triple in graph for t in triple if isinstance(t, URIRef))


def terms(graph: Graph) -> set[str]:
    """Every predicate and class of ``graph``."""
    found = {str(p) for p in graph.predicates()}
    found |= {str(o) for o in graph.objects(None, RDF.type)}
    return found - {str(RDF.type)}


def unknown(used: set[str], checks: dict[str, frozenset[str] | set[str]]) -> list[str]:
    """The terms of ``used`` in a checked namespace that its vocabulary does not define."""
    missing = []
    for term in used:
        for namespace, known in checks.items():
            if term.startswith(namespace) and term not in known:
                missing.append(term)
    return sorted(missing)


@pytest.fixture(scope="module")
def views(built: tuple[Settings, BuildReport], store: Any) -> dict[str, Graph]:
    settings = built[0]
    record = load_record(store, settings, IRI)
    assert record is not None
    return {token: view_graph(record, token, settings) for token in ("edm", "schema", "rico", "linkedart")}


# --- the views and their vocabularies ----------------------------------------------------------------


def test_edm_terms_exist(views: dict[str, Graph]) -> None:
    used = terms(views["edm"])
    assert {EDM + "ProvidedCHO", ORE + "Aggregation", EDM + "rights", str(DC.language)} <= used
    assert (
        unknown(
            used,
            {
                EDM: defined("edm.ttl"),
                ORE: mentioned("edm.ttl"),
                "http://purl.org/dc/elements/1.1/": DCMES,
                str(DCTERMS): defined("dublin_core_terms.ttl"),
                str(SKOS): SKOS_TERMS,
            },
        )
        == []
    )
    assert all(t.startswith((EDM, ORE, str(DC), str(DCTERMS), str(SKOS))) for t in used)


def test_edm_has_europeanas_mandatory_properties(
    views: dict[str, Graph], built: tuple[Settings, BuildReport]
) -> None:
    graph, settings = views["edm"], built[0]
    cho = URIRef(IRI)
    assert (cho, RDF.type, URIRef(EDM + "ProvidedCHO")) in graph
    assert list(graph.objects(cho, DC.title)) or list(graph.objects(cho, DC.description))
    assert [str(t) for t in graph.objects(cho, URIRef(EDM + "type"))] == ["TEXT"]
    assert [str(code) for code in graph.objects(cho, DC.language)] == ["zh"]  # mandatory for TEXT
    assert any(list(graph.objects(cho, p)) for p in (DC.subject, DC.type, DCTERMS.spatial, DCTERMS.temporal))
    (aggregation,) = graph.subjects(RDF.type, URIRef(ORE + "Aggregation"))
    assert list(graph.objects(aggregation, URIRef(EDM + "aggregatedCHO"))) == [cho]
    assert list(graph.objects(aggregation, URIRef(EDM + "dataProvider"))) == [Literal(settings.data_provider)]
    assert list(graph.objects(aggregation, URIRef(EDM + "provider"))) == [Literal(settings.provider)]
    shown = list(graph.objects(aggregation, URIRef(EDM + "isShownAt"))) + list(
        graph.objects(aggregation, URIRef(EDM + "isShownBy"))
    )
    assert shown == [URIRef(f"{BASE}/doc/document/{SLUG}.html")]
    (rights,) = graph.objects(aggregation, URIRef(EDM + "rights"))
    assert str(rights) in EUROPEANA_RIGHTS
    assert str(rights) == "http://rightsstatements.org/vocab/InC-EDU/1.0/"  # the record's own, by the rule
    # the contextual classes name what the record links to
    for creator in graph.objects(cho, DC.creator):
        assert (creator, RDF.type, URIRef(EDM + "Agent")) in graph
        assert list(graph.objects(creator, SKOS.prefLabel))


def test_rico_terms_exist_and_say_who_sent_it_to_whom(views: dict[str, Graph]) -> None:
    graph = views["rico"]
    assert unknown(terms(graph), {RICO: defined("RiC-O_1-1.rdf")}) == []
    assert all(t.startswith(RICO) for t in terms(graph))
    doc = URIRef(IRI)
    assert (doc, RDF.type, URIRef(RICO + "Record")) in graph
    assert set(graph.objects(doc, URIRef(RICO + "hasSender"))) == {
        URIRef(f"{BASE}/id/group/prc-mfa"),
        URIRef(f"{BASE}/id/group/prc-mps"),
    }
    assert list(graph.objects(doc, URIRef(RICO + "hasAddressee"))) == [
        URIRef(f"{BASE}/id/group/prc-embassy-dprk")
    ]
    assert list(graph.objects(doc, URIRef(RICO + "hasOrHadInstantiation"))) == [
        URIRef(f"{BASE}/id/object/{SLUG}")
    ]
    assert [str(d) for d in graph.objects(doc, URIRef(RICO + "creationDate"))] == ["1962-03-24"]
    assert URIRef(f"{BASE}/id/type/korean-border-crossings") in set(
        graph.objects(doc, URIRef(RICO + "hasOrHadSubject"))
    )


def test_schema_org_view(views: dict[str, Graph], built: tuple[Settings, BuildReport], store: Any) -> None:
    graph = views["schema"]
    assert unknown(terms(graph), {SCHEMA: SCHEMA_TERMS}) == []
    doc = URIRef(IRI)
    assert {URIRef(SCHEMA + "ArchiveComponent"), URIRef(SCHEMA + "Message")} <= set(
        graph.objects(doc, RDF.type)
    )
    assert [str(d) for d in graph.objects(doc, URIRef(SCHEMA + "dateCreated"))] == ["1962-03-24"]
    for prop in ("sender", "recipient", "mentions", "isPartOf", "translator"):
        assert list(graph.objects(doc, URIRef(SCHEMA + prop))), prop
    assert URIRef(f"{BASE}/id/person/jeffrey-wang") in set(graph.objects(doc, URIRef(SCHEMA + "translator")))
    record = load_record(store, built[0], IRI)
    assert record is not None
    document = view_json(record, "schema", built[0])
    assert document is not None and document["@context"] == "https://schema.org"


def context_keys(node: Any) -> set[str]:
    """Every term a JSON-LD context defines, type-scoped contexts included."""
    found: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if not key.startswith("@"):
                found.add(key)
            if isinstance(value, dict) and "@context" in value:
                found |= context_keys(value["@context"])
    return found


def json_keys(node: Any) -> set[str]:
    if isinstance(node, dict):
        return {k for k in node if k != "@context"} | {k for v in node.values() for k in json_keys(v)}
    if isinstance(node, list):
        return {k for v in node for k in json_keys(v)}
    return set()


def test_linked_art_keys_are_in_its_context_and_map_to_crm(
    views: dict[str, Graph], built: tuple[Settings, BuildReport], store: Any
) -> None:
    record = load_record(store, built[0], IRI)
    assert record is not None
    document = view_json(record, "linkedart", built[0])
    assert document is not None and document["@context"] == LINKED_ART
    assert json_keys(document) - context_keys(linked_art_context()["@context"]) == set()
    graph = views["linkedart"]
    crm_terms = {t for t in terms(graph) if t.startswith(CRM)}
    assert len(crm_terms) > 10
    assert (
        unknown(
            terms(graph), {CRM: defined("CIDOC_CRM_v7.1.3.rdf") | {CRM + "E33_E41_Linguistic_Appellation"}}
        )
        == []
    )
    doc = URIRef(IRI)
    assert (doc, RDF.type, URIRef(CRM + "E33_Linguistic_Object")) in graph
    creation = next(graph.objects(doc, URIRef(CRM + "P94i_was_created_by")))
    assert set(graph.objects(creation, URIRef(CRM + "P14_carried_out_by"))) == {
        URIRef(f"{BASE}/id/group/prc-mfa"),
        URIRef(f"{BASE}/id/group/prc-mps"),
    }


def test_views_only_exist_for_records(built: tuple[Settings, BuildReport], store: Any) -> None:
    assert load_record(store, built[0], f"{BASE}/id/person/pak-seong-cheol") is None
    assert (
        load_record(store, built[0], f"{BASE}/id/document/{SLUG}-ref-1962-03-06") is None
    )  # no graph of its own
    assert load_record(store, built[0], f"{BASE}/id/document/nothing") is None


# --- Content Negotiation by Profile on /doc ----------------------------------------------------------

LINK = re.compile(r'<([^>]*)>((?:\s*;\s*[a-z-]+="[^"]*")*)')
PARAM = re.compile(r'([a-z-]+)="([^"]*)"')


def links(response: TestResponse) -> list[tuple[str, dict[str, str]]]:
    return [
        (m.group(1), dict(PARAM.findall(m.group(2))))
        for value in response.headers.getlist("Link")
        for m in LINK.finditer(value)
    ]


@pytest.mark.parametrize(
    ("headers", "query", "profile", "content_type"),
    [
        ({"Accept-Profile": f"<{EDM}>", "Accept": "application/rdf+xml"}, "", "edm", "application/rdf+xml"),
        ({"Accept-Profile": "<https://schema.org/>"}, "", "schema", "application/ld+json"),
        ({"Accept-Profile": "rico;q=0.9, <http://example.org/unknown>"}, "", "rico", "text/turtle"),
        ({}, "?_profile=linkedart", "linkedart", "application/ld+json"),
        ({}, "?_profile=edm&_mediatype=application/n-triples", "edm", "application/n-triples"),
        ({"Accept-Profile": f"<{EDM}>;q=0.2, <{CRM}>;q=0.8"}, "", "crm", "text/turtle"),
        ({"Accept-Profile": f"<{URIS['rico']}>"}, "?_profile=edm", "edm", "text/turtle"),  # the query wins
    ],
)
def test_a_profile_is_chosen_and_named(
    client: FlaskClient, headers: dict[str, str], query: str, profile: str, content_type: str
) -> None:
    response = client.get(DOC + query, headers=headers)
    assert response.status_code == 200
    assert response.headers["Content-Type"].split(";")[0] == content_type
    assert response.headers["Content-Profile"] == f"<{URIS[profile]}>"
    assert {"Accept", "Accept-Profile"} <= {v.strip() for v in response.headers["Vary"].split(",")}
    fmt = {
        "application/rdf+xml": "xml",
        "application/ld+json": "json-ld",
        "text/turtle": "turtle",
        "application/n-triples": "nt",
    }
    if profile not in ("schema", "linkedart") or content_type != "application/ld+json":
        graph = parse(response.data, fmt[content_type])
        assert len(graph) > 20
        if profile == "edm":
            assert (URIRef(IRI), RDF.type, URIRef(EDM + "ProvidedCHO")) in graph
    else:
        document = json.loads(response.data)
        assert document["@context"] == {"schema": "https://schema.org", "linkedart": LINKED_ART}[profile]


def test_linked_art_is_served_with_its_profile_parameter(client: FlaskClient) -> None:
    response = client.get(f"{DOC}.jsonld?_profile=linkedart")
    assert response.headers["Content-Type"] == f'application/ld+json;profile="{LINKED_ART}"'
    assert json.loads(response.data)["type"] == "LinguisticObject"


def test_every_answer_lists_the_other_profiles_and_each_link_works(client: FlaskClient) -> None:
    for response in (client.get(f"{DOC}.ttl"), client.get(f"{DOC}.ttl?_profile=rico")):
        found = [(t, p) for t, p in links(response) if p["rel"] == "alternate"]
        offered = {(p["profile"], p["type"]) for _, p in found}
        assert {p.uri for p in PROFILES} == {profile for profile, _ in offered}
        for target, params in found:
            answer = client.get(target.removeprefix("http://localhost"))
            assert answer.status_code == 200, target
            assert answer.headers["Content-Type"].split(";")[0] == params["type"]
            assert answer.headers["Content-Profile"] == f"<{params['profile']}>"
        current = response.headers["Content-Profile"].strip("<>")
        assert (current, "text/turtle") not in offered  # the answer itself is not an alternate
    assert [t for t, p in links(client.get(f"{DOC}.ttl?_profile=rico")) if p["rel"] == "license"]


def test_view_answers_are_cached_and_conditional(client: FlaskClient) -> None:
    first = client.get(f"{DOC}.rdf?_profile=edm")
    etag = first.headers["ETag"]
    assert etag != client.get(f"{DOC}.rdf").headers["ETag"]  # another profile, another tag
    assert etag != client.get(f"{DOC}.ttl?_profile=edm").headers["ETag"]
    again = client.get(f"{DOC}.rdf?_profile=edm", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert client.get(f"{DOC}.rdf?_profile=edm").data == first.data
    head = client.head(f"{DOC}.rdf?_profile=edm")
    assert head.headers["Content-Profile"] == first.headers["Content-Profile"] and head.data == b""


def test_the_alternates_list(client: FlaskClient) -> None:
    response = client.get(f"{DOC}?_profile=alt")
    assert response.status_code == 200
    graph = parse(response.data, "turtle")
    altr = "http://www.w3.org/ns/dx/connegp/altr#"
    representations = set(graph.objects(URIRef(IRI), URIRef(altr + "hasRepresentation")))
    conforms = {str(graph.value(r, DCTERMS.conformsTo)) for r in representations}
    assert conforms == {p.uri for p in PROFILES}
    assert graph.value(URIRef(IRI), URIRef(altr + "hasDefaultRepresentation")) in representations
    html = client.get(f"{DOC}?_profile=alt", headers={"Accept": "text/html"})
    assert html.headers["Content-Type"].startswith("text/html")
    assert "linkedart" in html.get_data(as_text=True)
    assert (
        client.get(f"{DOC}?_profile=alt&_mediatype=application/ld+json").headers["Content-Type"]
        == "application/ld+json"
    )


@pytest.mark.parametrize(
    ("path", "headers", "status"),
    [
        (f"{DOC}?_profile=dcat", {}, 406),
        (DOC, {"Accept-Profile": "<http://example.org/no-such-profile>"}, 406),
        (DOC, {"Accept-Profile": f"<{EDM}>;q=0"}, 406),
        (f"{DOC}?_profile=edm", {"Accept": "text/html"}, 406),  # views have no HTML
        (f"{DOC}.nq?_profile=edm", {}, 406),
        (f"{DOC}?_profile=edm&_mediatype=image/png", {}, 406),
        ("/doc/person/pak-seong-cheol?_profile=edm", {}, 406),  # only records have views
        (DOC, {"Accept-Profile": "<http://example.org/a"}, 400),
        (DOC, {"Accept-Profile": "edm;q=7"}, 400),
        (DOC, {"Accept-Profile": "<a>, , <b>"}, 400),
        ("/doc/person/nobody?_profile=edm", {}, 404),
    ],
)
def test_bad_profile_requests_get_the_protocol_error(
    client: FlaskClient, path: str, headers: dict[str, str], status: int
) -> None:
    response = client.get(path, headers=headers)
    assert response.status_code == status
    if status == 406:
        assert "Available profiles" in response.get_data(as_text=True)
        assert any(p.get("profile") == CRM for _, p in links(response))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=st.text(st.characters(min_codepoint=32, max_codepoint=0x2FF), max_size=60))
def test_any_accept_profile_header_is_answered_without_a_server_error(
    client: FlaskClient, value: str
) -> None:
    response = client.get(DOC, headers={"Accept-Profile": value})
    assert response.status_code in (200, 400, 406)
    if response.status_code == 200:
        assert response.headers["Content-Profile"]


def test_a_harvester_gets_edm_rdf_xml_from_the_real_server(built: tuple[Settings, BuildReport]) -> None:
    with ldpub_server(built[0].store) as server:
        request = urllib.request.Request(
            f"{server}/id/document/{SLUG}",
            headers={"Accept-Profile": f"<{EDM}>", "Accept": "application/rdf+xml"},
        )
        with urllib.request.urlopen(request, timeout=30) as answer:  # follows the 303
            assert answer.headers["Content-Profile"] == f"<{EDM}>"
            assert answer.headers["Content-Type"].startswith("application/rdf+xml")
            graph = parse(answer.read(), "xml")
    assert (URIRef(IRI), RDF.type, URIRef(EDM + "ProvidedCHO")) in graph
    assert len(list(graph.subjects(RDF.type, URIRef(ORE + "Aggregation")))) == 1
