"""The metadata formats records are disseminated in (OAI-PMH 2.0 §2.5 records, §4.4
ListMetadataFormats) and the payloads themselves:

* ``oai_dc`` (mandatory, §2.5 and §6.2 of the 2.0 specification: unqualified Dublin Core in the
  ``oai_dc`` container) made from the document's Dublin Core view (``dcterms:`` on the document, see
  docs/modeling.md), one value per statement, IRIs given by their English label;
* ``rdf``: the document's named graph (the CIDOC-CRM description) as RDF/XML;
* ``edm``: the Europeana Data Model view (:func:`ldpub.views.edm.edm_graph` of the record's CRM graph,
  ``edm:isShownAt`` the record's page ``{base}/doc/document/{slug}``) as RDF/XML.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass

from rdflib import Graph, Literal

from ..model.namespaces import PREFIXES
from ..settings import Settings
from ..store import DatasetStore, SelectResult
from ..views.edm import edm_graph
from ..views.record import Record, record_graph
from .repository import OTHER_TYPE_PREFIXES, document_graph, document_iri

OAI_DC = "http://www.openarchives.org/OAI/2.0/oai_dc/"
DC = "http://purl.org/dc/elements/1.1/"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
DCTERMS = "http://purl.org/dc/terms/"
DCMITYPE = "http://purl.org/dc/dcmitype/"
CRM = "http://www.cidoc-crm.org/cidoc-crm/"
EDM_NAMESPACES = {
    "edm": "http://www.europeana.eu/schemas/edm/",
    "ore": "http://www.openarchives.org/ore/terms/",
    "dc": DC,
}


@dataclass(frozen=True)
class MetadataFormat:
    """A format of §4.4: its prefix, the XML Schema of its payload, and the payload's namespace."""

    prefix: str
    schema: str
    namespace: str


OAI_DC_FORMAT = MetadataFormat("oai_dc", "http://www.openarchives.org/OAI/2.0/oai_dc.xsd", OAI_DC)
EDM_FORMAT = MetadataFormat("edm", "http://www.europeana.eu/schemas/edm/EDM.xsd", RDF)
RDF_FORMAT = MetadataFormat("rdf", "http://www.openarchives.org/OAI/2.0/rdf.xsd", RDF)

FORMATS = (OAI_DC_FORMAT, EDM_FORMAT, RDF_FORMAT)


def formats() -> list[MetadataFormat]:
    """The formats every record can be disseminated in."""
    return list(FORMATS)


def format_of(prefix: str) -> MetadataFormat | None:
    """The format of ``prefix``, else ``None``.

    >>> format_of("edm").namespace, format_of("marc21")
    ('http://www.w3.org/1999/02/22-rdf-syntax-ns#', None)
    """
    return next((f for f in FORMATS if f.prefix == prefix), None)


for _prefix, _namespace in {
    "oai_dc": OAI_DC,
    "dc": DC,
    "xsi": XSI,
    "rdf": RDF,
    **EDM_NAMESPACES,
    **{name: str(ns) for name, ns in PREFIXES.items()},
}.items():
    ET.register_namespace(_prefix, _namespace)


def metadata(store: DatasetStore, settings: Settings, slug: str, fmt: MetadataFormat) -> ET.Element:
    """The payload of one record in ``fmt`` (the single child of ``<metadata>``)."""
    if fmt.prefix == "oai_dc":
        return dublin_core(store, settings, slug)
    if fmt.prefix == "edm":
        iri = document_iri(settings, slug)
        record = Record(record_graph(store, iri), iri, settings.base_uri)
        edm = edm_graph(
            record,
            page_url=f"{settings.base_uri}/doc/document/{slug}",
            data_provider=settings.data_provider,
            provider=settings.provider,
            dataset_license=settings.dataset_license,
        )
        return rdf_xml(edm)
    graph = store.query(
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{document_graph(settings, slug)}> {{ ?s ?p ?o }} }}"
    )
    if not isinstance(graph, Graph):
        raise TypeError("the store answered a CONSTRUCT query with something else")
    return rdf_xml(graph)


