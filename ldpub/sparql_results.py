"""Write query results in the formats the SPARQL endpoint offers.

* ``SELECT``/``ASK``: SPARQL 1.1 Query Results JSON (https://www.w3.org/TR/sparql11-results-json/),
  XML (https://www.w3.org/TR/rdf-sparql-XMLres/), CSV and TSV (https://www.w3.org/TR/sparql11-results-csv-tsv/;
  booleans only in JSON and XML);
* ``CONSTRUCT``/``DESCRIBE``: Turtle, N-Triples, RDF/XML and JSON-LD, written by rdflib.

Each format has a name (the endpoint's ``format`` parameter), a media type and a writer.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from xml.etree import ElementTree as ET

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import XSD

from .store import SelectResult, Term


@dataclass(frozen=True)
class Format:
    name: str
    media_type: str
    aliases: tuple[str, ...] = ()


SELECT_FORMATS = (
    Format("json", "application/sparql-results+json", ("application/json", "srj")),
    Format("xml", "application/sparql-results+xml", ("application/xml", "text/xml", "srx")),
    Format("csv", "text/csv"),
    Format("tsv", "text/tab-separated-values", ("tab",)),
)
"""Formats of a ``SELECT`` answer, the default first."""

ASK_FORMATS = SELECT_FORMATS[:2]
"""Formats of an ``ASK`` answer (CSV and TSV have no boolean form)."""

GRAPH_FORMATS = (
    Format("turtle", "text/turtle", ("ttl", "application/x-turtle")),
    Format("ntriples", "application/n-triples", ("nt", "n-triples")),
    Format("rdfxml", "application/rdf+xml", ("rdf", "xml-rdf")),
    Format("jsonld", "application/ld+json", ("json-ld",)),
)
"""Formats of a ``CONSTRUCT``/``DESCRIBE`` answer and of RDF documents, the default first."""

_RDFLIB_NAMES = {"turtle": "turtle", "ntriples": "nt", "rdfxml": "pretty-xml", "jsonld": "json-ld"}
_RESULTS_NS = "http://www.w3.org/2005/sparql-results#"


def find_format(formats: tuple[Format, ...], wanted: str) -> Format | None:
    """The format named ``wanted`` (a name, an alias or a media type), case-insensitive.

    >>> find_format(SELECT_FORMATS, "application/json").name
    'json'
    >>> find_format(GRAPH_FORMATS, "TTL").media_type
    'text/turtle'
    """
    key = wanted.strip().lower()
    return next((f for f in formats if key in (f.name, f.media_type, *f.aliases)), None)


def _json_term(term: Term) -> dict[str, str]:
    if isinstance(term, URIRef):
        return {"type": "uri", "value": str(term)}
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    value = {"type": "literal", "value": str(term)}
    if term.language:
        value["xml:lang"] = term.language
    elif term.datatype and term.datatype != XSD.string:
        value["datatype"] = str(term.datatype)
    return value


def select_json(result: SelectResult) -> str:
    """SPARQL 1.1 Query Results JSON (§3) of a ``SELECT``.

    >>> print(select_json(SelectResult(("x", "y"), [{"y": Literal("a", lang="en")}])))  # doctest: +ELLIPSIS
    {"head": {"vars": ["x", "y"]}, "results": {"bindings": [{"y": {"type": "literal", "value": "a", ...}}]}}
    """
    bindings = [{name: _json_term(term) for name, term in row.items()} for row in result.rows]
    return json.dumps(
        {"head": {"vars": list(result.vars)}, "results": {"bindings": bindings}}, ensure_ascii=False
    )


def ask_json(answer: bool) -> str:
    """SPARQL 1.1 Query Results JSON (§3.2.2) of an ``ASK``.

    >>> ask_json(True)
    '{"head": {}, "boolean": true}'
    """
    return json.dumps({"head": {}, "boolean": answer})


def _xml(build: Callable[[ET.Element], None]) -> str:
    root = ET.Element("sparql", xmlns=_RESULTS_NS)
    build(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def select_xml(result: SelectResult) -> str:
    """SPARQL Query Results XML Format (§2) of a ``SELECT``.

    >>> text = select_xml(SelectResult(("x",), [{"x": URIRef("http://a/?q=1&b=2")}]))
    >>> '<binding name="x"><uri>http://a/?q=1&amp;b=2</uri></binding>' in text
    True
    """

    def build(root: ET.Element) -> None:
        head = ET.SubElement(root, "head")
        for name in result.vars:
            ET.SubElement(head, "variable", name=name)
        results = ET.SubElement(root, "results")
        for row in result.rows:
            element = ET.SubElement(results, "result")
            for name, term in row.items():
                binding = ET.SubElement(element, "binding", name=name)
                if isinstance(term, URIRef):
                    ET.SubElement(binding, "uri").text = str(term)
                elif isinstance(term, BNode):
                    ET.SubElement(binding, "bnode").text = str(term)
                else:
                    literal = ET.SubElement(binding, "literal")
                    literal.text = str(term)
                    if term.language:
                        literal.set("xml:lang", term.language)
                    elif term.datatype and term.datatype != XSD.string:
                        literal.set("datatype", str(term.datatype))

    return _xml(build)


def ask_xml(answer: bool) -> str:
    """SPARQL Query Results XML Format (§2.3) of an ``ASK``."""

    def build(root: ET.Element) -> None:
        ET.SubElement(root, "head")
        ET.SubElement(root, "boolean").text = "true" if answer else "false"

    return _xml(build)


def select_csv(result: SelectResult) -> str:
    """SPARQL 1.1 CSV (§2): plain values (no datatypes or languages), CRLF line ends.

    >>> select_csv(SelectResult(("a", "b"), [{"a": Literal('say "hi", x'), "b": BNode("b0")}]))
    'a,b\\r\\n"say ""hi"", x",_:b0\\r\\n'
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(result.vars)
    for row in result.rows:
        cells = []
        for name in result.vars:
            term = row.get(name)
            cells.append("" if term is None else f"_:{term}" if isinstance(term, BNode) else str(term))
        writer.writerow(cells)
    return out.getvalue()


