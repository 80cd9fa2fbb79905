"""The VoID statistics of a release, counted once while it is built, in memory that does not grow with it.

``/.well-known/void`` publishes what :func:`ldpub.views.dataset.statistics` counts by SPARQL over the union
of every graph: triples, entities, distinct subjects and objects, the distinct instances of each class,
the triples of each property and three example documents. Those queries hold every distinct term of the
dataset in memory (30 s and ~2 GB per web worker at 1,000 documents, minutes and many GB at 100,000), so a
build counts the same numbers instead, and the web layer only reads them (:func:`stored_statistics`).

**What adds up across graphs.** Each graph is counted on its own (:meth:`Counts.add_graph`): its distinct
triples, per property, and its ``rdf:type`` triples per class IRI. Summed over the graphs they give the
numbers of the union because **no triple is stated in two graphs**: the invariant that
``tests/test_dataset.py::test_no_fact_is_stated_in_two_graphs`` and ``tests/test_statistics.py`` check
(the union's distinct triples are as many as the quads). A class's distinct instances are its distinct
``rdf:type`` triples, so they add up by the same invariant.

**What does not add up** is a term in several graphs: an entity IRI that documents refer to, a literal that
many documents share, an IRI stated about in the entities, vocabulary or build graph and in a document.
Each distinct subject and object becomes a 64-bit hash (BLAKE2b of the term as the store holds it), the
subjects with their lowest bit set when they are entities (IRIs in ``{base}/id/``, VoID's
``void:entities``); the build's workers hash each chunk's terms and send the distinct hashes back. The main
process gathers them into :class:`DistinctCounter` s, which write them to temporary files as sorted runs of
:data:`RUN_VALUES` values and count the distinct values with a streaming k-way merge (``heapq.merge``,
at most :data:`FAN_IN` runs at a time, merging runs into longer ones first when there are more). Memory is
one run being sorted (~35 MB) plus a read buffer per merged run, whatever the size of the corpus; the runs
take 8 bytes per hash on disk (next to the staging release, removed before it is published).

**Exactness.** Two different terms are counted as one only when their 64-bit hashes collide: with ``n``
distinct terms about ``n²/2⁶⁵`` times (1 in 7,000 at 50 million terms), so the counts are exact in
practice. Terms are hashed as the store holds them: Oxigraph stores literals of the XSD types it knows by
value (``"01"^^xsd:integer`` is ``"1"``, ``"1"^^xsd:int`` is ``"1"^^xsd:integer``, ``"1"^^xsd:boolean`` is
``"true"``), lower-cases language tags and makes ``xsd:string`` the plain literal, so every literal that is
not a plain string is first written into a small in-memory Oxigraph store and read back
(:class:`TermKeys`).

**Where they are kept** (:func:`statistics_json`): ``releases/<build-id>/statistics.json`` in the embedded
store, written into the staging release before it is sealed and removed with it when it is pruned; the
literal ``ldpub:releaseStatistics`` of the release description for an external store, replaced with it in
the request that switches releases. A release built by an older ldpub has neither: VoID then says it has
no statistics instead of counting them (never the whole-dataset SPARQL).
"""

from __future__ import annotations

import contextlib
import hashlib
import heapq
import json
import logging
from array import array
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import groupby
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, XSD

from . import __version__
from .model.namespaces import CRM
from .store import DatasetStore, EmbeddedStore, RemoteStore, SelectResult
from .store.remote_load import STATISTICS

log = logging.getLogger(__name__)

FORMAT = 1
"""Version of the ``statistics.json`` layout."""
RUN_VALUES = 1 << 19
"""Hashes gathered in memory (4 MB) before they are sorted and written as one run."""
FAN_IN = 64
"""Runs merged at a time (a 64 KB read buffer each)."""
READ_VALUES = 8192
"""Values read from a run at a time."""
EXAMPLES = 3
"""``void:exampleResource`` s: the first documents, in IRI order."""
_ENTITY = 1
_STRING_SUFFIX = f"^^<{XSD.string}>".encode()
_RDF_TYPE = f"<{RDF.type}>".encode()
_KEYS_KEPT = 20_000
"""Literals whose stored form a :class:`TermKeys` remembers, at most."""


@dataclass(frozen=True)
class Statistics:
    """What the store holds, as VoID counts it."""

    triples: int
    entities: int
    distinct_subjects: int
    distinct_objects: int
    classes: dict[str, int] = field(default_factory=dict)
    """Class IRI → distinct instances."""
    properties: dict[str, int] = field(default_factory=dict)
    """Property IRI → distinct triples."""
    examples: tuple[str, ...] = ()


