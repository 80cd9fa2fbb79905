"""The SHACL shapes in shapes/ and the validation module.

tests/data/shapes/valid.ttl is one complete, valid graph (a document graph merged with the entities and
vocabulary graphs). Each case below breaks it in one way with a SPARQL Update and checks that the
expected shape reports it: on which focus node, with which severity, in which words.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from rdflib import RDF, SH, Dataset, Graph, URIRef

from ldpub.errors import ValidationFailed
from ldpub.validate import Report, check_shapes, load_shapes, validate

HERE = Path(__file__).resolve().parent
SHAPES = HERE.parent / "shapes"
VALID = HERE / "data" / "shapes" / "valid.ttl"

BASE = "http://localhost:5000/"
DOC = f"{BASE}id/document/prc-fma-118-01025-02"
EARLIER = f"{BASE}id/document/prc-fma-118-01025-02-ref-1962-03-06"
ITEM = f"{BASE}id/object/prc-fma-118-01025-02"
MENTION = f"{BASE}id/annotation/prc-fma-118-01025-02-163-173"
FIGURE = f"{BASE}id/assertion/prc-fma-118-01025-02-figure-25"
CHINA = f"{BASE}id/place/china"

PROLOGUE = f"""
BASE <{BASE}>
PREFIX crm: <http://www.cidoc-crm.org/cidoc-crm/>
PREFIX dcmitype: <http://purl.org/dc/dcmitype/>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return load_shapes(SHAPES)


@pytest.fixture(scope="module")
def valid_graph() -> Graph:
    return Graph().parse(VALID, format="turtle")


def broken(valid_graph: Graph, update: str) -> Graph:
    graph = Graph()
    for triple in valid_graph:
        graph.add(triple)
    graph.update(PROLOGUE + update)
    assert set(graph) != set(valid_graph), "the update changed nothing"
    return graph


@dataclass(frozen=True)
class Case:
    id: str
    update: str
    severity: str
    focus: str
    shape: str
    words: str