def tsv_term(term: Term) -> str:
    """A term in the SPARQL/Turtle syntax TSV uses (§3).

    >>> tsv_term(Literal("a\\tb", lang="en")), tsv_term(Literal(5)), tsv_term(URIRef("http://a"))
    ('"a\\\\tb"@en', '"5"^^<http://www.w3.org/2001/XMLSchema#integer>', '<http://a>')
    """
    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, BNode):
        return f"_:{term}"
    text = str(term).replace("\\", "\\\\").replace('"', '\\"')
    text = text.replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    if term.language:
        return f'"{text}"@{term.language}'
    if term.datatype and term.datatype != XSD.string:
        return f'"{text}"^^<{term.datatype}>'
    return f'"{text}"'


def select_tsv(result: SelectResult) -> str:
    """SPARQL 1.1 TSV (§3): ``?var`` headers, values in SPARQL syntax, LF line ends."""
    lines = ["\t".join(f"?{name}" for name in result.vars)]
    for row in result.rows:
        lines.append("\t".join(tsv_term(row[n]) if n in row else "" for n in result.vars))
    return "\n".join(lines) + "\n"


def write_select(result: SelectResult, fmt: Format) -> str:
    """A ``SELECT`` answer in ``fmt`` (one of :data:`SELECT_FORMATS`)."""
    writers = {"json": select_json, "xml": select_xml, "csv": select_csv, "tsv": select_tsv}
    return writers[fmt.name](result)


def write_ask(answer: bool, fmt: Format) -> str:
    """An ``ASK`` answer in ``fmt`` (one of :data:`ASK_FORMATS`)."""
    return ask_json(answer) if fmt.name == "json" else ask_xml(answer)


def write_graph(graph: Graph, fmt: Format) -> str:
    """A graph in ``fmt`` (one of :data:`GRAPH_FORMATS`)."""
    return graph.serialize(format=_RDFLIB_NAMES[fmt.name])


def term_text(term: Term | None) -> str:
    """A short human-readable value for HTML tables: the IRI, the literal's text, ``_:id``."""
    if term is None:
        return ""
    if isinstance(term, BNode):
        return f"_:{term}"
    if isinstance(term, Literal) and term.language:
        return f"{term} @{term.language}"
    return str(term)
