"""The embedded store: Oxigraph databases on disk, published as atomic releases.

Layout under the store folder::

    CURRENT                        the build id of the published release, one line, replaced atomically
    .build.lock                    flock()ed by the one build allowed at a time (holds its pid)
    releases/<build-id>/oxigraph/  the Oxigraph (RocksDB) database of that release, never written again
    releases/<build-id>/release.json   build id, created (UTC ISO 8601), triples, quads, ldpub version
    releases/<build-id>/statistics.json   the VoID statistics the build counted (:mod:`ldpub.statistics`);
                                   absent from releases built by an ldpub older than them
    releases/.staging-<build-id>-<pid>/   a build in progress (same inner layout)

A build writes a staging release, then :meth:`Staging.publish` seals it, renames it into place and only
then points ``CURRENT`` at it (temp file + fsync + ``os.replace``). Readers only ever open what
``CURRENT`` names, so whenever a build dies (even by SIGKILL) ``CURRENT`` still names a complete release;
the next build removes what the dead one left behind.
"""

from __future__ import annotations

import contextlib
import copy
import fcntl
import itertools
import os
import re
import secrets
import shutil
import threading
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, BinaryIO, cast

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef

from .. import __version__
from ..errors import QueryError, StoreError
from ..files import fsync_path
from .base import EXPORT_FORMATS, QueryResult, ReleaseInfo, SelectResult, Term, refuse_service

RELEASES = "releases"
CURRENT = "CURRENT"
LOCK = ".build.lock"
DATA = "oxigraph"
INFO = "release.json"
STATISTICS = "statistics.json"
STAGING_PREFIX = ".staging-"
TRASH_PREFIX = ".trash-"
_BUILD_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}\Z")
_CONSTRUCT_ALL = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
_STATS = "SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?class FILTER isIRI(?class) } GROUP BY ?class"
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_DUMP_FORMATS = {"nquads": ox.RdfFormat.N_QUADS, "trig": ox.RdfFormat.TRIG, "jsonld": ox.RdfFormat.JSON_LD}


def new_build_id() -> str:
    """A fresh build id that sorts by time, e.g. ``20250101T120000Z-1a2b3c``."""
    return f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}"


def stage(store_dir: Path | str, build_id: str | None = None, *, keep_releases: int = 2) -> Staging:
    """Start a build: take the build lock, clean a dead build's leftovers, open a staging release.

    Raises :class:`StoreError` when another build holds the lock, when ``build_id`` is not a plain name
    (letters, digits, ``.``, ``_``, ``-``) or when a release of that id already exists.
    ``keep_releases`` is how many earlier releases :meth:`Staging.publish` keeps beside the new one.
    """
    root = Path(store_dir)
    build_id = new_build_id() if build_id is None else build_id
    if not _BUILD_ID.match(build_id):
        raise StoreError(f"build id {build_id!r} is not a plain name (letters, digits, '.', '_', '-')")
    if keep_releases < 0:
        raise StoreError(f"keep_releases must be 0 or more, not {keep_releases}")
    try:
        (root / RELEASES).mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"cannot create the store folder {root}: {exc}") from exc
    lock_fd = _lock(root)
    try:
        if (root / RELEASES / build_id).exists():
            raise StoreError(f"a release {build_id!r} already exists in {root}: choose another build id")
        _clean_leftovers(root)
        path = root / RELEASES / f"{STAGING_PREFIX}{build_id}-{os.getpid()}"
        path.mkdir()
        store = ox.Store(str(path / DATA))
    except OSError as exc:
        os.close(lock_fd)
        raise StoreError(f"cannot start a build in {root}: {exc}") from exc
    except BaseException:
        os.close(lock_fd)
        raise
    return Staging(root, build_id, keep_releases, lock_fd, path, store)