CASES = [
    # documents.ttl
    Case(
        "document-without-label",
        "DELETE WHERE { <id/document/prc-fma-118-01025-02-ref-1962-03-06> rdfs:label ?l }",
        "Violation",
        EARLIER,
        "lds:DocumentShape",
        "at least one rdfs:label",
    ),
    Case(
        "document-without-type",
        "DELETE WHERE { <id/document/prc-fma-118-01025-02-ref-1962-03-06> crm:P2_has_type ?t }",
        "Violation",
        EARLIER,
        "lds:DocumentShape",
        "needs a document type",
    ),
    Case(
        "document-type-not-a-type",
        "INSERT DATA { <id/document/prc-fma-118-01025-02> crm:P2_has_type <id/place/china> }",
        "Violation",
        DOC,
        "lds:DocumentShape",
        "crm:E55_Type",
    ),
    Case(
        "document-without-creation",
        "DELETE WHERE { <id/document/prc-fma-118-01025-02> crm:P94i_was_created_by ?c }",
        "Violation",
        DOC,
        "lds:DocumentShape",
        "created by exactly one creation",
    ),
    Case(
        "carried-thing-not-a-document",
        "DELETE DATA { <id/document/prc-fma-118-01025-02> a crm:E31_Document }",
        "Violation",
        DOC,
        "lds:PublishedDocumentShape",
        "must be a crm:E31_Document",
    ),
    Case(
        "published-without-title",
        "DELETE WHERE { <id/document/prc-fma-118-01025-02> crm:P102_has_title ?t }",
        "Violation",
        DOC,
        "lds:PublishedDocumentShape",
        "exactly one title",
    ),
    Case(
        "published-with-two-titles",
        """INSERT DATA { <id/document/prc-fma-118-01025-02> crm:P102_has_title <id/x/title2> .
        <id/x/title2> a crm:E35_Title ; crm:P190_has_symbolic_content "Another title" }""",
        "Violation",
        DOC,
        "lds:PublishedDocumentShape",
        "exactly one title",
    ),
    Case(
        "published-without-language",
        "DELETE WHERE { <id/document/prc-fma-118-01025-02> crm:P72_has_language ?l }",
        "Violation",
        DOC,
        "lds:PublishedDocumentShape",
        "needs a language",
    ),
    Case(
        "published-without-dcterms-title",
        "DELETE WHERE { <id/document/prc-fma-118-01025-02> dcterms:title ?t }",
        "Violation",
        DOC,
        "lds:PublishedDocumentShape",
        "dcterms:title",
    ),
    Case(
        "published-with-wrong-dcterms-type",
        """DELETE { <id/document/prc-fma-118-01025-02> dcterms:type ?t }
        INSERT { <id/document/prc-fma-118-01025-02> dcterms:type dcmitype:Image }
        WHERE { <id/document/prc-fma-118-01025-02> dcterms:type ?t }""",
        "Violation",
        DOC,
        "lds:PublishedDocumentShape",
        "dcterms:type dcmitype:Text",
    ),
    Case(
        "published-without-summary",
        "DELETE WHERE { <id/document/prc-fma-118-01025-02> dcterms:abstract ?a }",
        "Warning",
        DOC,
        "lds:PublishedDocumentShape",
        "no summary",
    ),
    Case(
        "published-without-citation",
        "DELETE WHERE { <id/document/prc-fma-118-01025-02> dcterms:bibliographicCitation ?c }",
        "Warning",
        DOC,
        "lds:PublishedDocumentShape",
        "no citation",
    ),
    Case(
        "title-blank",
        """DELETE WHERE { <id/document/prc-fma-118-01025-02/title> crm:P190_has_symbolic_content ?t } ;
        INSERT DATA { <id/document/prc-fma-118-01025-02/title> crm:P190_has_symbolic_content "  " }""",
        "Violation",
        f"{DOC}/title",
        "lds:TitleShape",
        "title needs exactly one non-empty text",
    ),
    Case(
        "title-not-a-string",
        """DELETE WHERE { <id/document/prc-fma-118-01025-02/title> crm:P190_has_symbolic_content ?t } ;
        INSERT DATA { <id/document/prc-fma-118-01025-02/title> crm:P190_has_symbolic_content 42 }""",
        "Violation",
        f"{DOC}/title",
        "lds:TitleShape",
        "title needs exactly one non-empty text",
    ),
    # texts.ttl
    Case(
        "translation-without-text",
        "DELETE WHERE { <id/document/prc-fma-118-01025-02/en> crm:P190_has_symbolic_content ?t }",
        "Violation",
        f"{DOC}/en",
        "lds:TranslationShape",
        "translation needs exactly one non-empty text",
    ),
    Case(
        "translation-with-two-texts",
        'INSERT DATA { <id/document/prc-fma-118-01025-02/en> crm:P190_has_symbolic_content "Other." }',
        "Violation",
        f"{DOC}/en",
        "lds:TranslationShape",
        "translation needs exactly one non-empty text",
    ),
    Case(
        "translation-without-language",
        "DELETE WHERE { <id/document/prc-fma-118-01025-02/en> crm:P72_has_language ?l }",
        "Violation",
        f"{DOC}/en",
        "lds:TranslationShape",
        "translation needs a language",
    ),
    Case(
        "point-without-text",
        "DELETE WHERE { <id/document/prc-fma-118-01025-02/en/section/1> crm:P190_has_symbolic_content ?t }",
        "Violation",
        f"{DOC}/en/section/1",
        "lds:PointShape",
        "numbered point needs exactly one non-empty text",
    ),
    Case(
        "point-without-label",
        "DELETE WHERE { <id/document/prc-fma-118-01025-02/en/section/1> rdfs:label ?l }",
        "Violation",
        f"{DOC}/en/section/1",
        "lds:PointShape",
        "numbered point needs an rdfs:label",
    ),
    Case(
        "point-part-of-a-place",
        """INSERT DATA { <id/document/prc-fma-118-01025-02/en/section/1>
        crm:P106i_forms_part_of <id/place/china> }""",
        "Violation",
        f"{DOC}/en/section/1",
        "lds:PointShape",
        "forms part of a crm:E33_Linguistic_Object",
    ),
    Case(
        "summary-empty",
        """DELETE WHERE { <id/document/prc-fma-118-01025-02/summary> crm:P190_has_symbolic_content ?t } ;
        INSERT DATA { <id/document/prc-fma-118-01025-02/summary> crm:P190_has_symbolic_content "" }""",
        "Violation",
        f"{DOC}/summary",
        "lds:StatementShape",
        "statement (summary, rights, citation, role) needs exactly one non-empty text",
    ),
    Case(
        "role-without-text",
        "DELETE WHERE { <id/person/hao-deqing/role/1> crm:P190_has_symbolic_content ?t }",
        "Violation",
        f"{BASE}id/person/hao-deqing/role/1",
        "lds:StatementShape",
        "needs exactly one non-empty text",
    ),
    # creation.ttl
    Case(
        "creation-by-a-type",
        """INSERT DATA { <id/document/prc-fma-118-01025-02/creation>
        crm:P14_carried_out_by <id/type/telegram> }""",
        "Violation",
        f"{DOC}/creation",
        "lds:CreationShape",
        "carried out by persons or groups",
    ),
    Case(
        "creation-with-two-time-spans",
        """INSERT DATA { <id/document/prc-fma-118-01025-02/creation> crm:P4_has_time-span
        <id/document/prc-fma-118-01025-02-ref-1962-03-06/creation/timespan> }""",
        "Violation",
        f"{DOC}/creation",
        "lds:CreationShape",
        "at most one time-span",
    ),
    Case(
        "published-creation-without-actor",
        "DELETE WHERE { <id/document/prc-fma-118-01025-02/creation> crm:P14_carried_out_by ?a }",
        "Violation",
        f"{DOC}/creation",
        "lds:PublishedCreationShape",
        "must name who carried it out",
    ),
    Case(
        "published-creation-without-time-span",
        "DELETE WHERE { <id/document/prc-fma-118-01025-02/creation> crm:P4_has_time-span ?t }",
        "Violation",
        f"{DOC}/creation",
        "lds:PublishedCreationShape",
        "must have a time-span",
    ),
    Case(
        "translation-creation-without-actor",
        "DELETE WHERE { <id/document/prc-fma-118-01025-02/en/creation> crm:P14_carried_out_by ?a }",
        "Warning",
        f"{DOC}/en/creation",
        "lds:OtherCreationShape",
        "names nobody who carried it out",
    ),
    Case(
        "time-span-begin-after-end",
        """DELETE WHERE { <id/document/prc-fma-118-01025-02/creation/timespan>
            crm:P82a_begin_of_the_begin ?b } ;
        INSERT DATA { <id/document/prc-fma-118-01025-02/creation/timespan>
            crm:P82a_begin_of_the_begin "1962-03-25T00:00:00"^^xsd:dateTime }""",
        "Violation",
        f"{DOC}/creation/timespan",
        "lds:TimeSpanShape",
        "must not be after its end",
    ),
    Case(
        "time-span-begin-as-string",
        """DELETE WHERE { <id/document/prc-fma-118-01025-02/creation/timespan>
            crm:P82a_begin_of_the_begin ?b } ;
        INSERT DATA { <id/document/prc-fma-118-01025-02/creation/timespan>
            crm:P82a_begin_of_the_begin "1962-03-24T00:00:00"^^xsd:string }""",
        "Violation",
        f"{DOC}/creation/timespan",
        "lds:TimeSpanShape",
        "exactly one begin (crm:P82a_begin_of_the_begin) typed xsd:dateTime",
    ),
    Case(
        "time-span-without-end",
        "DELETE WHERE { <id/document/prc-fma-118-01025-02/creation/timespan> crm:P82b_end_of_the_end ?e }",
        "Violation",
        f"{DOC}/creation/timespan",
        "lds:TimeSpanShape",
        "exactly one end (crm:P82b_end_of_the_end) typed xsd:dateTime",
    ),
    # persons.ttl, groups.ttl, places.ttl
    Case(
        "person-without-english-label",
        'DELETE DATA { <id/person/hao-deqing> rdfs:label "Hao Deqing"@en }',
        "Violation",
        f"{BASE}id/person/hao-deqing",
        "lds:PersonShape",
        "person needs at least one English rdfs:label",
    ),
    Case(
        "group-without-english-label",
        """DELETE DATA { <id/group/mfa> rdfs:label
        "Ministry of Foreign Affairs of the People's Republic of China"@en }""",
        "Violation",
        f"{BASE}id/group/mfa",
        "lds:GroupShape",
        "group needs at least one English rdfs:label",
    ),
    Case(
        "place-with-only-a-french-label",
        """DELETE WHERE { <id/place/jilin> rdfs:label ?l } ;
        INSERT DATA { <id/place/jilin> rdfs:label "province de Jilin"@fr }""",
        "Violation",
        f"{BASE}id/place/jilin",
        "lds:PlaceShape",
        "place needs at least one English rdfs:label",
    ),
    Case(
        "place-within-a-group",
        "INSERT DATA { <id/place/jilin> crm:P89_falls_within <id/group/mfa> }",
        "Violation",
        f"{BASE}id/place/jilin",
        "lds:PlaceShape",
        "falls within places only",
    ),
    Case(
        "group-within-a-place",
        "INSERT DATA { <id/group/mfa> crm:P89_falls_within <id/place/china> }",
        "Violation",
        f"{BASE}id/group/mfa",
        "lds:FallsWithinShape",
        "Only a place falls within a place",
    ),
    # identifiers.ttl
    Case(
        "identifier-empty",
        """DELETE WHERE { <id/object/prc-fma-118-01025-02/identifier> crm:P190_has_symbolic_content ?v } ;
        INSERT DATA { <id/object/prc-fma-118-01025-02/identifier> crm:P190_has_symbolic_content "" }""",
        "Violation",
        f"{ITEM}/identifier",
        "lds:IdentifierShape",
        "identifier needs exactly one non-empty value",
    ),
    Case(
        "identifier-with-two-values",
        """INSERT DATA { <id/object/prc-fma-118-01025-02/identifier>
        crm:P190_has_symbolic_content "118-01025-02" }""",
        "Violation",
        f"{ITEM}/identifier",
        "lds:IdentifierShape",
        "identifier needs exactly one non-empty value",
    ),
    Case(
        "archival-item-without-identifier",
        "DELETE WHERE { <id/object/prc-fma-118-01025-02> crm:P1_is_identified_by ?i }",
        "Violation",
        ITEM,
        "lds:ArchivalItemShape",
        "archival item needs an identifier",
    ),
    Case(
        "carrier-not-an-object",
        "DELETE DATA { <id/object/prc-fma-118-01025-02> a crm:E22_Human-Made_Object }",
        "Violation",
        ITEM,
        "lds:ArchivalItemShape",
        "must be an archival item",
    ),
    # figures.ttl
    Case(
        "figure-without-counted-thing",
        "DELETE WHERE { <id/assertion/prc-fma-118-01025-02-figure-25> crm:P140_assigned_attribute_to ?x }",
        "Violation",
        FIGURE,
        "lds:FigureShape",
        "says what it counts",
    ),
    Case(
        "figure-with-wrong-property",
        """DELETE WHERE { <id/assertion/prc-fma-118-01025-02-figure-25>
            crm:P177_assigned_property_of_type ?p } ;
        INSERT DATA { <id/assertion/prc-fma-118-01025-02-figure-25>
            crm:P177_assigned_property_of_type crm:P2_has_type }""",
        "Violation",
        FIGURE,
        "lds:FigureShape",
        "assigns crm:P43_has_dimension",
    ),
    Case(
        "figure-with-two-dimensions",
        """INSERT DATA { <id/assertion/prc-fma-118-01025-02-figure-25> crm:P141_assigned <id/x/dimension2> .
        <id/x/dimension2> a crm:E54_Dimension ; crm:P90_has_value "243"^^xsd:decimal ;
            crm:P91_has_unit <id/type/unit-persons> }""",
        "Violation",
        FIGURE,
        "lds:FigureShape",
        "exactly one dimension",
    ),
    Case(
        "dimension-with-string-value",
        """DELETE WHERE { <id/assertion/prc-fma-118-01025-02-figure-25/dimension> crm:P90_has_value ?v } ;
        INSERT DATA { <id/assertion/prc-fma-118-01025-02-figure-25/dimension> crm:P90_has_value "28,028" }""",
        "Violation",
        f"{FIGURE}/dimension",
        "lds:DimensionShape",
        "exactly one value (crm:P90_has_value) typed xsd:decimal",
    ),
    Case(
        "dimension-without-unit",
        "DELETE WHERE { <id/assertion/prc-fma-118-01025-02-figure-25/dimension> crm:P91_has_unit ?u }",
        "Violation",
        f"{FIGURE}/dimension",
        "lds:DimensionShape",
        "exactly one unit",
    ),
    Case(
        "dimension-unit-not-a-unit",
        """DELETE WHERE { <id/assertion/prc-fma-118-01025-02-figure-25/dimension> crm:P91_has_unit ?u } ;
        INSERT DATA { <id/assertion/prc-fma-118-01025-02-figure-25/dimension>
            crm:P91_has_unit <id/type/role> }""",
        "Violation",
        f"{FIGURE}/dimension",
        "lds:DimensionShape",
        "crm:E58_Measurement_Unit",
    ),
    # annotations.ttl
    Case(
        "annotation-without-body",
        "DELETE WHERE { <id/annotation/prc-fma-118-01025-02-163-173> oa:hasBody ?b }",
        "Violation",
        MENTION,
        "lds:AnnotationShape",
        "needs a body",
    ),
    Case(
        "annotation-target-not-specific",
        "DELETE DATA { <id/annotation/prc-fma-118-01025-02-163-173/target> a oa:SpecificResource }",
        "Violation",
        MENTION,
        "lds:AnnotationShape",
        "needs a target",
    ),
    Case(
        "target-without-source",
        "DELETE WHERE { <id/annotation/prc-fma-118-01025-02-163-173/target> oa:hasSource ?s }",
        "Violation",
        f"{MENTION}/target",
        "lds:SpecificResourceShape",
        "exactly one source text",
    ),
    Case(
        "target-without-position",
        """DELETE DATA { <id/annotation/prc-fma-118-01025-02-163-173/target> oa:hasSelector
        <id/annotation/prc-fma-118-01025-02-163-173/target/position> }""",
        "Violation",
        f"{MENTION}/target",
        "lds:SpecificResourceShape",
        "exactly one position selector",
    ),
    Case(
        "target-without-quote",
        """DELETE DATA { <id/annotation/prc-fma-118-01025-02-163-173/target> oa:hasSelector
        <id/annotation/prc-fma-118-01025-02-163-173/target/quote> }""",
        "Violation",
        f"{MENTION}/target",
        "lds:SpecificResourceShape",
        "exactly one quote selector",
    ),
    Case(
        "quote-differs-from-text",
        """DELETE WHERE { <id/annotation/prc-fma-118-01025-02-163-173/target/quote> oa:exact ?e } ;
        INSERT DATA { <id/annotation/prc-fma-118-01025-02-163-173/target/quote> oa:exact "Hao Deqin" }""",
        "Violation",
        f"{MENTION}/target",
        "lds:QuoteMatchesTextShape",
        'The quote (oa:exact) is "Hao Deqin" but the source text at 163-173 is "Hao Deqing".',
    ),
    Case(
        # UTF-16 offsets are one more after the astral character U+20BB7: they select the wrong text.
        "offsets-in-utf16-units",
        """DELETE WHERE { <id/annotation/prc-fma-118-01025-02-163-173/target/position>
            oa:start ?s ; oa:end ?e } ;
        INSERT DATA { <id/annotation/prc-fma-118-01025-02-163-173/target/position>
            oa:start "164"^^xsd:nonNegativeInteger ; oa:end "174"^^xsd:nonNegativeInteger }""",
        "Violation",
        f"{MENTION}/target",
        "lds:QuoteMatchesTextShape",
        'the source text at 164-174 is "ao Deqing."',
    ),
    Case(
        "position-start-not-before-end",
        """DELETE WHERE { <id/annotation/prc-fma-118-01025-02-163-173/target/position> oa:end ?e } ;
        INSERT DATA { <id/annotation/prc-fma-118-01025-02-163-173/target/position>
            oa:end "163"^^xsd:nonNegativeInteger }""",
        "Violation",
        f"{MENTION}/target/position",
        "lds:PositionSelectorShape",
        "oa:start must be less than its oa:end",
    ),
    Case(
        "position-start-wrong-datatype",
        """DELETE WHERE { <id/annotation/prc-fma-118-01025-02-163-173/target/position> oa:start ?s } ;
        INSERT DATA { <id/annotation/prc-fma-118-01025-02-163-173/target/position> oa:start "163" }""",
        "Violation",
        f"{MENTION}/target/position",
        "lds:PositionSelectorShape",
        "exactly one oa:start, a non-negative integer",
    ),
    Case(
        "position-start-negative",
        """DELETE WHERE { <id/annotation/prc-fma-118-01025-02-163-173/target/position> oa:start ?s } ;
        INSERT DATA { <id/annotation/prc-fma-118-01025-02-163-173/target/position> oa:start -1 }""",
        "Violation",
        f"{MENTION}/target/position",
        "lds:PositionSelectorShape",
        "exactly one oa:start, a non-negative integer",
    ),
    Case(
        "position-without-end",
        "DELETE WHERE { <id/annotation/prc-fma-118-01025-02-163-173/target/position> oa:end ?e }",
        "Violation",
        f"{MENTION}/target/position",
        "lds:PositionSelectorShape",
        "exactly one oa:end, a non-negative integer",
    ),
    Case(
        "quote-without-exact",
        "DELETE WHERE { <id/annotation/prc-fma-118-01025-02-163-173/target/quote> oa:exact ?e }",
        "Violation",
        f"{MENTION}/target/quote",
        "lds:QuoteSelectorShape",
        "exactly one non-empty oa:exact",
    ),
    # wikidata.ttl
    Case(
        "wikidata-page-not-entity",
        """DELETE { ?s ?p <http://www.wikidata.org/entity/Q148> }
        INSERT { ?s ?p <https://www.wikidata.org/wiki/Q148> }
        WHERE { ?s ?p <http://www.wikidata.org/entity/Q148> }""",
        "Violation",
        CHINA,
        "lds:WikidataLinkShape",
        "must be an entity IRI http://www.wikidata.org/entity/Q",
    ),
    Case(
        "wikidata-property-not-item",
        """DELETE { ?s ?p <http://www.wikidata.org/entity/Q148> }
        INSERT { ?s ?p <http://www.wikidata.org/entity/P31> }
        WHERE { ?s ?p <http://www.wikidata.org/entity/Q148> }""",
        "Violation",
        CHINA,
        "lds:WikidataLinkShape",
        "must be an entity IRI",
    ),
    Case(
        "wikidata-link-undescribed",
        "DELETE WHERE { <id/assertion/place-china-wikidata> ?p ?o }",
        "Violation",
        CHINA,
        "lds:WikidataAssignmentShape",
        "The Wikidata link <http://www.wikidata.org/entity/Q148> is not described by an attribute assignment",
    ),
    Case(
        "wikidata-link-assignment-wrong-property",
        """DELETE DATA { <id/assertion/place-china-wikidata>
            crm:P177_assigned_property_of_type owl:sameAs } ;
        INSERT DATA { <id/assertion/place-china-wikidata>
            crm:P177_assigned_property_of_type rdfs:seeAlso }""",
        "Violation",
        CHINA,
        "lds:WikidataAssignmentShape",
        "is not described by an attribute assignment",
    ),
]


