"""Versioned dumps of each release, written once at build time (issue 5, item 4: versioned dumps).

Every published release is a *version* of the dataset. Its dumps are written by :func:`write_dumps` right
after the release is published, never per request, under the store folder (for an external store too)::

    <store>/dumps/versions.json                     every build id ever dumped → its version (never pruned)
    <store>/dumps/<version>/ldpub-<version>.nq.gz      N-Quads (named graphs kept)
    <store>/dumps/<version>/ldpub-<version>.ttl.gz     Turtle: the union of all graphs
    <store>/dumps/<version>/ldpub-<version>.jsonld.gz  JSON-LD (expanded, named graphs kept)
    <store>/dumps/<version>/manifest.json              version, build id, time, counts; size, SHA-256 per file

Every file is gzip-compressed (``dcat:compressFormat`` ``application/gzip``; served as that type, never
with ``Content-Encoding``), so a download is the file whose size and SHA-256 the manifest gives.

**The version rule.** A release's version is the UTC date it was published (``2026-11-24``); the second and
later releases published the same day get a sequence number (``2026-11-24.2``, ``2026-11-24.3``). Versions
are assigned in publishing order and recorded in ``versions.json``, so a version is never reused, even after
its dumps are pruned. Versions order by (date, sequence).

A version's folder is written under a temporary name (``.tmp-…``) and renamed into place, so a half-written
dump is never visible. The dumps of the current release and of the ``keep_releases`` newest earlier ones are
kept (the same number of earlier releases the embedded store keeps); older ones are removed.

**One export, several writers (issue 6).** Reading the store is the costly part (Oxigraph decodes every
term: ~6 CPU s per million quads, for each format the store itself would serialise), so the store is
exported once, as N-Quads, by the calling process, and the stream is fanned out through pipes to one
writer per file, each parsing and re-serialising it with pyoxigraph (JSON-LD and Turtle from parsed
N-Quads cost a third of a store dump) and compressing it. :func:`write_dumps_with` can feed one more
reader from the same stream (the change history, :func:`ldpub.history.record_release`). For a release of
:data:`PROCESS_QUADS` quads or more the writers are separate processes, so the export, the three writers
and the history share the cores; below that they are threads of the calling process (starting a process
costs more than a small dump). Nothing of the stream is held beyond a few pipe messages, so no writer's
memory grows with the dataset (43 MB each at 1,000 and at 5,000 documents). A writer that fails is dropped
from the stream and named in the error; the others finish.

**Compression level.** gzip level :data:`GZIP_LEVEL` (6, zlib's default). Measured on the 1,000-document
corpus (953,277 triples; benchmarks/BUILD.md): level 6 costs 2.6 CPU s over the three files where level 1
costs 1.2 s, and gives 26 MB instead of 39 MB (a third smaller; level 9: 25 MB for 4.9 s, 3% smaller
again). Spread over the three writers running beside the export, level 6's extra 1.4 CPU s add about 0.7 s
to the step on two cores (of ~8 s), and every kept version (``keep_releases + 1``) is a third smaller on
disk and to download: about 2.6 GB instead of 3.9 GB at 100,000 documents.

Readers: :func:`release_version` (VoID/DCAT ``dcat:version``/``pav:version``), :func:`dumps_for` (one
version's :class:`Manifest`, for DCAT distributions with byte size and checksum), :func:`manifests` and
:func:`dump_path` (the web layer's only way to a file: a name listed in the manifest, inside the folder).
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import gzip
import hashlib
import io
import json
import multiprocessing
import os
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, BinaryIO, Generic, TypeVar, cast

import pyoxigraph as ox

from .errors import StoreError
from .files import fsync_path, locked, write_atomic
from .settings import Settings
from .store import DatasetStore, ReleaseInfo, open_store

DUMPS = "dumps"
VERSIONS = "versions.json"
MANIFEST = "manifest.json"
LOCK = ".lock"
TMP_PREFIX = ".tmp-"
VERSION_PATTERN = re.compile(r"(\d{4}-\d{2}-\d{2})(?:\.([1-9]\d{0,5}))?\Z")
T = TypeVar("T")
Reader = Callable[[Settings, ReleaseInfo, BinaryIO], T]
"""A reader of the N-Quads stream a release's dumps are written from (see :func:`write_dumps_with`)."""


