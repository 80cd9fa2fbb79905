"""End-to-end OAI-PMH harvests of the real server (`ldpub serve`, page size 1) with Sickle, a real OAI-PMH
client: every response it receives is validated against the OAI-PMH XML Schema; paging is stable; a
document removed by a rebuild is then harvested as deleted."""

from __future__ import annotations

import shutil
import time
import urllib.parse
import urllib.request
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from lxml import etree
from rdflib import Graph, URIRef
from rdflib.namespace import RDF
from sickle import Sickle
from sickle.oaiexceptions import BadResumptionToken, OAIError

from ldpub.build import build

from .conftest import ROOT, project_settings
from .servers import ldpub_server
from .test_oai import CRM, EDM, NS, TELEGRAM, TELEGRAM_IRI, check_oai_dc, errors, validated

pytestmark = pytest.mark.slow

CAPTURES = ROOT / "tests" / "data" / "captures"
KEPT = [
    "000_020ce75d772fb1c8.txt",
    "001_2b4c022557e90890.txt",
    "006_soviet-telegram-shtykov-council-of-ministers-1950_complete.txt",
]
REMOVED = "004_prc-cable-kim-jong-il-soviet-albanian-1961_oldlayout.txt"
"""These captures build (the other example captures lack what the shapes require of a document)."""
REMOVED_ID = "oai:localhost:prc-fma-106-00579-16"
SOVIET_ID = "oai:localhost:tsamo-rf-fond-5-opis-918795-delo-121-list-720"
ALL_IDS = sorted([TELEGRAM, REMOVED_ID, SOVIET_ID])


class ValidatingSickle(Sickle):
    """Sickle, checking every response it receives against the OAI-PMH 2.0 schema."""

    def __init__(self, endpoint: str) -> None:
        super().__init__(endpoint, timeout=30)
        self.responses = 0

    def harvest(self, **kwargs: Any) -> Any:
        response = super().harvest(**kwargs)
        validated(response.http_response.content)
        self.responses += 1
        return response


def _build(sources: Path, store: Path, names: list[str]) -> None:
    shutil.rmtree(sources, ignore_errors=True)
    sources.mkdir(parents=True)
    for name in names:
        shutil.copy(CAPTURES / name, sources / name)
    build(project_settings(store, sources=sources, on_source_error="skip"))


def _get(url: str, **params: str) -> etree._Element:
    with urllib.request.urlopen(f"{url}/oai?{urllib.parse.urlencode(params)}", timeout=30) as response:
        assert response.status == 200
        assert response.headers.get_content_type() == "text/xml"
        return validated(response.read())


