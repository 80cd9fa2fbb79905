"""A description holds at most ``INBOUND_LIMIT`` referring triples; past it, /doc/ links the full listing."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from rdflib import URIRef

from ldpub import describe as describe_module
from ldpub.describe import describe
from ldpub.store import EmbeddedStore, SelectResult

from .conftest import BASE

PLACE = f"{BASE}/id/place/prc"


def _referrers(store: EmbeddedStore, iri: str) -> int:
    result = store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p <{iri}> }} }}")
    assert isinstance(result, SelectResult)
    return int(result.rows[0]["n"])


def test_a_bounded_description_keeps_its_own_triples_and_says_it_is_cut(store: EmbeddedStore) -> None:
    total = _referrers(store, PLACE)
    assert total > 2, "the telegram refers to the PRC several times"
    whole = describe(store, PLACE)
    cut = describe(store, PLACE, inbound_limit=2)
    assert not whole.inbound_truncated and cut.inbound_truncated
    node = URIRef(PLACE)
    assert len({t for t in cut.graph if t[2] == node and t[0] != node}) == 2
    assert set(cut.graph.triples((node, None, None))) == set(whole.graph.triples((node, None, None)))
    assert set(cut.graph) <= set(whole.graph)
    again = describe(store, PLACE, inbound_limit=2)
    assert set(again.graph) == set(cut.graph), "the same referrers each time"


def test_a_cut_description_links_the_query_listing_every_referrer(
    app: Flask, store: EmbeddedStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(describe_module, "INBOUND_LIMIT", 2)
    monkeypatch.setattr(describe, "__defaults__", (2,))
    app.extensions.pop("ldpub.representations", None)
    client = app.test_client()
    answer = client.get("/doc/place/prc", headers={"Accept": "text/turtle"})
    assert answer.status_code == 200
    related = [link for link in answer.headers["Link"].split(", <") if 'rel="related"' in link]
    assert len(related) == 1
    url = related[0].lstrip("<").split(">;")[0]
    query = parse_qs(urlsplit(url).query)["query"][0]
    listing = client.get(urlsplit(url).path, query_string={"query": query},
                         headers={"Accept": "application/sparql-results+json"})  # fmt: skip
    assert listing.status_code == 200
    assert len(listing.get_json()["results"]["bindings"]) == _referrers(store, PLACE)
    app.extensions.pop("ldpub.representations", None)
