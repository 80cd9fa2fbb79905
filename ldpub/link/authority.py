"""The curated authority file: entities a document's mentions resolve to.

The file is TOML (``data/authorities.toml``); its format is described at its top and in the README.
Wikidata links come only from the verified CSV it names (``wikidata = "…"``), joined by key, and from the
links ``ldpub reconcile`` made that a curator published (``reconciled = "…"``); a curated link always wins.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import AuthorityError
from ..tomlfile import read_toml

KINDS = ("person", "group", "place", "concept", "archive", "doctype", "priority", "language", "unit")
ENTITY_KINDS = ("person", "group", "place")
WIKIDATA_ENTITY = "http://www.wikidata.org/entity/"


@dataclass(frozen=True)
class WikidataLink:
    """A verified link, or one made by ldpub reconcile (score, features, method, endpoint, date)."""

    qid: str
    confidence: str
    evidence: str
    method: str = ""  # set for a reconciled link only
    endpoint: str = ""
    date: str = ""

    @property
    def iri(self) -> str:
        return WIKIDATA_ENTITY + self.qid

    @property
    def reconciled(self) -> bool:
        return bool(self.method)


@dataclass
class Entry:
    """One authority entry. Fields that do not apply to a kind stay empty."""

    kind: str
    key: str
    labels: dict[str, str]
    alt: list[str] = field(default_factory=list)
    match: list[str] = field(default_factory=list)
    match_in: dict[str, list[str]] = field(default_factory=dict)
    falls_within: str | None = None
    part_of: str | None = None
    roles: list[str] = field(default_factory=list)
    identifiers: dict[str, str] = field(default_factory=dict)
    wikidata: WikidataLink | None = None
    prefixes: list[str] = field(default_factory=list)
    language: str | None = None
    curator: str | None = None
    title_starts: list[str] = field(default_factory=list)
    nouns: list[str] = field(default_factory=list)
    publishes_when: list[str] = field(default_factory=list)
    minted: bool = False  # True for persons/groups made from a credit line, not curated

    @property
    def label(self) -> str:
        return self.labels["en"]

    def surface_forms(self, archive: str | None) -> list[str]:
        """The strings that name this entry in running text of a document from ``archive``."""
        forms = [*self.labels.values(), *self.alt, *self.match]
        if archive is not None:
            forms.extend(self.match_in.get(archive, []))
        return forms


@dataclass
class Authority:
    entries: dict[tuple[str, str], Entry]
    source: Path

    def get(self, kind: str, key: str) -> Entry:
        try:
            return self.entries[(kind, key)]
        except KeyError:
            raise AuthorityError(f"{self.source}: no {kind} with key {key!r}") from None

    def find(self, kind: str, key: str) -> Entry | None:
        return self.entries.get((kind, key))

    def of_kind(self, *kinds: str) -> list[Entry]:
        return [e for (k, _), e in sorted(self.entries.items()) if k in kinds]

    def by_name(self, name: str, kinds: tuple[str, ...], archive: str | None = None) -> Entry | None:
        """The entry one of whose names is exactly ``name`` (case-insensitive), if any."""
        wanted = " ".join(name.split()).casefold()
        for entry in self.of_kind(*kinds):
            if any(" ".join(f.split()).casefold() == wanted for f in entry.surface_forms(archive)):
                return entry
        return None

    def add(self, entry: Entry) -> None:
        self.entries[(entry.kind, entry.key)] = entry


def _strings(value: Any, where: str, name: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise AuthorityError(f"{where}: {name!r} must be a list of strings")
    return list(value)


def _text(value: Any, where: str, name: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise AuthorityError(f"{where}: {name!r} must be a string")
    return value


def _str_map(value: Any, where: str, name: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise AuthorityError(f"{where}: {name!r} must be a table of strings")
    return dict(value)


def _entry(kind: str, key: str, data: Any, where: str) -> Entry:
    if not isinstance(data, dict):
        raise AuthorityError(f"{where}: must be a table")
    labels = _str_map(data.get("label"), where, "label")
    if "en" not in labels:
        raise AuthorityError(f"{where}: needs an English label (label.en)")
    match_in_raw = data.get("match_in") or {}
    if not isinstance(match_in_raw, dict):
        raise AuthorityError(f"{where}: 'match_in' must be a table of lists")
    known = {
        "label", "alt", "match", "match_in", "falls_within", "part_of", "roles", "identifiers", "prefixes",
        "language", "curator", "title_starts", "nouns", "publishes_when",
    }  # fmt: skip
    unknown = set(data) - known
    if unknown:
        raise AuthorityError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
    return Entry(
        kind=kind,
        key=key,
        labels=labels,
        alt=_strings(data.get("alt"), where, "alt"),
        match=_strings(data.get("match"), where, "match"),
        match_in={a: _strings(v, where, f"match_in.{a}") for a, v in match_in_raw.items()},
        falls_within=_text(data.get("falls_within"), where, "falls_within"),
        part_of=_text(data.get("part_of"), where, "part_of"),
        roles=_strings(data.get("roles"), where, "roles"),
        identifiers=_str_map(data.get("identifiers"), where, "identifiers"),
        prefixes=_strings(data.get("prefixes"), where, "prefixes"),
        language=_text(data.get("language"), where, "language"),
        curator=_text(data.get("curator"), where, "curator"),
        title_starts=_strings(data.get("title_starts"), where, "title_starts"),
        nouns=_strings(data.get("nouns"), where, "nouns"),
        publishes_when=_strings(data.get("publishes_when"), where, "publishes_when"),
    )


def _load_wikidata(path: Path) -> dict[str, WikidataLink]:
    """Rows of the verified CSV that have a QID, by key."""
    links: dict[str, WikidataLink] = {}
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            for line, row in enumerate(csv.DictReader(handle), start=2):
                qid = (row.get("qid") or "").strip()
                if not qid:
                    continue
                if not qid.startswith("Q") or not qid[1:].isdigit():
                    raise AuthorityError(f"{path}:{line}: {qid!r} is not a Wikidata item id")
                links[row["key"]] = WikidataLink(qid, row.get("confidence") or "", row.get("evidence") or "")
    except OSError as exc:
        raise AuthorityError(f"{path}: cannot read the Wikidata file: {exc.strerror}") from exc
    except (KeyError, csv.Error) as exc:
        raise AuthorityError(f"{path}: malformed Wikidata CSV: {exc}") from exc
    return links


RECONCILED_COLUMNS = ("key", "kind", "qid", "score", "features", "method", "endpoint", "date")


def _load_reconciled(path: Path, curated: dict[str, WikidataLink]) -> dict[str, WikidataLink]:
    """Rows of a links file written by ``ldpub reconcile``, by key; a conflict with a curated link fails."""
    links: dict[str, WikidataLink] = {}
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = set(RECONCILED_COLUMNS) - set(reader.fieldnames or [])
            if missing:
                raise AuthorityError(f"{path}: the links file lacks column(s) {', '.join(sorted(missing))}")
            for line, row in enumerate(reader, start=2):
                key, qid = row["key"], row["qid"].strip()
                if not qid.startswith("Q") or not qid[1:].isdigit():
                    raise AuthorityError(f"{path}:{line}: {qid!r} is not a Wikidata item id")
                if key in curated and curated[key].qid != qid:
                    raise AuthorityError(
                        f"{path}:{line}: {key} is reconciled to {qid} but curated as {curated[key].qid}; "
                        "the curated link is kept: remove the row"
                    )
                fields = {name: row[name] or "" for name in ("method", "endpoint", "date")}
                links[key] = WikidataLink(qid, row["score"] or "", row["features"] or "", **fields)
    except OSError as exc:
        raise AuthorityError(f"{path}: cannot read the reconciled links: {exc.strerror}") from exc
    except csv.Error as exc:
        raise AuthorityError(f"{path}: malformed links CSV: {exc}") from exc
    return links


def load_authority(path: Path) -> Authority:
    """Read and check the authority file; references between entries must resolve."""
    data = read_toml(path, AuthorityError, "authority file")
    wikidata_file = data.pop("wikidata", None)
    links = _load_wikidata(path.parent / wikidata_file) if isinstance(wikidata_file, str) else {}
    reconciled_file = data.pop("reconciled", None)
    if isinstance(reconciled_file, str):
        links = {**_load_reconciled(path.parent / reconciled_file, links), **links}
    authority = Authority({}, path)
    for kind, table in data.items():
        if kind not in KINDS:
            raise AuthorityError(f"{path}: unknown kind [{kind}] (known: {', '.join(KINDS)})")
        if not isinstance(table, dict):
            raise AuthorityError(f"{path}: [{kind}] must be a table of entries")
        for key, value in table.items():
            entry = _entry(kind, key, value, f"{path}: [{kind}.{key}]")
            if kind in ENTITY_KINDS:
                entry.wikidata = links.get(key)
            authority.add(entry)
    _check_references(authority)
    return authority


def _check_references(authority: Authority) -> None:
    where = authority.source
    for entry in authority.entries.values():
        refs = [("place", entry.falls_within), ("group", entry.part_of), ("group", entry.curator)]
        refs.append(("language", entry.language))
        for kind, key in refs:
            if key is not None and authority.find(kind, key) is None:
                raise AuthorityError(f"{where}: [{entry.kind}.{entry.key}] names unknown {kind} {key!r}")
