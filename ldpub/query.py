"""``ldpub query``: run a SPARQL query and print its answer as a readable table, CSV or JSON.

With an endpoint (``--endpoint``, else the ``store_url`` setting) the query goes over the SPARQL 1.1
Protocol with SPARQLWrapper (``SELECT``/``ASK`` answers asked as SPARQL results JSON, graphs as
N-Triples); without one it runs on the local embedded store directly. Either way the answer takes the
store-independent shape of :mod:`ldpub.store.base` before it is printed, so both print alike.
"""

from __future__ import annotations

import json
import unicodedata
import urllib.error
from pathlib import Path
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef

from .errors import QueryError, StoreError
from .settings import Settings
from .sparql_results import ASK_FORMATS, SELECT_FORMATS, select_csv, write_ask, write_select
from .sparql_service import query_form
from .store import QueryResult, SelectResult, Term, open_store

MAX_CELL = 80
"""Widest cell of the table; longer values are cut with an ellipsis (CSV and JSON keep them whole)."""
PREFIXES = {
    "http://www.cidoc-crm.org/cidoc-crm/": "crm:",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#": "rdf:",
    "http://www.w3.org/2000/01/rdf-schema#": "rdfs:",
    "http://www.w3.org/2002/07/owl#": "owl:",
    "http://www.w3.org/2004/02/skos/core#": "skos:",
    "http://purl.org/dc/terms/": "dcterms:",
    "http://www.w3.org/ns/oa#": "oa:",
    "http://www.w3.org/ns/prov#": "prov:",
    "http://www.w3.org/2001/XMLSchema#": "xsd:",
    "http://www.wikidata.org/entity/": "wd:",
}
"""Namespaces shortened in the table (never in CSV or JSON)."""


def read_query(query_or_file: str) -> str:
    """The query text: the file's contents when ``query_or_file`` names an existing file, else itself."""
    path = Path(query_or_file)
    try:
        if len(query_or_file) < 4096 and "\n" not in query_or_file and path.is_file():
            return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise QueryError(f"cannot read the query file {path}: {exc}") from exc
    return query_or_file


def run_query(settings: Settings, query_or_file: str, endpoint: str | None = None, fmt: str = "table") -> str:
    """Run a query (text, or a ``.rq`` file) and return its answer as ``table``, ``csv`` or ``json`` text."""
    text = read_query(query_or_file)
    url = endpoint or settings.store_url
    if url:
        result = query_endpoint(url, text)
    else:
        store = open_store(settings)
        try:
            result = store.query(text)
        finally:
            store.close()
    return render(result, fmt)


def query_endpoint(url: str, text: str) -> QueryResult:
    """Run ``text`` at the SPARQL endpoint ``url`` with SPARQLWrapper (HTTP POST, form-encoded)."""
    from SPARQLWrapper import JSON, N3, POST, URLENCODED, SPARQLWrapper
    from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

    client = SPARQLWrapper(url, agent="ldpub-query")
    client.setQuery(text)
    client.setMethod(POST)
    client.setRequestMethod(URLENCODED)
    form = query_form(text)
    graph_answer = form in ("CONSTRUCT", "DESCRIBE")
    client.setReturnFormat(N3 if graph_answer else JSON)
    if graph_answer:
        client.addCustomHttpHeader("Accept", "application/n-triples, text/turtle;q=0.9")
    try:
        response = client.query()
        if graph_answer:
            body = response.response.read()
            media = response.response.headers.get("Content-Type", "text/turtle").split(";")[0].strip()
            graph = Graph()
            graph.parse(
                data=body, format="nt" if media in ("application/n-triples", "text/plain") else "turtle"
            )
            return graph
        data = response.convert()
        if not isinstance(data, dict):
            raise ValueError(f"expected a JSON object, got {type(data).__name__}")
        return from_json(data)
    except SPARQLWrapperException as exc:
        raise QueryError(f"{url}: {exc}") from exc
    except (urllib.error.URLError, OSError) as exc:
        raise StoreError(f"cannot reach the SPARQL endpoint {url}: {exc}") from exc
    except (ValueError, KeyError, TypeError) as exc:
        raise QueryError(f"{url}: the answer is not SPARQL results: {exc}") from exc


