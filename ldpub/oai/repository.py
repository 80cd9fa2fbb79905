"""What the repository holds for OAI-PMH: its items (one per published document), their sets and
datestamps, and the records deleted since (OAI-PMH 2.0 §2.4 items and identifiers, §2.5 records and
deleted records, §2.6 datestamps, §2.7.2 sets).

* An item is a document with its own named graph ``{base}/graph/document/{slug}``; its OAI identifier is
  ``oai:<host of base_uri>:<slug>`` (OAI Identifier Format, §2.1 of the oai-identifier guidelines).
* Sets (§2.7.2, hierarchical with ``:``): ``doctype:<key>`` from the document's ``crm:P2_has_type``
  document type (priority markings, languages and units are types of other kinds and are left out), and
  ``archive:<key>`` the curated holding (``crm:E78_Curated_Holding``) the archival item's file is part of.
* Datestamps (§2.6) come from the change history recorded at build time (:mod:`ldpub.history`): the time
  of the release holding the document's latest create or update (its whole document graph counts). A
  document whose latest change is a delete persists as a deleted record (``deletedRecord``
  ``persistent``, §2.5.1) stamped with the time of that delete, in the sets it was last seen in; the
  earlier documents a record only cites (``{slug}-ref-YYYY-MM-DD``) are not records and are left out.
  Without a recorded history the items are the release's documents, stamped with the release's time.

**Memory and time per request do not grow with the repository (issue 6).** The items are kept in an
SQLite index, ``<store>/oai/index.sqlite``: ``items`` (slug → datestamp, deleted, sets; also indexed by
(datestamp, slug)), ``members`` ((set, datestamp, slug) for every set an item is in, parents included),
``sets`` (spec → name, items, live items) and ``meta``. Every list is ordered by (datestamp, slug) and
paged by key: a page is one range read of an index (:meth:`Repository.page`), and its resumption token
carries the (datestamp, slug) of its last item and the list's size, so no request counts or skips what
came before. A document a later build changes moves to the end of the list, so a harvest under way never
misses it.

The index follows the history. Each request compares the history's committed length
(:func:`ldpub.history.recorded`, one indexed read) with the one the index was made from; when it grew, one
process (under a file lock; the others wait for it) applies the new lines: the documents' changes, read
by :func:`ldpub.history.changes_under` (a binary search per build, then only the document lines), the
created or updated documents looked up in the store :data:`BATCH` at a time (own graph, sets), the deleted
ones kept as deleted records with their sets. The first time, at N documents, that reads the N documents'
lines and asks the store N / :data:`BATCH` queries; afterwards only what each build changed. Without a
recorded history, the index is remade from the store when the release changes. An index made by an earlier
version's ``<store>/oai/sets.json`` (every record's sets) gives its deleted records their sets once.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .. import history
from ..errors import StoreError
from ..settings import Settings
from ..store import DatasetStore, SelectResult
from .protocol import format_datestamp

CRM = "http://www.cidoc-crm.org/cidoc-crm/"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
OTHER_TYPE_PREFIXES = ("priority-", "language-", "unit-")
"""Local types that are not document types (``ldpub.model.context.entity_uri`` mints them so)."""
INDEX = "index.sqlite"
INDEX_LOCK = "index.lock"
LEGACY_SETS = "sets.json"
SCHEMA = "1"
BATCH = 500
"""Documents per store query when the index takes in a build's changes (and rows per SQLite write)."""
PARENTS = {"doctype": "Documents by type", "archive": "Documents by archive"}
_SET_PART = re.compile(r"[A-Za-z0-9\-_.!~*'()]+\Z")
_EARLIER_DOCUMENT = re.compile(r"-ref-\d{4}-\d{2}-\d{2}\Z")
_UNSAFE = re.compile(r'[<>"{}|^`\\\s]')
_STAMP = "%Y-%m-%dT%H:%M:%SZ"
_HIGHEST = "\U0010ffff"