@dataclass(frozen=True)
class DumpFormat:
    """One kind of dump file: what the store exports and how it is served."""

    key: str
    """The :meth:`DatasetStore.export` format."""
    suffix: str
    media_type: str
    """The RDF serialisation (``dcat:mediaType``)."""
    compress_format: str | None = None
    """``dcat:compressFormat`` when the file is compressed: served as this type, never Content-Encoding."""


FORMATS: tuple[DumpFormat, ...] = (
    DumpFormat("nquads", "nq.gz", "application/n-quads", "application/gzip"),
    DumpFormat("turtle", "ttl.gz", "text/turtle", "application/gzip"),
    DumpFormat("jsonld", "jsonld.gz", "application/ld+json", "application/gzip"),
)
GZIP_LEVEL = 6
"""zlib level of every dump file (see the module doc for the measurement)."""
PROCESS_QUADS = 200_000
"""From this many quads on, the writers and the extra reader are processes; below, threads."""
CHUNK = 1 << 18
"""Bytes of N-Quads per message to each reader."""


@dataclass(frozen=True)
class DumpFile:
    """One file of a version's dumps, as its manifest lists it."""

    name: str
    format: str
    media_type: str
    compress_format: str | None
    bytes: int
    sha256: str

    @property
    def content_type(self) -> str:
        """The type it is served as: the compression's type for a compressed file (text gets UTF-8)."""
        return self.compress_format or self.media_type


