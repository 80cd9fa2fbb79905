"""An external SPARQL 1.1 store (Oxigraph server, Virtuoso, …) as a read-only :class:`DatasetStore`.

Issue 3, item 8: ``ldpub serve`` can read from an external SPARQL 1.1 endpoint instead of the embedded
store, with the same behaviour. Queries go over the SPARQL 1.1 Protocol
(https://www.w3.org/TR/sparql11-protocol/#query-operation) with SPARQLWrapper.

**The dataset a query sees.** An external store holds more than ldpub's graphs (Virtuoso's system graphs,
staging graphs of a build in progress, other people's data), and stores disagree on what the default graph
is. So every query names its RDF dataset explicitly with the protocol's ``default-graph-uri`` and
``named-graph-uri`` parameters (§2.1.4): the published release's graphs, as listed by the release
description the loader writes (:mod:`ldpub.store.remote_load`). With ``union_default_graph`` the default
graph is their merge, else an empty graph. A query with its own ``FROM``/``FROM NAMED`` keeps its dataset.

**The release description** lives in its own graph, ``{base}/graph/release``: the build id, the
``release.json`` text of :class:`~ldpub.store.base.ReleaseInfo` and one ``ldpub:releaseGraph`` per graph.
:meth:`RemoteStore.refresh` re-reads the build id at most every ``check_every`` seconds.
"""

from __future__ import annotations

import copy
import json
import math
import re
import threading
import time
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, BinaryIO

from rdflib import BNode, Graph, Literal, URIRef
from SPARQLWrapper import JSON, POST, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed, SPARQLWrapperException

from .. import __version__
from ..errors import QueryError, StoreError
from .base import _SKIP, EXPORT_FORMATS, QueryResult, ReleaseInfo, SelectResult, Term, refuse_service

LDPUB = "https://w3id.org/ldpub/ns#"
BUILD_ID = f"{LDPUB}releaseBuildId"
INFO = f"{LDPUB}releaseInfo"
GRAPH = f"{LDPUB}releaseGraph"
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_GRAPH_ACCEPT = "application/n-triples, text/turtle;q=0.9"
_UPDATES = {"INSERT", "DELETE", "CREATE", "CLEAR", "DROP", "LOAD", "COPY", "MOVE", "ADD"}
_FROM = re.compile(r"(?<![\w:?$])FROM(?![\w:-])", re.IGNORECASE)
_STATS = "SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?class FILTER isIRI(?class) } GROUP BY ?class"


def release_graph(base_uri: str) -> str:
    """The graph holding the release description of the dataset minted under ``base_uri``.

    >>> release_graph("http://localhost:5000")
    'http://localhost:5000/graph/release'
    """
    return f"{base_uri.rstrip('/')}/graph/release"


def declares_dataset(sparql: str) -> bool:
    """Whether ``sparql`` has its own ``FROM``/``FROM NAMED`` (strings, IRIs and comments are skipped).

    >>> declares_dataset("SELECT * FROM <http://example.org/g> { ?s ?p ?o }")
    True
    >>> declares_dataset('SELECT * { ?s ?p "FROM" } # FROM')
    False
    """
    return bool(_FROM.search(_SKIP.sub(" ", sparql)))


def term_from_json(value: Mapping[str, Any]) -> Term:
    """One binding of the SPARQL 1.1 JSON results format (§3.2.2) as an rdflib term.

    ``xsd:string`` literals become plain, as the embedded store returns them; Virtuoso's older
    ``typed-literal`` is read as a literal.

    >>> term_from_json({"type": "literal", "value": "1", "datatype": "http://www.w3.org/2001/XMLSchema#int"})
    rdflib.term.Literal('1', datatype=rdflib.term.URIRef('http://www.w3.org/2001/XMLSchema#int'))
    >>> term_from_json({"type": "literal", "value": "Jilin", "xml:lang": "en"})
    rdflib.term.Literal('Jilin', lang='en')
    """
    kind, text = value.get("type"), str(value.get("value", ""))
    if kind == "uri":
        return URIRef(text)
    if kind == "bnode":
        return BNode(text)
    if kind in ("literal", "typed-literal"):
        if value.get("xml:lang"):
            return Literal(text, lang=str(value["xml:lang"]))
        datatype = value.get("datatype")
        if datatype and datatype != _XSD_STRING:
            return Literal(text, datatype=URIRef(str(datatype)), normalize=False)  # lexical form as sent
        return Literal(text)
    raise QueryError(f"unsupported term in SPARQL results (RDF-star triple terms are not supported): {kind}")


