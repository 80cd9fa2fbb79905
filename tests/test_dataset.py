"""Facts a researcher cares about, read back with SPARQL from a real build of data/."""

from __future__ import annotations

from decimal import Decimal

from rdflib import Literal
from rdflib.namespace import XSD

from ldpub.build import BuildReport
from ldpub.settings import Settings
from ldpub.store import EmbeddedStore, SelectResult

from .conftest import BASE

DOC = f"{BASE}/id/document/prc-fma-118-01025-02"
PREFIXES = """
PREFIX crm: <http://www.cidoc-crm.org/cidoc-crm/>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX ldpub: <https://w3id.org/ldpub/ns#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""


def select(store: EmbeddedStore, query: str) -> list[dict[str, object]]:
    result = store.query(PREFIXES + query)
    assert isinstance(result, SelectResult)
    return [dict(row) for row in result.rows]


def values(store: EmbeddedStore, query: str, var: str = "x") -> set[str]:
    return {str(row[var]) for row in select(store, query)}


def ask(store: EmbeddedStore, query: str) -> bool:
    result = store.query(PREFIXES + query)
    assert isinstance(result, bool)
    return result


def entity(kind: str, key: str) -> str:
    return f"{BASE}/id/{kind}/{key}"


def test_two_captures_are_one_document_with_both_sources(store: EmbeddedStore) -> None:
    documents = values(store, "SELECT ?x WHERE { ?x crm:P102_has_title ?t ; a crm:E31_Document }")
    assert documents == {DOC}
    sources = values(
        store,
        f"SELECT ?x WHERE {{ <{BASE}/graph/document/prc-fma-118-01025-02> prov:wasDerivedFrom ?s . ?s rdfs:label ?x }}",
    )
    assert {s.rsplit("/", 1)[-1] for s in sources} == {"000_020ce75d772fb1c8.txt", "001_2b4c022557e90890.txt"}


def test_the_telegram_refers_to_exactly_these_persons(store: EmbeddedStore) -> None:
    persons = values(store, f"SELECT ?x WHERE {{ <{DOC}> crm:P67_refers_to ?x . ?x a crm:E21_Person }}")
    assert persons == {entity("person", "pak-seong-cheol"), entity("person", "hao-deqing")}


def test_the_telegram_refers_to_these_places_and_groups(store: EmbeddedStore) -> None:
    places = values(store, f"SELECT ?x WHERE {{ <{DOC}> crm:P67_refers_to ?x . ?x a crm:E53_Place }}")
    assert places == {entity("place", k) for k in ("prc", "dprk", "jilin", "yalu-river", "tumen-river")}
    groups = values(store, f"SELECT ?x WHERE {{ <{DOC}> crm:P67_refers_to ?x . ?x a crm:E74_Group }}")
    expected = ("prc-mfa", "prc-mps", "ccp-central-committee", "korean-chinese", "prc-embassy-dprk")
    assert groups == {entity("group", k) for k in expected}


def test_main_subject_is_the_border_crossings(store: EmbeddedStore) -> None:
    about = values(store, f"SELECT ?x WHERE {{ <{DOC}> crm:P129_is_about ?x }}")
    assert about == {f"{BASE}/id/type/korean-border-crossings"}


def test_created_on_24_march_1962_by_the_two_ministries(store: EmbeddedStore) -> None:
    (row,) = select(
        store,
        f"""SELECT ?begin ?end WHERE {{ <{DOC}> crm:P94i_was_created_by ?c . ?c crm:P4_has_time-span ?t .
            ?t crm:P82a_begin_of_the_begin ?begin ; crm:P82b_end_of_the_end ?end }}""",
    )
    assert row["begin"] == Literal("1962-03-24T00:00:00", datatype=XSD.dateTime)
    assert row["end"] == Literal("1962-03-24T23:59:59", datatype=XSD.dateTime)
    creators = values(
        store, f"SELECT ?x WHERE {{ <{DOC}> crm:P94i_was_created_by/crm:P14_carried_out_by ?x }}"
    )
    assert creators == {entity("group", "prc-mfa"), entity("group", "prc-mps")}


def test_sent_to_the_embassy_in_north_korea(store: EmbeddedStore) -> None:
    addressees = values(
        store, f"SELECT ?x WHERE {{ ?s crm:P16_used_specific_object <{DOC}> ; ldpub:addressee ?x }}"
    )
    assert addressees == {entity("group", "prc-embassy-dprk")}
    assert ask(store, "ASK { ldpub:addressee rdfs:subPropertyOf crm:P11_had_participant }")


def test_numbered_points_are_citable_parts(store: EmbeddedStore) -> None:
    labels = values(store, f"SELECT ?x WHERE {{ <{DOC}/en> crm:P106_is_composed_of+ ?p . ?p rdfs:label ?x }}")
    assert labels == {f"Point {n}" for n in ("1", "2", "3", "4", "4a", "4b", "5")}
    parts_of_4 = values(store, f"SELECT ?x WHERE {{ ?x crm:P106i_forms_part_of <{DOC}/en/section/4> }}")
    assert parts_of_4 == {f"{DOC}/en/section/4a", f"{DOC}/en/section/4b"}
    (row,) = select(store, f"SELECT ?t WHERE {{ <{DOC}/en/section/4b> crm:P190_has_symbolic_content ?t }}")
    assert str(row["t"]).startswith("b. For those that have already settled and reside in [North] Korea")


def test_reported_figures_with_unit_place_and_time(store: EmbeddedStore) -> None:
    rows = select(
        store,
        """SELECT ?value ?unit ?place ?begin WHERE {
            ?a a crm:E13_Attribute_Assignment ; crm:P141_assigned ?d ; crm:P140_assigned_attribute_to ?e .
            ?d crm:P90_has_value ?value ; crm:P91_has_unit/rdfs:label ?unit .
            ?e crm:P7_took_place_at ?place ; crm:P4_has_time-span/crm:P82a_begin_of_the_begin ?begin }""",
    )
    found = {(Decimal(str(r["value"])), str(r["unit"]), str(r["place"]).rsplit("/", 1)[-1]) for r in rows}
    assert found == {
        (Decimal(28028), "persons", "jilin"),
        (Decimal(243), "persons", "yalu-river"),
        (Decimal(243), "persons", "tumen-river"),
    }
    assert {str(r["begin"]) for r in rows} == {"1961-01-01T00:00:00"}
    assert all(r["value"].datatype == XSD.decimal for r in rows)  # type: ignore[attr-defined]


def test_figure_28028_is_anchored_to_its_characters(store: EmbeddedStore) -> None:
    (row,) = select(
        store,
        """SELECT ?exact ?start ?end ?text WHERE {
            ?a crm:P141_assigned/crm:P90_has_value 28028.0 .
            ?ann oa:hasBody ?a ; oa:hasTarget ?t . ?t oa:hasSource ?src ;
                oa:hasSelector ?q, ?p . ?q oa:exact ?exact . ?p oa:start ?start ; oa:end ?end .
            ?src crm:P190_has_symbolic_content ?text }""",
    )
    text, start, end = str(row["text"]), int(str(row["start"])), int(str(row["end"]))
    assert str(row["exact"]) == "28,028" == text[start:end]


def test_every_anchor_quotes_the_text_at_its_offsets(store: EmbeddedStore) -> None:
    rows = select(
        store,
        """SELECT ?exact ?start ?end ?text WHERE {
            ?t a oa:SpecificResource ; oa:hasSource ?src ; oa:hasSelector ?q, ?p .
            ?q oa:exact ?exact . ?p oa:start ?start ; oa:end ?end . ?src crm:P190_has_symbolic_content ?text }""",
    )
    assert len(rows) > 50
    for row in rows:
        text = str(row["text"])
        assert text[int(str(row["start"])) : int(str(row["end"]))] == str(row["exact"])


def test_pak_is_mentioned_under_both_names(store: EmbeddedStore) -> None:
    quotes = values(
        store,
        f"SELECT ?x WHERE {{ ?a oa:hasBody <{entity('person', 'pak-seong-cheol')}> ; oa:hasTarget/oa:hasSelector/oa:exact ?x }}",
    )
    assert quotes == {"Pak Seong-cheol [Pak Song Chol]", "Foreign Minister Pak"}


def test_credits_obtaining_translation_funding(store: EmbeddedStore) -> None:
    obtainers = values(
        store,
        f"SELECT ?x WHERE {{ ?a crm:P16_used_specific_object <{BASE}/id/object/prc-fma-118-01025-02> ; "
        "crm:P2_has_type/rdfs:label 'obtaining a copy'@en ; crm:P14_carried_out_by/rdfs:label ?x "
        "FILTER(lang(?x) = 'en') }",
    )
    assert obtainers == {"Shen Zhihua"}
    translators = values(
        store,
        f"SELECT ?x WHERE {{ <{DOC}/en> crm:P94i_was_created_by/crm:P14_carried_out_by/rdfs:label ?x }}",
    )
    assert translators == {"Jeffrey Wang", "Charles Kraus"}
    funders = values(
        store,
        f"""SELECT ?x WHERE {{ ?f crm:P2_has_type/rdfs:label 'funding'@en ; crm:P14_carried_out_by ?x ;
            crm:P20_had_specific_purpose <{BASE}/id/activity/prc-fma-118-01025-02-publication> }}""",
    )
    assert funders == {entity("group", "macarthur"), entity("group", "leon-levy")}


def test_archival_item_identifier_and_file(store: EmbeddedStore) -> None:
    item = f"{BASE}/id/object/prc-fma-118-01025-02"
    (row,) = select(
        store,
        f"SELECT ?x WHERE {{ <{item}> crm:P128_carries <{DOC}> ; crm:P1_is_identified_by/crm:P190_has_symbolic_content ?x }}",
    )
    assert str(row["x"]) == "PRC FMA 118-01025-02, 4-6"
    holding = values(
        store, f"SELECT ?x WHERE {{ <{item}> crm:P46i_forms_part_of/crm:P46i_forms_part_of ?x }}"
    )
    assert holding == {f"{BASE}/id/object/prc-fma"}


def test_refers_to_the_earlier_telegram_of_6_march(store: EmbeddedStore) -> None:
    (row,) = select(
        store,
        f"""SELECT ?earlier ?begin ?creator WHERE {{ <{DOC}> dcterms:references ?earlier .
            ?earlier crm:P94i_was_created_by ?c . ?c crm:P4_has_time-span/crm:P82a_begin_of_the_begin ?begin ;
            crm:P14_carried_out_by ?creator }}""",
    )
    assert str(row["begin"]) == "1962-03-06T00:00:00"
    assert str(row["creator"]) == entity("group", "prc-embassy-dprk")
    # The creator is a rule's inference, and says so.
    assert ask(
        store,
        f"""ASK {{ ?a crm:P140_assigned_attribute_to ?c ; crm:P141_assigned <{entity("group", "prc-embassy-dprk")}> ;
            crm:P2_has_type/rdfs:label 'inferred by rule'@en . <{row["earlier"]}> crm:P94i_was_created_by ?c }}""",
    )


def test_wikidata_links_are_exactly_the_verified_ones(store: EmbeddedStore) -> None:
    rows = select(store, "SELECT ?e ?q WHERE { ?e owl:sameAs ?q }")
    links = {str(r["e"]).rsplit("/id/", 1)[-1]: str(r["q"]).rsplit("/", 1)[-1] for r in rows}
    assert links["place/jilin"] == "Q45208"
    assert links["place/dprk"] == "Q423"
    assert links["group/korean-chinese"] == "Q715978"
    assert links["group/prc-mfa"] == "Q1155502"
    assert not any(key.startswith("person/") for key in links)  # no person has a verified item
    assert "group/ccp-central-committee" not in links  # never the party's Q17427
    for key in links:
        assert ask(
            store,
            f"ASK {{ ?a crm:P140_assigned_attribute_to <{BASE}/id/{key}> ; crm:P177_assigned_property_of_type owl:sameAs ; crm:P3_has_note ?n }}",
        )


def test_places_fall_within_their_country(store: EmbeddedStore) -> None:
    assert ask(
        store, f"ASK {{ <{entity('place', 'jilin')}> crm:P89_falls_within <{entity('place', 'prc')}> }}"
    )


def test_dublin_core_view_is_derivable_from_crm_paths(store: EmbeddedStore) -> None:
    """Each dcterms value equals what an independent CRM path gives."""
    paths = {
        "creator": "crm:P94i_was_created_by/crm:P14_carried_out_by",
        "language": "crm:P72_has_language",
        "subject": "crm:P129_is_about",
        "contributor": "^crm:P73i_is_translation_of/crm:P94i_was_created_by/crm:P14_carried_out_by",
        "references": "crm:P67_refers_to/crm:P94i_was_created_by/^crm:P94i_was_created_by",
        "source": "^crm:P128_carries",
        "isPartOf": "^crm:P128_carries/crm:P46i_forms_part_of",
        "identifier": "^crm:P128_carries/crm:P1_is_identified_by/crm:P190_has_symbolic_content",
        "abstract": "^crm:P129_is_about/crm:P190_has_symbolic_content",
        "temporal": "crm:P94i_was_created_by/crm:P4_has_time-span",
        "title": "crm:P102_has_title/crm:P190_has_symbolic_content",
    }
    for term, path in paths.items():
        dc = values(store, f"SELECT ?x WHERE {{ <{DOC}> dcterms:{term} ?x }}")
        crm = values(store, f"SELECT ?x WHERE {{ <{DOC}> {path} ?x }}")
        if term == "abstract":
            crm = {c for c in crm if c.startswith("The Ministries")}
        if term == "references":
            crm = {c for c in crm if c != DOC}
        assert dc, f"dcterms:{term} is missing"
        assert dc == crm, f"dcterms:{term} differs from {path}"
    spatial = values(store, f"SELECT ?x WHERE {{ <{DOC}> dcterms:spatial ?x }}")
    assert spatial == values(
        store, f"SELECT ?x WHERE {{ <{DOC}> crm:P67_refers_to ?x . ?x a crm:E53_Place }}"
    )
    (row,) = select(store, f"SELECT ?x WHERE {{ <{DOC}> dcterms:created ?x }}")
    assert row["x"] == Literal("1962-03-24", datatype=XSD.date)
    assert ask(store, f"ASK {{ <{DOC}> dcterms:type <http://purl.org/dc/dcmitype/Text> }}")


def test_rights_uri_only_by_the_configured_rule(store: EmbeddedStore) -> None:
    rights = values(store, f"SELECT ?x WHERE {{ <{DOC}> dcterms:rights ?x }}")
    assert rights == {f"{DOC}/rights", "http://rightsstatements.org/vocab/InC-EDU/1.0/"}


def test_original_language_is_chinese_by_the_archive_rule(store: EmbeddedStore) -> None:
    language = values(store, f"SELECT ?x WHERE {{ <{DOC}> crm:P72_has_language/rdfs:label ?x }}")
    assert language == {"Chinese"}
    assert ask(
        store,
        f"ASK {{ ?a crm:P140_assigned_attribute_to <{DOC}> ; crm:P177_assigned_property_of_type crm:P72_has_language }}",
    )


def test_build_report_counts(built: tuple[Settings, BuildReport]) -> None:
    report = built[1]
    assert report.documents == 1
    assert report.sources == 2
    assert report.figures == 2
    assert report.release.triples > 1000
    assert not report.skipped


def test_no_fact_is_stated_in_two_graphs(built: tuple[Settings, BuildReport], store: EmbeddedStore) -> None:
    """Why ReleaseInfo.triples (quads, counted per graph) is the number of distinct triples of the union
    for ldpub's own data (VoID's void:triples): every graph states facts no other graph states."""
    result = store.query("SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }")
    assert isinstance(result, SelectResult)
    assert int(str(result.rows[0]["n"])) == built[1].release.triples == store.quad_count()


def test_every_document_and_entity_uri_is_under_the_base(store: EmbeddedStore) -> None:
    subjects = values(store, "SELECT DISTINCT ?x WHERE { ?x ?p ?o FILTER(isIRI(?x)) }")
    ours = [s for s in subjects if s.startswith(BASE)]
    assert all(s.startswith(f"{BASE}/id/") or s.startswith(f"{BASE}/graph/") for s in ours)