@dataclass(frozen=True)
class Manifest:
    """A version's ``manifest.json``: the release it was written from and its files."""

    version: str
    build_id: str
    created: datetime
    triples: int
    quads: int
    files: tuple[DumpFile, ...]

    def file(self, name: str) -> DumpFile | None:
        """The listed file called ``name``, or None (only listed names are ever served)."""
        return next((f for f in self.files if f.name == name), None)

    def to_json(self) -> str:
        record = {
            "version": self.version,
            "build_id": self.build_id,
            "created": self.created.isoformat(timespec="seconds"),
            "triples": self.triples,
            "quads": self.quads,
            "files": [dataclasses.asdict(f) for f in self.files],
        }
        return json.dumps(record, indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        """Read ``manifest.json`` (``ValueError``/``KeyError``/``TypeError`` when malformed)."""
        record = json.loads(text)
        files = tuple(
            DumpFile(
                name=str(f["name"]),
                format=str(f["format"]),
                media_type=str(f["media_type"]),
                compress_format=str(f["compress_format"]) if f.get("compress_format") else None,
                bytes=int(f["bytes"]),
                sha256=str(f["sha256"]),
            )
            for f in record["files"]
        )
        return cls(
            version=str(record["version"]),
            build_id=str(record["build_id"]),
            created=datetime.fromisoformat(record["created"]),
            triples=int(record["triples"]),
            quads=int(record["quads"]),
            files=files,
        )


def version_key(version: str) -> tuple[str, int]:
    """Sort key of a version: (date, sequence); ``ValueError`` for a name that is not a version.

    >>> sorted(["2026-11-24.10", "2026-11-25", "2026-11-24.2", "2026-11-24"], key=version_key)
    ['2026-11-24', '2026-11-24.2', '2026-11-24.10', '2026-11-25']
    """
    match = VERSION_PATTERN.match(version)
    if match is None:
        raise ValueError(f"not a dump version: {version[:40]!r}")
    return match.group(1), int(match.group(2) or 1)


def next_version(created: datetime, existing: list[str]) -> str:
    """The version of a release published at ``created``, given the versions already assigned.

    >>> day = datetime(2026, 11, 24, 10, 15, tzinfo=UTC)
    >>> next_version(day, []), next_version(day, ["2026-11-23"]), next_version(day, ["2026-11-24"])
    ('2026-11-24', '2026-11-24', '2026-11-24.2')
    >>> next_version(day, ["2026-11-24", "2026-11-24.2"])
    '2026-11-24.3'
    """
    date = created.astimezone(UTC).strftime("%Y-%m-%d")
    taken = [version_key(v)[1] for v in existing if VERSION_PATTERN.match(v) and version_key(v)[0] == date]
    if not taken:
        return date
    return f"{date}.{max(taken) + 1}"


def dumps_root(settings: Settings) -> Path:
    """The folder holding every version's dumps: ``<store>/dumps``."""
    return Path(settings.store) / DUMPS


def write_dumps(settings: Settings, release: ReleaseInfo, store: DatasetStore | None = None) -> Manifest:
    """Write the dumps of the just-published ``release`` and prune old versions; return its manifest.

    ``store`` defaults to the published store the settings name (embedded or external); it must be serving
    ``release``. Idempotent: a release already dumped returns its manifest. Raises :class:`StoreError`.
    """
    return write_dumps_with(settings, release, None, store=store)[0]


def write_dumps_with(
    settings: Settings,
    release: ReleaseInfo,
    reader: Reader[T] | None,
    *,
    store: DatasetStore | None = None,
    processes: bool | None = None,
) -> tuple[Manifest, T | None]:
    """:func:`write_dumps`, feeding ``reader`` the same N-Quads stream the dumps are written from.

    ``reader(settings, release, stream)`` runs beside the writers (in its own process when they are
    processes: it must then be a module-level function) and reads ``stream`` to its end; its result
    comes back as the second item. When the release was already dumped nothing is exported and the
    second item is None. ``processes`` forces processes (True) or threads (False); by default processes
    from :data:`PROCESS_QUADS` quads on. Raises :class:`StoreError`, naming each writer that failed.
    """
    root = dumps_root(settings)
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"cannot create the dumps folder {root}: {exc}") from exc
    if processes is None:
        processes = release.quads >= PROCESS_QUADS
    with locked(root / LOCK):
        versions = _read_versions(root)
        version = versions.get(release.build_id) or next_version(release.created, list(versions.values()))
        done = _read_manifest(root / version)
        if done is not None and done.build_id == release.build_id:
            return done, None
        job = _Job(settings, release, reader, processes)
        if store is None:
            with closing(open_store(settings)) as opened:
                manifest, (ok, extra) = _write_version(root, version, opened, job)
        else:
            manifest, (ok, extra) = _write_version(root, version, store, job)
        versions[release.build_id] = version
        write_atomic(root / VERSIONS, (json.dumps(versions, indent=2) + "\n").encode())
        _prune(root, settings.keep_releases + 1)
    if not ok:  # the dumps are in place; what the reader was for failed
        raise StoreError(str(extra))
    return manifest, cast(T | None, extra)


@dataclass(frozen=True)
class _Job(Generic[T]):
    settings: Settings
    release: ReleaseInfo
    reader: Reader[T] | None
    processes: bool


def _write_version(
    root: Path, version: str, store: DatasetStore, job: _Job[T]
) -> tuple[Manifest, tuple[bool, object]]:
    """Write the version's folder; return its manifest and the reader's (ok, result or error message)."""
    release = job.release
    serving = store.release_info()
    if serving is not None and serving.build_id != release.build_id:
        raise StoreError(
            f"release {release.build_id} was published but the store now serves {serving.build_id}: "
            "its dumps were not written"
        )
    tmp = root / f"{TMP_PREFIX}{version}-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        tmp.mkdir()
        tasks: list[tuple[str, Callable[..., object], tuple[object, ...]]] = [
            (f"the {fmt.key} dump", _write_format, (fmt, str(tmp / f"ldpub-{version}.{fmt.suffix}")))
            for fmt in FORMATS
        ]
        if job.reader is not None:
            tasks.append(("the reader of the dump", job.reader, (job.settings, release)))
        results = fan_out(store, tasks, processes=job.processes)
        written = results[: len(FORMATS)]
        extra = results[len(FORMATS)] if job.reader is not None else (True, None)
        failed = [f"{task[0]}: {value}" for task, (ok, value) in zip(tasks, written, strict=False) if not ok]
        if failed:
            raise StoreError(
                f"release {release.build_id} was published, but its dumps could not be written: "
                + "; ".join(failed)
            )
        files = tuple(cast(DumpFile, value) for _, value in written)
        manifest = Manifest(version, release.build_id, release.created, release.triples, release.quads, files)
        write_atomic(tmp / MANIFEST, manifest.to_json().encode())
        fsync_path(tmp)
        target = root / version
        if target.exists():  # a dump of an earlier attempt under this version (never a published one)
            _discard(target)
        os.rename(tmp, target)
        fsync_path(root)
    except OSError as exc:
        raise StoreError(
            f"release {release.build_id} was published, but its dumps could not be written in {root}: {exc}"
        ) from exc
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return manifest, extra


