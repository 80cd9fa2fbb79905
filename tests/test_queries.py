"""The researchers' queries in queries/: each one runs on the built store and answers what it promises."""

from __future__ import annotations

from decimal import Decimal

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDFS

from ldpub.sparql_service import QUERIES_DIR, load_examples
from ldpub.store import EmbeddedStore, SelectResult

from .conftest import BASE

DOC = f"{BASE}/id/document/prc-fma-118-01025-02"
EARLIER = f"{DOC}-ref-1962-03-06"


def run(store: EmbeddedStore, name: str) -> SelectResult:
    result = store.query((QUERIES_DIR / f"{name}.rq").read_text(encoding="utf-8"))
    assert isinstance(result, SelectResult)
    return result


def values(result: SelectResult, *names: str) -> list[tuple[str | None, ...]]:
    """Each row's values (as text) for ``names``; None where unbound."""
    return [tuple(str(row[n]) if n in row else None for n in names) for row in result.rows]


def test_there_are_at_least_twelve_documented_queries() -> None:
    examples = load_examples()
    assert len(examples) >= 12
    assert len({e.name for e in examples}) == len(examples)
    for example in examples:
        assert example.title and len(example.description) > 40, example.name
        assert example.text.startswith("# title: ")
    assert {e.form for e in examples} >= {"SELECT", "CONSTRUCT", "ASK"}


def test_persons_mentioned_with_wikidata_ids(store: EmbeddedStore) -> None:
    result = run(store, "01-persons-mentioned")
    rows = values(result, "document", "person", "name", "wikidataId", "mentions")
    assert rows == [
        (DOC, f"{BASE}/id/person/hao-deqing", "Hao Deqing", None, "1"),
        (DOC, f"{BASE}/id/person/pak-seong-cheol", "Pak Seong-cheol", None, "2"),
    ]


def test_everything_a_document_refers_to(store: EmbeddedStore) -> None:
    result = run(store, "02-entities-mentioned")
    rows = {r[0]: r[1:] for r in values(result, "name", "kind", "wikidataId", "mentions")}
    assert rows["North Korea"] == ("place", "Q423", "23")
    assert rows["Jilin"] == ("place", "Q45208", "2")
    assert rows["Korean Chinese"] == ("group", "Q715978", "8")
    assert rows["Pak Seong-cheol"] == ("person", None, "2")
    assert rows["Border crossings of ethnic Koreans from China to North Korea"][0] == "concept"
    assert {kind for kind, *_ in rows.values()} == {"person", "group", "place", "concept"}
    assert len(rows) == 14


def test_documents_by_sender_addressee_and_date(store: EmbeddedStore) -> None:
    result = run(store, "03-documents-by-sender-addressee-date")
    rows = values(result, "document", "date", "senders", "addressees")
    assert [r[0] for r in rows] == [EARLIER, DOC]  # oldest first
    embassy = "Embassy of the People's Republic of China in North Korea"
    assert rows[0][1:3] == ("6 March [1962]", embassy)
    assert not rows[0][3]  # no addressee known
    assert rows[1][1] == "March 24, 1962"
    assert set(rows[1][2].split("; ")) == {  # type: ignore[union-attr]
        "Ministry of Foreign Affairs of the People's Republic of China",
        "Ministry of Public Security of the People's Republic of China",
    }
    assert rows[1][3] == embassy


def test_reported_figures_with_unit_place_time_and_quote(store: EmbeddedStore) -> None:
    result = run(store, "04-reported-figures")
    assert len(result.rows) == 2
    first, second = result.rows
    assert first["value"].toPython() == Decimal(28028)  # type: ignore[union-attr]
    assert str(first["unit"]) == "persons"
    assert str(first["places"]) == "Jilin"
    assert str(first["when"]) == "during the past year"
    assert str(first["from"]).startswith("1961-01-01") and str(first["until"]).startswith("1961-12-31")
    assert (str(first["quote"]), int(first["start"]), int(first["end"])) == ("28,028", 311, 317)
    assert "from Jilin Province alone" in str(first["counts"])
    assert second["value"].toPython() == Decimal(243)  # type: ignore[union-attr]
    assert set(str(second["places"]).split("; ")) == {"Yalu River", "Tumen River"}
    assert str(second["quote"]) == "243"


def test_numbered_points_in_order(store: EmbeddedStore) -> None:
    result = run(store, "05-numbered-points")
    rows = values(result, "label", "partOf", "point")
    assert [r[0] for r in rows] == [
        "Point 1",
        "Point 2",
        "Point 3",
        "Point 4",
        "Point 4a",
        "Point 4b",
        "Point 5",
    ]
    assert rows[4] == ("Point 4a", "Point 4", f"{DOC}/en/section/4a")
    assert rows[0][1] is None
    texts = [str(row["text"]) for row in result.rows]
    assert texts[0].startswith("1. Since last year") and texts[5].startswith("b. For those")


def test_documents_that_refer_to_earlier_documents(store: EmbeddedStore) -> None:
    result = run(store, "06-earlier-documents")
    assert values(result, "document", "earlier", "earlierLabel", "writer") == [
        (
            DOC,
            EARLIER,
            "Telegram dated 6 March [1962]",
            "Embassy of the People's Republic of China in North Korea",
        )
    ]


