"""The change history across builds (issue 5, item 5: change feed; 410 Gone for what disappeared).

At build time, after the release is published, :func:`record_release` (or :func:`record_history`, from the
release's N-Quads dump) reads the release's quads and computes a *description hash* for every resource IRI
under ``{base}/id/``:

* a resource's description is its own triples (it is the subject), in any graph, as N-Triples lines; a
  blank node label is replaced by ``_:b`` (labels differ between builds). The multiset of lines is hashed
  (the sum of the lines' SHA-256 modulo 2^256), so neither the order of the quads nor how they are split
  between graphs matters;
* a document (``{base}/id/document/{slug}``) also covers its whole document graph
  (``{base}/graph/document/{slug}``) and the IRIs of the sources it is derived from (build graph): a
  changed word of its summary, or a capture joining it, is an Update of the document;
* the build activities (``{base}/id/build/…``) are left out: each build mints a new one.

The hashes are compared with those of the previous recorded release and the differences appended to the
log ``<store>/history/changes.jsonl`` (one JSON object per line: iri, kind, build_id, time, successor),
sorted by IRI within a build: **create** (new IRI), **update** (hash changed), **delete** (IRI gone).

**The successor rule.** A deleted document's successor is the document whose graph is now derived
(``prov:wasDerivedFrom`` in the build graph) from one of its former sources, matched by source IRI or by
content (SHA-256); with several, the one sharing most sources, then the smallest IRI. A deleted resource
minted from the deleted document's slug (``…/{kind}/{old-slug}`` followed by nothing, ``/`` or ``-``) has
as successor the same IRI with the successor's slug when that exists, else the successor document (with
several such deleted documents, the shortest slug).

**Memory does not grow with the corpus (issue 6).** The state of the last recorded release is an SQLite
database, ``<store>/history/state.sqlite``: ``hashes`` (IRI → 32-byte hash), ``sources`` (document →
source IRIs and SHA-256s), ``gone`` (the IRIs whose latest change is a delete, for 410 Gone),
``log_index`` (the byte offset of every 256th log line, for the feed's pages) and ``meta`` (build id,
how many lines and bytes of the log it accounts for). A build streams the quads once: Oxigraph's dump
comes grouped by graph then subject, so one (graph, subject) run at a time is summed and written as a
partial hash row to a scratch table; the partial rows are summed per IRI in IRI order (SQLite sorts on
disk), and the old and new tables are compared by indexed joins that visit IRIs in order. A deleted
document's successor is one indexed query on its own sources. The process holds one run, a batch of rows
and SQLite's page caches (16 MB for each of the new, old and scratch databases), whatever the size of the
dataset: about 100 MB at 1,000 and at 5,000 documents (benchmarks/BUILD.md).

**Crash safety.** The new state is written to a temporary database next to the old one. The log lines
are appended (never rewritten) after truncating the log to the length the old state accounts for, then
fsynced, then the new state replaces the old (``os.replace``). A build killed at any point leaves the old
state, whose length cuts off whatever it had appended; readers only read as far as the state says.

**An earlier version's ``state.json``** (one JSON object of every hash) is migrated the first time a
release is recorded: its hashes, sources and log length go into ``state.sqlite`` (the gone IRIs and the
page index are rebuilt from the log), then the file is removed; the hashes are computed the same way, so
the next release records only what really changed. That one read holds the old file in memory, as the
earlier version did at every build. Until then, the readers read the log as the earlier version did.

Readers (the web process, reading the committed state; each call costs an indexed lookup or one page of
the log, never the whole history): :func:`count`, :func:`page`, :func:`gone`, :func:`recorded` and
:func:`changes_under` (the changes of the IRIs under a prefix, e.g. the documents for OAI-PMH: a few
probes per build, then only the matching lines); and, reading everything, :func:`changes` and
:func:`deleted`.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import heapq
import json
import os
import re
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import BinaryIO, Literal

from .dumps import Manifest, dumps_root, write_dumps_with
from .errors import StoreError
from .files import fsync_path, locked
from .settings import Settings
from .store import ReleaseInfo

HISTORY = "history"
LOG = "changes.jsonl"
STATE = "state.sqlite"
LEGACY_STATE = "state.json"
LOCK = ".lock"
STRIDE = 256
"""The log's byte offset is indexed every this many lines (a feed page reads at most this many more)."""
BATCH = 20_000
"""Rows written to SQLite per ``executemany``."""
CACHE_KIB = 16_384
"""SQLite's page cache per database, in KiB (its sorter spills to disk beyond it)."""
PROV_DERIVED = "<http://www.w3.org/ns/prov#wasDerivedFrom>"
DCT_IDENTIFIER = "<http://purl.org/dc/terms/identifier>"
_MOD = 1 << 256
_PROV_DERIVED = PROV_DERIVED.encode()
_DCT_IDENTIFIER = DCT_IDENTIFIER.encode()
_BNODE = re.compile(r"_:\S+")

