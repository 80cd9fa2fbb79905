"""What the SPARQL endpoint needs to know about a query's text, and the researchers' example queries.

* :func:`query_form` tells a ``SELECT``/``ASK``/``CONSTRUCT``/``DESCRIBE`` query (SPARQL 1.1 Query §16);
* :func:`with_dataset` applies the protocol's ``default-graph-uri``/``named-graph-uri`` parameters
  (SPARQL 1.1 Protocol §2.1.4): they replace the query's own ``FROM``/``FROM NAMED`` clauses, which is
  how the dataset is then restricted (Query §13.2);
* :func:`service_targets` lists the endpoints ``SERVICE`` clauses call (SPARQL 1.1 Federated Query §2);
* :func:`load_examples` reads ``queries/*.rq``, each with a ``# title:`` and ``# description:`` header.

Only the text is scanned (strings, IRIs and comments are skipped), never executed; the store's parser
remains the judge of a query's syntax.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS

QUERIES_DIR = Path(__file__).resolve().parent.parent / "queries"
"""The researchers' queries shipped with ldpub (the repository's ``queries/`` folder)."""

FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")

_TOKEN = re.compile(
    r"(?P<skip>\s+|#[^\n]*)"
    r'|(?P<string>"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n]|\\.)*"'
    r"|'(?:[^'\\\n]|\\.)*')"
    r'|(?P<iri><[^<>"{}|^`\\\s]*>)'
    r"|(?P<var>[?$]\w+)"
    r"|(?P<word>(?:[A-Za-z_][\w.-]*)?:(?:[\w%.:-]*[\w%:-])?|[A-Za-z_]\w*)"
    r"|(?P<punct>.)",
    re.DOTALL,
)
_STOP_WORDS = {"WHERE", "ORDER", "GROUP", "HAVING", "LIMIT", "OFFSET", "VALUES"}


@dataclass(frozen=True)
class _Token:
    kind: str
    text: str
    start: int
    end: int


def _tokens(sparql: str) -> list[_Token]:
    out = []
    for match in _TOKEN.finditer(sparql):
        kind = match.lastgroup or "punct"
        if kind != "skip":
            out.append(_Token(kind, match.group(), match.start(), match.end()))
    return out


def query_form(sparql: str) -> str | None:
    """The query form: ``SELECT``, ``ASK``, ``CONSTRUCT`` or ``DESCRIBE``; ``None`` when there is none.

    >>> query_form('PREFIX s: <http://schema.org/> # ASK\\nconstruct { ?s ?p "SELECT" } WHERE { ?s ?p ?o }')
    'CONSTRUCT'
    >>> query_form("INSERT DATA { <a> <b> <c> }") is None
    True
    """
    for token in _tokens(sparql):
        if token.kind == "word" and token.text.upper() in FORMS:
            return token.text.upper()
        if token.kind == "punct" and token.text == "{":
            return None
    return None


def _dataset_region(tokens: list[_Token]) -> tuple[int, int] | None:
    """Indexes ``(first, stop)`` of the tokens between the query form and its ``WHERE`` clause."""
    form = next(
        (i for i, t in enumerate(tokens) if t.kind == "word" and t.text.upper() in FORMS),
        None,
    )
    if form is None:
        return None
    i = form + 1
    if tokens[form].text.upper() == "CONSTRUCT" and i < len(tokens) and tokens[i].text == "{":
        depth = 0
        while i < len(tokens):  # skip the template
            depth += {"{": 1, "}": -1}.get(tokens[i].text, 0) if tokens[i].kind == "punct" else 0
            i += 1
            if depth == 0:
                break
    first, parens = i, 0
    while i < len(tokens):
        token = tokens[i]
        if token.kind == "punct" and token.text in "()":
            parens += 1 if token.text == "(" else -1
        elif parens == 0 and (
            (token.kind == "punct" and token.text == "{")
            or (token.kind == "word" and token.text.upper() in _STOP_WORDS)
        ):
            break
        i += 1
    return first, i


def _dataset_clauses(tokens: list[_Token], first: int, stop: int) -> list[tuple[int, int]]:
    """Token index spans ``[i, j)`` of each ``FROM [NAMED] iri`` clause in the region."""
    spans, i = [], first
    while i < stop:
        if tokens[i].kind == "word" and tokens[i].text.upper() == "FROM":
            j = i + 1
            if j < stop and tokens[j].kind == "word" and tokens[j].text.upper() == "NAMED":
                j += 1
            spans.append((i, min(j + 1, stop)))
            i = j + 1
        else:
            i += 1
    return spans


def has_dataset_clause(sparql: str) -> bool:
    """Whether the query names its own dataset with ``FROM`` or ``FROM NAMED``.

    >>> has_dataset_clause("SELECT * FROM <http://example.org/g> WHERE { ?s ?p ?o }")
    True
    >>> has_dataset_clause("SELECT * WHERE { ?s ?p <http://example.org/FROM> }")
    False
    """
    tokens = _tokens(sparql)
    region = _dataset_region(tokens)
    return bool(region and _dataset_clauses(tokens, *region))


def with_dataset(sparql: str, default_graphs: list[str], named_graphs: list[str]) -> str:
    """The query with its dataset replaced by the protocol's graphs (SPARQL 1.1 Protocol §2.1.4).

    When neither list is given the query is returned unchanged. Otherwise its ``FROM``/``FROM NAMED``
    clauses are dropped and one clause per given graph is written before the ``WHERE`` clause.

    >>> with_dataset("ASK FROM <http://a> { ?s ?p ?o }", ["http://b"], ["http://c"])
    'ASK FROM <http://b> FROM NAMED <http://c> { ?s ?p ?o }'
    >>> with_dataset("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", ["http://b"], [])
    'CONSTRUCT { ?s ?p ?o } FROM <http://b> WHERE { ?s ?p ?o }'
    >>> with_dataset("DESCRIBE <http://example.org/>", ["http://b"], [])
    'DESCRIBE <http://example.org/> FROM <http://b> '
    """
    if not default_graphs and not named_graphs:
        return sparql
    for iri in [*default_graphs, *named_graphs]:
        if not re.fullmatch(r'[^<>"{}|^`\\\s]+', iri):
            raise ValueError(f"not an IRI: {iri!r}")
    tokens = _tokens(sparql)
    region = _dataset_region(tokens)
    if region is None:
        return sparql  # no query form: the parser will say what is wrong
    first, stop = region
    clauses = " ".join([f"FROM <{g}>" for g in default_graphs] + [f"FROM NAMED <{g}>" for g in named_graphs])
    insert_at = tokens[stop].start if stop < len(tokens) else len(sparql)
    pieces, cursor = [], 0
    for i, j in _dataset_clauses(tokens, first, stop):
        pieces.append(sparql[cursor : tokens[i].start])
        cursor = tokens[j - 1].end
    pieces.append(sparql[cursor:insert_at])
    return f"{''.join(pieces).rstrip()} {clauses} {sparql[insert_at:]}"


def with_base(sparql: str, base: str) -> str:
    """The query with ``BASE <base>`` in front when it uses relative IRIs and sets no base itself.

    The protocol lets a service choose the base IRI; ldpub's is the endpoint's URL, which is also the
    base the W3C protocol tests expect.

    >>> with_base("CONSTRUCT { <s> <p> 1 } WHERE {}", "http://h/sparql")
    'BASE <http://h/sparql> CONSTRUCT { <s> <p> 1 } WHERE {}'
    >>> with_base("ASK { <http://a> ?p ?o }", "http://h/sparql")
    'ASK { <http://a> ?p ?o }'
    """
    tokens = _tokens(sparql)
    if any(t.kind == "word" and t.text.upper() == "BASE" for t in tokens):
        return sparql
    if all(re.match(r"<[A-Za-z][\w+.-]*:", t.text) for t in tokens if t.kind == "iri"):
        return sparql
    return f"BASE <{base}> {sparql}"


def _prefixes(tokens: list[_Token]) -> dict[str, str]:
    found = {}
    for a, b, c in zip(tokens, tokens[1:], tokens[2:], strict=False):
        if a.kind == "word" and a.text.upper() == "PREFIX" and b.kind == "word" and c.kind == "iri":
            found[b.text.rstrip(":").split(":")[0]] = c.text[1:-1]
    return found


def service_targets(sparql: str) -> list[str]:
    """The endpoints the query's ``SERVICE`` clauses name (a variable endpoint is given as ``?name``).

    >>> service_targets('PREFIX w: <https://query.wikidata.org/> SELECT * { SERVICE SILENT w:sparql {} }')
    ['https://query.wikidata.org/sparql']
    >>> service_targets("SELECT * { SERVICE ?e { ?s ?p ?o } }")
    ['?e']
    """
    tokens = _tokens(sparql)
    prefixes = _prefixes(tokens)
    targets = []
    for i, token in enumerate(tokens):
        if token.kind != "word" or token.text.upper() != "SERVICE":
            continue
        j = i + 1
        if j < len(tokens) and tokens[j].kind == "word" and tokens[j].text.upper() == "SILENT":
            j += 1
        if j >= len(tokens):
            continue
        target = tokens[j]
        if target.kind == "iri":
            targets.append(target.text[1:-1])
        elif target.kind == "word" and ":" in target.text:
            prefix, _, local = target.text.partition(":")
            targets.append(prefixes[prefix] + local if prefix in prefixes else target.text)
        else:
            targets.append(target.text)
    return targets


def refused_services(sparql: str, allowed: tuple[str, ...]) -> list[str]:
    """The ``SERVICE`` endpoints of the query that are not in the ``allowed`` list.

    >>> refused_services("SELECT * { SERVICE <http://a/sparql> {} SERVICE <http://b/> {} }", ("http://a/sparql",))
    ['http://b/']
    """
    return [t for t in service_targets(sparql) if t not in allowed]


@dataclass(frozen=True)
class Example:
    """One researcher's query from ``queries/``."""

    name: str
    """The file's stem, e.g. ``01-persons-mentioned``."""
    title: str
    description: str
    form: str
    """``SELECT``, ``ASK``, ``CONSTRUCT`` or ``DESCRIBE``."""
    text: str
    """The whole file, header comments included."""


