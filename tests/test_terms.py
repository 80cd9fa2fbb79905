"""Every crm:, dcterms:, oa: and prov: term of the built dataset exists in the vocabulary files (vocab/)."""

from __future__ import annotations

import warnings
from functools import cache
from pathlib import Path

from rdflib import Graph, URIRef

from ldpub.store import EmbeddedStore, SelectResult

ROOT = Path(__file__).resolve().parent.parent
VOCAB = ROOT / "vocab"
CHECKED = {
    "http://www.cidoc-crm.org/cidoc-crm/": "CIDOC_CRM_v7.1.3.rdf",
    "http://purl.org/dc/terms/": "dublin_core_terms.ttl",
    "http://www.w3.org/ns/oa#": "oa.ttl",
    "http://www.w3.org/ns/prov#": "prov-o.ttl",
}


@cache
def defined_terms() -> frozenset[str]:
    terms: set[str] = set()
    for name in CHECKED.values():
        graph = Graph()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            graph.parse(VOCAB / name)
        terms.update(str(s) for s in graph.subjects() if isinstance(s, URIRef))
    return frozenset(terms)


def used_terms(store: EmbeddedStore) -> set[str]:
    result = store.query(
        "SELECT DISTINCT ?t WHERE { { ?s ?t ?o } UNION { ?s a ?t } UNION { ?s ?p ?t FILTER(isIRI(?t)) } }"
    )
    assert isinstance(result, SelectResult)
    found = {str(row["t"]) for row in result.rows}
    return {t for t in found if any(t.startswith(ns) for ns in CHECKED)}


def test_vocabulary_files_define_the_core_terms() -> None:
    terms = defined_terms()
    assert "http://www.cidoc-crm.org/cidoc-crm/E52_Time-Span" in terms
    assert "http://www.cidoc-crm.org/cidoc-crm/P177_assigned_property_of_type" in terms
    assert "http://www.cidoc-crm.org/cidoc-crm/P177_assigned_property_type" not in terms
    assert "http://www.w3.org/ns/oa#TextQuoteSelector" in terms


def test_every_term_of_the_built_dataset_exists(store: EmbeddedStore) -> None:
    used = used_terms(store)
    assert len(used) > 40
    unknown = sorted(used - defined_terms())
    assert unknown == [], f"terms not in vocab/: {unknown}"