def _term(value: dict[str, Any]) -> Term:
    kind = value["type"]
    if kind == "uri":
        return URIRef(value["value"])
    if kind == "bnode":
        return BNode(value["value"])
    lang, datatype = value.get("xml:lang"), value.get("datatype")
    return Literal(value["value"], lang=lang, datatype=URIRef(datatype) if datatype and not lang else None)


def from_json(data: dict[str, Any]) -> QueryResult:
    """SPARQL 1.1 Query Results JSON as a :class:`SelectResult` or a boolean.

    >>> from_json({"head": {}, "boolean": False})
    False
    >>> r = from_json({"head": {"vars": ["x"]}, "results": {"bindings": [{"x": {"type": "uri", "value": "http://a"}}]}})
    >>> r.vars, r.rows
    (('x',), [{'x': rdflib.term.URIRef('http://a')}])
    """
    if "boolean" in data:
        return bool(data["boolean"])
    rows = [{name: _term(value) for name, value in row.items()} for row in data["results"]["bindings"]]
    return SelectResult(tuple(data["head"].get("vars", [])), rows)


def _as_rows(result: Graph) -> SelectResult:
    names = ("subject", "predicate", "object")
    rows: list[dict[str, Term]] = []
    for triple in sorted(result, key=lambda t: tuple(str(x) for x in t)):
        rows.append({name: term for name, term in zip(names, triple, strict=True)})  # type: ignore[misc]
    return SelectResult(names, rows)


def width(text: str) -> int:
    """Columns ``text`` takes in a terminal: East Asian wide and full-width characters take two.

    >>> width("Pak"), width("박성철")
    (3, 6)
    """
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def cell(term: Term | None) -> str:
    """A value as the table shows it: short namespaces, literals as text, one line, at most MAX_CELL.

    >>> cell(URIRef("http://www.cidoc-crm.org/cidoc-crm/E21_Person")), cell(Literal("a\\nb", lang="en"))
    ('crm:E21_Person', 'a b@en')
    """
    if term is None:
        return ""
    if isinstance(term, URIRef):
        text = str(term)
        for namespace, prefix in PREFIXES.items():
            if text.startswith(namespace):
                text = prefix + text[len(namespace) :]
                break
    elif isinstance(term, BNode):
        text = f"_:{term}"
    else:
        text = " ".join(str(term).split()) + (f"@{term.language}" if term.language else "")
    return text if len(text) <= MAX_CELL else text[: MAX_CELL - 1] + "…"


def table(result: SelectResult) -> str:
    """An aligned text table with a header, a rule and a row count.

    >>> print(table(SelectResult(("name", "n"), [{"name": Literal("Pak"), "n": Literal(12)}])), end="")
    name  n
    ----  --
    Pak   12
    (1 row)
    """
    cells = [[cell(row.get(name)) for name in result.vars] for row in result.rows]
    widths = [max([width(name), *(width(r[i]) for r in cells)]) for i, name in enumerate(result.vars)]
    widths = [max(w, 2) for w in widths]

    def line(values: list[str]) -> str:
        return "  ".join(v + " " * (w - width(v)) for v, w in zip(values, widths, strict=True)).rstrip()

    lines = [line(list(result.vars)), line(["-" * w for w in widths]), *(line(r) for r in cells)]
    count = len(result.rows)
    lines.append(f"({count} row{'s' if count != 1 else ''})")
    return "\n".join(lines) + "\n"


def render(result: QueryResult, fmt: str) -> str:
    """The answer as ``table``, ``csv`` (SPARQL 1.1 CSV) or ``json`` (SPARQL results JSON; graphs as
    JSON-LD)."""
    if fmt not in ("table", "csv", "json"):
        raise QueryError(f"unknown output format {fmt!r} (known: table, csv, json)")
    if isinstance(result, bool):
        if fmt == "json":
            return write_ask(result, ASK_FORMATS[0]) + "\n"
        return ("true" if result else "false") + "\n"
    if isinstance(result, Graph):
        if fmt == "json":
            return (
                json.dumps(json.loads(result.serialize(format="json-ld")), ensure_ascii=False, indent=2)
                + "\n"
            )
        result = _as_rows(result)
    if fmt == "csv":
        return select_csv(result)
    if fmt == "json":
        return write_select(result, SELECT_FORMATS[0]) + "\n"
    return table(result)
