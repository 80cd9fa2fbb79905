"""Versioned dumps of each release, written once at build time (issue 5, item 4: versioned dumps).

Every published release is a *version* of the dataset. Its dumps are written by :func:`write_dumps` right
after the release is published, never per request, under the store folder (for an external store too)::

    <store>/dumps/versions.json                   every build id ever dumped → its version (never pruned)
    <store>/dumps/<version>/ldpub-<version>.nq.gz    N-Quads (named graphs kept), gzip-compressed
    <store>/dumps/<version>/ldpub-<version>.ttl      Turtle: the union of all graphs
    <store>/dumps/<version>/ldpub-<version>.jsonld   JSON-LD (expanded, named graphs kept)
    <store>/dumps/<version>/manifest.json            version, build id, time, counts; per file: bytes, SHA-256

**The version rule.** A release's version is the UTC date it was published (``2026-11-24``); the second and
later releases published the same day get a sequence number (``2026-11-24.2``, ``2026-11-24.3``). Versions
are assigned in publishing order and recorded in ``versions.json``, so a version is never reused, even after
its dumps are pruned. Versions order by (date, sequence).

A version's folder is written under a temporary name (``.tmp-…``) and renamed into place, so a half-written
dump is never visible. The dumps of the current release and of the ``keep_releases`` newest earlier ones are
kept (the same number of earlier releases the embedded store keeps); older ones are removed.

Readers: :func:`release_version` (VoID/DCAT ``dcat:version``/``pav:version``), :func:`dumps_for` (one
version's :class:`Manifest`, for DCAT distributions with byte size and checksum), :func:`manifests` and
:func:`dump_path` (the web layer's only way to a file: a name listed in the manifest, inside the folder).
"""

from __future__ import annotations

import contextlib
import dataclasses
import gzip
import hashlib
import json
import os
import re
import shutil
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO, cast

from .errors import StoreError
from .files import locked, write_atomic
from .settings import Settings
from .store import DatasetStore, ReleaseInfo, open_store

DUMPS = "dumps"
VERSIONS = "versions.json"
MANIFEST = "manifest.json"
LOCK = ".lock"
TMP_PREFIX = ".tmp-"
VERSION_PATTERN = re.compile(r"(\d{4}-\d{2}-\d{2})(?:\.([1-9]\d{0,5}))?\Z")


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
    DumpFormat("turtle", "ttl", "text/turtle"),
    DumpFormat("jsonld", "jsonld", "application/ld+json"),
)


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
    root = dumps_root(settings)
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"cannot create the dumps folder {root}: {exc}") from exc
    with locked(root / LOCK):
        versions = _read_versions(root)
        version = versions.get(release.build_id) or next_version(release.created, list(versions.values()))
        done = _read_manifest(root / version)
        if done is not None and done.build_id == release.build_id:
            return done
        if store is None:
            with closing(open_store(settings)) as opened:
                manifest = _write_version(root, version, release, opened)
        else:
            manifest = _write_version(root, version, release, store)
        versions[release.build_id] = version
        write_atomic(root / VERSIONS, (json.dumps(versions, indent=2) + "\n").encode())
        _prune(root, settings.keep_releases + 1)
    return manifest


def _write_version(root: Path, version: str, release: ReleaseInfo, store: DatasetStore) -> Manifest:
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
        files = tuple(_write_file(tmp, f"ldpub-{version}.{fmt.suffix}", fmt, store) for fmt in FORMATS)
        manifest = Manifest(version, release.build_id, release.created, release.triples, release.quads, files)
        write_atomic(tmp / MANIFEST, manifest.to_json().encode())
        _fsync(tmp)
        target = root / version
        if target.exists():  # a dump of an earlier attempt under this version (never a published one)
            _discard(target)
        os.rename(tmp, target)
        _fsync(root)
    except OSError as exc:
        raise StoreError(
            f"release {release.build_id} was published, but its dumps could not be written in {root}: {exc}"
        ) from exc
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return manifest


def _write_file(folder: Path, name: str, fmt: DumpFormat, store: DatasetStore) -> DumpFile:
    """Export the store into ``folder/name`` (streamed; gzip with a fixed mtime), then measure it."""
    path = folder / name
    with path.open("wb") as raw:
        if fmt.compress_format:
            with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as zipped:
                store.export(fmt.key, cast(BinaryIO, zipped))
        else:
            store.export(fmt.key, raw)
        raw.flush()
        os.fsync(raw.fileno())
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return DumpFile(
        name, fmt.key, fmt.media_type, fmt.compress_format, path.stat().st_size, digest.hexdigest()
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


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