def statistics_json(stats: Statistics, build_id: str) -> bytes:
    """The ``statistics.json`` of release ``build_id``."""
    record = {
        "format": FORMAT,
        "build_id": build_id,
        "ldpub_version": __version__,
        "triples": stats.triples,
        "entities": stats.entities,
        "distinct_subjects": stats.distinct_subjects,
        "distinct_objects": stats.distinct_objects,
        "classes": dict(sorted(stats.classes.items())),
        "properties": dict(sorted(stats.properties.items())),
        "examples": list(stats.examples),
    }
    return (json.dumps(record, indent=1) + "\n").encode("utf-8")


def read_statistics_json(text: str | bytes, build_id: str) -> Statistics:
    """Read ``statistics.json``; ``ValueError`` when it is malformed or belongs to another release."""
    try:
        record = json.loads(text)
        if record["build_id"] != build_id:
            raise ValueError(f"the statistics are of release {record['build_id']!r}, not {build_id!r}")
        return Statistics(
            triples=int(record["triples"]),
            entities=int(record["entities"]),
            distinct_subjects=int(record["distinct_subjects"]),
            distinct_objects=int(record["distinct_objects"]),
            classes={str(k): int(v) for k, v in record["classes"].items()},
            properties={str(k): int(v) for k, v in record["properties"].items()},
            examples=tuple(str(e) for e in record["examples"]),
        )
    except (KeyError, TypeError, AttributeError, json.JSONDecodeError) as exc:
        raise ValueError(f"malformed statistics: {exc!r}") from exc


def stored_statistics(store: DatasetStore) -> Statistics | None:
    """The statistics the build stored with the release ``store`` serves; ``None`` when it has none (built
    by an older ldpub; malformed ones are logged). Reads one small file or one literal, never counts.

    A store that cannot be read raises :class:`~ldpub.errors.StoreError` (or ``QueryError``), so a
    passing failure is not taken for a release without statistics.
    """
    release = store.release_info()
    text: str | bytes | None
    if release is None:
        return None
    if isinstance(store, EmbeddedStore):
        text = store.release_statistics()
    elif isinstance(store, RemoteStore):
        text = _remote_statistics(store)
    else:
        return None
    if text is None:
        return None
    try:
        return read_statistics_json(text, release.build_id)
    except ValueError as exc:
        log.warning("release %s: unusable statistics (%s); VoID goes without them", release.build_id, exc)
        return None


def _remote_statistics(store: RemoteStore) -> str | None:
    """The ``ldpub:releaseStatistics`` literal of an external store's release description."""
    graph = store.release_graph
    result = store.query(f"SELECT ?text FROM <{graph}> WHERE {{ <{graph}> <{STATISTICS}> ?text }}")
    rows = result.rows if isinstance(result, SelectResult) else []
    return str(rows[0]["text"]) if rows and "text" in rows[0] else None


class TermKeys:
    """Each RDF term of rdflib's N-Triples as one byte string, equal for two terms exactly when the store
    holds them as one term.

    IRIs, blank nodes and plain literals as they are written (rdflib writes a term one way); an
    ``xsd:string`` literal as the plain literal; a literal with a language tag with the tag in lower
    case; a literal of another datatype as Oxigraph stores it, learnt by writing it into a small
    in-memory store and reading it back (remembered, at most :data:`_KEYS_KEPT` of them).
    """

    def __init__(self) -> None:
        self._stored: dict[bytes, bytes] = {}

    def prepare(self, objects: Iterable[bytes]) -> None:
        """Learn how the store holds the literals among ``objects`` (one in-memory store for all)."""
        pending = list(dict.fromkeys(o for o in objects if _needs_store(o) and o not in self._stored))
        if not pending:
            return
        if len(self._stored) + len(pending) > _KEYS_KEPT:
            self._stored.clear()
        lines = b"".join(b"<urn:ldpub:%d> <urn:ldpub:p> %s .\n" % (n, o) for n, o in enumerate(pending))
        store = ox.Store()
        store.load(lines, ox.RdfFormat.N_TRIPLES)
        for quad in store:
            self._stored[pending[int(quad.subject.value.rsplit(":", 1)[1])]] = str(quad.object).encode()

    def key(self, term: bytes) -> bytes:
        """The key of one N-Triples term (a literal not prepared is learnt on its own)."""
        if not _needs_store(term):
            if term[-1:] != b'"' and term[:1] == b'"':
                quote = term.rfind(b'"')
                if term[quote + 1 : quote + 2] == b"@":
                    return term[:quote] + term[quote:].lower()
            return term.removesuffix(_STRING_SUFFIX)
        stored = self._stored.get(term)
        if stored is None:
            self.prepare([term])
            stored = self._stored[term]
        return stored