def fan_out(
    store: DatasetStore,
    tasks: list[tuple[str, Callable[..., object], tuple[object, ...]]],
    *,
    processes: bool,
) -> list[tuple[bool, object]]:
    """Export ``store`` once as N-Quads and give the stream to every task; return each (ok, result or error).

    A task ``(name, function, args)`` runs ``function(*args, stream)`` in a thread, or in a fresh Python
    process of its own when ``processes`` (``function`` is pickled by name with ``args``; nothing of the
    calling program is imported again). ``stream`` is a binary file of the whole export; it raises
    :class:`StoreError` when the export stops short, so a reader never takes a cut stream for the
    dataset, and a child process whose parent dies stops at once. A task that fails or dies is dropped
    from the stream and the others go on. An error of the export itself is raised once every task ended.
    """
    outlets: list[Connection] = []
    answers: list[Connection] = []
    workers: list[threading.Thread | subprocess.Popen[bytes]] = []
    try:
        for _, function, args in tasks:
            data_in, data_out = multiprocessing.Pipe(duplex=False)
            answer_in, answer_out = multiprocessing.Pipe(duplex=False)
            _grow_pipe(data_out)
            outlets.append(data_out)
            answers.append(answer_in)
            worker: threading.Thread | subprocess.Popen[bytes]
            if processes:
                fds = (data_in.fileno(), answer_out.fileno())
                command = [sys.executable, "-c", _CHILD, json.dumps(sys.path), *map(str, fds)]
                worker = subprocess.Popen(command, pass_fds=fds, stdin=subprocess.DEVNULL)
                data_in.close()  # the child holds its own copies: a dead child reads as a closed pipe
                answer_out.close()
                data_out.send((function, args))
            else:
                worker = threading.Thread(
                    target=_serve, args=(function, args, data_in, answer_out), daemon=True
                )
                worker.start()
            workers.append(worker)
        tee = _Tee(outlets)
        store.export("nquads", cast(BinaryIO, tee))
        tee.finish()
    finally:  # on an error, the readers see the stream stop short and give up
        for outlet in outlets:
            outlet.close()
        results = [_answer(answer, worker) for answer, worker in zip(answers, workers, strict=False)]
    return results


_CHILD = (
    "import json, sys; sys.path[:0] = json.loads(sys.argv[1]); "
    "from ldpub.dumps import serve_child; serve_child(int(sys.argv[2]), int(sys.argv[3]))"
)


def serve_child(data_fd: int, answer_fd: int) -> None:
    """The body of a :func:`fan_out` child process: read the task, then serve it on the stream."""
    data = Connection(data_fd, writable=False)
    answer = Connection(answer_fd, readable=False)
    try:
        function, args = data.recv()
    except (EOFError, OSError):
        return
    except Exception as exc:  # e.g. a function of the parent's __main__, which a fresh process lacks
        with contextlib.suppress(OSError):
            answer.send((False, f"the task could not be read in its process: {exc}"))
        return
    _serve(function, args, data, answer)