def _rdf(record: Any) -> Graph:
    payload = record.xml.find(f".//{{{NS['oai']}}}metadata")[0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return Graph().parse(data=etree.tostring(payload), format="xml")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("oai-harvest")
    _build(root / "sources", root / "store", [*KEPT, REMOVED])
    with ldpub_server(root / "store", env={"LDPUB_OAI_PAGE_SIZE": "1"}) as url:
        yield url


@pytest.mark.parametrize("prefix", ["oai_dc", "edm", "rdf"])
def test_sickle_harvests_the_telegram_in_every_format(server: str, prefix: str) -> None:
    sickle = ValidatingSickle(f"{server}/oai")
    records = {r.header.identifier: r for r in sickle.ListRecords(metadataPrefix=prefix)}
    assert sorted(records) == ALL_IDS
    assert sickle.responses == 3  # page size 1: three pages, joined by resumption tokens
    telegram = records[TELEGRAM]
    assert sorted(telegram.header.setSpecs) == ["archive:prc-fma", "doctype:telegram"]
    if prefix == "oai_dc":
        check_oai_dc(telegram.xml.find(f".//{{{NS['oai']}}}metadata")[0])
        assert telegram.metadata["title"][0].startswith("Telegram from the Ministry of Foreign Affairs")
        assert telegram.metadata["date"] == ["1962-03-24"]
    elif prefix == "edm":
        assert (URIRef(TELEGRAM_IRI), RDF.type, URIRef(EDM + "ProvidedCHO")) in _rdf(telegram)
    else:
        assert (URIRef(TELEGRAM_IRI), RDF.type, URIRef(CRM + "E31_Document")) in _rdf(telegram)


def test_sickle_reads_identify_sets_and_selective_harvests(server: str) -> None:
    sickle = ValidatingSickle(f"{server}/oai")
    identify = sickle.Identify()
    assert identify.protocolVersion == "2.0" and identify.deletedRecord == "persistent"
    assert identify.baseURL == f"{server}/oai"
    specs = {s.setSpec for s in sickle.ListSets()}
    assert {"archive", "archive:prc-fma", "archive:tsamo", "doctype", "doctype:telegram"} <= specs
    assert [h.identifier for h in sickle.ListIdentifiers(metadataPrefix="oai_dc", set="archive:tsamo")] == [
        SOVIET_ID
    ]
    in_prc = sorted(
        h.identifier for h in sickle.ListIdentifiers(metadataPrefix="oai_dc", set="archive:prc-fma")
    )
    assert in_prc == sorted([TELEGRAM, REMOVED_ID])
    formats = [f.metadataPrefix for f in sickle.ListMetadataFormats(identifier=TELEGRAM)]
    assert formats == ["oai_dc", "edm", "rdf"]
    record = sickle.GetRecord(identifier=SOVIET_ID, metadataPrefix="oai_dc")
    assert record.header.identifier == SOVIET_ID and record.metadata["title"]


def test_paging_is_stable(server: str) -> None:
    pages: list[list[str]] = []
    cursors: list[str | None] = []
    params = {"verb": "ListIdentifiers", "metadataPrefix": "rdf"}
    while True:
        root = _get(server, **params)
        headers = [h.text for h in root.findall(".//oai:header/oai:identifier", NS)]
        token = root.find(".//oai:resumptionToken", NS)
        if token is not None and token.text:
            again = _get(server, verb="ListIdentifiers", resumptionToken=token.text)
            assert [h.text for h in again.findall(".//oai:header/oai:identifier", NS)] != headers
            twice = _get(server, verb="ListIdentifiers", resumptionToken=token.text)
            assert etree.tostring(again.find("oai:ListIdentifiers", NS)) == etree.tostring(
                twice.find("oai:ListIdentifiers", NS)
            )  # the same token names the same page
        pages.append(headers)
        cursors.append(token.get("cursor") if token is not None else None)
        assert token is not None and token.get("completeListSize") == "3"
        if not token.text:
            break
        params = {"verb": "ListIdentifiers", "resumptionToken": token.text}
    assert pages == [[identifier] for identifier in ALL_IDS]
    assert cursors == ["0", "1", "2"]


def test_a_removed_document_is_harvested_as_deleted(tmp_path: Path) -> None:
    sources, store = tmp_path / "sources", tmp_path / "store"
    _build(sources, store, [*KEPT, REMOVED])
    with ldpub_server(store, env={"LDPUB_OAI_PAGE_SIZE": "1"}) as url:
        sickle = ValidatingSickle(f"{url}/oai")
        before = {h.identifier: h for h in sickle.ListIdentifiers(metadataPrefix="oai_dc")}
        assert sorted(before) == ALL_IDS and not any(h.deleted for h in before.values())
        started = _get(url, verb="ListIdentifiers", metadataPrefix="oai_dc")
        token = started.find(".//oai:resumptionToken", NS).text

        time.sleep(1.1)  # datestamps have second granularity (OAI-PMH §3.3.2): the rebuild is a later second
        _build(sources, store, KEPT)  # a rebuild without the capture of one document

        after = {
            h.identifier: h for h in sickle.ListIdentifiers(metadataPrefix="oai_dc", ignore_deleted=False)
        }
        assert sorted(after) == ALL_IDS
        gone = after[REMOVED_ID]
        assert gone.deleted
        assert gone.setSpecs == before[REMOVED_ID].setSpecs  # still found by a harvest of its set
        assert gone.datestamp > before[REMOVED_ID].datestamp
        for identifier in (TELEGRAM, SOVIET_ID):  # unchanged documents keep their datestamps
            assert not after[identifier].deleted
            assert after[identifier].datestamp == before[identifier].datestamp
        since = [
            h.identifier for h in sickle.ListIdentifiers(metadataPrefix="oai_dc", **{"from": gone.datestamp})
        ]
        assert since == [REMOVED_ID]  # an incremental harvest gets only the deletion
        live = [r.header.identifier for r in sickle.ListRecords(metadataPrefix="edm", ignore_deleted=True)]
        assert sorted(live) == sorted([TELEGRAM, SOVIET_ID])
        record = sickle.GetRecord(identifier=REMOVED_ID, metadataPrefix="oai_dc")
        assert record.deleted and record.xml.find(f".//{{{NS['oai']}}}metadata") is None
        by_set = [
            h.identifier for h in sickle.ListIdentifiers(metadataPrefix="oai_dc", set="archive:prc-fma")
        ]
        assert sorted(by_set) == sorted([TELEGRAM, REMOVED_ID])
        with pytest.raises(
            OAIError, match="deleted"
        ):  # Sickle names its class NoMetadataFormat, so: OAIError
            sickle.ListMetadataFormats(identifier=REMOVED_ID)
        assert errors(_get(url, verb="ListMetadataFormats", identifier=REMOVED_ID)) == ["noMetadataFormats"]
        with pytest.raises(BadResumptionToken):  # a token of the previous release
            list(sickle.ListIdentifiers(resumptionToken=token))
        assert errors(_get(url, verb="ListIdentifiers", resumptionToken=token)) == ["badResumptionToken"]
