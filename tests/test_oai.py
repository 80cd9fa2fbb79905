"""OAI-PMH 2.0 at /oai, in process over the session's build: every verb, every error code, every
response validated against the OAI-PMH XML Schema (tests/data/oai-pmh/OAI-PMH.xsd)."""

from __future__ import annotations

import base64
import json
import warnings
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from lxml import etree
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from ldpub.build import BuildReport
from ldpub.oai import tokens
from ldpub.settings import Settings
from ldpub.store import open_published, stage
from ldpub.web import create_app

from .conftest import BASE, project_settings

SCHEMA = etree.XMLSchema(etree.parse(str(Path(__file__).parent / "data" / "oai-pmh" / "OAI-PMH.xsd")))
NS = {
    "oai": "http://www.openarchives.org/OAI/2.0/",
    "oai_dc": "http://www.openarchives.org/OAI/2.0/oai_dc/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
}
DC_ELEMENTS = {
    "title", "creator", "subject", "description", "publisher", "contributor", "date", "type", "format",
    "identifier", "source", "language", "relation", "coverage", "rights",
}  # fmt: skip
TELEGRAM = "oai:localhost:prc-fma-118-01025-02"
TELEGRAM_IRI = f"{BASE}/id/document/prc-fma-118-01025-02"
CRM = "http://www.cidoc-crm.org/cidoc-crm/"
EDM = "http://www.europeana.eu/schemas/edm/"
ORE = "http://www.openarchives.org/ore/terms/"


def validated(body: bytes) -> etree._Element:
    """The response parsed, after checking it against the OAI-PMH 2.0 schema (the envelope, strictly)."""
    root = etree.fromstring(body)
    SCHEMA.assertValid(root)
    return root


def oai(client: FlaskClient, method: str = "GET", **params: str | list[str]) -> etree._Element:
    if method == "POST":
        response = client.post("/oai", data=params)
    else:
        response = client.get("/oai", query_string=params)
    assert response.status_code == 200
    assert response.mimetype == "text/xml"
    return validated(response.data)


def errors(root: etree._Element) -> list[str]:
    return [e.get("code") for e in root.findall("oai:error", NS)]


def check_oai_dc(payload: etree._Element) -> dict[str, list[str]]:
    """The oai_dc payload, checked laxly: an oai_dc:dc element holding only the 15 DC elements."""
    assert payload.tag == f"{{{NS['oai_dc']}}}dc"
    values: dict[str, list[str]] = {}
    for child in payload:
        namespace, _, name = child.tag[1:].partition("}")
        assert namespace == NS["dc"] and name in DC_ELEMENTS, child.tag
        values.setdefault(name, []).append(child.text or "")
    return values


def rdf_payload(payload: etree._Element) -> Graph:
    assert payload.tag == f"{{{NS['rdf']}}}RDF"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return Graph().parse(data=etree.tostring(payload), format="xml")


def test_identify(client: FlaskClient) -> None:
    root = oai(client, verb="Identify")
    assert root.find("oai:request", NS).get("verb") == "Identify"
    identify = root.find("oai:Identify", NS)
    text = {child.tag.split("}")[1]: child.text for child in identify}
    assert text["repositoryName"].startswith("ldpub: Wilson Center Digital Archive")
    assert text["baseURL"] == "http://localhost/oai"
    assert text["protocolVersion"] == "2.0"
    assert text["adminEmail"] == "archive@example.org"
    assert text["deletedRecord"] == "persistent"
    assert text["granularity"] == "YYYY-MM-DDThh:mm:ssZ"
    header = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc").find(".//oai:datestamp", NS)
    assert text["earliestDatestamp"] <= header.text


def test_post_answers_like_get(client: FlaskClient) -> None:
    by_get = oai(client, verb="GetRecord", identifier=TELEGRAM, metadataPrefix="oai_dc")
    by_post = oai(client, "POST", verb="GetRecord", identifier=TELEGRAM, metadataPrefix="oai_dc")
    assert etree.tostring(by_get.find("oai:GetRecord", NS)) == etree.tostring(
        by_post.find("oai:GetRecord", NS)
    )