def ask_from_table(result: SelectResult) -> bool:
    """An ``ASK`` answer sent as a table: Virtuoso 7.2 answers ``ASK`` in JSON with one ``__ASK_RETVAL``
    row (1 or 0) instead of the ``boolean`` member of SPARQL 1.1 Query Results JSON §3.

    >>> ask_from_table(SelectResult(("__ASK_RETVAL",), [{"__ASK_RETVAL": Literal(1)}]))
    True
    >>> ask_from_table(SelectResult(("__ASK_RETVAL",), [{"__ASK_RETVAL": Literal(0)}]))
    False
    >>> ask_from_table(SelectResult(("__ASK_RETVAL",), []))
    False
    """
    if not result.rows:
        return False
    values = [str(v).lower() for v in result.rows[0].values()]
    return not values or values[0] not in ("0", "false")


@dataclass(frozen=True)
class Release:
    """A release description read back from the store: its info and the graphs it publishes."""

    info: ReleaseInfo
    graphs: tuple[str, ...]


class Endpoint:
    """One SPARQL 1.1 query (and optionally update) URL, with a time limit on every HTTP call."""

    def __init__(self, url: str, update_url: str | None = None, *, timeout: float = 30.0) -> None:
        self.url = url
        self.update_url = update_url
        self.timeout = timeout

    def _wrapper(self, sparql: str) -> SPARQLWrapper:
        wrapper = SPARQLWrapper(self.url, updateEndpoint=self.update_url, agent=f"ldpub/{__version__}")
        wrapper.setMethod(POST)
        wrapper.setOnlyConneg(True)
        wrapper.setTimeout(max(1, math.ceil(self.timeout)))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "unknown query type": the endpoint says what is wrong
            wrapper.setQuery(sparql)
        return wrapper

    def query_form(self, sparql: str) -> str:
        """The query form SPARQLWrapper reads from the text (``ASK``, ``CONSTRUCT``, …)."""
        return str(self._wrapper(sparql).queryType)

    def run(
        self, sparql: str, *, default_graphs: Iterable[str] = (), named_graphs: Iterable[str] = ()
    ) -> QueryResult:
        """Run a query; ``SELECT``/``ASK`` come back as JSON results, graphs as N-Triples or Turtle."""
        wrapper = self._wrapper(sparql)
        if wrapper.queryType in _UPDATES:
            raise QueryError(f"updates are refused: {self.url} is read through ldpub as a read-only store")
        for graph in default_graphs:
            wrapper.addDefaultGraph(graph)
        for graph in named_graphs:
            wrapper.addNamedGraph(graph)
        graph_form = wrapper.queryType in ("CONSTRUCT", "DESCRIBE")
        if graph_form:
            wrapper.addCustomHttpHeader("Accept", _GRAPH_ACCEPT)
        else:
            wrapper.setReturnFormat(JSON)
        body, content_type = self._send(wrapper)
        if graph_form:
            return self._graph(body, content_type)
        result = self._results(body)
        if wrapper.queryType == "ASK" and isinstance(result, SelectResult):
            return ask_from_table(result)
        return result

    def update(self, sparql: str) -> None:
        """Send one SPARQL 1.1 Update request (https://www.w3.org/TR/sparql11-update/) to ``update_url``."""
        if not self.update_url:
            raise StoreError(f"no update URL is configured for the SPARQL store {self.url}")
        self._send(self._wrapper(sparql), target=self.update_url)

    def _send(self, wrapper: SPARQLWrapper, target: str | None = None) -> tuple[bytes, str]:
        where = target or self.url
        try:
            result = wrapper.query()
            response = result.response
            return response.read(), str(response.headers.get("Content-Type", ""))
        except QueryBadFormed as exc:
            raise QueryError(f"the SPARQL store {where} rejected the request: {_reason(exc)}") from exc
        except SPARQLWrapperException as exc:
            raise StoreError(f"the SPARQL store {where} failed: {_reason(exc)}") from exc
        except TimeoutError as exc:
            raise StoreError(f"the SPARQL store {where} did not answer within {self.timeout:g} s") from exc
        except OSError as exc:  # URLError, HTTPError (other codes), connection refused or reset
            raise StoreError(f"cannot reach the SPARQL store {where}: {_reason(exc)}") from exc

    def _results(self, body: bytes) -> SelectResult | bool:
        try:
            data = json.loads(body)
            if "boolean" in data:
                return bool(data["boolean"])
            names = tuple(str(v) for v in data["head"]["vars"])
            rows = [{k: term_from_json(v) for k, v in b.items()} for b in data["results"]["bindings"]]
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise StoreError(f"the SPARQL store {self.url} sent unreadable JSON results: {exc}") from exc
        return SelectResult(names, rows)

    def _graph(self, body: bytes, content_type: str) -> Graph:
        fmt = "nt" if "n-triples" in content_type or "text/plain" in content_type else "turtle"
        graph = Graph()
        try:
            graph.parse(data=body, format=fmt)
        except Exception as exc:  # rdflib raises parser-specific classes
            raise StoreError(
                f"the SPARQL store {self.url} sent an unreadable graph ({content_type})"
            ) from exc
        return graph


