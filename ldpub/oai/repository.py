"""What the repository holds for OAI-PMH: its items (one per published document), their sets and
datestamps, and the records deleted since (OAI-PMH 2.0 §2.4 items and identifiers, §2.5 records and
deleted records, §2.6 datestamps, §2.7.2 sets).

* An item is a document with its own named graph ``{base}/graph/document/{slug}``; its OAI identifier is
  ``oai:<host of base_uri>:<slug>`` (OAI Identifier Format, §2.1 of the oai-identifier guidelines).
* Sets (§2.7.2, hierarchical with ``:``): ``doctype:<key>`` from the document's ``crm:P2_has_type``
  document type (priority markings, languages and units are types of other kinds and are left out), and
  ``archive:<key>`` the curated holding (``crm:E78_Curated_Holding``) the archival item's file is part of.
* Datestamps (§2.6) come from the change history recorded at build time (:mod:`ldpub.history`): the time
  of the release holding the document's latest create or update (its whole document graph counts), or the
  release's time when no history was recorded. A document whose latest change is a delete persists as a
  deleted record (``deletedRecord`` ``persistent``, §2.5.1) stamped with the time of that delete; the
  earlier documents a record only cites (``{slug}-ref-YYYY-MM-DD``) are not records and are left out.
* A deleted record keeps the sets it was last seen in: ``<store>/oai/sets.json`` remembers each record's
  sets (updated once per release, under a file lock), so a harvest by set also learns of its deletions.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .. import history
from ..errors import StoreError
from ..settings import Settings
from ..store import DatasetStore, SelectResult

CRM = "http://www.cidoc-crm.org/cidoc-crm/"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
OTHER_TYPE_PREFIXES = ("priority-", "language-", "unit-")
"""Local types that are not document types (``ldpub.model.context.entity_uri`` mints them so)."""
_SET_PART = re.compile(r"[A-Za-z0-9\-_.!~*'()]+\Z")


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


@dataclass(frozen=True)
class OAISet:
    spec: str
    name: str


@dataclass
class Catalogue:
    """The items and sets of one release, items sorted by slug (the order every list is paged in)."""

    release: str
    created: datetime
    items: list[Item]
    sets: list[OAISet]
    by_slug: dict[str, Item] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.by_slug = {item.slug: item for item in self.items}

    @property
    def earliest(self) -> datetime:
        """The earliest datestamp (Identify ``earliestDatestamp``): no item has an older one."""
        return min((item.datestamp for item in self.items), default=self.created)


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


_lock = threading.Lock()
_cache: dict[tuple[str, str, tuple[int, int, int] | None], Catalogue] = {}
_EARLIER_DOCUMENT = re.compile(r"-ref-\d{4}-\d{2}-\d{2}\Z")


def catalogue(store: DatasetStore, settings: Settings) -> Catalogue:
    """The release's items and sets, computed once per release and version of the change history."""
    info = store.release_info()
    release = info.build_id if info is not None else "unversioned"
    key = (str(Path(settings.store).resolve()), release, _history_stamp(settings))
    with _lock:
        found = _cache.get(key)
        if found is not None:
            return found
        created = info.created if info is not None else datetime.now(UTC).replace(microsecond=0)
        documents = _documents(store, settings)
        known_sets = _remember_sets(Path(settings.store) / "oai", release, documents)
        latest: dict[str, datetime] = {}
        for change in history.changes(settings):
            latest[change.iri] = change.time
        items = [
            Item(slug, latest.get(document_iri(settings, slug), created), tuple(specs))
            for slug, specs in documents.items()
        ]
        for iri, change in history.deleted(settings).items():
            slug = slug_of_iri(settings, iri)
            if slug is not None and slug not in documents and not _EARLIER_DOCUMENT.search(slug):
                items.append(Item(slug, change.time, tuple(known_sets.get(slug, ())), deleted=True))
        items.sort(key=lambda item: item.slug)
        result = Catalogue(release, created, items, _sets(store, settings, documents))
        _cache.clear()
        _cache[key] = result
        return result


def slug_of_iri(settings: Settings, iri: str) -> str | None:
    """The slug of a document IRI ``{base}/id/document/{slug}``, else ``None``.

    >>> slug_of_iri(Settings(), "http://localhost:5000/id/document/a"), slug_of_iri(Settings(), "x")
    ('a', None)
    """
    prefix = f"{settings.base_uri}/id/document/"
    slug = iri[len(prefix) :] if iri.startswith(prefix) else ""
    return slug if slug and "/" not in slug else None


def _history_stamp(settings: Settings) -> tuple[int, int, int] | None:
    """What identifies one version of the change log (it is rewritten by each build)."""
    try:
        st = os.stat(history.history_root(settings) / history.LOG)
    except OSError:
        return None
    return st.st_ino, st.st_mtime_ns, st.st_size