_TABLES = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS items (
    slug TEXT PRIMARY KEY, datestamp TEXT NOT NULL, deleted INTEGER NOT NULL, sets TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS items_by_datestamp ON items (datestamp, slug);
CREATE TABLE IF NOT EXISTS members (
    spec TEXT NOT NULL, datestamp TEXT NOT NULL, slug TEXT NOT NULL, deleted INTEGER NOT NULL,
    PRIMARY KEY (spec, datestamp, slug)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS sets (
    spec TEXT PRIMARY KEY, name TEXT NOT NULL, items INTEGER NOT NULL, live INTEGER NOT NULL
) WITHOUT ROWID;
"""


@dataclass(frozen=True)
class Item:
    """One OAI-PMH item: its document slug, datestamp, set memberships and whether it is deleted."""

    slug: str
    datestamp: datetime
    sets: tuple[str, ...]
    deleted: bool = False

    def in_set(self, spec: str) -> bool:
        """Whether the item is in ``spec`` or in one of its descendants (§2.7.2: hierarchy by ``:``).

        >>> Item("a", datetime.now(UTC), ("doctype:telegram",)).in_set("doctype")
        True
        """
        return any(s == spec or s.startswith(spec + ":") for s in self.sets)

    @property
    def key(self) -> tuple[str, str]:
        """Where the item is in every list: (datestamp, slug)."""
        return format_datestamp(self.datestamp), self.slug


@dataclass(frozen=True)
class OAISet:
    spec: str
    name: str


@dataclass(frozen=True)
class Selection:
    """What a list request selects (§3.3 by datestamp, ``from``/``until`` as datestamps; §3.4 by set)."""

    lower: datetime | None = None
    upper: datetime | None = None
    spec: str | None = None


@dataclass(frozen=True)
class Repository:
    """One request's view of the index: the release served, and one read transaction of the index."""

    release: str
    created: datetime
    db: sqlite3.Connection

    def earliest(self) -> datetime:
        """The earliest datestamp (Identify ``earliestDatestamp``): no item has an older one."""
        row = self.db.execute("SELECT MIN(datestamp) FROM items").fetchone()
        return _parse(row[0]) if row[0] is not None else self.created

    def sample(self) -> str | None:
        """The first slug (Identify's ``sampleIdentifier``)."""
        row = self.db.execute("SELECT slug FROM items ORDER BY slug LIMIT 1").fetchone()
        return None if row is None else str(row[0])

    def item(self, slug: str) -> Item | None:
        row = self.db.execute("SELECT slug, datestamp, deleted, sets FROM items WHERE slug = ?", (slug,))
        found = row.fetchone()
        return None if found is None else _item(found)

    def sets(self) -> list[OAISet]:
        """The sets some published document is in, with their parents."""
        rows = self.db.execute("SELECT spec, name FROM sets WHERE live > 0 ORDER BY spec")
        return [OAISet(str(spec), str(name)) for spec, name in rows]

    def has_sets(self) -> bool:
        return bool(self.db.execute("SELECT EXISTS (SELECT 1 FROM sets WHERE live > 0)").fetchone()[0])

    def page(self, selection: Selection, after: tuple[str, str] | None, size: int) -> list[Item]:
        """Up to ``size`` items of the list, the first after (datestamp, slug) ``after``: one index range
        (the lower bound is part of the key, so SQLite seeks straight to it)."""
        lower, upper = _bounds(selection)
        stamp, slug = max((lower, ""), after or ("", ""))
        if selection.spec is None:
            sql = """SELECT slug, datestamp, deleted, sets FROM items
                WHERE (datestamp, slug) > (?1, ?2) AND datestamp <= ?3
                ORDER BY datestamp, slug LIMIT ?4"""
            rows = self.db.execute(sql, (stamp, slug, upper, size))
        else:
            sql = """SELECT i.slug, i.datestamp, i.deleted, i.sets FROM members AS m
                JOIN items AS i ON i.slug = m.slug
                WHERE m.spec = ?5 AND (m.datestamp, m.slug) > (?1, ?2) AND m.datestamp <= ?3
                ORDER BY m.datestamp, m.slug LIMIT ?4"""
            rows = self.db.execute(sql, (stamp, slug, upper, size, selection.spec))
        return [_item(row) for row in rows]

    def count(self, selection: Selection) -> int:
        """How many items the list holds (kept counts without dates; an index range with them)."""
        if selection.lower is None and selection.upper is None:
            if selection.spec is None:
                row = self.db.execute("SELECT value FROM meta WHERE key = 'items'").fetchone()
            else:
                row = self.db.execute("SELECT items FROM sets WHERE spec = ?", (selection.spec,)).fetchone()
            return int(row[0]) if row is not None else 0
        lower, upper = _bounds(selection)
        if selection.spec is None:
            sql = "SELECT COUNT(*) FROM items WHERE datestamp >= ? AND datestamp <= ?"
            return int(self.db.execute(sql, (lower, upper)).fetchone()[0])
        sql = "SELECT COUNT(*) FROM members WHERE spec = ? AND datestamp >= ? AND datestamp <= ?"
        return int(self.db.execute(sql, (selection.spec, lower, upper)).fetchone()[0])


def _bounds(selection: Selection) -> tuple[str, str]:
    lower = "" if selection.lower is None else format_datestamp(selection.lower)
    upper = _HIGHEST if selection.upper is None else format_datestamp(selection.upper)
    return lower, upper


def _parse(stamp: str) -> datetime:
    return datetime.strptime(stamp, _STAMP).replace(tzinfo=UTC)


def _item(row: tuple[Any, ...]) -> Item:
    slug, stamp, deleted, sets = row
    return Item(str(slug), _parse(str(stamp)), tuple(str(sets).split()), bool(deleted))


def host_of(settings: Settings) -> str:
    """The repository identifier in OAI identifiers: the host of ``base_uri``.

    >>> host_of(Settings(base_uri="https://data.example.org:8443/ldpub"))
    'data.example.org'
    """
    return urlsplit(settings.base_uri).hostname or "localhost"


def oai_identifier(settings: Settings, slug: str) -> str:
    """``oai:<host>:<slug>``.

    >>> oai_identifier(Settings(), "prc-fma-118-01025-02")
    'oai:localhost:prc-fma-118-01025-02'
    """
    return f"oai:{host_of(settings)}:{slug}"


def slug_of(settings: Settings, identifier: str) -> str | None:
    """The document slug an OAI identifier names, or ``None`` when it is not one of this repository's.

    >>> slug_of(Settings(), "oai:localhost:prc-fma-1"), slug_of(Settings(), "oai:elsewhere:prc-fma-1")
    ('prc-fma-1', None)
    """
    prefix = f"oai:{host_of(settings)}:"
    slug = identifier[len(prefix) :] if identifier.startswith(prefix) else ""
    return slug if slug and "/" not in slug else None


def document_iri(settings: Settings, slug: str) -> str:
    return f"{settings.base_uri}/id/document/{slug}"


def document_graph(settings: Settings, slug: str) -> str:
    return f"{settings.base_uri}/graph/document/{slug}"


def slug_of_iri(settings: Settings, iri: str) -> str | None:
    """The slug of a document IRI ``{base}/id/document/{slug}``, else ``None``.

    >>> slug_of_iri(Settings(), "http://localhost:5000/id/document/a"), slug_of_iri(Settings(), "x")
    ('a', None)
    """
    prefix = f"{settings.base_uri}/id/document/"
    slug = iri[len(prefix) :] if iri.startswith(prefix) else ""
    return slug if slug and "/" not in slug else None


# --- the index --------------------------------------------------------------------------------------

_local = threading.local()


@contextlib.contextmanager
def repository(store: DatasetStore, settings: Settings) -> Iterator[Repository]:
    """The repository of the release ``store`` serves, its index brought up to date with the history;
    everything read through it comes from one version of the index (one read transaction)."""
    info = store.release_info()
    release = info.build_id if info is not None else "unversioned"
    created = info.created if info is not None else datetime.now(UTC).replace(microsecond=0)
    folder = Path(settings.store) / "oai"
    try:
        db = _connection(folder)
        _refresh(db, folder, store, settings, release, created)
        db.execute("BEGIN")
    except (OSError, sqlite3.Error) as exc:
        raise StoreError(f"cannot keep the OAI-PMH index in {folder / INDEX}: {exc}") from exc
    try:
        yield Repository(release, created, db)
    finally:
        db.execute("COMMIT")


def _connection(folder: Path) -> sqlite3.Connection:
    """This thread's connection to the index (opened again if the file was removed or replaced)."""
    path = folder / INDEX
    opened: dict[str, tuple[int, sqlite3.Connection]] = _local.__dict__.setdefault("open", {})
    found = opened.get(str(path))
    try:
        inode = os.stat(path).st_ino
    except FileNotFoundError:
        inode = -1
    if found is not None and found[0] == inode:
        return found[1]
    if found is not None:
        found[1].close()
    folder.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path, isolation_level=None, timeout=600)
    db.execute("PRAGMA journal_mode = WAL")
    db.executescript(_TABLES)
    opened[str(path)] = (os.stat(path).st_ino, db)
    return db


def _wanted(settings: Settings, release: str) -> dict[str, str]:
    """The meta of an index up to date with the history (or, without one, with the release)."""
    recorded = history.recorded(settings)
    if recorded is None:
        return {"schema": SCHEMA, "source": "release", "version": release}
    build_id, lines = recorded
    return {"schema": SCHEMA, "source": "history", "version": f"{build_id} {lines}"}


def _meta(db: sqlite3.Connection) -> dict[str, str]:
    return {str(k): str(v) for k, v in db.execute("SELECT key, value FROM meta")}


def _current(meta: dict[str, str], wanted: dict[str, str]) -> bool:
    return all(meta.get(key) == value for key, value in wanted.items())


def _refresh(
    db: sqlite3.Connection,
    folder: Path,
    store: DatasetStore,
    settings: Settings,
    release: str,
    created: datetime,
) -> None:
    wanted = _wanted(settings, release)
    if _current(_meta(db), wanted):
        return
    lock = os.open(folder / INDEX_LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one process brings the index up to date; the others wait
        wanted = _wanted(settings, release)
        meta = _meta(db)
        if _current(meta, wanted):
            return
        db.execute("BEGIN IMMEDIATE")
        try:
            _Update(db, folder, store, settings, created).run(meta, wanted)
            db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", wanted.items())
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
    finally:
        os.close(lock)


class _Update:
    """Brings the index up to date (inside the caller's write transaction)."""

    def __init__(
        self, db: sqlite3.Connection, folder: Path, store: DatasetStore, settings: Settings, created: datetime
    ) -> None:
        self.db, self.folder, self.store, self.settings = db, folder, store, settings
        self.created = format_datestamp(created)
        self.documents = f"{settings.base_uri}/id/document/"
        self.legacy: dict[str, list[str]] | None = None

    def run(self, meta: dict[str, str], wanted: dict[str, str]) -> None:
        start = self._start(meta, wanted)
        if start is None:
            for table in ("items", "members", "sets", "meta"):
                self.db.execute(f"DELETE FROM {table}")
            start = 0
        if wanted["source"] == "history":
            self._apply_history(start)
            first = history.page(self.settings, 0, 1)
            self.db.execute(
                "INSERT OR REPLACE INTO meta VALUES ('first_build', ?)", (first[0].build_id if first else "",)
            )
        else:
            self._take_release()
        self._count()

    def _start(self, meta: dict[str, str], wanted: dict[str, str]) -> int | None:
        """The history line to continue from, or None to start afresh (another source or schema, or a
        history that is not the one the index was made from)."""
        if (
            meta.get("schema") != SCHEMA
            or meta.get("source") != wanted["source"]
            or wanted["source"] != "history"
        ):
            return None
        try:
            lines = int(meta["version"].rsplit(" ", 1)[1])
        except (KeyError, IndexError, ValueError):
            return None
        first = history.page(self.settings, 0, 1)
        if lines > int(wanted["version"].rsplit(" ", 1)[1]) or (
            first and first[0].build_id != meta.get("first_build")
        ):
            return None
        return lines

    def _apply_history(self, start: int) -> None:
        """Take in the documents' changes from history line ``start`` on (the latest per document wins)."""
        db = self.db
        db.execute(
            "CREATE TEMP TABLE IF NOT EXISTS pending (slug TEXT PRIMARY KEY, kind TEXT, datestamp TEXT)"
        )
        db.execute("DELETE FROM temp.pending")
        rows: list[tuple[str, str, str]] = []
        for change in history.changes_under(self.settings, self.documents, start, nested=False):
            rows.append((change.iri[len(self.documents) :], change.kind, format_datestamp(change.time)))
            if len(rows) >= BATCH:
                db.executemany("INSERT OR REPLACE INTO temp.pending VALUES (?, ?, ?)", rows)
                rows = []
        db.executemany("INSERT OR REPLACE INTO temp.pending VALUES (?, ?, ?)", rows)
        cursor = db.execute("SELECT slug, kind, datestamp FROM temp.pending ORDER BY slug")
        while chunk := cursor.fetchmany(BATCH):
            live: dict[str, str] = {}
            for slug, kind, stamp in chunk:
                if kind == "delete":
                    self._delete(str(slug), str(stamp))
                else:
                    live[str(slug)] = str(stamp)
            found = self._look_up(live)
            for slug, stamp in live.items():
                if slug in found:
                    self._put(slug, stamp, False, found[slug])
                else:  # not (or no longer) a document with its own graph: not an item
                    self._drop(slug)
        db.execute("DELETE FROM temp.pending")

    def _delete(self, slug: str, stamp: str) -> None:
        if _EARLIER_DOCUMENT.search(slug):
            return
        row = self.db.execute("SELECT sets FROM items WHERE slug = ?", (slug,)).fetchone()
        specs = str(row[0]).split() if row is not None else self._legacy_sets().get(slug, [])
        self._put(slug, stamp, True, specs)

    def _legacy_sets(self) -> dict[str, list[str]]:
        """The sets an earlier version remembered in ``sets.json`` (read once, for deleted records)."""
        if self.legacy is None:
            self.legacy = {}
            with contextlib.suppress(OSError, ValueError, TypeError, AttributeError):
                memory = json.loads((self.folder / LEGACY_SETS).read_text(encoding="utf-8"))
                self.legacy = {str(k): [str(s) for s in v] for k, v in memory["sets"].items()}
        return self.legacy

    def _take_release(self) -> None:
        """Without a history: every document of the release, stamped with the release's time."""
        for slug, specs in _documents(self.store, self.settings, None).items():
            self._put(slug, self.created, False, specs)

    def _look_up(self, slugs: Iterable[str]) -> dict[str, list[str]]:
        safe = [slug for slug in slugs if not _UNSAFE.search(slug)]
        return _documents(self.store, self.settings, safe) if safe else {}

    def _put(self, slug: str, stamp: str, deleted: bool, specs: Iterable[str]) -> None:
        self._drop(slug)
        names = sorted(set(specs))
        self.db.execute("INSERT INTO items VALUES (?, ?, ?, ?)", (slug, stamp, int(deleted), " ".join(names)))
        self.db.executemany(
            "INSERT OR IGNORE INTO members VALUES (?, ?, ?, ?)",
            [(spec, stamp, slug, int(deleted)) for spec in _with_parents(names)],
        )

    def _drop(self, slug: str) -> None:
        row = self.db.execute("SELECT datestamp, sets FROM items WHERE slug = ?", (slug,)).fetchone()
        if row is None:
            return
        stamp, names = str(row[0]), str(row[1]).split()
        self.db.executemany(
            "DELETE FROM members WHERE spec = ? AND datestamp = ? AND slug = ?",
            [(spec, stamp, slug) for spec in _with_parents(names)],
        )
        self.db.execute("DELETE FROM items WHERE slug = ?", (slug,))

    def _count(self) -> None:
        """The kept counts: items, and per set its items and live items, named by the labels in the data."""
        db = self.db
        total = db.execute("SELECT COUNT(*) FROM items").fetchone()[0]
        db.execute("INSERT OR REPLACE INTO meta VALUES ('items', ?)", (str(total),))
        counts = db.execute("SELECT spec, COUNT(*), SUM(deleted = 0) FROM members GROUP BY spec").fetchall()
        names = _set_names(self.store, self.settings, [str(c[0]) for c in counts if c[2] and ":" in c[0]])
        db.execute("DELETE FROM sets")
        db.executemany(
            "INSERT INTO sets VALUES (?, ?, ?, ?)",
            [(spec, names.get(spec, spec), int(items), int(live)) for spec, items, live in counts],
        )


def _with_parents(specs: Iterable[str]) -> list[str]:
    """Every spec and its ancestors (§2.7.2: ``a:b`` is in ``a``).

    >>> _with_parents(["archive:prc-fma", "doctype:telegram", "doctype:letter"])
    ['archive', 'archive:prc-fma', 'doctype', 'doctype:letter', 'doctype:telegram']
    """
    found: set[str] = set()
    for spec in specs:
        parts = spec.split(":")
        found.update(":".join(parts[: n + 1]) for n in range(len(parts)))
    return sorted(found)


def _select(store: DatasetStore, sparql: str) -> SelectResult:
    result = store.query(sparql)
    if not isinstance(result, SelectResult):
        raise StoreError("the store answered a SELECT query with something else")
    return result


def _documents(store: DatasetStore, settings: Settings, slugs: list[str] | None) -> dict[str, list[str]]:
    """slug → set specs, for the documents among ``slugs`` (every one when None) that have their own
    graph in the release. Two queries: the documents with their types, then their archives (asked
    together, Oxigraph joined the archives of every document in the store for each batch: 2 s a batch at
    100,000 documents)."""
    graphs = f"{settings.base_uri}/graph/document/"
    docs = f"{settings.base_uri}/id/document/"
    types = f"{settings.base_uri}/id/type/"
    holdings = f"{settings.base_uri}/id/object/"
    if slugs is None:
        values, scope = (
            "",
            f"""FILTER(STRSTARTS(STR(?g), "{graphs}"))
          FILTER(STRAFTER(STR(?g), "{graphs}") = STRAFTER(STR(?doc), "{docs}"))""",
        )
    else:
        pairs = " ".join(f"(<{graphs}{slug}> <{docs}{slug}>)" for slug in slugs)
        values, scope = f"VALUES (?g ?doc) {{ {pairs} }}", ""
    typed = f"""SELECT ?g ?type WHERE {{
          {values}
          GRAPH ?g {{ ?doc a <{CRM}E31_Document> }}
          {scope}
          OPTIONAL {{ GRAPH ?g {{ ?doc <{CRM}P2_has_type> ?type }} }}
        }}"""
    archived = f"""SELECT ?g ?archive WHERE {{
          {values}
          GRAPH ?g {{ ?item <{CRM}P128_carries> ?doc ; <{CRM}P46i_forms_part_of>+ ?archive }}
          {scope}
          FILTER EXISTS {{ ?archive a <{CRM}E78_Curated_Holding> }}
        }}"""
    documents: dict[str, list[str]] = {}
    for row in _select(store, typed).rows:
        specs = documents.setdefault(str(row["g"])[len(graphs) :], [])
        kind = str(row.get("type", ""))
        if kind.startswith(types) and not kind[len(types) :].startswith(OTHER_TYPE_PREFIXES):
            _add_spec(specs, "doctype", kind[len(types) :])
    for row in _select(store, archived).rows:
        specs = documents.get(str(row["g"])[len(graphs) :], [])
        holding = str(row.get("archive", ""))
        if holding.startswith(holdings) and str(row["g"])[len(graphs) :] in documents:
            _add_spec(specs, "archive", holding[len(holdings) :])
    return documents


def _add_spec(specs: list[str], parent: str, key: str) -> None:
    spec = f"{parent}:{key}"
    if _SET_PART.match(key) and spec not in specs:
        specs.append(spec)


def _set_names(store: DatasetStore, settings: Settings, specs: list[str]) -> dict[str, str]:
    """Spec → the set's name, from the labels in the data (English first); the parents' fixed names."""
    names = dict(PARENTS)
    folder = {"doctype": "type", "archive": "object"}
    iris = {
        spec: f"{settings.base_uri}/id/{folder[spec.split(':')[0]]}/{spec.split(':')[1]}"
        for spec in specs
        if spec.split(":")[0] in folder and not _UNSAFE.search(spec)
    }
    labels: dict[str, str] = {}
    chosen = list(iris.values())
    for start in range(0, len(chosen), BATCH):
        values = " ".join(f"<{iri}>" for iri in chosen[start : start + BATCH])
        sparql = f"SELECT ?s ?label WHERE {{ VALUES ?s {{ {values} }} ?s <{RDFS_LABEL}> ?label }}"
        for row in _select(store, sparql).rows:
            lang = getattr(row["label"], "language", None)
            if str(row["s"]) not in labels or lang == "en":
                labels[str(row["s"])] = str(row["label"])
    for spec, iri in iris.items():
        what = "Document type" if spec.startswith("doctype:") else "Archive"
        names[spec] = f"{what}: {labels.get(iri, spec.split(':')[1])}"
    return names