Kind = Literal["create", "update", "delete"]

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE hashes (iri TEXT PRIMARY KEY, hash BLOB NOT NULL) WITHOUT ROWID;
CREATE TABLE sources (doc TEXT NOT NULL, key TEXT NOT NULL, PRIMARY KEY (doc, key)) WITHOUT ROWID;
CREATE INDEX sources_by_key ON sources (key);
CREATE TABLE gone (iri TEXT PRIMARY KEY, change TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE log_index (line INTEGER PRIMARY KEY, offset INTEGER NOT NULL);
"""
_SCRATCH = """
CREATE TABLE scratch.parts (iri TEXT NOT NULL, part BLOB NOT NULL, weak INTEGER NOT NULL);
CREATE TABLE scratch.derived (doc TEXT NOT NULL, key TEXT NOT NULL);
CREATE TABLE scratch.shas (source TEXT PRIMARY KEY, sha TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE scratch.successors (doc TEXT PRIMARY KEY, slug TEXT NOT NULL, target TEXT NOT NULL)
    WITHOUT ROWID;
CREATE INDEX scratch.successors_by_slug ON successors (slug);
"""
_CREATES = """SELECT n.iri FROM main.hashes AS n
WHERE NOT EXISTS (SELECT 1 FROM old.hashes AS o WHERE o.iri = n.iri) ORDER BY n.iri"""
_UPDATES_AND_DELETES = """SELECT o.iri, n.hash IS NULL FROM old.hashes AS o
LEFT JOIN main.hashes AS n ON n.iri = o.iri WHERE n.hash IS NULL OR n.hash != o.hash ORDER BY o.iri"""
_DELETED_DOCUMENTS = """SELECT DISTINCT o.doc FROM old.sources AS o
WHERE NOT EXISTS (SELECT 1 FROM main.hashes AS n WHERE n.iri = o.doc) ORDER BY o.doc"""
_MOST_SHARED = """SELECT n.doc FROM old.sources AS o JOIN main.sources AS n ON n.key = o.key
WHERE o.doc = ?1 AND n.doc != ?1 GROUP BY n.doc ORDER BY COUNT(*) DESC, n.doc LIMIT 1"""


@dataclass(frozen=True)
class Change:
    """One activity of the change history: what happened to ``iri`` in build ``build_id``."""

    iri: str
    kind: Kind
    build_id: str
    time: datetime
    """When the release holding the change was published (timezone-aware UTC)."""
    successor: str | None = None
    """For a delete: the resource that took its place (a merge), else None."""

    def to_json(self) -> str:
        return _json_line(
            self.iri, self.kind, self.build_id, self.time.isoformat(timespec="seconds"), self.successor
        )

    @classmethod
    def from_json(cls, text: str | bytes) -> Change:
        record = json.loads(text)
        kind = record["kind"]
        if kind not in ("create", "update", "delete"):
            raise ValueError(f"unknown change kind {kind!r}")
        return cls(
            iri=str(record["iri"]),
            kind=kind,
            build_id=str(record["build_id"]),
            time=datetime.fromisoformat(record["time"]),
            successor=str(record["successor"]) if record.get("successor") else None,
        )


def _json_line(iri: str, kind: str, build_id: str, time: str, successor: str | None) -> str:
    """One log line (the JSON ``json.dumps`` would write for the record, without building a dict).

    >>> _json_line("http://x/é", "delete", "b1", "2026-01-01T00:00:00+00:00", None) == json.dumps(
    ...     {"iri": "http://x/é", "kind": "delete", "build_id": "b1", "time": "2026-01-01T00:00:00+00:00",
    ...      "successor": None}, ensure_ascii=False)
    True
    """
    dump = json.dumps
    after = "null" if successor is None else dump(successor, ensure_ascii=False)
    return (
        f'{{"iri": {dump(iri, ensure_ascii=False)}, "kind": "{kind}", "build_id": {dump(build_id)}, '
        f'"time": {dump(time)}, "successor": {after}}}'
    )


@dataclass(frozen=True)
class Recorded:
    """What recording one release added to the log (all zero when it was recorded before)."""

    build_id: str
    created: int = 0
    updated: int = 0
    deleted: int = 0

    @property
    def total(self) -> int:
        return self.created + self.updated + self.deleted


def split_quad(line: str) -> tuple[str, str, str, str | None] | None:
    """(subject, predicate, object, graph or None) of one N-Quads line as Oxigraph writes it; else None.

    An IRI has no space and a literal always ends in its closing quote (or its language tag or datatype
    after it), so the graph is the last term when it is an IRI or blank node with no quote.

    >>> split_quad('<http://x/s> <http://x/p> "a \\\\"b\\\\" <c>" <http://x/g> .')
    ('<http://x/s>', '<http://x/p>', '"a \\\\"b\\\\" <c>"', '<http://x/g>')
    >>> split_quad('_:b1 <http://x/p> "1 2"^^<http://www.w3.org/2001/XMLSchema#integer> .')[2:]
    ('"1 2"^^<http://www.w3.org/2001/XMLSchema#integer>', None)
    >>> split_quad("# a comment") is None, split_quad("") is None
    (True, True)
    """
    first = line.find(" ")
    second = line.find(" ", first + 1)
    body = line[second + 1 :].rstrip()
    if first <= 0 or second < 0 or not body.endswith(" .") or line[0] not in "<_" or line[first + 1] != "<":
        return None
    rest = body[:-2].rstrip()
    last = rest.rfind(" ")
    graph = rest[last + 1 :]
    if last > 0 and graph[:1] in "<_" and '"' not in graph:
        return line[:first], line[first + 1 : second], rest[:last], graph
    return line[:first], line[first + 1 : second], rest, None


def line_hash(line: str) -> int:
    """The SHA-256 of one N-Triples line as an integer (summed: a hash of the multiset of lines).

    >>> line_hash("<a> <b> <c> .") == line_hash("<a> <b> <c> .") != line_hash("<a> <b> <d> .")
    True
    """
    return int.from_bytes(hashlib.sha256(line.encode()).digest(), "big")


def _blob(total: int) -> bytes:
    return (total % _MOD).to_bytes(32, "big")


class _Digest:
    """Streams N-Quads into partial description hashes (``scratch.parts``), derivations and checksums.

    One (graph, subject) run is summed at a time; a run cut in two (a dump not grouped by subject) just
    gives two partial rows of the same IRI, which the sum per IRI adds up. Lines are bytes: without a
    blank node a resource's line and its document graph's line are the quad minus its graph, hashed as
    they come; a line with ``_:`` takes the slower way of :func:`split_quad` and label replacement.
    """

    def __init__(self, db: sqlite3.Connection, base: str) -> None:
        self.db = db
        self.ids = f"<{base}/id/".encode()
        self.builds = f"<{base}/id/build/".encode()
        self.doc_graphs = f"<{base}/graph/document/".encode()
        self.source_ids = f"<{base}/id/source/".encode()
        self.documents = f"{base}/id/document/"
        self.graph = b"\0"
        """The graph of the current run (empty for the default graph; NUL before the first quad)."""
        self.document: str | None = None
        self.graph_sum = 0
        self.subject = b""
        self.own = False
        self.subject_sum = 0
        self.parts: list[tuple[str, bytes, int]] = []
        self.derived: list[tuple[str, str]] = []
        self.shas: list[tuple[str, str]] = []

    def consume(self, lines: Iterable[bytes]) -> None:
        """Take lines of N-Quads (anything that is not a quad, such as a comment, is skipped).

        The common case (no blank node, an IRI subject, an IRI graph, a line ending in `` .``) is hashed
        in this loop as it comes; anything else goes through :meth:`_add_text`.
        """
        sha256, from_bytes = hashlib.sha256, int.from_bytes
        prov, identifier = _PROV_DERIVED, _DCT_IDENTIFIER
        for raw in lines:
            end = len(raw) - 3
            if b"_:" in raw or raw[end:] != b" .\n" or raw[end - 1] == 32:
                self._add_text(raw.decode("utf-8"))
                continue
            first = raw.find(b" ")
            second = raw.find(b" ", first + 1)
            last = raw.rfind(b" ", second + 1, end)
            if (
                first <= 0
                or raw[0] != 60
                or raw[first + 1] != 60
                or last <= second + 1
                or raw[last + 1] != 60
            ):
                self._add_text(raw.decode("utf-8"))  # 60: "<"; no IRI graph: the default graph, or not a quad
                continue
            graph = raw[last + 1 : end]
            if 34 in graph:  # 34: '"', the end of a literal object: no graph after all
                self._add_text(raw.decode("utf-8"))
                continue
            if graph != self.graph or raw[:first] != self.subject:
                self._enter(graph, raw[:first])
            if self.own or self.document is not None:
                digest = from_bytes(sha256(raw[:last] + b" .").digest(), "big")
                if self.own:
                    self.subject_sum += digest
                if self.document is not None:
                    self.graph_sum += digest
            predicate = raw[first + 1 : second]
            if predicate in (prov, identifier):
                self._link(raw[:first].decode(), predicate.decode(), raw[second + 1 : last].decode())
            if len(self.parts) >= BATCH:
                self.flush()

    def _add_text(self, line: str) -> None:
        """Any other line, e.g. one holding ``_:``: blank node labels become ``_:b`` (in literals too)."""
        quad = split_quad(line)
        if quad is None:
            return
        s, p, o, g = quad
        self._enter((g or "").encode(), s.encode())
        if self.own or self.document is not None:
            own = line_hash(f"{s} {p} {_BNODE.sub('_:b', o)} .")
            if self.own:
                self.subject_sum += own
            if self.document is not None:
                self.graph_sum += line_hash(f"{_BNODE.sub('_:b', s)} {p} {o} .")
        self._link(s, p, o)
        if len(self.parts) >= BATCH:
            self.flush()

    def _enter(self, graph: bytes, subject: bytes) -> None:
        """Start a new run when the graph or the subject changes."""
        if graph != self.graph:
            self._end_subject()
            self._end_graph()
            self.graph = graph
            if graph.startswith(self.doc_graphs):
                self.document = self.documents + graph[len(self.doc_graphs) : -1].decode()
        if subject != self.subject:
            self._end_subject()
            self.subject = subject
            self.own = subject.startswith(self.ids) and not subject.startswith(self.builds)

    def _link(self, s: str, p: str, o: str) -> None:
        """A document graph's source (``prov:wasDerivedFrom``) or a source's checksum (``dct:identifier``)."""
        if p == PROV_DERIVED:
            doc_graphs = self.doc_graphs.decode()
            if s.startswith(doc_graphs) and o.startswith("<"):
                self.derived.append((self.documents + s[len(doc_graphs) : -1], o[1:-1]))
        elif p == DCT_IDENTIFIER and s.startswith(self.source_ids.decode()) and o.startswith('"sha256:'):
            self.shas.append((s[1:-1], o[1:].split('"', 1)[0]))

    def finish(self) -> None:
        self._end_subject()
        self._end_graph()
        self.flush()

    def flush(self) -> None:
        self.db.executemany("INSERT INTO scratch.parts VALUES (?, ?, ?)", self.parts)
        self.db.executemany("INSERT INTO scratch.derived VALUES (?, ?)", self.derived)
        self.db.executemany("INSERT OR REPLACE INTO scratch.shas VALUES (?, ?)", self.shas)
        self.parts, self.derived, self.shas = [], [], []

    def _end_subject(self) -> None:
        if self.own:
            self.parts.append((self.subject[1:-1].decode(), _blob(self.subject_sum), 0))
        self.subject, self.own, self.subject_sum = b"", False, 0

    def _end_graph(self) -> None:
        if self.document is not None:
            self.parts.append((self.document, _blob(self.graph_sum), 0))
        self.graph, self.document, self.graph_sum = b"\0", None, 0


class _Recorder:
    """Computes one release's state in a new database and appends its changes to the log."""

    def __init__(self, root: Path, old: Path | None, base: str, release: ReleaseInfo) -> None:
        self.root = root
        self.old = old
        self.base = base
        self.ids = f"{base}/id/"
        self.release = release
        self.time = release.created.isoformat(timespec="seconds")
        self.work = root / f"{STATE}.tmp-{os.getpid()}"
        self.counts = {"create": 0, "update": 0, "delete": 0}
        self.merges = 0

    def run(self, stream: Iterable[bytes]) -> Recorded:
        for stale in self.root.glob(f"{STATE}.tmp-*"):  # left by killed builds (the lock is held)
            stale.unlink(missing_ok=True)
        try:
            self._compute(stream)
            fsync_path(self.work)
            os.replace(self.work, self.root / STATE)
            fsync_path(self.root)
            os.utime(self.root / LOG)  # a new version of the history, even when no line was added
        finally:
            self.work.unlink(missing_ok=True)
        c = self.counts
        return Recorded(self.release.build_id, c["create"], c["update"], c["delete"])

    def _compute(self, stream: Iterable[bytes]) -> None:
        """Write the new state into ``self.work`` and append the changes to the log (uncommitted)."""
        db = _connect(self.work)
        try:
            db.execute("PRAGMA journal_mode = OFF")
            db.execute("PRAGMA synchronous = OFF")
            db.execute("ATTACH DATABASE '' AS scratch")
            db.execute(f"PRAGMA scratch.cache_size = -{CACHE_KIB}")
            if self.old is not None:
                db.execute("ATTACH DATABASE ? AS old", (f"{self.old.absolute().as_uri()}?mode=ro",))
            db.executescript(_SCHEMA + _SCRATCH)  # (executescript commits first: before BEGIN)
            db.execute("BEGIN")
            digest = _Digest(db, self.base)
            digest.consume(stream)
            digest.finish()
            self._sources(db)
            self._hashes(db)
            lines, size = 0, 0
            if self.old is not None:
                lines, size = _committed(db, "old")
                db.execute("INSERT INTO main.gone SELECT iri, change FROM old.gone")
                db.execute("INSERT INTO main.log_index SELECT line, offset FROM old.log_index")
                self._successors(db)
            lines, size = self._append(db, lines, size)
            meta = {"schema": "1", "build_id": self.release.build_id, "log_lines": lines, "log_bytes": size}
            db.executemany("INSERT INTO main.meta VALUES (?, ?)", [(k, str(v)) for k, v in meta.items()])
            db.execute("COMMIT")
        finally:
            db.close()

    def _sources(self, db: sqlite3.Connection) -> None:
        """``main.sources`` (each document's source IRIs and their SHA-256) and the weak "sources:" parts."""
        db.execute(
            "INSERT OR IGNORE INTO main.sources (doc, key) SELECT doc, key FROM scratch.derived "
            "UNION SELECT d.doc, s.sha FROM scratch.derived AS d JOIN scratch.shas AS s ON s.source = d.key"
        )
        rows: list[tuple[str, bytes, int]] = []
        document, keys = "", list[str]()
        for doc, key in db.execute("SELECT DISTINCT doc, key FROM scratch.derived ORDER BY doc, key"):
            if doc != document:
                if keys:
                    rows.append((document, _blob(line_hash("sources: " + " ".join(keys))), 1))
                document, keys = doc, []
            keys.append(key)
            if len(rows) >= BATCH:
                db.executemany("INSERT INTO scratch.parts VALUES (?, ?, ?)", rows)
                rows = []
        if keys:
            rows.append((document, _blob(line_hash("sources: " + " ".join(keys))), 1))
        db.executemany("INSERT INTO scratch.parts VALUES (?, ?, ?)", rows)

    def _hashes(self, db: sqlite3.Connection) -> None:
        """Sum the partial rows per IRI (in IRI order) into ``main.hashes``; weak rows alone make no IRI."""
        rows: list[tuple[str, bytes]] = []
        iri, total, strong = "", 0, False
        for current, part, weak in db.execute("SELECT iri, part, weak FROM scratch.parts ORDER BY iri"):
            if current != iri:
                if strong:
                    rows.append((iri, _blob(total)))
                iri, total, strong = current, 0, False
                if len(rows) >= BATCH:
                    db.executemany("INSERT INTO main.hashes VALUES (?, ?)", rows)
                    rows = []
            total += int.from_bytes(part, "big")
            strong = strong or not weak
        if strong:
            rows.append((iri, _blob(total)))
        db.executemany("INSERT INTO main.hashes VALUES (?, ?)", rows)
        db.execute("DELETE FROM scratch.parts")

    def _successors(self, db: sqlite3.Connection) -> None:
        """``scratch.successors``: every deleted document that has a successor, its slug and the successor."""
        found: list[tuple[str, str, str]] = []
        for (doc,) in db.execute(_DELETED_DOCUMENTS):
            row = db.execute(_MOST_SHARED, (doc,)).fetchone()
            if row is not None:
                found.append((doc, doc.rsplit("/", 1)[1], str(row[0])))
                self.merges += 1
            if len(found) >= BATCH:
                db.executemany("INSERT INTO scratch.successors VALUES (?, ?, ?)", found)
                found = []
        db.executemany("INSERT INTO scratch.successors VALUES (?, ?, ?)", found)

    def _successor(self, db: sqlite3.Connection, iri: str) -> str | None:
        """The successor of the deleted ``iri`` (see the module doc); a few indexed lookups."""
        if not self.merges:
            return None
        row = db.execute("SELECT target FROM scratch.successors WHERE doc = ?", (iri,)).fetchone()
        if row is not None:
            return str(row[0])
        kind, _, rest = iri.removeprefix(self.ids).partition("/")
        cuts = [i for i, char in enumerate(rest) if char in "/-" and i > 0] + [len(rest)]
        for cut in cuts:  # the shortest slug first: the first of the matching documents in IRI order
            row = db.execute(
                "SELECT target FROM scratch.successors WHERE slug = ? ORDER BY doc LIMIT 1", (rest[:cut],)
            ).fetchone()
            if row is not None:
                merged = str(row[0])
                candidate = f"{self.ids}{kind}/{merged.rsplit('/', 1)[1]}{rest[cut:]}"
                exists = db.execute("SELECT 1 FROM main.hashes WHERE iri = ?", (candidate,)).fetchone()
                return candidate if exists is not None else merged
        return None

    def _changes(self, db: sqlite3.Connection) -> Iterator[tuple[str, Kind]]:
        """Every change, in IRI order: creates merged with updates and deletes (only changed rows read)."""
        if self.old is None:
            return ((iri, "create") for (iri,) in db.execute("SELECT iri FROM main.hashes ORDER BY iri"))
        creates: Iterator[tuple[str, Kind]] = ((iri, "create") for (iri,) in db.execute(_CREATES))
        others: Iterator[tuple[str, Kind]] = (
            (iri, "delete" if removed else "update") for iri, removed in db.execute(_UPDATES_AND_DELETES)
        )
        return heapq.merge(creates, others)

    def _append(self, db: sqlite3.Connection, lines: int, size: int) -> tuple[int, int]:
        """Append the changes to the log from the old state's length; return the new (lines, bytes)."""
        log = self.root / LOG
        actual = log.stat().st_size if log.exists() else 0
        if actual < size:
            raise StoreError(
                f"{log} holds {actual} bytes but the recorded history accounts for {size}: it was cut or "
                f"replaced; remove the folder {self.root} to start the history afresh"
            )
        log.touch()
        os.truncate(log, size)  # what a killed build appended after the state it never committed
        gone = db.execute("SELECT EXISTS (SELECT 1 FROM main.gone)").fetchone()[0]
        put: list[tuple[str, str]] = []
        cleared: list[tuple[str]] = []
        index: list[tuple[int, int]] = []
        build_id, time = self.release.build_id, self.time
        with log.open("ab") as out:
            for iri, kind in self._changes(db):
                successor = self._successor(db, iri) if kind == "delete" else None
                text = _json_line(iri, kind, build_id, time, successor)
                if lines % STRIDE == 0:
                    index.append((lines, size))
                data = text.encode() + b"\n"
                out.write(data)
                lines += 1
                size += len(data)
                self.counts[kind] += 1
                if kind == "delete":
                    put.append((iri, text))
                elif kind == "create" and gone:
                    cleared.append((iri,))
                if len(put) + len(cleared) + len(index) >= BATCH:
                    self._apply(db, put, cleared, index)
            self._apply(db, put, cleared, index)
            out.flush()
            os.fsync(out.fileno())
        return lines, size

    @staticmethod
    def _apply(
        db: sqlite3.Connection,
        put: list[tuple[str, str]],
        cleared: list[tuple[str]],
        index: list[tuple[int, int]],
    ) -> None:
        db.executemany("INSERT OR REPLACE INTO main.gone VALUES (?, ?)", put)
        db.executemany("DELETE FROM main.gone WHERE iri = ?", cleared)
        db.executemany("INSERT INTO main.log_index VALUES (?, ?)", index)
        put.clear()
        cleared.clear()
        index.clear()


def _connect(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path.absolute().as_uri(), uri=True, isolation_level=None)
    db.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
    return db


def _committed(db: sqlite3.Connection, schema: str = "main") -> tuple[int, int]:
    """(log lines, log bytes) the state accounts for."""
    meta = dict(db.execute(f"SELECT key, value FROM {schema}.meta"))
    return int(meta["log_lines"]), int(meta["log_bytes"])


def _recorded_build(path: Path) -> str | None:
    db = sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True)
    try:
        row = db.execute("SELECT value FROM meta WHERE key = 'build_id'").fetchone()
    finally:
        db.close()
    return None if row is None else str(row[0])


def _record(settings: Settings, release: ReleaseInfo, stream: Iterable[bytes]) -> Recorded:
    """Record ``release`` from its N-Quads ``stream`` (lines of bytes); see the module doc."""
    root = history_root(settings)
    try:
        root.mkdir(parents=True, exist_ok=True)
        with locked(root / LOCK):
            _migrate(root)
            state = root / STATE
            old = state if state.exists() else None
            if old is not None and _recorded_build(old) == release.build_id:
                return Recorded(release.build_id)
            return _Recorder(root, old, settings.base_uri, release).run(stream)
    except (OSError, ValueError, KeyError, TypeError, sqlite3.Error, StoreError) as exc:
        raise StoreError(
            f"release {release.build_id} was published, but its change history was not recorded: {exc}"
        ) from exc


def record_history(settings: Settings, release: ReleaseInfo, manifest: Manifest) -> Recorded:
    """Append the changes of the just-published ``release`` (read from its N-Quads dump) to the log.

    Idempotent: a release already recorded adds nothing. Returns what it added.
    """
    dump = next((f for f in manifest.files if f.format == "nquads"), None)
    if dump is None:
        raise StoreError(f"the dumps of release {release.build_id} have no N-Quads file")
    path = dumps_root(settings) / manifest.version / dump.name
    try:
        with gzip.open(path, "rb") as handle:
            return _record(settings, release, handle)
    except OSError as exc:
        raise StoreError(
            f"release {release.build_id} was published, but its change history was not recorded: {exc}"
        ) from exc


def record_release(
    settings: Settings, release: ReleaseInfo, *, processes: bool | None = None
) -> tuple[Manifest, Recorded]:
    """Write the dumps of the just-published ``release`` and record its changes, at the same time.

    The store is exported once; the dump writers and the history read the same stream, in separate
    processes for a large release (:func:`ldpub.dumps.write_dumps_with`). Idempotent like
    :func:`~ldpub.dumps.write_dumps` and :func:`record_history`. Raises :class:`StoreError`.
    """
    manifest, recorded = write_dumps_with(settings, release, read_release, processes=processes)
    if recorded is None:  # dumped by an earlier attempt: the history reads the N-Quads dump
        recorded = record_history(settings, release, manifest)
    return manifest, recorded


def read_release(settings: Settings, release: ReleaseInfo, stream: BinaryIO) -> Recorded:
    """The reader :func:`record_release` gives the dump writers' stream (module level: it is pickled)."""
    return _record(settings, release, stream)


def _migrate(root: Path) -> None:
    """Turn an earlier version's ``state.json`` into ``state.sqlite`` (see the module doc); once."""
    legacy = root / LEGACY_STATE
    if not legacy.exists():
        return
    if (root / STATE).exists():  # migrated, killed before the old file was removed
        legacy.unlink()
        return
    try:
        record = json.loads(legacy.read_text(encoding="utf-8"))
        hashes = sorted((str(iri), bytes.fromhex(value)) for iri, value in record["hashes"].items())
        sources = sorted({(str(doc), str(key)) for doc, keys in record["sources"].items() for key in keys})
        wanted = int(record["log_lines"])
        build_id = str(record["build_id"])
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise StoreError(
            f"{legacy} is not the change-history state of an earlier ldpub ({exc}); remove it and "
            f"{root / LOG} to start the history afresh"
        ) from exc
    work = root / f"{STATE}.tmp-{os.getpid()}"
    work.unlink(missing_ok=True)
    db = _connect(work)
    try:
        db.execute("PRAGMA journal_mode = OFF")
        db.executescript(_SCHEMA)
        db.execute("BEGIN")
        db.executemany("INSERT INTO hashes VALUES (?, ?)", hashes)
        db.executemany("INSERT INTO sources VALUES (?, ?)", sources)
        del hashes, sources, record
        lines, size = 0, 0
        log = root / LOG
        with contextlib.suppress(FileNotFoundError), log.open("rb") as handle:
            for raw in handle:
                if lines >= wanted:
                    break
                if raw.strip():
                    if lines % STRIDE == 0:
                        db.execute("INSERT INTO log_index VALUES (?, ?)", (lines, size))
                    _replay(db, raw)
                    lines += 1
                size += len(raw)
        meta = {"schema": "1", "build_id": build_id, "log_lines": lines, "log_bytes": size}
        db.executemany("INSERT INTO meta VALUES (?, ?)", [(k, str(v)) for k, v in meta.items()])
        db.execute("COMMIT")
    finally:
        db.close()
    try:
        fsync_path(work)
        os.replace(work, root / STATE)
        fsync_path(root)
        legacy.unlink()
    finally:
        work.unlink(missing_ok=True)


def _replay(db: sqlite3.Connection, raw: bytes) -> None:
    """Keep ``gone`` in step with one log line (a delete puts the IRI in, anything else takes it out)."""
    try:
        change = Change.from_json(raw)
    except (ValueError, KeyError, TypeError):
        return
    if change.kind == "delete":
        db.execute("INSERT OR REPLACE INTO gone VALUES (?, ?)", (change.iri, raw.decode().strip()))
    else:
        db.execute("DELETE FROM gone WHERE iri = ?", (change.iri,))


def history_root(settings: Settings) -> Path:
    """``<store>/history``: the change log and the state of the last recorded release."""
    return Path(settings.store) / HISTORY


# --- readers ----------------------------------------------------------------------------------------


_local = threading.local()


def _reader(settings: Settings) -> sqlite3.Connection | None:
    """A read-only connection to the committed state (one per thread, reopened when a build replaced it)."""
    path = (history_root(settings) / STATE).absolute()
    try:
        st = os.stat(path)
    except OSError:
        return None
    stamp = (st.st_ino, st.st_mtime_ns, st.st_size)
    opened: dict[str, tuple[tuple[int, int, int], sqlite3.Connection]] = _local.__dict__.setdefault(
        "open", {}
    )
    found = opened.get(str(path))
    if found is not None and found[0] == stamp:
        return found[1]
    if found is not None:
        found[1].close()
    try:  # immutable: the file is never changed in place, only replaced (this handle keeps its version)
        connection = sqlite3.connect(f"{path.as_uri()}?mode=ro&immutable=1", uri=True)
    except sqlite3.Error:
        return None
    opened[str(path)] = (stamp, connection)
    return connection


def _read_log(settings: Settings, start: int, size: int | None) -> list[Change]:
    """Changes ``start`` to ``start + size`` of the committed log (all from ``start`` if ``size`` is None)."""
    db = _reader(settings)
    if db is None:
        everything = _legacy(settings)[0]
        return everything[start:] if size is None else everything[start : start + size]
    try:
        lines, limit = _committed(db)
        row = db.execute(
            "SELECT line, offset FROM log_index WHERE line <= ? ORDER BY line DESC LIMIT 1", (start,)
        ).fetchone()
    except sqlite3.Error:
        return []
    end = lines if size is None else min(lines, start + size)
    line, offset = (int(row[0]), int(row[1])) if row is not None else (0, 0)
    found: list[Change] = []
    if start >= end:
        return found
    try:
        with (history_root(settings) / LOG).open("rb") as handle:
            handle.seek(offset)
            while line < end and offset < limit:
                raw = handle.readline()
                if not raw:
                    break
                offset += len(raw)
                if not raw.strip():
                    continue
                if line >= start:
                    with contextlib.suppress(ValueError, KeyError, TypeError):
                        found.append(Change.from_json(raw))
                line += 1
    except OSError:
        return found
    return found


def count(settings: Settings) -> int:
    """How many changes the committed history holds."""
    db = _reader(settings)
    if db is None:
        return len(_legacy(settings)[0])
    try:
        return _committed(db)[0]
    except (sqlite3.Error, KeyError, ValueError):
        return 0


def page(settings: Settings, start: int, size: int) -> list[Change]:
    """Changes ``start`` to ``start + size - 1`` (oldest first), reading one page of the log."""
    return _read_log(settings, max(0, start), max(0, size))


def recorded(settings: Settings) -> tuple[str, int] | None:
    """(build id, log lines) of the last recorded release, from the committed state (one indexed read);
    None when no history was recorded. An earlier version's log (no ``state.sqlite`` yet) is read whole."""
    db = _reader(settings)
    if db is None:
        everything = _legacy(settings)[0]
        return (everything[-1].build_id, len(everything)) if everything else None
    try:
        meta = dict(db.execute("SELECT key, value FROM meta WHERE key IN ('build_id', 'log_lines')"))
        return str(meta["build_id"]), int(meta["log_lines"])
    except (sqlite3.Error, KeyError, ValueError):
        return None


def changes_under(
    settings: Settings, prefix: str, start: int = 0, *, nested: bool = True
) -> Iterator[Change]:
    """The committed changes from line ``start`` on whose IRI starts with ``prefix``, oldest first.

    With ``nested`` False, only IRIs with no ``/`` after ``prefix`` (``…/id/document/<slug>``, not
    ``…/id/document/<slug>/title``). Reads only those lines and a few more per build: a build's lines are
    contiguous and sorted by IRI, so the end of each build and the first line of ``prefix`` in it are found
    by binary search over the indexed lines (one line read per probe, then at most :data:`STRIDE` lines),
    and the matching lines are one stretch. An earlier version's log (no ``state.sqlite``) is read whole.
    """
    db = _reader(settings)
    if db is None:
        for change in _legacy(settings)[0][max(0, start) :]:
            if change.iri.startswith(prefix) and (nested or "/" not in change.iri[len(prefix) :]):
                yield change
        return
    try:
        lines, limit = _committed(db)
        handle = (history_root(settings) / LOG).open("rb")
    except (sqlite3.Error, KeyError, ValueError, OSError):
        return
    with handle:
        log = _Lines(db, handle, lines, limit)
        position = max(0, start)
        while position < lines:
            build = log.change(position)
            if build is None:
                return
            end = log.first(position, lines, _other_build(build.build_id))
            line = log.first(position, end, lambda change: change.iri >= prefix)
            yield from log.run(line, end, prefix, nested)
            position = end


def _other_build(build_id: str) -> Callable[[Change], bool]:
    return lambda change: change.build_id != build_id


class _Lines:
    """Random access to the committed log's lines through ``log_index`` (every :data:`STRIDE` th line)."""

    def __init__(self, db: sqlite3.Connection, handle: BinaryIO, lines: int, limit: int) -> None:
        self.db, self.handle, self.lines, self.limit = db, handle, lines, limit

    def _seek(self, line: int) -> int:
        """Position the file at ``line`` (or the indexed line before it); return the line reached."""
        block = line - line % STRIDE
        row = self.db.execute("SELECT offset FROM log_index WHERE line = ?", (block,)).fetchone()
        if row is None:  # cannot happen in a state this module wrote; read from the start
            block, offset = 0, 0
        else:
            offset = int(row[0])
        self.handle.seek(offset)
        while block < line:
            if self._raw() is None:
                break
            block += 1
        return block

    def _raw(self) -> bytes | None:
        """The next non-blank line within the committed length, else None."""
        while self.handle.tell() < self.limit:
            raw = self.handle.readline()
            if not raw:
                return None
            if raw.strip():
                return raw
        return None

    def change(self, line: int) -> Change | None:
        """The change on ``line`` (None past the end or for a line that is not one)."""
        if line >= self.lines or self._seek(line) != line:
            return None
        raw = self._raw()
        try:
            return None if raw is None else Change.from_json(raw)
        except (ValueError, KeyError, TypeError):
            return None

    def first(self, start: int, end: int, wanted: Callable[[Change], bool]) -> int:
        """The first line in [start, end) whose change is ``wanted`` (else ``end``), ``wanted`` being
        false then true along the stretch: a binary search over the indexed lines, then a short scan."""
        low, high = start // STRIDE + 1, (end - 1) // STRIDE  # indexed blocks strictly after ``start``
        before = start
        while low <= high:
            middle = (low + high) // 2
            change = self.change(middle * STRIDE)
            if change is not None and wanted(change):
                high = middle - 1
            else:
                before, low = middle * STRIDE, middle + 1
        line = self._seek(before)
        while line < end:
            raw = self._raw()
            if raw is None:
                return end
            with contextlib.suppress(ValueError, KeyError, TypeError):
                if wanted(Change.from_json(raw)):
                    return line
            line += 1
        return end

    def run(self, line: int, end: int, prefix: str, nested: bool) -> Iterator[Change]:
        """The changes from ``line`` on (before ``end``) while their IRI starts with ``prefix``."""
        if line >= end:
            return
        self._seek(line)
        head, start = b'{"iri": "', prefix.encode()
        while line < end:
            raw = self._raw()
            if raw is None:
                return
            line += 1
            quote = raw.find(b'"', len(head))
            iri = raw[len(head) : quote]
            if raw.startswith(head) and quote > 0 and b"\\" not in iri:  # the log's layout: no need to parse
                if not iri.startswith(start):
                    return
                if not nested and b"/" in iri[len(start) :]:
                    continue
            try:
                change = Change.from_json(raw)
            except (ValueError, KeyError, TypeError):
                continue
            if not change.iri.startswith(prefix):
                return
            if nested or "/" not in change.iri[len(prefix) :]:
                yield change


def changes(settings: Settings) -> list[Change]:
    """Every recorded change, oldest first (builds in publishing order, IRIs sorted within a build).

    Reads the whole log: use :func:`count` and :func:`page` where a page will do.
    """
    return _read_log(settings, 0, None)


def deleted(settings: Settings) -> dict[str, Change]:
    """IRI → its delete, for every resource whose latest change is a delete (not created again since)."""
    db = _reader(settings)
    if db is None:
        return dict(_legacy(settings)[1])
    found: dict[str, Change] = {}
    with contextlib.suppress(sqlite3.Error):
        for iri, text in db.execute("SELECT iri, change FROM gone ORDER BY iri"):
            with contextlib.suppress(ValueError, KeyError, TypeError):
                found[str(iri)] = Change.from_json(text)
    return found


def gone(settings: Settings, iri: str) -> Change | None:
    """The delete of ``iri`` when it is its latest change (the 410 Gone check: one indexed lookup)."""
    db = _reader(settings)
    if db is None:
        return _legacy(settings)[1].get(iri)
    try:
        row = db.execute("SELECT change FROM gone WHERE iri = ?", (iri,)).fetchone()
        return None if row is None else Change.from_json(row[0])
    except (sqlite3.Error, ValueError, KeyError, TypeError):
        return None


_LEGACY: dict[str, tuple[tuple[int, int, int], list[Change], dict[str, Change]]] = {}


def _legacy(settings: Settings) -> tuple[list[Change], dict[str, Change]]:
    """The log as an earlier version kept it (no ``state.sqlite`` yet): read whole, cached per version."""
    path = history_root(settings) / LOG
    try:
        st = os.stat(path)
    except OSError:
        return [], {}
    stamp = (st.st_ino, st.st_mtime_ns, st.st_size)
    cached = _LEGACY.get(str(path))
    if cached is not None and cached[0] == stamp:
        return cached[1], cached[2]
    found: list[Change] = []
    with contextlib.suppress(OSError), path.open("rb") as handle:
        for raw in handle:
            if raw.strip():
                with contextlib.suppress(ValueError, KeyError, TypeError):
                    found.append(Change.from_json(raw))
    latest: dict[str, Change] = {}
    for change in found:
        latest[change.iri] = change
    gone = {iri: c for iri, c in latest.items() if c.kind == "delete"}
    _LEGACY[str(path)] = (stamp, found, gone)
    return found, gone