def _needs_store(term: bytes) -> bool:
    """A literal with a datatype other than ``xsd:string``."""
    if term[:1] != b'"' or term[-1:] != b">":
        return False
    return not term.endswith(_STRING_SUFFIX)


def _terms(line: bytes) -> tuple[bytes, bytes, bytes]:
    """Subject, predicate and object of an N-Triples line as rdflib writes it: ``s p o .``."""
    s, p, o = line.split(b" ", 2)
    return s, p, o.rstrip().removesuffix(b".").rstrip()


def term_hash(key: bytes) -> int:
    """A 64-bit hash of a term's key (:meth:`TermKeys.key`)."""
    return int.from_bytes(hashlib.blake2b(key, digest_size=8).digest(), "big")


@dataclass
class Counts:
    """What some graphs add to the statistics (picklable: a build worker sends one per chunk).

    ``subjects`` and ``objects`` are the distinct hashes of the terms seen (subjects with the lowest bit
    set when they are entities), deduplicated within these graphs only.
    """

    triples: int = 0
    properties: Counter[str] = field(default_factory=Counter)
    classes: Counter[str] = field(default_factory=Counter)
    subjects: set[int] = field(default_factory=set)
    objects: set[int] = field(default_factory=set)
    examples: list[str] = field(default_factory=list)

    def add_graphs(self, graphs: Iterable[bytes], keys: TermKeys, entity_space: str) -> None:
        """Count graphs of the release, each as rdflib writes it in N-Triples (one triple a line) and each
        whole: a graph counted in two parts would count the triples both parts state twice."""
        parsed = [[_terms(line) for line in g.splitlines() if line.strip()[:1] not in b"#"] for g in graphs]
        keys.prepare(o for rows in parsed for _, _, o in rows)
        space = b"<" + entity_space.encode()
        for rows in parsed:
            self._count({(s, p, keys.key(o)) for s, p, o in rows}, space)

    def _count(self, triples: set[tuple[bytes, bytes, bytes]], space: bytes) -> None:
        """Count the distinct triples of one graph (terms as :meth:`TermKeys.key` gives them)."""
        properties: Counter[bytes] = Counter()
        for _, p, o in triples:
            properties[p] += 1
            if p == _RDF_TYPE and o[:1] == b"<":
                self.classes[o[1:-1].decode()] += 1
        for p, n in properties.items():
            self.properties[p[1:-1].decode()] += n
        self.triples += len(triples)
        self.subjects.update(
            (term_hash(s) & ~_ENTITY) | s.startswith(space) for s in {s for s, _, _ in triples}
        )
        self.objects.update(term_hash(o) for o in {o for _, _, o in triples})

    def add_example(self, graph: Graph, document: URIRef) -> None:
        """``document`` is an example resource when its own graph types it ``crm:E31_Document``."""
        if (document, RDF.type, CRM.E31_Document) in graph:
            self.examples = sorted({*self.examples, str(document)})[:EXAMPLES]

    def packed(self) -> PackedCounts:
        """The same, with the hashes as compact arrays (8 bytes each) for the trip to the main process."""
        return PackedCounts(
            self.triples,
            dict(self.properties),
            dict(self.classes),
            array("Q", self.subjects),
            array("Q", self.objects),
            tuple(self.examples),
        )


@dataclass(frozen=True)
class PackedCounts:
    """:class:`Counts` as a worker sends them."""

    triples: int
    properties: dict[str, int]
    classes: dict[str, int]
    subjects: array[int]
    objects: array[int]
    examples: tuple[str, ...]