class Staging:
    """A release being built; nothing of it is visible to readers until :meth:`publish`.

    Use it as a context manager: leaving the block by an exception, or without calling :meth:`publish`,
    aborts the build (the staging folder is removed, the previous release stays published)::

        with stage(settings.store, keep_releases=settings.keep_releases) as staging:
            staging.add_graph("https://example.org/graph/a", ntriples_bytes)
            staging.publish()
    """

    def __init__(
        self, root: Path, build_id: str, keep_releases: int, lock_fd: int, path: Path, store: ox.Store
    ) -> None:
        self.store_dir = root
        self.build_id = build_id
        self.path = path
        self._keep = keep_releases
        self._lock_fd: int | None = lock_fd
        self._store: ox.Store | None = store

    def __enter__(self) -> Staging:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._lock_fd is not None:
            self.abort()

    def add_graph(self, graph_iri: str, data: bytes | Iterable[tuple[Any, Any, Any]]) -> None:
        """Add triples to the named graph ``graph_iri``.

        ``data`` is N-Triples bytes (bulk-loaded, the fast path; blank node labels are local to each
        call) or an iterable of rdflib ``(s, p, o)`` triples, such as an :class:`rdflib.Graph`.
        """
        store = self._open_store()
        try:
            graph = ox.NamedNode(graph_iri)
        except ValueError as exc:
            raise StoreError(f"graph name {graph_iri!r} is not a valid IRI: {exc}") from exc
        try:
            if isinstance(data, bytes | bytearray):
                store.bulk_load(bytes(data), ox.RdfFormat.N_TRIPLES, to_graph=graph)
            else:
                store.bulk_extend(
                    ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o), graph) for s, p, o in data
                )
                store.add_graph(graph)
        except (SyntaxError, ValueError, TypeError) as exc:
            raise StoreError(f"graph <{graph_iri}>: cannot store the data: {exc}") from exc
        except OSError as exc:
            raise StoreError(f"graph <{graph_iri}>: cannot write {self.path}: {exc}") from exc

    def add_nquads(self, data: bytes) -> None:
        """Bulk-load N-Quads (many named graphs in one call: far cheaper than a call per small graph)."""
        store = self._open_store()
        try:
            store.bulk_load(bytes(data), ox.RdfFormat.N_QUADS)
        except (SyntaxError, ValueError, TypeError) as exc:
            raise StoreError(f"cannot store the data: {exc}") from exc
        except OSError as exc:
            raise StoreError(f"cannot write {self.path}: {exc}") from exc

    def set_statistics(self, data: bytes) -> None:
        """Keep ``data`` (``statistics.json``) with the release: sealed and pruned with it."""
        self._open_store()
        try:
            _write_file(self.path / STATISTICS, data)
        except OSError as exc:
            raise StoreError(f"cannot write {self.path / STATISTICS}: {exc}") from exc

    def publish(self) -> ReleaseInfo:
        """Seal the release, move it into place, point ``CURRENT`` at it, prune old releases; unlock."""
        try:
            info = self._seal()
            self._install()
            _write_current(self.store_dir, self.build_id)
        except OSError as exc:
            self.abort()
            raise StoreError(f"cannot publish release {self.build_id!r} in {self.store_dir}: {exc}") from exc
        except BaseException:
            self.abort()
            raise
        _prune(self.store_dir, self._keep, self.build_id)
        self._unlock()
        return info

    def abort(self) -> None:
        """Drop the staging release and release the build lock; the published release is untouched."""
        self._store = None
        if self.path.name.startswith(STAGING_PREFIX) and self.path.exists():
            _discard(self.path)
        self._unlock()

    # The steps of publish(), separate so a test can kill the process between them.

    def _seal(self) -> ReleaseInfo:
        """Flush and close the staging database, fsync it and write ``release.json``."""
        info = _finish(self._open_store(), self.build_id)
        self._store = None  # the last reference: RocksDB closes the database here
        _write_file(self.path / INFO, info.to_json().encode())
        for folder, _, files in os.walk(self.path):
            for name in files:
                fsync_path(Path(folder, name))
            fsync_path(Path(folder))
        return info

    def _install(self) -> None:
        """Rename the sealed staging folder to ``releases/<build-id>``."""
        target = self.store_dir / RELEASES / self.build_id
        if target.exists():
            raise StoreError(f"a release {self.build_id!r} already exists in {self.store_dir}")
        os.rename(self.path, target)
        self.path = target
        fsync_path(target.parent)

    def _open_store(self) -> ox.Store:
        if self._store is None:
            raise StoreError(f"build {self.build_id!r} is already published or aborted")
        return self._store

    def _unlock(self) -> None:
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None


def _finish(store: ox.Store, build_id: str) -> ReleaseInfo:
    """Compact and flush a staging database and describe it (no reference to it survives the call)."""
    store.optimize()
    store.flush()
    quads = len(store)
    created = datetime.now(UTC).replace(microsecond=0)
    return ReleaseInfo(build_id, created, quads, quads, __version__)


def open_published(store_dir: Path | str) -> EmbeddedStore:
    """Open the release ``CURRENT`` names, read-only.

    Raises :class:`StoreError` when nothing has been published yet.
    """
    return EmbeddedStore(Path(store_dir))