def test_list_metadata_formats(client: FlaskClient) -> None:
    for root in (
        oai(client, verb="ListMetadataFormats"),
        oai(client, verb="ListMetadataFormats", identifier=TELEGRAM),
    ):
        prefixes = [e.text for e in root.findall(".//oai:metadataPrefix", NS)]
        assert prefixes == ["oai_dc", "edm", "rdf"]
        namespaces = [e.text for e in root.findall(".//oai:metadataNamespace", NS)]
        assert namespaces[0] == NS["oai_dc"] and namespaces[2] == NS["rdf"]


def test_list_sets_by_type_and_archive(client: FlaskClient) -> None:
    root = oai(client, verb="ListSets")
    sets = {
        s.findtext("oai:setSpec", namespaces=NS): s.findtext("oai:setName", namespaces=NS)
        for s in root.iterfind(".//oai:set", NS)
    }
    assert sets["doctype:telegram"] == "Document type: telegram"
    assert sets["archive:prc-fma"].startswith("Archive: Archive of the Ministry of Foreign Affairs")
    assert {"doctype", "archive"} <= set(sets)
    assert not any("priority" in spec for spec in sets)  # a priority marking is not a document type


def test_get_record_oai_dc(client: FlaskClient) -> None:
    root = oai(client, verb="GetRecord", identifier=TELEGRAM, metadataPrefix="oai_dc")
    header = root.find(".//oai:header", NS)
    assert header.findtext("oai:identifier", namespaces=NS) == TELEGRAM
    assert header.get("status") is None
    assert sorted(e.text for e in header.findall("oai:setSpec", NS)) == [
        "archive:prc-fma",
        "doctype:telegram",
    ]
    dc = check_oai_dc(root.find(".//oai:metadata", NS)[0])
    assert dc["title"] == [
        "Telegram from the Ministry of Foreign Affairs and the Ministry of Public Security on the Issue of "
        "Ethnic Koreans Crossing the Border to Korea"
    ]
    assert dc["date"] == ["1962-03-24"]
    assert dc["language"] == ["zh"]
    assert TELEGRAM_IRI in dc["identifier"] and "PRC FMA 118-01025-02, 4-6" in dc["identifier"]
    assert "Ministry of Public Security of the People's Republic of China" in dc["creator"]
    assert "http://rightsstatements.org/vocab/InC-EDU/1.0/" in dc["rights"]
    assert set(dc["type"]) == {"Text", "telegram"}


def test_get_record_rdf_is_the_crm_graph(client: FlaskClient) -> None:
    root = oai(client, verb="GetRecord", identifier=TELEGRAM, metadataPrefix="rdf")
    graph = rdf_payload(root.find(".//oai:metadata", NS)[0])
    assert (URIRef(TELEGRAM_IRI), RDF.type, URIRef(CRM + "E31_Document")) in graph
    assert (
        URIRef(f"{BASE}/id/object/prc-fma-118-01025-02"),
        URIRef(CRM + "P128_carries"),
        URIRef(TELEGRAM_IRI),
    ) in graph
    assert len(graph) > 1000


def test_get_record_edm(client: FlaskClient) -> None:
    root = oai(client, verb="GetRecord", identifier=TELEGRAM, metadataPrefix="edm")
    graph = rdf_payload(root.find(".//oai:metadata", NS)[0])
    cho = URIRef(TELEGRAM_IRI)
    assert (cho, RDF.type, URIRef(EDM + "ProvidedCHO")) in graph
    aggregation = graph.value(None, URIRef(EDM + "aggregatedCHO"), cho)
    assert (aggregation, RDF.type, URIRef(ORE + "Aggregation")) in graph
    for term in ("dataProvider", "provider", "isShownAt", "rights"):
        assert graph.value(aggregation, URIRef(EDM + term)) is not None, term
    assert str(graph.value(cho, URIRef(EDM + "type"))) == "TEXT"