def test_entities_without_wikidata(store: EmbeddedStore) -> None:
    result = run(store, "07-entities-without-wikidata")
    rows = {r[0]: r[1] for r in values(result, "name", "documents")}
    assert rows["Pak Seong-cheol"] == "1" and rows["Hao Deqing"] == "1"
    assert rows["Central Committee of the Chinese Communist Party"] == "1"
    assert rows["Shen Zhihua"] == "0"
    for linked in ("North Korea", "Jilin", "Korean Chinese", "People's Republic of China"):
        assert linked not in rows
    assert list(rows.values())[:3] == ["1", "1", "1"]  # most-referred first


def test_mentions_with_their_context(store: EmbeddedStore) -> None:
    result = run(store, "08-mentions-in-context")
    rows = values(result, "start", "end", "before", "exact", "after", "name")
    starts = [int(r[0]) for r in rows]  # type: ignore[arg-type]
    assert starts == sorted(starts)
    pak = [r for r in rows if r[5] == "Pak Seong-cheol"]
    assert [r[3] for r in pak] == ["Pak Seong-cheol [Pak Song Chol]", "Foreign Minister Pak"]
    assert pak[0][2].endswith("Minister of Foreign Affairs ") and pak[0][4].startswith(" and clarify")  # type: ignore[union-attr]
    for start, end, _, exact, _, _ in rows:
        assert int(end) - int(start) == len(exact)  # type: ignore[arg-type]


def test_credits(store: EmbeddedStore) -> None:
    result = run(store, "09-credits")
    assert sorted(values(result, "role", "name")) == [
        ("funding", "John D. and Catherine T. MacArthur Foundation"),
        ("funding", "Leon Levy Foundation"),
        ("obtaining a copy", "Shen Zhihua"),
        ("publication", "History and Public Policy Program"),
        ("translation", "Charles Kraus"),
        ("translation", "Jeffrey Wang"),
    ]


def test_places_within_a_country(store: EmbeddedStore) -> None:
    result = run(store, "10-places-within-country")
    assert values(result, "name", "documents") == [("Jilin", "1"), ("Tumen River", "1"), ("Yalu River", "1")]
    assert {str(row["country"]) for row in result.rows} == {f"{BASE}/id/place/prc"}


def test_archival_hierarchy(store: EmbeddedStore) -> None:
    result = run(store, "11-archival-hierarchy")
    [row] = values(result, "document", "item", "reference", "pages", "file", "archiveLabel", "curatorName")
    assert row == (
        DOC,
        f"{BASE}/id/object/prc-fma-118-01025-02",
        "PRC FMA 118-01025-02, 4-6",
        "pages 4-6",
        f"{BASE}/id/object/prc-fma-file-118-01025-02",
        "Archive of the Ministry of Foreign Affairs of the People's Republic of China",
        "Ministry of Foreign Affairs of the People's Republic of China",
    )


def test_inferred_statements_and_rules(store: EmbeddedStore) -> None:
    result = run(store, "12-inferred-statements")
    rows = values(result, "property", "value", "rule")
    assert len(rows) == 5
    crm = "http://www.cidoc-crm.org/cidoc-crm/"
    language = next(r for r in rows if r[0] == f"{crm}P72_has_language")
    assert language[1] == f"{BASE}/id/type/language-zh" and "language of its archive" in language[2]  # type: ignore[operator]
    rights = next(r for r in rows if r[0] == f"{crm}P2_has_type")
    assert rights[1] == "http://rightsstatements.org/vocab/InC-EDU/1.0/"
    assert sum("'the past year'" in r[2] for r in rows) == 2  # type: ignore[operator]
    assert any("your telegram" in r[2] for r in rows)  # type: ignore[operator]


def test_provenance_of_document_graphs(store: EmbeddedStore, built: tuple[object, object]) -> None:
    result = run(store, "13-provenance")
    rows = values(result, "graph", "file", "sha256", "software")
    assert [r[1][-37:] for r in rows] == [  # type: ignore[index]
        "data/sources/000_020ce75d772fb1c8.txt",
        "data/sources/001_2b4c022557e90890.txt",
    ]
    assert {r[0] for r in rows} == {f"{BASE}/graph/document/prc-fma-118-01025-02"}
    assert rows[0][2] == "sha256:ae250468593eef6d50ed8fcf33876f739d4d9a12ef638124b4649b2ae5d97026"
    assert {r[3] for r in rows} == {"ldpub"}
    assert int(result.rows[0]["bytes"]) == 6611


def test_mention_network_construct(store: EmbeddedStore) -> None:
    graph = store.query((QUERIES_DIR / "14-mention-network.rq").read_text(encoding="utf-8"))
    assert isinstance(graph, Graph)
    doc = URIRef(DOC)
    referenced = set(graph.objects(doc, DCTERMS.references))
    assert len(referenced) == 15  # 14 entities and the earlier telegram
    assert URIRef(EARLIER) in referenced
    assert (
        URIRef(f"{BASE}/id/place/dprk"),
        OWL.sameAs,
        URIRef("http://www.wikidata.org/entity/Q423"),
    ) in graph
    assert (
        URIRef(f"{BASE}/id/person/pak-seong-cheol"),
        RDFS.label,
        Literal("Pak Seong-cheol", lang="en"),
    ) in graph
    assert not list(graph.objects(URIRef(f"{BASE}/id/person/pak-seong-cheol"), OWL.sameAs))


@pytest.mark.parametrize(("name", "expected"), [("Pak Seong-cheol", True), ("Kim Il Sung", False)])
def test_ask_whether_a_person_is_mentioned(store: EmbeddedStore, name: str, expected: bool) -> None:
    text = (QUERIES_DIR / "15-mentions-person-ask.rq").read_text(encoding="utf-8")
    assert store.query(text.replace("Pak Seong-cheol", name)) is expected