class EmbeddedStore:
    """The published release of an embedded store: a :class:`~ldpub.store.base.DatasetStore`.

    :meth:`refresh` switches to a newer release when a build has published one; a query already running
    finishes on the release it started on. Safe to share between threads.
    """

    def __init__(self, store_dir: Path) -> None:
        self.store_dir = store_dir
        self._switch = threading.Lock()
        self._stamp = _stamp(store_dir)
        build_id = _read_current(store_dir)
        if build_id is None:
            raise StoreError(f"no dataset has been built in {store_dir}: run `ldpub build`")
        self._store: ox.Store | None
        self._store, self._info = _open_release(store_dir, build_id)
        self._pinned = False

    def __enter__(self) -> EmbeddedStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def query(
        self,
        sparql: str,
        *,
        union_default_graph: bool = True,
        allow_federation: bool = False,
        max_rows: int | None = None,
    ) -> QueryResult:
        """Run a SPARQL 1.1 query; see :meth:`ldpub.store.base.DatasetStore.query` for the result shapes.

        With ``max_rows``, reading the answer stops after ``max_rows + 1`` rows (or distinct triples): enough
        for the caller to cut it there and know it was cut, without holding the whole answer.
        """
        if not allow_federation:
            refuse_service(sparql)
        store = self._live()
        try:
            result = store.query(sparql, use_default_graph_as_union=union_default_graph)
            if isinstance(result, ox.QueryBoolean):
                return bool(result)
            if isinstance(result, ox.QuerySolutions):
                names = tuple(v.value for v in result.variables)
                solutions = result if max_rows is None else itertools.islice(result, max_rows + 1)
                rows = [{n: to_rdflib(sol[n]) for n in names if sol[n] is not None} for sol in solutions]
                return SelectResult(names, rows)
            graph = Graph()
            for t in result:
                graph.add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))
                if max_rows is not None and len(graph) > max_rows:
                    break
            return graph
        except SyntaxError as exc:
            raise QueryError(f"malformed SPARQL query: {exc}") from exc
        except OSError as exc:
            raise StoreError(f"cannot read the store {self.store_dir}: {exc}") from exc
        except (RuntimeError, ValueError) as exc:
            raise QueryError(f"the query failed: {exc}") from exc

    def graphs(self) -> list[str]:
        """The IRIs of the named graphs, sorted."""
        return sorted(g.value for g in self._live().named_graphs() if isinstance(g, ox.NamedNode))

    def quad_count(self) -> int:
        """How many quads the release holds."""
        return len(self._live())

    def export(self, fmt: str, out: BinaryIO) -> None:
        """Write the release to ``out``: ``nquads``, ``trig``, ``jsonld`` (expanded, with named graphs)
        or ``turtle`` (the union of all graphs as triples). Streams; never holds the dataset in memory."""
        store = self._live()
        try:
            if fmt == "turtle":
                # Graph after graph, streamed: a CONSTRUCT over the union deduplicates in memory, which
                # grew with the dataset (~0.7 GB per 1,000 documents). A triple in two graphs is written
                # twice, which a Turtle reader takes as one.
                store.dump(out, ox.RdfFormat.TURTLE, from_graph=ox.DefaultGraph())
                for graph in sorted(store.named_graphs(), key=str):
                    store.dump(out, ox.RdfFormat.TURTLE, from_graph=graph)
            elif fmt in _DUMP_FORMATS:
                store.dump(out, _DUMP_FORMATS[fmt])
            else:
                raise StoreError(f"unknown export format {fmt!r} (known: {', '.join(EXPORT_FORMATS)})")
        except OSError as exc:
            raise StoreError(f"cannot export {self.store_dir} as {fmt}: {exc}") from exc

    def stats(self) -> dict[str, int]:
        """Distinct instances per ``rdf:type`` class IRI across all graphs, sorted by class IRI."""
        solutions = cast(ox.QuerySolutions, self._live().query(_STATS, use_default_graph_as_union=True))
        return dict(sorted((sol["class"].value, int(sol["n"].value)) for sol in solutions))

    def release_info(self) -> ReleaseInfo:
        """The release being served."""
        return self._info

    def release_statistics(self) -> bytes | None:
        """The ``statistics.json`` of the release being served; ``None`` when it has none (built by an
        older ldpub, or pruned since)."""
        self._live()
        try:
            return (self.store_dir / RELEASES / self._info.build_id / STATISTICS).read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise StoreError(f"cannot read the statistics of release {self._info.build_id!r}: {exc}") from exc

    def refresh(self) -> bool:
        """Reopen if ``CURRENT`` names another release than the one open; return whether it did.

        The common case costs one ``stat`` of ``CURRENT``: each publish replaces it by a new file.
        A :meth:`snapshot` never switches.
        """
        self._live()
        if self._pinned:
            return False
        stamp = _stamp(self.store_dir)
        if stamp == self._stamp:
            return False
        with self._switch:
            build_id = _read_current(self.store_dir)
            if build_id is None or build_id == self._info.build_id:
                self._stamp = stamp
                return False
            store, info = _open_release(self.store_dir, build_id)
            self._store, self._info, self._stamp = store, info, stamp
            return True

    def snapshot(self) -> EmbeddedStore:
        """The release open now, pinned: it shares the open database and never switches."""
        self._live()
        with self._switch:  # the database and its info are read as one pair
            pinned = copy.copy(self)
        pinned._pinned = True
        return pinned

    def close(self) -> None:
        """Close the release; a query still running elsewhere keeps it open until it finishes."""
        self._store = None

    def _live(self) -> ox.Store:
        store = self._store
        if store is None:
            raise StoreError(f"the store {self.store_dir} is closed")
        return store


