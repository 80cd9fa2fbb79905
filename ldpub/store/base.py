"""What the rest of ldpub may ask of a store, whatever holds the data.

Two implementations are meant to satisfy :class:`DatasetStore`: the embedded Oxigraph store on disk
(:mod:`ldpub.store.embedded`) and, later, a remote SPARQL 1.1 endpoint. Results come back in one
store-independent shape built from rdflib terms, so no caller ever sees a pyoxigraph object:

* ``SELECT`` → :class:`SelectResult` (variable names in order, one dict per row; unbound variables absent),
* ``ASK`` → ``bool``,
* ``CONSTRUCT`` / ``DESCRIBE`` → an :class:`rdflib.Graph`.

This module imports neither pyoxigraph nor any HTTP client.
"""

from __future__ import annotations

import copyreg
import dataclasses
import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, BinaryIO, Protocol, TypeAlias, runtime_checkable

from rdflib import BNode, Graph, Literal, URIRef

from ..errors import QueryError

Term: TypeAlias = URIRef | BNode | Literal
"""A value bound in a SELECT row."""

EXPORT_FORMATS: tuple[str, ...] = ("nquads", "trig", "turtle", "jsonld")
"""Formats :meth:`DatasetStore.export` writes; ``turtle`` is the union of all graphs as triples."""


def _literal(lexical: str, language: str | None, datatype: str | None) -> Literal:
    """A literal rebuilt with its lexical form unchanged (see the ``copyreg`` registration below)."""
    return Literal(lexical, lang=language, datatype=datatype, normalize=False)


def _reduce_literal(literal: Literal) -> tuple[Any, tuple[str, str | None, str | None]]:
    return _literal, (str(literal), literal.language, literal.datatype)


# rdflib pickles a literal as its lexical form and rebuilds it *normalised* ("…Z"^^xsd:dateTime comes
# back "…+00:00"): answers crossing from a SPARQL query process to the web process keep their form.
copyreg.pickle(Literal, _reduce_literal)


@dataclass(frozen=True)
class SelectResult:
    """The answer to a SPARQL ``SELECT``: projected variable names and the solution rows.

    A row maps a variable name (without ``?``) to its value; a variable left unbound in a row is absent
    from that row's dict, as in the SPARQL 1.1 JSON results format.
    """

    vars: tuple[str, ...]
    rows: list[dict[str, Term]] = field(default_factory=list)


QueryResult: TypeAlias = SelectResult | bool | Graph
"""``SELECT`` → :class:`SelectResult`, ``ASK`` → ``bool``, ``CONSTRUCT``/``DESCRIBE`` → ``Graph``."""


@dataclass(frozen=True)
class ReleaseInfo:
    """What a published release says about itself (``release.json`` for the embedded store)."""

    build_id: str
    created: datetime
    """When the release was published, timezone-aware UTC."""
    triples: int
    """The triples of the release, each graph's counted: the number of quads.

    Counting the *distinct* triples of the union needs a set of every triple (gigabytes at 100,000
    documents). ldpub states each fact in one graph only, so the two numbers agree for what it
    publishes; tests/test_store.py checks it on the dataset built from data/ and on a generated corpus.
    """
    quads: int
    ldpub_version: str

    def to_json(self) -> str:
        """The ``release.json`` text."""
        record = dataclasses.asdict(self) | {"created": self.created.isoformat(timespec="seconds")}
        return json.dumps(record, indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str) -> ReleaseInfo:
        """Read ``release.json`` text (``ValueError``/``KeyError``/``TypeError`` when it is malformed)."""
        record = json.loads(text)
        return cls(
            build_id=str(record["build_id"]),
            created=datetime.fromisoformat(record["created"]),
            triples=int(record["triples"]),
            quads=int(record["quads"]),
            ldpub_version=str(record["ldpub_version"]),
        )


@runtime_checkable
class DatasetStore(Protocol):
    """A read-only view of the published dataset: the only storage interface the rest of ldpub uses.

    Errors: a malformed or refused query raises :class:`~ldpub.errors.QueryError`; a store that cannot be
    read raises :class:`~ldpub.errors.StoreError`.
    """

    def query(
        self, sparql: str, *, union_default_graph: bool = True, allow_federation: bool = False
    ) -> QueryResult:
        """Run a SPARQL 1.1 query (https://www.w3.org/TR/sparql11-query/) and return its materialised result.

        With ``union_default_graph`` the default graph is the union of every graph, so patterns outside
        ``GRAPH`` match data in any named graph. ``SERVICE`` federation is refused (see
        :func:`refuse_service`) unless ``allow_federation``: the caller has checked every ``SERVICE``
        endpoint against the configured allow-list (``sparql_service_allow``).
        """
        ...

    def graphs(self) -> list[str]:
        """The IRIs of the named graphs, sorted."""
        ...

    def quad_count(self) -> int:
        """How many quads the dataset holds (a triple in two graphs counts twice)."""
        ...

    def export(self, fmt: str, out: BinaryIO) -> None:
        """Write the whole dataset to ``out`` as one of :data:`EXPORT_FORMATS`.

        ``nquads``, ``trig`` and ``jsonld`` keep the graphs; ``turtle`` writes the union of all graphs as
        triples (a triple stated in two graphs is written once).
        """
        ...

    def stats(self) -> dict[str, int]:
        """Distinct instances per ``rdf:type`` class IRI, across all graphs."""
        ...

    def release_info(self) -> ReleaseInfo | None:
        """The release being served, or ``None`` for a store that has no notion of releases."""
        ...

    def refresh(self) -> bool:
        """Switch to a newer published release if there is one; return whether anything changed.

        Cheap enough to call on every web request. Stores without releases return ``False``.
        """
        ...

    def snapshot(self) -> DatasetStore:
        """A view of the release served now that never switches to a newer one (``refresh`` is a no-op).

        A web request takes one, so every query it makes reads the same release as its ``ETag`` names,
        even when a build publishes in the middle of it. Cheap: it shares the open database.
        """
        ...

    def close(self) -> None:
        """Release the store's resources; later calls raise :class:`~ldpub.errors.StoreError`."""
        ...


_SKIP = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'  # long strings
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n]|\\.)*"'  # short strings
    r"|'(?:[^'\\\n]|\\.)*'"
    r"|<[^<>\"{}|^`\\\s]*>"  # IRI references
    r"|#[^\n]*",  # comments
    re.DOTALL,
)
_SERVICE = re.compile(r"(?<![\w:?$])SERVICE(?![\w:-])", re.IGNORECASE)


def refuse_service(sparql: str) -> None:
    """Raise :class:`QueryError` when ``sparql`` uses ``SERVICE`` federation (SPARQL 1.1 Federated Query).

    Oxigraph would fetch a ``SERVICE`` over HTTP from inside the server; ldpub never does remote fetches
    unless configured. Strings, IRIs and comments are skipped, so the word there is harmless.

    >>> refuse_service('SELECT * { ?s ?p "SERVICE" } # SERVICE')
    >>> refuse_service("SELECT * { SERVICE <http://example.org/sparql> { ?s ?p ?o } }")
    Traceback (most recent call last):
    ...
    ldpub.errors.QueryError: SERVICE (federated query) is disabled: ldpub does not fetch remote endpoints
    """
    if _SERVICE.search(_SKIP.sub(" ", sparql)):
        raise QueryError("SERVICE (federated query) is disabled: ldpub does not fetch remote endpoints")