def page_of(items: list[Item], position: int, size: int) -> list[Item]:
    """``size`` items from ``position`` (items are sorted by slug, so a position names one item).

    >>> [i.slug for i in page_of([Item(s, datetime.now(UTC), ()) for s in "abc"], 1, 5)]
    ['b', 'c']
    """
    return items[position : position + size]


def _select(store: DatasetStore, sparql: str) -> SelectResult:
    result = store.query(sparql)
    if not isinstance(result, SelectResult):
        raise StoreError("the store answered a SELECT query with something else")
    return result


def _documents(store: DatasetStore, settings: Settings) -> dict[str, list[str]]:
    """slug → set specs, for every document that has its own graph in the release."""
    graphs = f"{settings.base_uri}/graph/document/"
    docs = f"{settings.base_uri}/id/document/"
    types = f"{settings.base_uri}/id/type/"
    holdings = f"{settings.base_uri}/id/object/"
    sparql = f"""
        SELECT ?g ?type ?archive WHERE {{
          GRAPH ?g {{ ?doc a <{CRM}E31_Document> }}
          FILTER(STRSTARTS(STR(?g), "{graphs}"))
          FILTER(STRAFTER(STR(?g), "{graphs}") = STRAFTER(STR(?doc), "{docs}"))
          OPTIONAL {{ GRAPH ?g {{ ?doc <{CRM}P2_has_type> ?type }} }}
          OPTIONAL {{
            GRAPH ?g {{ ?item <{CRM}P128_carries> ?doc ; <{CRM}P46i_forms_part_of>+ ?archive }}
            ?archive a <{CRM}E78_Curated_Holding>
          }}
        }}"""
    documents: dict[str, list[str]] = {}
    for row in _select(store, sparql).rows:
        slug = str(row["g"])[len(graphs) :]
        specs = documents.setdefault(slug, [])
        kind = str(row.get("type", ""))
        if kind.startswith(types) and not kind[len(types) :].startswith(OTHER_TYPE_PREFIXES):
            _add_spec(specs, "doctype", kind[len(types) :])
        holding = str(row.get("archive", ""))
        if holding.startswith(holdings):
            _add_spec(specs, "archive", holding[len(holdings) :])
    for specs in documents.values():
        specs.sort()
    return documents


def _add_spec(specs: list[str], parent: str, key: str) -> None:
    spec = f"{parent}:{key}"
    if _SET_PART.match(key) and spec not in specs:
        specs.append(spec)


def _sets(store: DatasetStore, settings: Settings, documents: dict[str, list[str]]) -> list[OAISet]:
    """The sets the release's documents are in, with their parents, named by the labels in the data."""
    specs = sorted({spec for specs in documents.values() for spec in specs})
    if not specs:
        return []
    folder = {"doctype": "type", "archive": "object"}
    iris = {
        spec: f"{settings.base_uri}/id/{folder[spec.split(':')[0]]}/{spec.split(':')[1]}" for spec in specs
    }
    values = " ".join(f"<{iri}>" for iri in iris.values())
    sparql = f"SELECT ?s ?label WHERE {{ VALUES ?s {{ {values} }} ?s <{RDFS_LABEL}> ?label }}"
    labels: dict[str, str] = {}
    for row in _select(store, sparql).rows:
        lang = getattr(row["label"], "language", None)
        if str(row["s"]) not in labels or lang == "en":
            labels[str(row["s"])] = str(row["label"])
    result = []
    parents = {"doctype": "Documents by type", "archive": "Documents by archive"}
    for parent, name in parents.items():
        if any(spec.startswith(parent + ":") for spec in specs):
            result.append(OAISet(parent, name))
    for spec in specs:
        label = labels.get(iris[spec], spec.split(":")[1])
        what = "Document type" if spec.startswith("doctype:") else "Archive"
        result.append(OAISet(spec, f"{what}: {label}"))
    return sorted(result, key=lambda s: s.spec)


def _remember_sets(folder: Path, release: str, documents: dict[str, list[str]]) -> dict[str, list[str]]:
    """Fold this release's set memberships into ``folder/sets.json`` (once per release); return them all."""
    path = folder / "sets.json"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        lock = os.open(folder / "sets.lock", os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise StoreError(f"cannot keep the OAI-PMH set memory in {folder}: {exc}") from exc
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            memory: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            memory = {"releases": [], "sets": {}}
        except ValueError as exc:
            raise StoreError(f"{path} is not JSON ({exc}): remove it to start anew") from exc
        if release not in memory["releases"]:
            memory["sets"].update(documents)
            memory["releases"] = [*memory["releases"][-99:], release]
            tmp = path.with_name(f"sets.json.tmp-{os.getpid()}")
            tmp.write_text(json.dumps(memory, indent=1, sort_keys=True) + "\n", encoding="utf-8")
            os.replace(tmp, path)
        known: dict[str, list[str]] = memory["sets"]
        return known
    except OSError as exc:
        raise StoreError(f"cannot update the OAI-PMH set memory {path}: {exc}") from exc
    finally:
        os.close(lock)
