"""A description holds at most ``INBOUND_LIMIT`` referring triples and ``OWN_LIMIT`` values of each of its own
properties; past either it says so in its body (and /doc/ links the full listing of the referrers)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from rdflib import URIRef
from rdflib.namespace import RDFS

from ldpub import describe as describe_module
from ldpub.describe import OWN_LIMIT, describe
from ldpub.store import EmbeddedStore, SelectResult

from .conftest import BASE

PLACE = f"{BASE}/id/place/prc"
PROV_USED = "http://www.w3.org/ns/prov#used"


def _about(iri: str) -> URIRef:
    """The description document of ``iri`` (``/doc/...``): what a cut description's notes are about."""
    return URIRef(iri.replace("/id/", "/doc/", 1))


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
    notes = set(cut.graph.triples((_about(PLACE), None, None)))
    assert set(cut.graph) - notes <= set(whole.graph)
    assert not set(whole.graph.triples((_about(PLACE), None, None))), "a whole description says nothing more"
    (comment,) = [str(o) for _, p, o in notes if p == RDFS.comment]
    assert "holds the first 2 triples that refer to" in comment and f"{BASE}/sparql" in comment
    again = describe(store, PLACE, inbound_limit=2)
    assert set(again.graph) == set(cut.graph), "the same referrers each time"


def test_a_resources_own_values_are_capped_per_property(store: EmbeddedStore) -> None:
    build = f"{BASE}/id/build/{store.release_info().build_id}"
    node, used = URIRef(build), URIRef(PROV_USED)
    whole = describe(store, build)
    sources = set(whole.graph.objects(node, used))
    assert len(sources) == 2, "data/ has two source files"
    cut = describe(store, build, own_limit=1)
    kept = set(cut.graph.objects(node, used))
    assert len(kept) == 1 and kept <= sources
    assert cut.omitted == {PROV_USED: (1, 2)} and cut.truncated and not whole.truncated
    others = {(p, o) for _, p, o in whole.graph.triples((node, None, None)) if p != used}
    assert {(p, o) for _, p, o in cut.graph.triples((node, None, None)) if p != used} == others
    (left_out,) = sources - kept
    assert set(whole.graph.triples((left_out, RDFS.label, None))), "a neighbour's label"
    assert not set(cut.graph.triples((left_out, RDFS.label, None))), "no label of a neighbour left out"
    (comment,) = cut.graph.objects(_about(build), RDFS.comment)
    assert f"holds 1 of the 2 values of <{PROV_USED}> of <{build}>" in str(comment)
    assert f"<{BASE}/dumps/>" in str(comment)
    assert URIRef(f"{BASE}/dumps/") in set(cut.graph.objects(_about(build), RDFS.seeAlso))
    assert {str(g) for g, triples in cut.quads.items() if any(t[0] == _about(build) for t in triples)} == {
        str(_about(build))
    }, "the notes are stated in the description document's own graph"
    assert set(describe(store, build, own_limit=1).graph) == set(cut.graph), "the same values each time"


def test_a_cut_description_links_the_query_listing_every_referrer(
    app: Flask, store: EmbeddedStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(describe_module, "INBOUND_LIMIT", 2)
    monkeypatch.setattr(describe, "__defaults__", (2, OWN_LIMIT))
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