def test_shapes_conform_to_shacl_shacl(shapes: Graph) -> None:
    report = check_shapes(shapes)
    assert report.conforms, report.text
    assert report.warnings == []


def test_check_shapes_catches_a_malformed_shape(shapes: Graph) -> None:
    bad = Graph()
    for triple in shapes:
        bad.add(triple)
    bad.update(
        "PREFIX sh: <http://www.w3.org/ns/shacl#> PREFIX lds: <https://w3id.org/ldpub/shapes#>"
        ' INSERT DATA { lds:PlaceShape sh:minCount "one" ; sh:targetClass "E53_Place" }'
    )
    report = check_shapes(bad)
    assert not report.conforms
    assert {f.focus for f in report.violations} == {"https://w3id.org/ldpub/shapes#PlaceShape"}


def test_valid_graph_has_no_finding(shapes: Graph, valid_graph: Graph) -> None:
    report = validate(valid_graph, shapes)
    assert report.conforms, report.text
    assert report.violations == []
    assert report.warnings == [], report.text


def test_every_shape_has_a_failing_case(shapes: Graph) -> None:
    named = {
        shape.n3(shapes.namespace_manager)
        for shape in shapes.subjects(RDF.type, SH.NodeShape)
        if isinstance(shape, URIRef)
    }
    assert named == {case.shape for case in CASES}


