"""The change history across builds (issue 5, item 5: change feed; 410 Gone for what disappeared).

At build time, after the release is published and dumped, :func:`record_history` reads the release's
N-Quads dump and computes a *description hash* for every resource IRI under ``{base}/id/``:

* a resource's description is its own triples (it is the subject), in any graph, as N-Triples lines; a
  blank node label is replaced by ``_:b`` (labels differ between builds). The multiset of lines is hashed
  (the sum of the lines' SHA-256 modulo 2^256), so the order of the dump does not matter;
* a document (``{base}/id/document/{slug}``) also covers its whole document graph
  (``{base}/graph/document/{slug}``) and the IRIs of the sources it is derived from (build graph): a
  changed word of its summary, or a capture joining it, is an Update of the document;
* the build activities (``{base}/id/build/…``) are left out: each build mints a new one.

The hashes are compared with those of the previous recorded release (``<store>/history/state.json``) and
the differences appended to the log ``<store>/history/changes.jsonl`` (one JSON object per line: iri,
kind, build_id, time, successor): **create** (new IRI), **update** (hash changed), **delete** (IRI gone).

**The successor rule.** A deleted document's successor is the document whose graph is now derived
(``prov:wasDerivedFrom`` in the build graph) from one of its former sources, matched by source IRI or by
content (SHA-256); with several, the one sharing most sources, then the smallest IRI. A deleted resource
minted from the deleted document's slug (``…/{kind}/{old-slug}`` followed by nothing, ``/`` or ``-``) has
as successor the same IRI with the successor's slug when that exists, else the successor document.

Both files are written atomically (temporary file + ``os.replace``); ``state.json`` records how many log
lines it accounts for, so a build killed between the two writes never duplicates or loses activities.
Readers: :func:`changes` (the log, cached per file version) and :func:`deleted`.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import json
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from .dumps import Manifest, dumps_root
from .errors import StoreError
from .files import locked, write_atomic
from .settings import Settings
from .store import ReleaseInfo

HISTORY = "history"
LOG = "changes.jsonl"
STATE = "state.json"
LOCK = ".lock"
PROV_DERIVED = "<http://www.w3.org/ns/prov#wasDerivedFrom>"
DCT_IDENTIFIER = "<http://purl.org/dc/terms/identifier>"
_MOD = 1 << 256
_QUAD = re.compile(
    r"(<[^>]*>|_:\S+) (<[^>]*>) "
    r'(<[^>]*>|_:\S+|"(?:[^"\\]|\\.)*"(?:@[A-Za-z0-9-]+|\^\^<[^>]*>)?)'
    r"(?: (<[^>]*>|_:\S+))? \.\s*\Z"
)
_BNODE = re.compile(r"_:\S+")

Kind = Literal["create", "update", "delete"]


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
        record = {
            "iri": self.iri,
            "kind": self.kind,
            "build_id": self.build_id,
            "time": self.time.isoformat(timespec="seconds"),
            "successor": self.successor,
        }
        return json.dumps(record, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> Change:
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


@dataclass
class Snapshot:
    """Description hashes per resource IRI, and the source keys each document was derived from."""

    hashes: dict[str, str] = field(default_factory=dict)
    sources: dict[str, list[str]] = field(default_factory=dict)


def parse_quad(line: str) -> tuple[str, str, str, str | None] | None:
    """(subject, predicate, object, graph or None) of one N-Quads line as Oxigraph writes it; else None.

    >>> parse_quad('<http://x/s> <http://x/p> "a \\\\"b\\\\" c"@en <http://x/g> .')
    ('<http://x/s>', '<http://x/p>', '"a \\\\"b\\\\" c"@en', '<http://x/g>')
    >>> parse_quad('_:b1 <http://x/p> "1"^^<http://www.w3.org/2001/XMLSchema#integer> .')[3] is None
    True
    >>> parse_quad("# a comment") is None
    True
    """
    match = _QUAD.match(line)
    if match is None:
        return None
    s, p, o, g = match.groups()
    return s, p, o, g


def line_hash(line: str) -> int:
    """The SHA-256 of one N-Triples line as an integer (summed: a hash of the multiset of lines).

    >>> line_hash("<a> <b> <c> .") == line_hash("<a> <b> <c> .") != line_hash("<a> <b> <d> .")
    True
    """
    return int.from_bytes(hashlib.sha256(line.encode()).digest(), "big")


def snapshot(lines: Iterable[str], base: str) -> Snapshot:
    """The description hashes of every resource under ``{base}/id/`` in an N-Quads dump (see module doc).

    >>> base = "http://x"
    >>> snap = snapshot([
    ...     '<http://x/id/document/a> <http://x/p> "t" <http://x/graph/document/a> .',
    ...     '<http://x/id/document/a/summary> <http://x/p> "old" <http://x/graph/document/a> .',
    ...     '<http://x/graph/document/a> <http://www.w3.org/ns/prov#wasDerivedFrom> '
    ...     '<http://x/id/source/f> <http://x/graph/build> .',
    ...     '<http://x/id/build/1> <http://x/p> "t" <http://x/graph/build> .',
    ... ], base)
    >>> sorted(snap.hashes), snap.sources
    (['http://x/id/document/a', 'http://x/id/document/a/summary'], {'http://x/id/document/a': ['http://x/id/source/f']})
    """
    ids = f"<{base}/id/"
    builds = f"<{base}/id/build/"
    doc_graph = f"<{base}/graph/document/"
    own: dict[str, int] = {}
    graphs: dict[str, int] = {}
    derived: dict[str, set[str]] = {}
    shas: dict[str, str] = {}
    for raw in lines:
        quad = parse_quad(raw)
        if quad is None:
            continue
        s, p, o, g = quad
        triple = f"{s} {p} {_BNODE.sub('_:b', o)} ."
        if s.startswith(ids) and not s.startswith(builds):
            own[s[1:-1]] = (own.get(s[1:-1], 0) + line_hash(triple)) % _MOD
        if g is not None and g.startswith(doc_graph):
            graphs[g] = (graphs.get(g, 0) + line_hash(f"{_BNODE.sub('_:b', s)} {p} {o} .")) % _MOD
        if p == PROV_DERIVED and s.startswith(doc_graph) and o.startswith("<"):
            derived.setdefault(_document_of(s, base), set()).add(o[1:-1])
        elif p == DCT_IDENTIFIER and s.startswith(f"<{base}/id/source/") and o.startswith('"sha256:'):
            shas[s[1:-1]] = o[1:].split('"', 1)[0]
    for graph, total in graphs.items():
        document = _document_of(graph, base)
        own[document] = (own.get(document, 0) + total) % _MOD
    for document, keys in derived.items():
        if document in own:
            own[document] = (own[document] + line_hash("sources: " + " ".join(sorted(keys)))) % _MOD
    hashes = {iri: format(total, "064x") for iri, total in sorted(own.items())}
    sources = {
        doc: sorted(keys | {shas[k] for k in keys if k in shas}) for doc, keys in sorted(derived.items())
    }
    return Snapshot(hashes, sources)


def _document_of(graph: str, base: str) -> str:
    """``<{base}/graph/document/{slug}>`` → ``{base}/id/document/{slug}``."""
    return f"{base}/id/document/" + graph[1:-1].removeprefix(f"{base}/graph/document/")


def compare(old: Snapshot, new: Snapshot, build_id: str, time: datetime, base: str) -> list[Change]:
    """The changes from ``old`` to ``new``, sorted by IRI (see the module doc for the successor rule)."""
    found: list[Change] = []
    successors = _document_successors(old, new)
    for iri in sorted(set(old.hashes) | set(new.hashes)):
        if iri not in old.hashes:
            found.append(Change(iri, "create", build_id, time))
        elif iri not in new.hashes:
            found.append(Change(iri, "delete", build_id, time, _successor(iri, successors, new, base)))
        elif old.hashes[iri] != new.hashes[iri]:
            found.append(Change(iri, "update", build_id, time))
    return found


def _document_successors(old: Snapshot, new: Snapshot) -> dict[str, str]:
    """Deleted document IRI → the new document sharing most of its former sources."""
    result: dict[str, str] = {}
    for doc, keys in old.sources.items():
        if doc in new.hashes:
            continue
        scored = [(-len(set(keys) & set(now)), other) for other, now in new.sources.items() if other != doc]
        scored = [s for s in scored if s[0] < 0]
        if scored:
            result[doc] = min(scored)[1]
    return result


def _successor(iri: str, successors: dict[str, str], new: Snapshot, base: str) -> str | None:
    if iri in successors:
        return successors[iri]
    ids = f"{base}/id/"
    kind, _, rest = iri.removeprefix(ids).partition("/")
    for doc, target in successors.items():
        old_slug = doc.rsplit("/", 1)[1]
        new_slug = target.rsplit("/", 1)[1]
        if rest == old_slug or rest.startswith((old_slug + "/", old_slug + "-")):
            candidate = f"{ids}{kind}/{new_slug}{rest[len(old_slug) :]}"
            return candidate if candidate in new.hashes else target
    return None


def record_history(settings: Settings, release: ReleaseInfo, manifest: Manifest) -> list[Change]:
    """Append the changes of the just-published ``release`` (read from its N-Quads dump) to the log.

    Idempotent: a release already recorded adds nothing. Returns the changes added.
    """
    root = history_root(settings)
    dump = next((f for f in manifest.files if f.format == "nquads"), None)
    if dump is None:
        raise StoreError(f"the dumps of release {release.build_id} have no N-Quads file")
    path = dumps_root(settings) / manifest.version / dump.name
    try:
        root.mkdir(parents=True, exist_ok=True)
        with locked(root / LOCK):
            state = _read_state(root)
            if state is not None and state.get("build_id") == release.build_id:
                return []
            with gzip.open(path, "rt", encoding="utf-8") as handle:
                new = snapshot(handle, settings.base_uri)
            old = Snapshot()
            log = _read_lines(root / LOG)
            if state is not None:
                old = Snapshot(dict(state["hashes"]), {k: list(v) for k, v in state["sources"].items()})
                log = log[: int(state["log_lines"])]
            found = compare(old, new, release.build_id, release.created, settings.base_uri)
            log += [c.to_json() for c in found]
            write_atomic(root / LOG, "".join(line + "\n" for line in log).encode())
            record = {"build_id": release.build_id, "log_lines": len(log)}
            record |= {"hashes": new.hashes, "sources": new.sources}
            write_atomic(root / STATE, json.dumps(record).encode())
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise StoreError(
            f"release {release.build_id} was published, but its change history was not recorded: {exc}"
        ) from exc
    return found


def history_root(settings: Settings) -> Path:
    """``<store>/history``: the change log and the state of the last recorded release."""
    return Path(settings.store) / HISTORY


_CACHE: dict[str, tuple[tuple[int, int, int], list[Change], dict[str, Change]]] = {}


def _loaded(settings: Settings) -> tuple[list[Change], dict[str, Change]]:
    path = history_root(settings) / LOG
    try:
        st = os.stat(path)
    except OSError:
        return [], {}
    stamp = (st.st_ino, st.st_mtime_ns, st.st_size)
    cached = _CACHE.get(str(path))
    if cached is not None and cached[0] == stamp:
        return cached[1], cached[2]
    found: list[Change] = []
    for line in _read_lines(path):
        with contextlib.suppress(ValueError, KeyError, TypeError):
            found.append(Change.from_json(line))
    latest: dict[str, Change] = {}
    for change in found:
        latest[change.iri] = change
    gone = {iri: c for iri, c in latest.items() if c.kind == "delete"}
    _CACHE[str(path)] = (stamp, found, gone)
    return found, gone


def changes(settings: Settings) -> list[Change]:
    """Every recorded change, oldest first (builds in publishing order, IRIs sorted within a build)."""
    return list(_loaded(settings)[0])


def deleted(settings: Settings) -> dict[str, Change]:
    """IRI → its delete, for every resource whose latest change is a delete (not created again since)."""
    return dict(_loaded(settings)[1])


def gone(settings: Settings, iri: str) -> Change | None:
    """The delete of ``iri`` when it is its latest change (the 410 Gone check; no copy of the log)."""
    return _loaded(settings)[1].get(iri)


def _read_state(root: Path) -> dict[str, Any] | None:
    try:
        record = json.loads((root / STATE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    return record if isinstance(record, dict) else None


def _read_lines(path: Path) -> list[str]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    return [line for line in text.splitlines() if line.strip()]