def _reason(exc: BaseException) -> str:
    """The useful part of an HTTP client error: the server's message, shortened."""
    text = str(getattr(exc, "reason", "") or exc)
    if "Response:\n" in text:
        raw = text.split("Response:\n", 1)[1]
        text = raw[2:-1] if raw[:2] in ("b'", 'b"') else raw
        text = text.encode().decode("unicode_escape", errors="replace")
    return " ".join(text.split())[:500]


class RemoteStore:
    """The published release in an external SPARQL 1.1 store: a :class:`~ldpub.store.base.DatasetStore`.

    ``url`` is the query URL (``http://host:7878/query`` for ``oxigraph serve``, ``http://host:8890/sparql``
    for Virtuoso); ``release_graph`` the graph the loader describes the release in (:func:`release_graph`).
    Every HTTP call gives up after ``timeout`` seconds. Safe to share between threads.
    """

    def __init__(
        self, url: str, *, release_graph: str, timeout: float = 30.0, check_every: float = 5.0
    ) -> None:
        self.url = url
        self.release_graph = release_graph
        self.check_every = check_every
        self._endpoint: Endpoint | None = Endpoint(url, timeout=timeout)
        self._switch = threading.Lock()
        release = read_release(self._endpoint, release_graph)
        if release is None:
            raise StoreError(
                f"no ldpub release in the SPARQL store {url} (graph <{release_graph}>): "
                "run `ldpub build --store-url … --store-update-url …`"
            )
        self._release = release
        self._checked = time.monotonic()
        self._pinned = False

    def __enter__(self) -> RemoteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def query(
        self, sparql: str, *, union_default_graph: bool = True, allow_federation: bool = False
    ) -> QueryResult:
        """Run a SPARQL 1.1 query over the release's graphs; see :meth:`DatasetStore.query` for the shapes.

        With ``allow_federation`` (the caller checked every ``SERVICE`` against the allow-list) the query
        goes as it is: the external store itself then calls the ``SERVICE`` endpoints.
        """
        if not allow_federation:
            refuse_service(sparql)
        endpoint, graphs = self._live(), self._release.graphs
        if declares_dataset(sparql):
            return endpoint.run(sparql)
        default = graphs if union_default_graph else (f"{self.release_graph}/empty",)
        return endpoint.run(sparql, default_graphs=default, named_graphs=graphs)

    def graphs(self) -> list[str]:
        """The IRIs of the release's named graphs, sorted."""
        self._live()
        return sorted(self._release.graphs)

    def quad_count(self) -> int:
        """How many quads the release's graphs hold, counted by the store."""
        result = self.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
        return _count(result)

    def export(self, fmt: str, out: BinaryIO) -> None:
        """Write the release: ``nquads``, ``trig``, ``jsonld`` (graphs kept) or ``turtle`` (their union).

        Each graph is fetched with one ``CONSTRUCT`` and held in memory while it is written.
        """
        if fmt not in EXPORT_FORMATS:
            raise StoreError(f"unknown export format {fmt!r} (known: {', '.join(EXPORT_FORMATS)})")
        if fmt == "turtle":
            union = self.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
            assert isinstance(union, Graph)
            out.write(union.serialize(format="turtle", encoding="utf-8"))
            return
        parts = [(name, self._construct_graph(name)) for name in self.graphs()]
        if fmt == "nquads":
            for name, graph in parts:
                for line in graph.serialize(format="nt", encoding="utf-8").splitlines():
                    if line.strip():
                        out.write(line.rstrip()[:-1].rstrip() + f" <{name}> .\n".encode())
            return
        from rdflib import Dataset

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # rdflib's Dataset default-graph notices
            dataset = Dataset()
            for name, graph in parts:
                target = dataset.graph(URIRef(name))
                for triple in graph:
                    target.add(triple)
            out.write(dataset.serialize(format="json-ld" if fmt == "jsonld" else "trig", encoding="utf-8"))

    def stats(self) -> dict[str, int]:
        """Distinct instances per ``rdf:type`` class IRI across the release's graphs, sorted by class IRI."""
        result = self.query(_STATS)
        assert isinstance(result, SelectResult)
        return dict(sorted((str(r["class"]), int(str(r["n"]))) for r in result.rows))

    def release_info(self) -> ReleaseInfo:
        """The release being served."""
        self._live()
        return self._release.info

    def refresh(self) -> bool:
        """Switch to a newer release when the store holds one; checks at most every ``check_every`` s."""
        endpoint = self._live()
        if self._pinned or time.monotonic() - self._checked < self.check_every:
            return False
        with self._switch:
            if time.monotonic() - self._checked < self.check_every:
                return False
            build_id = read_build_id(endpoint, self.release_graph)
            self._checked = time.monotonic()
            if build_id is None or build_id == self._release.info.build_id:
                return False
            release = read_release(endpoint, self.release_graph)
            if release is None:
                return False
            self._release = release
            return True

    def snapshot(self) -> RemoteStore:
        """The release served now, pinned: its queries keep naming that release's graphs.

        The external store keeps only the newest release's graphs, so a query made after a newer load
        replaced them finds them empty: ldpub serves one release per request, not older releases.
        """
        self._live()
        pinned = copy.copy(self)
        pinned._pinned = True
        return pinned

    def close(self) -> None:
        """Forget the endpoint; later calls raise :class:`StoreError`."""
        self._endpoint = None

    def _construct_graph(self, name: str) -> Graph:
        graph = self._live().run(
            f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{name}> {{ ?s ?p ?o }} }}", named_graphs=(name,)
        )
        assert isinstance(graph, Graph)
        return graph

    def _live(self) -> Endpoint:
        endpoint = self._endpoint
        if endpoint is None:
            raise StoreError(f"the SPARQL store {self.url} is closed")
        return endpoint