def rdf_xml(graph: Graph) -> ET.Element:
    """``graph`` as an ``rdf:RDF`` element (RDF 1.1 XML Syntax)."""
    for name, namespace in {**PREFIXES, **EDM_NAMESPACES}.items():
        graph.bind(name, namespace, override=False)
    return ET.fromstring(graph.serialize(format="xml", encoding="utf-8"))


_DC_ELEMENTS = {
    "title": "title",
    "creator": "creator",
    "subject": "subject",
    "abstract": "description",
    "description": "description",
    "publisher": "publisher",
    "contributor": "contributor",
    "created": "date",
    "date": "date",
    "issued": "date",
    "type": "type",
    "identifier": "identifier",
    "source": "source",
    "language": "language",
    "isPartOf": "relation",
    "references": "relation",
    "relation": "relation",
    "spatial": "coverage",
    "temporal": "coverage",
    "coverage": "coverage",
    "rights": "rights",
    "license": "rights",
}
_ORDER = ["title", "creator", "subject", "description", "publisher", "contributor", "date", "type",
          "format", "identifier", "source", "language", "relation", "coverage", "rights"]  # fmt: skip


def dublin_core(store: DatasetStore, settings: Settings, slug: str) -> ET.Element:
    """The ``oai_dc:dc`` record of a document, from its Dublin Core view."""
    doc, graph = document_iri(settings, slug), document_graph(settings, slug)
    sparql = f"""
        SELECT ?p ?o ?label ?text WHERE {{
          GRAPH <{graph}> {{
            {{ <{doc}> ?p ?o FILTER(STRSTARTS(STR(?p), "{DCTERMS}")) }}
            UNION {{ <{doc}> <{CRM}P2_has_type> ?o BIND(<{DCTERMS}type> AS ?p) }}
          }}
          OPTIONAL {{ ?o <http://www.w3.org/2000/01/rdf-schema#label> ?label }}
          OPTIONAL {{ ?o <{CRM}P190_has_symbolic_content> ?text }}
        }}"""
    result = store.query(sparql)
    if not isinstance(result, SelectResult):
        raise TypeError("the store answered a SELECT query with something else")
    values: dict[tuple[str, str], tuple[str, str | None]] = {}
    for row in result.rows:
        element = _DC_ELEMENTS.get(str(row["p"])[len(DCTERMS) :])
        if element is None:
            continue
        value = _value(settings, element, row)
        if value is None:
            continue
        key = (element, str(row["o"]))
        if key not in values or value[1] == "en":
            values[key] = value
    root = ET.Element(f"{{{OAI_DC}}}dc")
    root.set(f"{{{XSI}}}schemaLocation", f"{OAI_DC} {OAI_DC_FORMAT.schema}")
    entries = [(element, text, lang) for (element, _), (text, lang) in values.items()]
    entries.append(("identifier", doc, None))
    for element, text, lang in sorted(set(entries), key=lambda e: (_ORDER.index(e[0]), e[1])):
        child = ET.SubElement(root, f"{{{DC}}}{element}")
        child.text = text
        if lang:
            child.set(XML_LANG, lang)
    return root


def _value(settings: Settings, element: str, row: Mapping[str, object]) -> tuple[str, str | None] | None:
    """The text (and language) a Dublin Core element gets for one statement."""
    obj, label, text = row["o"], row.get("label"), row.get("text")
    iri = str(obj)
    if isinstance(obj, Literal):
        return str(obj), obj.language
    if element == "type":
        if iri.startswith(DCMITYPE):
            return iri[len(DCMITYPE) :], None
        types = f"{settings.base_uri}/id/type/"
        if not iri.startswith(types) or iri[len(types) :].startswith(OTHER_TYPE_PREFIXES):
            return None
    if element == "language" and iri.startswith(f"{settings.base_uri}/id/type/language-"):
        return iri.rsplit("language-", 1)[1], None
    if isinstance(text, Literal):
        return str(text), text.language
    if isinstance(label, Literal):
        return str(label), label.language
    return iri, None