def _answer(answer: Connection, worker: threading.Thread | subprocess.Popen[bytes]) -> tuple[bool, object]:
    """What one task sent back, once it has ended."""
    try:
        ok, value = answer.recv()
    except (EOFError, OSError):
        code = worker.wait() if isinstance(worker, subprocess.Popen) else None
        ok, value = False, f"its process ended without an answer (exit code {code}; out of memory?)"
    finally:
        answer.close()
    if isinstance(worker, subprocess.Popen):
        worker.wait()
    else:
        worker.join()
    return bool(ok), value


class _Tee:
    """A binary sink that sends what it is given, in :data:`CHUNK` messages, to every live reader."""

    def __init__(self, outlets: list[Connection]) -> None:
        self._outlets: list[Connection | None] = list(outlets)
        self._buffer = bytearray()

    def write(self, data: bytes) -> int:
        self._buffer += data
        if len(self._buffer) >= CHUNK:
            self._send(bytes(self._buffer))
            self._buffer.clear()
        return len(data)

    def flush(self) -> None:
        """Nothing: messages go out by :data:`CHUNK` (pyoxigraph flushes after its last write)."""

    def finish(self) -> None:
        """Send what is left, then the end mark (an empty message): the stream is complete."""
        if self._buffer:
            self._send(bytes(self._buffer))
            self._buffer.clear()
        self._send(b"")

    def _send(self, message: bytes) -> None:
        for i, outlet in enumerate(self._outlets):
            if outlet is None:
                continue
            try:
                outlet.send_bytes(message)
            except OSError:  # that reader has stopped (failed or died): the others go on
                self._outlets[i] = None