def test_every_constraint_has_an_english_message(shapes: Graph) -> None:
    constrained = set(shapes.objects(None, SH.property)) | set(shapes.objects(None, SH.sparql))
    constrained |= {s for s in shapes.subjects(RDF.type, SH.NodeShape) if (s, SH["class"], None) in shapes}
    for node in constrained:
        messages = [m for m in shapes.objects(node, SH.message) if getattr(m, "language", None) == "en"]
        assert messages, f"no English sh:message on {node}"


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_each_shape_reports_its_own_failure(shapes: Graph, valid_graph: Graph, case: Case) -> None:
    report = validate(broken(valid_graph, case.update), shapes)
    found = report.violations if case.severity == "Violation" else report.warnings
    matching = [
        f for f in found if (f.focus, f.shape) == (case.focus, case.shape) and case.words in f.message
    ]
    assert matching, report.text
    assert all(f.severity == case.severity for f in matching)
    if case.severity == "Warning":
        assert report.conforms, report.text
        assert report.violations == []
    else:
        assert not report.conforms


def test_quote_with_a_backslash_is_reported_not_crashed(shapes: Graph, valid_graph: Graph) -> None:
    # pySHACL substitutes selected values into messages as regular-expression replacements.
    graph = broken(
        valid_graph,
        r"""DELETE WHERE { <id/annotation/prc-fma-118-01025-02-163-173/target/quote> oa:exact ?e } ;
        INSERT DATA { <id/annotation/prc-fma-118-01025-02-163-173/target/quote> oa:exact "Hao\\d" }""",
    )
    (violation,) = validate(graph, shapes).violations
    expected = 'The quote (oa:exact) is "Hao\uff3cd" but the source text at 163-173 is "Hao Deqing".'
    assert violation.message == expected