def to_rdflib(term: Any) -> Term:
    """An Oxigraph term as an rdflib term; ``xsd:string`` literals become plain, as rdflib parses them."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        if term.datatype.value == _XSD_STRING:
            return Literal(term.value)
        # The lexical form as stored: rdflib would rewrite e.g. "…Z"^^xsd:dateTime as "…+00:00".
        return Literal(term.value, datatype=URIRef(term.datatype.value), normalize=False)
    raise QueryError(f"RDF-star triple terms are not supported in results: {term}")


def to_oxigraph(term: Any) -> Any:
    """An rdflib term as an Oxigraph ``NamedNode``, ``BlankNode`` or ``Literal``; ``TypeError`` otherwise."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"not an RDF term: {term!r}")


def _open_release(root: Path, build_id: str) -> tuple[ox.Store, ReleaseInfo]:
    folder = root / RELEASES / build_id
    try:
        info = ReleaseInfo.from_json((folder / INFO).read_text(encoding="utf-8"))
        return ox.Store.read_only(str(folder / DATA)), info
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise StoreError(f"cannot open release {build_id!r} named by {root / CURRENT}: {exc}") from exc


def _stamp(root: Path) -> tuple[int, int, int] | None:
    """What identifies one version of ``CURRENT``: each ``os.replace`` gives it a new inode."""
    try:
        st = os.stat(root / CURRENT)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise StoreError(f"cannot read {root / CURRENT}: {exc}") from exc
    return st.st_ino, st.st_mtime_ns, st.st_size


def _read_current(root: Path) -> str | None:
    try:
        build_id = (root / CURRENT).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise StoreError(f"cannot read {root / CURRENT}: {exc}") from exc
    if not _BUILD_ID.match(build_id):
        raise StoreError(f"{root / CURRENT} does not name a release: {build_id[:80]!r}")
    return build_id


def _write_current(root: Path, build_id: str) -> None:
    """Point ``CURRENT`` at ``build_id`` atomically: a reader sees the old name or the new, never half."""
    tmp = root / f"{CURRENT}.tmp-{os.getpid()}"
    _write_file(tmp, f"{build_id}\n".encode())
    os.replace(tmp, root / CURRENT)
    fsync_path(root)


def _write_file(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)


def _lock(root: Path) -> int:
    """Take the exclusive build lock, or fail at once naming the lock file (and its holder's pid)."""
    path = root / LOCK
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise StoreError(f"cannot open the build lock {path}: {exc}") from exc
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        holder = os.pread(fd, 32, 0).decode(errors="replace").strip()
        os.close(fd)
        who = f" (pid {holder})" if holder else ""
        raise StoreError(f"another build is running in {root}: it holds the lock {path}{who}") from None
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
    return fd


def _clean_leftovers(root: Path) -> None:
    """Remove what dead builds left: staging and half-deleted folders, temporary ``CURRENT`` files.

    Called with the build lock held, so no live build owns any of them.
    """
    for entry in (root / RELEASES).iterdir():
        if entry.name.startswith((STAGING_PREFIX, TRASH_PREFIX)):
            _discard(entry)
    for entry in root.glob(f"{CURRENT}.tmp-*"):
        entry.unlink(missing_ok=True)


def _prune(root: Path, keep: int, current: str) -> None:
    """Keep ``current`` and the ``keep`` newest other releases; remove the rest. Never raises.

    Only folders holding a readable ``release.json`` count as releases; anything else is left alone.
    """
    others: list[tuple[datetime, Path]] = []
    try:
        for entry in (root / RELEASES).iterdir():
            if not entry.name.startswith(".") and entry.name != current and (entry / INFO).is_file():
                with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
                    others.append((ReleaseInfo.from_json((entry / INFO).read_text("utf-8")).created, entry))
    except OSError:
        return
    others.sort(reverse=True)
    for _, entry in others[keep:]:
        _discard(entry)


def _discard(path: Path) -> None:
    """Remove a folder: first renamed aside, so a kill midway never leaves a half release in place."""
    trash = path.with_name(f"{TRASH_PREFIX}{path.name}-{os.getpid()}")
    if not path.name.startswith(TRASH_PREFIX):
        with contextlib.suppress(OSError):
            os.rename(path, trash)
            path = trash
    shutil.rmtree(path, ignore_errors=True)