@pytest.mark.parametrize("prefix", ["oai_dc", "edm", "rdf"])
def test_list_records_and_identifiers(client: FlaskClient, prefix: str) -> None:
    records = oai(client, verb="ListRecords", metadataPrefix=prefix).findall(".//oai:record", NS)
    assert [r.findtext("oai:header/oai:identifier", namespaces=NS) for r in records] == [TELEGRAM]
    assert len(records[0].find("oai:metadata", NS)) == 1
    headers = oai(client, verb="ListIdentifiers", metadataPrefix=prefix).findall(".//oai:header", NS)
    assert [h.findtext("oai:identifier", namespaces=NS) for h in headers] == [TELEGRAM]


def test_selective_harvest_by_set_and_date(client: FlaskClient) -> None:
    stamp = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc").findtext(
        ".//oai:datestamp", namespaces=NS
    )
    day = stamp[:10]
    for params in (
        {"set": "doctype"},
        {"set": "doctype:telegram"},
        {"set": "archive:prc-fma"},
        {"from": stamp, "until": stamp},
        {"from": day, "until": day},
        {"until": day},
    ):
        root = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc", **params)
        assert [h.text for h in root.findall(".//oai:identifier", NS)] == [TELEGRAM], params
    after = (datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ") + timedelta(seconds=1)).strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    )
    for params in ({"set": "doctype:letter"}, {"set": "nothing"}, {"from": after}, {"until": "2000-01-01"}):
        assert errors(oai(client, verb="ListRecords", metadataPrefix="oai_dc", **params)) == [
            "noRecordsMatch"
        ], params


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({}, "badVerb"),
        ({"verb": "Frobnicate"}, "badVerb"),
        ({"verb": ["Identify", "Identify"]}, "badVerb"),
        ({"verb": "Identify", "extra": "1"}, "badArgument"),
        ({"verb": "ListRecords"}, "badArgument"),
        ({"verb": "GetRecord", "identifier": TELEGRAM}, "badArgument"),
        ({"verb": "GetRecord", "metadataPrefix": "oai_dc"}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": ["oai_dc", "rdf"]}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": ""}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "limit": "1000000"}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "yesterday"}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2026-13-01"}, "badArgument"),
        (
            {"verb": "ListRecords", "metadataPrefix": "oai_dc", "until": "2026-01-01T00:00:00+01:00"},
            "badArgument",
        ),
        (
            {"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2026-01-02", "until": "2026-01-01"},
            "badArgument",
        ),
        (
            {
                "verb": "ListRecords",
                "metadataPrefix": "oai_dc",
                "from": "2026-01-01",
                "until": "2026-01-02T00:00:00Z",
            },
            "badArgument",
        ),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "resumptionToken": "x"}, "badArgument"),
        ({"verb": "ListSets", "set": "doctype"}, "badArgument"),
        ({"verb": "Identify", "identifier": "x" * 5000}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": "marc21"}, "cannotDisseminateFormat"),
        ({"verb": "ListIdentifiers", "metadataPrefix": "x y"}, "cannotDisseminateFormat"),
        (
            {"verb": "GetRecord", "identifier": TELEGRAM, "metadataPrefix": "marc21"},
            "cannotDisseminateFormat",
        ),
        (
            {"verb": "GetRecord", "identifier": "oai:localhost:nothing", "metadataPrefix": "oai_dc"},
            "idDoesNotExist",
        ),
        (
            {
                "verb": "GetRecord",
                "identifier": "oai:example.org:prc-fma-118-01025-02",
                "metadataPrefix": "oai_dc",
            },
            "idDoesNotExist",
        ),
        (
            {"verb": "GetRecord", "identifier": "oai:localhost:../../etc/passwd", "metadataPrefix": "oai_dc"},
            "idDoesNotExist",
        ),
        ({"verb": "ListMetadataFormats", "identifier": "not an identifier"}, "idDoesNotExist"),
        ({"verb": "ListRecords", "resumptionToken": "forged"}, "badResumptionToken"),
        ({"verb": "ListIdentifiers", "resumptionToken": "eyJ9.AAAA"}, "badResumptionToken"),
        ({"verb": "ListSets", "resumptionToken": "anything"}, "badResumptionToken"),
    ],
)
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_error_codes(client: FlaskClient, params: dict[str, str | list[str]], code: str, method: str) -> None:
    root = oai(client, method, **params)
    assert errors(root) == [code]
    assert root.find("oai:error", NS).text  # a message for the harvester's operator
    request = root.find("oai:request", NS)
    assert request.text == "http://localhost/oai"
    if code in ("badVerb", "badArgument"):
        assert dict(request.attrib) == {}  # §3.2: no attributes after badVerb or badArgument