def test_report_text_lists_findings_by_severity(shapes: Graph, valid_graph: Graph) -> None:
    graph = broken(
        valid_graph,
        """DELETE WHERE { <id/document/prc-fma-118-01025-02> dcterms:abstract ?a } ;
        DELETE WHERE { <id/document/prc-fma-118-01025-02> crm:P102_has_title ?t }""",
    )
    report = validate(graph, shapes)
    lines = report.text.splitlines()
    assert lines[0] == "1 violation(s), 1 warning(s)"
    assert lines[1] == (
        f"Violation <{DOC}> crm:P102_has_title: "
        "A published document needs exactly one title (crm:P102_has_title → crm:E35_Title)."
    )
    assert lines[2] == (
        f"Warning <{DOC}> dcterms:abstract: A published document has no summary (dcterms:abstract)."
    )
    (violation,) = report.violations
    assert (violation.path, violation.value) == ("crm:P102_has_title", "")


def test_validate_merges_the_graphs_of_a_dataset(shapes: Graph, valid_graph: Graph) -> None:
    dataset = Dataset()
    document = dataset.graph(URIRef(f"{BASE}graph/document/prc-fma-118-01025-02"))
    vocabulary = dataset.graph(URIRef(f"{BASE}graph/vocabulary"))
    for triple in valid_graph:
        (vocabulary if str(triple[0]).startswith(f"{BASE}id/type/") else document).add(triple)
    report = validate(dataset, shapes)
    assert report == validate(valid_graph, shapes)
    assert report.conforms


