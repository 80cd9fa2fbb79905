"""Load a build into an external SPARQL 1.1 store, switching releases in one update request.

Issue 3, item 8: ``ldpub build --store-url URL --store-update-url URL`` publishes into an external store.
Everything goes through SPARQL 1.1 Update (https://www.w3.org/TR/sparql11-update/), which every store
speaks, so no Graph Store endpoint or store-specific loader is needed:

1. :meth:`RemoteStaging.add_graph` loads each graph into a *staging* graph
   (``{base}/graph/release/staging/{build-id}/{n}``) with ``INSERT DATA`` requests of at most
   ``chunk`` triples (§3.1.1). Triples with blank nodes go in one request per graph, so a blank node
   stays one node. Nothing a reader queries changes: readers only see the graphs the release
   description lists (:mod:`ldpub.store.remote`).
2. :meth:`RemoteStaging.publish` checks that the store holds every quad sent, then sends **one** update
   request that drops the previous release's graphs the new one no longer has, ``MOVE``\\ s each staging
   graph onto its published name (§3.2.5), and replaces the release description (with the release's
   VoID statistics, when the build gave them, as the JSON literal ``ldpub:releaseStatistics``:
   :mod:`ldpub.statistics`). Oxigraph and Virtuoso run one request as one transaction, so readers see
   the old release or the new one.
3. Leaving the ``with`` block by an exception (or without publishing) drops the staging graphs; the
   previous release was never touched. A build killed outright leaves staging graphs behind: the next
   build drops them before it loads.

One build at a time: :meth:`publish` refuses to switch when another build published since this one
started. Earlier releases are not kept (``keep_releases`` applies to the embedded store only).
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterable
from datetime import UTC, datetime
from types import TracebackType
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef

from .. import __version__
from ..errors import StoreError
from .base import ReleaseInfo, SelectResult
from .remote import BUILD_ID, GRAPH, INFO, LDPUB, Endpoint, Release, read_release

CHUNK = 1000
"""Triples per ``INSERT DATA`` request: small enough for Virtuoso's SQL compiler, large enough to be quick."""

STATISTICS = f"{LDPUB}releaseStatistics"
"""The release description's ``statistics.json`` text (none for a release built by an older ldpub)."""
_COUNT_QUADS = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


def stage_remote(
    url: str,
    update_url: str,
    release_graph: str,
    build_id: str,
    *,
    timeout: float = 120.0,
    chunk: int = CHUNK,
) -> RemoteStaging:
    """Start loading build ``build_id`` into the store at ``url``/``update_url``.

    Raises :class:`StoreError` naming the URL when the store cannot be reached or written.
    """
    endpoint = Endpoint(url, update_url, timeout=timeout)
    previous = read_release(endpoint, release_graph)
    staging = RemoteStaging(endpoint, release_graph, build_id, previous, chunk)
    staging.drop_leftovers()
    return staging