class DistinctCounter:
    """Counts distinct unsigned 64-bit values in bounded memory: sorted runs in ``folder``, merged.

    :meth:`add` values (duplicates welcome); :meth:`count` gives how many distinct values there were and
    how many of them have the lowest bit set. Memory: ``run_values`` values in an array, a sort of that
    many, and ``fan_in`` read buffers while merging.
    """

    def __init__(self, folder: Path, name: str, run_values: int = RUN_VALUES, fan_in: int = FAN_IN) -> None:
        if run_values < 1 or fan_in < 2:
            raise ValueError("run_values must be 1 or more and fan_in 2 or more")
        self.folder = folder
        self.name = name
        self.run_values = run_values
        self.fan_in = fan_in
        self.runs: list[Path] = []
        self._buffer: array[int] = array("Q")
        self._made = 0

    def add(self, values: Iterable[int]) -> None:
        self._buffer.extend(values)
        while len(self._buffer) >= self.run_values:
            self._spill()

    def count(self) -> tuple[int, int]:
        """(distinct values, distinct values with the lowest bit set); the runs are removed."""
        if not self.runs:
            values = set(self._buffer)
            self._buffer = array("Q")
            return len(values), sum(v & 1 for v in values)
        if self._buffer:
            self._spill()
        while len(self.runs) > self.fan_in:
            group, self.runs = self.runs[: self.fan_in], self.runs[self.fan_in :]
            self.runs.append(self._write(_merged(group)))
            for run in group:
                run.unlink()
        distinct = flagged = 0
        for value in _merged(self.runs):
            distinct += 1
            flagged += value & 1
        for run in self.runs:
            run.unlink()
        self.runs = []
        return distinct, flagged

    def _spill(self) -> None:
        """Sort the first ``run_values`` buffered values, without duplicates, into a new run."""
        chunk, self._buffer = self._buffer[: self.run_values], self._buffer[self.run_values :]
        self.runs.append(self._write(key for key, _ in groupby(sorted(chunk))))

    def _write(self, ordered: Iterable[int]) -> Path:
        path = self.folder / f"{self.name}-{self._made:06d}.run"
        self._made += 1
        block: array[int] = array("Q")
        with path.open("wb") as handle:
            for value in ordered:
                block.append(value)
                if len(block) >= READ_VALUES:
                    block.tofile(handle)
                    del block[:]
            block.tofile(handle)
        return path


def _merged(runs: list[Path]) -> Iterator[int]:
    """The values of sorted runs in order, each once."""
    previous = -1
    with contextlib.ExitStack() as stack:
        readers = [_values(stack.enter_context(run.open("rb"))) for run in runs]
        for value in heapq.merge(*readers):
            if value != previous:
                previous = value
                yield value


def _values(handle: Any) -> Iterator[int]:
    while block := handle.read(READ_VALUES * 8):
        values: array[int] = array("Q")
        values.frombytes(block)
        yield from values


class Collector:
    """The main process's side of a build's statistics: adds up what workers send, deduplicates the terms
    in ``folder`` and gives the :class:`Statistics` of the release."""

    def __init__(
        self, base_uri: str, folder: Path, run_values: int = RUN_VALUES, fan_in: int = FAN_IN
    ) -> None:
        self.entity_space = f"{base_uri}/id/"
        self.keys = TermKeys()
        self.triples = 0
        self.properties: Counter[str] = Counter()
        self.classes: Counter[str] = Counter()
        self.examples: list[str] = []
        self.subjects = DistinctCounter(folder, "subjects", run_values, fan_in)
        self.objects = DistinctCounter(folder, "objects", run_values, fan_in)

    def add(self, counts: PackedCounts | Counts) -> None:
        self.triples += counts.triples
        self.properties.update(counts.properties)
        self.classes.update(counts.classes)
        self.subjects.add(counts.subjects)
        self.objects.add(counts.objects)
        self.examples = sorted({*self.examples, *counts.examples})[:EXAMPLES]

    def add_graph(self, ntriples: bytes) -> None:
        """Count a whole graph made by the main process (entities, vocabulary, the build activity)."""
        counts = Counts()
        counts.add_graphs([ntriples], self.keys, self.entity_space)
        self.add(counts)

    def result(self) -> Statistics:
        subjects, entities = self.subjects.count()
        objects, _ = self.objects.count()
        return Statistics(
            triples=self.triples,
            entities=entities,
            distinct_subjects=subjects,
            distinct_objects=objects,
            classes=dict(sorted(self.classes.items())),
            properties=dict(sorted(self.properties.items())),
            examples=tuple(self.examples),
        )


__all__ = [
    "Collector",
    "Counts",
    "DistinctCounter",
    "PackedCounts",
    "Statistics",
    "TermKeys",
    "read_statistics_json",
    "statistics_json",
    "stored_statistics",
]