def test_report_is_frozen(shapes: Graph, valid_graph: Graph) -> None:
    report: Report = validate(valid_graph, shapes)
    with pytest.raises(AttributeError):
        report.conforms = False  # type: ignore[misc]


def test_load_shapes_names_the_broken_file(tmp_path: Path) -> None:
    (tmp_path / "a.ttl").write_text("@prefix sh: <http://www.w3.org/ns/shacl#> .\n", encoding="utf-8")
    (tmp_path / "b.ttl").write_text("this is not turtle", encoding="utf-8")
    with pytest.raises(ValidationFailed, match=r"b\.ttl"):
        load_shapes(tmp_path)


def test_load_shapes_needs_a_shapes_file(tmp_path: Path) -> None:
    with pytest.raises(ValidationFailed, match="no shapes files"):
        load_shapes(tmp_path)


def test_rdflib_sparql_parses_a_query_text_once_and_binds_afresh_each_time() -> None:
    """ldpub.validate makes rdflib keep each parsed SHACL-SPARQL query (pySHACL asks the same texts on
    every run): the same text with other initial bindings gives each binding's own answer."""
    import rdflib.plugin
    import rdflib.query
    from rdflib import Graph, Literal, URIRef

    from ldpub.validate import PreparedSparqlProcessor, _prepared

    graph = Graph()
    a, b, name = (
        URIRef("http://example.org/a"),
        URIRef("http://example.org/b"),
        URIRef("http://example.org/n"),
    )
    graph.add((a, name, Literal("Ada")))
    graph.add((b, name, Literal("Bob")))
    text = "SELECT ?n WHERE { $this <http://example.org/n> ?n }"
    before = _prepared.cache_info().hits
    answers = [[str(r[0]) for r in graph.query(text, initBindings={"this": node})] for node in (a, b, a)]
    assert answers == [["Ada"], ["Bob"], ["Ada"]]
    assert _prepared.cache_info().hits - before == 2
    assert rdflib.plugin.get("sparql", rdflib.query.Processor) is PreparedSparqlProcessor