def _count(result: QueryResult) -> int:
    assert isinstance(result, SelectResult)
    return int(str(result.rows[0]["n"])) if result.rows else 0


def read_build_id(endpoint: Endpoint, graph: str) -> str | None:
    """The build id the release description in ``graph`` names, or ``None`` when there is none."""
    result = endpoint.run(
        f"SELECT ?id WHERE {{ GRAPH <{graph}> {{ <{graph}> <{BUILD_ID}> ?id }} }}", named_graphs=(graph,)
    )
    assert isinstance(result, SelectResult)
    return str(result.rows[0]["id"]) if result.rows else None


def read_release(endpoint: Endpoint, graph: str) -> Release | None:
    """The release described in ``graph`` (its info and graph list), or ``None`` when nothing is published."""
    query = f"""SELECT ?info ?graph WHERE {{ GRAPH <{graph}> {{
        <{graph}> <{INFO}> ?info OPTIONAL {{ <{graph}> <{GRAPH}> ?graph }} }} }}"""
    result = endpoint.run(query, named_graphs=(graph,))
    assert isinstance(result, SelectResult)
    if not result.rows:
        return None
    try:
        info = ReleaseInfo.from_json(str(result.rows[0]["info"]))
    except (ValueError, KeyError, TypeError) as exc:
        raise StoreError(f"the release description <{graph}> in {endpoint.url} is malformed: {exc}") from exc
    graphs = tuple(sorted({str(r["graph"]) for r in result.rows if "graph" in r}))
    return Release(info, graphs)