class RemoteStaging:
    """A release being loaded into an external store; invisible to readers until :meth:`publish`.

    The same use as the embedded :class:`~ldpub.store.embedded.Staging`::

        with stage_for(settings, build_id) as staging:
            staging.add_graph("https://example.org/graph/a", ntriples_bytes)
            staging.publish()
    """

    def __init__(
        self, endpoint: Endpoint, release_graph: str, build_id: str, previous: Release | None, chunk: int
    ) -> None:
        self.endpoint = endpoint
        self.release_graph = release_graph
        self.build_id = build_id
        self.prefix = f"{release_graph}/staging/"
        self._previous = previous
        self._chunk = max(1, chunk)
        self._staged: dict[str, str] = {}  # published graph name → staging graph name
        self._sent: dict[str, int] = {}
        self._statistics: str | None = None
        self._open = True

    def __enter__(self) -> RemoteStaging:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._open:
            self.abort()

    def add_graph(self, graph_iri: str, data: bytes | Iterable[tuple[Any, Any, Any]]) -> None:
        """Add triples (N-Triples bytes or rdflib triples) to the named graph ``graph_iri`` of the release."""
        if not self._open:
            raise StoreError(f"build {self.build_id!r} is already published or aborted")
        graph = _as_graph(graph_iri, data)
        staging = self._staged.setdefault(graph_iri, f"{self.prefix}{self.build_id}/{len(self._staged)}")
        plain = [t for t in graph if not any(isinstance(term, BNode) for term in t)]
        blank = [t for t in graph if any(isinstance(term, BNode) for term in t)]
        for start in range(0, len(plain), self._chunk):
            self._insert(staging, plain[start : start + self._chunk])
        if blank:
            self._insert(staging, blank)
        self._sent[graph_iri] = self._sent.get(graph_iri, 0) + len(graph)

    def set_statistics(self, data: bytes) -> None:
        """Keep ``data`` (``statistics.json``) with the release: it goes into the release description when
        the release is switched in, and goes away with it."""
        if not self._open:
            raise StoreError(f"build {self.build_id!r} is already published or aborted")
        self._statistics = data.decode("utf-8")

    def publish(self) -> ReleaseInfo:
        """Check the staged quads, then switch releases in one update request; return the new release."""
        if not self._open:
            raise StoreError(f"build {self.build_id!r} is already published or aborted")
        try:
            info = self._describe()
            current = read_release(self.endpoint, self.release_graph)
            before = self._previous.info.build_id if self._previous else None
            if (current.info.build_id if current else None) != before:
                raise StoreError(
                    f"another build published release {current.info.build_id if current else None!r} "
                    f"in {self.endpoint.url} while {self.build_id!r} was loading; nothing was switched"
                )
            self.endpoint.update(self._switch_request(info))
        except BaseException:
            self.abort()
            raise
        self._open = False
        return info

    def abort(self) -> None:
        """Drop the staging graphs; the published release is untouched. Never raises."""
        self._open = False
        if self._staged:
            drops = " ;\n".join(f"DROP SILENT GRAPH <{g}>" for g in self._staged.values())
            with contextlib.suppress(StoreError):  # else the next build drops them (drop_leftovers)
                self.endpoint.update(drops)
            self._staged.clear()

    def drop_leftovers(self) -> None:
        """Drop staging graphs that builds killed before they finished left in the store."""
        query = f"""SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }}
            FILTER(STRSTARTS(STR(?g), "{self.prefix}")) }}"""
        result = self.endpoint.run(query)
        assert isinstance(result, SelectResult)
        names = [str(r["g"]) for r in result.rows]
        if names:
            self.endpoint.update(" ;\n".join(f"DROP SILENT GRAPH <{g}>" for g in names))

    def _insert(self, graph: str, triples: list[tuple[Any, Any, Any]]) -> None:
        self.endpoint.update(f"INSERT DATA {{ GRAPH <{graph}> {{\n{_ntriples(triples)}}} }}")

    def _describe(self) -> ReleaseInfo:
        """Count what the store holds in the staging graphs; it must be every quad sent."""
        staged = list(self._staged.values())
        quads = _count(self.endpoint.run(_COUNT_QUADS, named_graphs=staged))
        sent = sum(self._sent.values())
        if quads != sent:
            raise StoreError(
                f"the SPARQL store {self.endpoint.url} holds {quads} of the {sent} quads sent for build "
                f"{self.build_id!r}; nothing was switched"
            )
        created = datetime.now(UTC).replace(microsecond=0)
        return ReleaseInfo(self.build_id, created, quads, quads, __version__)  # triples: see ReleaseInfo

    def _switch_request(self, info: ReleaseInfo) -> str:
        """One update request: drop graphs gone from the release, move staging graphs in, describe it."""
        old = set(self._previous.graphs) if self._previous else set()
        steps = [f"DROP SILENT GRAPH <{g}>" for g in sorted(old - set(self._staged))]
        for name, staging in sorted(self._staged.items()):
            if self._sent[name]:
                steps.append(f"MOVE SILENT GRAPH <{staging}> TO GRAPH <{name}>")
            else:
                steps.append(f"DROP SILENT GRAPH <{name}>")
        rel = URIRef(self.release_graph)
        description = [
            (rel, URIRef(BUILD_ID), Literal(info.build_id)),
            (rel, URIRef(INFO), Literal(info.to_json())),
            *((rel, URIRef(GRAPH), URIRef(name)) for name in sorted(self._staged)),
        ]
        if self._statistics is not None:
            description.append((rel, URIRef(STATISTICS), Literal(self._statistics)))
        body = _ntriples(description)
        steps.append(f"DROP SILENT GRAPH <{rel}>")
        steps.append(f"INSERT DATA {{ GRAPH <{rel}> {{\n{body}}} }}")
        return " ;\n".join(steps)


def _count(result: object) -> int:
    assert isinstance(result, SelectResult)
    return int(str(result.rows[0]["n"])) if result.rows else 0


def _ntriples(triples: Iterable[tuple[Any, Any, Any]]) -> str:
    """Triples as N-Triples text, which is also valid inside SPARQL ``INSERT DATA`` (one blank node scope)."""
    graph = Graph()
    for triple in triples:
        graph.add(triple)
    return graph.serialize(format="nt")


def _as_graph(graph_iri: str, data: bytes | Iterable[tuple[Any, Any, Any]]) -> Graph:
    """The triples to load as an rdflib graph (N-Triples bytes are parsed, so bad data fails here)."""
    if not isinstance(data, bytes | bytearray):
        graph = Graph()
        for triple in data:
            graph.add(triple)
        return graph
    graph = Graph()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            graph.parse(data=bytes(data), format="nt")
    except Exception as exc:  # rdflib raises parser-specific classes
        raise StoreError(f"graph <{graph_iri}>: cannot read the N-Triples to load: {exc}") from exc
    return graph