def parse_example(name: str, text: str) -> Example:
    """Read an example: ``# title:`` and ``# description:`` lines (a description may go on over
    following ``#`` lines) before the query.

    >>> e = parse_example("x", "# title: All\\n# description: Every triple,\\n#   once.\\nSELECT * {}")
    >>> (e.title, e.description, e.form)
    ('All', 'Every triple, once.', 'SELECT')
    """
    fields: dict[str, str] = {}
    current = None
    for line in text.splitlines():
        if not line.startswith("#"):
            if line.strip():
                break
            continue
        match = re.match(r"#\s*(title|description):\s*(.*)", line)
        if match:
            current = match.group(1)
            fields[current] = match.group(2).strip()
        elif current and line[1:].strip():
            fields[current] += " " + line[1:].strip()
        else:
            current = None
    form = query_form(text)
    if "title" not in fields or "description" not in fields or form is None:
        raise ValueError(f"query {name}: needs a '# title:' and a '# description:' line and a query form")
    return Example(name, fields["title"], fields["description"], form, text)


def load_examples(folder: Path = QUERIES_DIR) -> list[Example]:
    """Every ``*.rq`` file of ``folder`` as an :class:`Example`, sorted by file name."""
    return [parse_example(p.stem, p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.rq"))]


SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS_NS = Namespace("http://www.w3.org/ns/formats/")
SH = Namespace("http://www.w3.org/ns/shacl#")
SCHEMA = Namespace("https://schema.org/")
VOID = Namespace("http://rdfs.org/ns/void#")
_RESULT_FORMATS = ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV")
_RDF_FORMATS = ("Turtle", "N-Triples", "RDF_XML", "JSON-LD")
_EXECUTABLE = {
    "SELECT": (SH.SPARQLSelectExecutable, SH.select),
    "ASK": (SH.SPARQLAskExecutable, SH.ask),
    "CONSTRUCT": (SH.SPARQLConstructExecutable, SH.construct),
    "DESCRIBE": (SH.SPARQLDescribeExecutable, SH.describe),
}


@dataclass(frozen=True)
class ServiceFacts:
    """What a service description states beyond the fixed capabilities."""

    endpoint: str
    graphs: list[str]
    timeout: float
    max_rows: int
    service_allow: tuple[str, ...]
    examples: str
    """URL of the example queries."""


LISTED_GRAPHS = 1000
"""The service description names the named graphs only up to this many (at 100,000 documents the whole
list made it 12.7 MB and took a minute per request)."""


def service_description(facts: ServiceFacts) -> Graph:
    """The SPARQL 1.1 Service Description (https://www.w3.org/TR/sparql11-service-description/ §3) of
    the endpoint: its ``sd:endpoint``, languages, result formats, features, limits and default dataset,
    whose default graph is the union of every named graph (``sd:UnionDefaultGraph``, §3.4)."""
    graph = Graph()
    for prefix, ns in (("sd", SD), ("formats", FORMATS_NS), ("void", VOID), ("dcterms", DCTERMS)):
        graph.bind(prefix, ns)
    service, dataset, default = URIRef(facts.endpoint), BNode("dataset"), BNode("defaultGraph")
    graph.add((service, RDF.type, SD.Service))
    graph.add((service, SD.endpoint, service))
    graph.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    for name in _RESULT_FORMATS + _RDF_FORMATS:
        graph.add((service, SD.resultFormat, FORMATS_NS[name]))
    graph.add((service, SD.feature, SD.UnionDefaultGraph))
    if facts.service_allow:
        graph.add((service, SD.feature, SD.BasicFederatedQuery))
    limits = (
        f"Read-only: SPARQL Update is refused. A query is stopped after {facts.timeout:g} s (HTTP 503); "
        f"an answer holds at most {facts.max_rows} rows or triples, and a cut answer carries the header "
        "X-SPARQL-Truncated: true. SERVICE federation is "
        + (f"allowed only to {', '.join(facts.service_allow)}." if facts.service_allow else "refused.")
    )
    graph.add((service, DCTERMS.description, Literal(limits, lang="en")))
    graph.add((service, RDFS.seeAlso, URIRef(facts.examples)))
    graph.add((service, SD.defaultDataset, dataset))
    graph.add((dataset, RDF.type, SD.Dataset))
    graph.add((dataset, SD.defaultGraph, default))
    graph.add((default, RDF.type, SD.Graph))
    union = "The default graph is the union of all the named graphs of this dataset (sd:UnionDefaultGraph)."
    graph.add((default, RDFS.comment, Literal(union, lang="en")))
    if len(facts.graphs) > LISTED_GRAPHS:  # one graph per document: the description must not grow with them
        count = (
            f"{len(facts.graphs)} named graphs, too many to list here; "
            "SELECT DISTINCT ?g WHERE { GRAPH ?g {} } lists them."
        )
        graph.add((dataset, RDFS.comment, Literal(count, lang="en")))
        return graph
    for name in facts.graphs:
        named = BNode()
        graph.add((dataset, SD.namedGraph, named))
        graph.add((named, RDF.type, SD.NamedGraph))
        graph.add((named, SD.name, URIRef(name)))
    return graph


def examples_graph(examples: list[Example], page: str, endpoint: str) -> Graph:
    """The example queries as SHACL SPARQL executables (https://www.w3.org/TR/shacl/#sparql-constraints
    terms, as the SIB ``sparql-examples`` convention uses them): ``rdfs:label``, ``rdfs:comment``, the
    query text in ``sh:select``/``sh:ask``/``sh:construct``/``sh:describe`` and ``schema:target``."""
    graph = Graph()
    graph.bind("sh", SH)
    graph.bind("schema", SCHEMA)
    for example in examples:
        node = URIRef(f"{page}#{example.name}")
        kind, prop = _EXECUTABLE[example.form]
        graph.add((node, RDF.type, SH.SPARQLExecutable))
        graph.add((node, RDF.type, kind))
        graph.add((node, RDFS.label, Literal(example.title, lang="en")))
        graph.add((node, RDFS.comment, Literal(example.description, lang="en")))
        graph.add((node, prop, Literal(example.text)))
        graph.add((node, SCHEMA.target, URIRef(endpoint)))
    return graph