def test_two_errors_at_once(client: FlaskClient) -> None:
    root = oai(client, verb="GetRecord", identifier="oai:localhost:nothing", metadataPrefix="marc21")
    assert sorted(errors(root)) == ["cannotDisseminateFormat", "idDoesNotExist"]


def test_odd_input_never_breaks_the_envelope(client: FlaskClient) -> None:
    for value in ("<x>&amp;", "\u202e\u0000", "ä" * 300, "%00", "]]>"):
        for params in (
            {"verb": value},
            {"verb": "GetRecord", "identifier": value, "metadataPrefix": "oai_dc"},
            {"verb": "ListRecords", "metadataPrefix": value},
            {"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": value},
            {"verb": "ListRecords", "resumptionToken": value},
        ):
            root = oai(client, **params)
            assert errors(root), params


def _token(
    settings: Settings,
    verb: str,
    position: int,
    *,
    release: str | None = None,
    expires: datetime | None = None,
) -> str:
    with open_published(settings.store) as store:
        current = store.release_info().build_id
    state = tokens.ListState(
        verb, "oai_dc", None, None, None, release or current, position,
        int((expires or datetime.now(UTC) + timedelta(hours=1)).timestamp()),
    )  # fmt: skip
    return tokens.issue(tokens.load_secret(settings.store / "oai"), state)


def test_resumption_tokens_are_signed_bound_and_expire(
    client: FlaskClient, built: tuple[Settings, BuildReport]
) -> None:
    settings = built[0]
    good = _token(settings, "ListIdentifiers", 0)
    root = oai(client, verb="ListIdentifiers", resumptionToken=good)
    assert [h.text for h in root.findall(".//oai:identifier", NS)] == [TELEGRAM]
    assert errors(oai(client, verb="ListRecords", resumptionToken=good)) == ["badResumptionToken"]
    body, _, signature = good.partition(".")
    state = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    state[6] = 1000000  # a huge position: the signature no longer matches
    tampered = base64.urlsafe_b64encode(json.dumps(state).encode()).rstrip(b"=").decode() + "." + signature
    expired = _token(settings, "ListIdentifiers", 0, expires=datetime.now(UTC) - timedelta(seconds=1))
    other_release = _token(settings, "ListIdentifiers", 0, release="20000101T000000Z-000000")
    past_the_end = _token(settings, "ListIdentifiers", 5)
    for token in (tampered, expired, other_release, past_the_end, good[:-2]):
        root = oai(client, verb="ListIdentifiers", resumptionToken=token)
        assert errors(root) == ["badResumptionToken"]
        assert root.find("oai:request", NS).get("resumptionToken") == token


def test_empty_repository_has_no_set_hierarchy(tmp_path: Path) -> None:
    with stage(tmp_path, keep_releases=0) as staging:
        staging.add_graph(
            f"{BASE}/graph/entities",
            b"<http://example.org/a> <http://example.org/b> <http://example.org/c> .\n",
        )
        staging.publish()
    settings = project_settings(tmp_path)
    with open_published(tmp_path) as store:
        client = create_app(settings, store).test_client()
        assert errors(oai(client, verb="ListSets")) == ["noSetHierarchy"]
        assert errors(oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc", set="doctype")) == [
            "noSetHierarchy"
        ]
        assert errors(oai(client, verb="ListRecords", metadataPrefix="oai_dc")) == ["noRecordsMatch"]
        earliest = oai(client, verb="Identify").findtext(".//oai:earliestDatestamp", namespaces=NS)
        assert earliest == store.release_info().created.strftime("%Y-%m-%dT%H:%M:%SZ")