class _Incoming(io.RawIOBase):
    """The reading end of the stream: EOF at the end mark, :class:`StoreError` if it stops before."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        self._pending = memoryview(b"")
        self._ended = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._pending:
            if self._ended:
                return 0
            try:
                message = self._connection.recv_bytes()
            except (EOFError, OSError):
                raise StoreError("the N-Quads export stopped before its end") from None
            if not message:
                self._ended = True
                return 0
            self._pending = memoryview(message)
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size


def _serve(
    function: Callable[..., object], args: tuple[object, ...], data: Connection, answer: Connection
) -> None:
    """Run one task on the stream (in a thread or a spawned process) and send back (ok, result or error)."""
    try:
        stream = io.BufferedReader(_Incoming(data), CHUNK)
        result: tuple[bool, object] = (True, function(*args, stream))
    except Exception as exc:  # every failure goes back to the exporting process
        result = (False, str(exc) or type(exc).__name__)
    finally:
        data.close()
    with contextlib.suppress(OSError):
        answer.send(result)
    answer.close()


def _grow_pipe(connection: Connection) -> None:
    """Give the pipe room for a few messages (Linux), so a reader briefly busy does not stall the export."""
    with contextlib.suppress(OSError, AttributeError):
        fcntl.fcntl(connection.fileno(), fcntl.F_SETPIPE_SZ, 4 * CHUNK)


class _Digest:
    """A binary sink writing to ``raw`` while counting and hashing the bytes (the manifest's figures)."""

    def __init__(self, raw: BinaryIO) -> None:
        self.raw = raw
        self.size = 0
        self.sha256 = hashlib.sha256()

    def write(self, data: bytes) -> int:
        self.raw.write(data)
        self.sha256.update(data)
        self.size += len(data)
        return len(data)

    def flush(self) -> None:
        self.raw.flush()


def _write_format(fmt: DumpFormat, path: str, stream: BinaryIO) -> DumpFile:
    """Write one dump file from the N-Quads ``stream``: re-serialised when needed, gzip with a fixed mtime."""
    with open(path, "wb") as raw:
        digest = _Digest(cast(BinaryIO, raw))
        with gzip.GzipFile(
            filename="", mode="wb", fileobj=cast(BinaryIO, digest), mtime=0, compresslevel=GZIP_LEVEL
        ) as zipped:
            if fmt.key == "nquads":
                shutil.copyfileobj(stream, zipped, CHUNK)
            else:
                quads = ox.parse(stream, format=ox.RdfFormat.N_QUADS)
                if fmt.key == "turtle":  # the union of the graphs: a triple in two graphs is written twice
                    ox.serialize((q.triple for q in quads), cast(BinaryIO, zipped), ox.RdfFormat.TURTLE)
                else:
                    ox.serialize(quads, cast(BinaryIO, zipped), ox.RdfFormat.JSON_LD)
        raw.flush()
        os.fsync(raw.fileno())
    name = os.path.basename(path)
    return DumpFile(
        name, fmt.key, fmt.media_type, fmt.compress_format, digest.size, digest.sha256.hexdigest()
    )


def manifests(settings: Settings) -> list[Manifest]:
    """The manifests of every version whose dumps are kept, newest first."""
    root = dumps_root(settings)
    try:
        names = [e.name for e in root.iterdir() if VERSION_PATTERN.match(e.name)]
    except OSError:
        return []
    found = [_read_manifest(root / name) for name in sorted(names, key=version_key, reverse=True)]
    return [m for m in found if m is not None]


def dumps_for(settings: Settings, version: str | None = None) -> Manifest | None:
    """The manifest of ``version`` (default: the newest kept version), or None when it has no dumps."""
    if version is None:
        kept = manifests(settings)
        return kept[0] if kept else None
    if not VERSION_PATTERN.match(version):
        return None
    return _read_manifest(dumps_root(settings) / version)


def release_version(settings: Settings, release: ReleaseInfo | None = None) -> str:
    """The version of ``release`` (default: the newest dumped release), e.g. ``2026-11-24``.

    A release that was never dumped (built before dumps existed) gets its date as its version; with no
    release at all the answer is ``"unreleased"``.
    """
    versions = _read_versions(dumps_root(settings))
    if release is not None:
        return versions.get(release.build_id) or release.created.astimezone(UTC).strftime("%Y-%m-%d")
    if versions:
        return max(versions.values(), key=version_key)
    return "unreleased"


def dump_path(settings: Settings, version: str, name: str) -> tuple[Manifest, DumpFile, Path] | None:
    """The file ``name`` of ``version`` when its manifest lists it and it lies inside the dumps folder.

    Anything else (an unknown version or name, ``..``, an absolute path, a symlink leading out of the
    folder, a file that is not a regular file) is None: the caller answers 404.
    """
    if not VERSION_PATTERN.match(version) or "/" in name or "\\" in name or name.startswith("."):
        return None
    manifest = _read_manifest(dumps_root(settings) / version)
    listed = manifest.file(name) if manifest is not None else None
    if manifest is None or listed is None:
        return None
    root = os.path.realpath(dumps_root(settings))
    path = os.path.realpath(os.path.join(root, version, name))
    if os.path.commonpath([root, path]) != root or not os.path.isfile(path):
        return None
    return manifest, listed, Path(path)


def _read_manifest(folder: Path) -> Manifest | None:
    try:
        return Manifest.from_json((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _read_versions(root: Path) -> dict[str, str]:
    try:
        record: Any = json.loads((root / VERSIONS).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(record, dict):
        return {}
    return {str(k): str(v) for k, v in record.items() if VERSION_PATTERN.match(str(v))}


def _prune(root: Path, keep: int) -> None:
    """Keep the ``keep`` newest versions' dumps; remove older ones and dead temporary folders."""
    names = sorted((e.name for e in root.iterdir() if VERSION_PATTERN.match(e.name)), key=version_key)
    for name in names[: max(0, len(names) - keep)]:
        _discard(root / name)
    for entry in root.iterdir():
        if entry.name.startswith(TMP_PREFIX):
            shutil.rmtree(entry, ignore_errors=True)


def _discard(path: Path) -> None:
    """Remove a version folder: renamed aside first, so a reader never sees it half removed."""
    trash = path.with_name(f"{TMP_PREFIX}trash-{path.name}-{os.getpid()}")
    with contextlib.suppress(OSError):
        os.rename(path, trash)
        path = trash
    shutil.rmtree(path, ignore_errors=True)
