"""The other answers of the reconciliation service, as plain data: the manifest (Reconciliation Service API
0.2, § "Service manifest"), suggest (§ "Suggest services"), preview (§ "Preview service") and data extension
with property proposals (§ "Data extension service"). Nothing here knows about HTTP.
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from .. import __version__
from .index import CRM, KIND_CLASSES, Entry, ReconIndex
from .matching import MAX_QUERIES, TYPE_NAMES, ReconError, load_json, type_id
from .properties import PROPERTIES, WIKIDATA_SERVICE, Property
from .text import normalise

BATCH_SIZE = 100
"""The batch size the manifest recommends (a batch of 100 answers well within a second; see benchmarks/)."""
PREVIEW_WIDTH, PREVIEW_HEIGHT = 420, 180
SUGGEST_PAGE = 10
MAX_EXTEND_IDS = MAX_QUERIES
DEFAULT_TYPES = ("person", "group", "place", "document")
TYPE_DESCRIPTIONS = {kind: f"crm:{cls}" for kind, cls in KIND_CLASSES.items()}


def manifest(name: str, base: str, service: str) -> dict[str, Any]:
    """The service manifest. ``base`` is the ``base_uri`` (ids are ``{base}/id/`` + id, and the view
    template dereferences that IRI); ``service`` is the URL the reconciliation endpoint is reached at."""
    return {
        "versions": ["0.2"],
        "name": name,
        "identifierSpace": f"{base}/id/",
        "schemaSpace": CRM,
        "serviceVersion": __version__,
        "batchSize": BATCH_SIZE,
        "defaultTypes": [type_record(kind) for kind in DEFAULT_TYPES],
        "view": {"url": f"{base}/id/{{{{id}}}}"},
        "preview": {
            "url": f"{service}/preview?id={{{{id}}}}",
            "width": PREVIEW_WIDTH,
            "height": PREVIEW_HEIGHT,
        },
        "suggest": {
            kind: {"service_url": service, "service_path": f"/suggest/{kind}"}
            for kind in ("entity", "type", "property")
        },
        "extend": {
            "propose_properties": {"service_url": service, "service_path": "/propose_properties"},
            "property_settings": [
                {
                    "name": "limit",
                    "label": "Limit",
                    "type": "number",
                    "default": 0,
                    "help_text": "Most values per cell (0: all of them)",
                }
            ],
        },
    }


def type_record(kind: str) -> dict[str, str]:
    return {"id": kind, "name": TYPE_NAMES[kind], "description": TYPE_DESCRIPTIONS[kind]}


def _page(items: list[dict[str, Any]], cursor: int, limit: int) -> dict[str, Any]:
    return {"result": items[cursor : cursor + limit]}


def suggest_entity(
    index: ReconIndex, prefix: str, cursor: int = 0, limit: int = SUGGEST_PAGE
) -> dict[str, Any]:
    """Entities with a name having a word (or, in Chinese and Korean scripts, a character) that starts
    with ``prefix``, across every label, romanisation and script; names starting so come first."""
    wanted = normalise(prefix)
    if not wanted:
        return {"result": []}
    best: dict[int, int] = {}
    for n, rank in index.with_prefix(wanted) + index.with_prefix(wanted.replace(" ", "")):
        entry = index.names[n].entry
        best[entry] = min(rank, best.get(entry, rank))
    order = sorted(best, key=lambda i: (best[i], index.entries[i].label.casefold(), index.entries[i].id))
    items = [
        {
            "id": index.entries[i].id,
            "name": index.entries[i].label,
            "description": index.entries[i].description,
            "notable": [{"id": index.entries[i].kind, "name": TYPE_NAMES[index.entries[i].kind]}],
        }
        for i in order
    ]
    return _page(items, cursor, limit)


def _starts(prefix: str, *texts: str) -> bool:
    wanted = normalise(prefix)
    return any(word.startswith(wanted) for t in texts for word in [normalise(t), *normalise(t).split()])


def suggest_type(prefix: str, cursor: int = 0, limit: int = SUGGEST_PAGE) -> dict[str, Any]:
    """Types whose id, name or CIDOC-CRM class starts with ``prefix`` (all of them for an empty prefix)."""
    kinds = [k for k in KIND_CLASSES if _starts(prefix, k, TYPE_NAMES[k], KIND_CLASSES[k])]
    return _page([type_record(k) for k in kinds], cursor, limit)


def suggest_property(prefix: str, cursor: int = 0, limit: int = SUGGEST_PAGE) -> dict[str, Any]:
    """Properties whose id or name has a word starting with ``prefix``."""
    props = [p for p in PROPERTIES.values() if _starts(prefix, p.id.replace("_", " "), p.name)]
    return _page([_property_record(p) for p in props], cursor, limit)


def _property_record(prop: Property) -> dict[str, str]:
    return {"id": prop.id, "name": prop.name, "description": prop.description}


def propose_properties(kind: str | None, limit: int | None) -> dict[str, Any]:
    """The properties worth adding as columns for entities of a type (all types when none is given)."""
    known = type_id(kind) if kind else None
    if kind and known is None:
        raise ReconError(f"unknown type {kind!r} (known: {', '.join(KIND_CLASSES)})")
    props = [_property_record(p) for p in PROPERTIES.values() if known is None or known in p.kinds]
    answer: dict[str, Any] = {"properties": props[:limit] if limit else props}
    if kind:
        answer["type"] = kind
    if limit:
        answer["limit"] = limit
    return answer


def parse_extend(raw: str) -> tuple[list[str], list[tuple[Property, int]]]:
    """Read the ``extend`` parameter (schema data-extension-query): ids, and properties with their limit."""
    query = load_json(raw, "extend")
    if not isinstance(query, dict) or not isinstance(query.get("ids"), list):
        raise ReconError("extend must be a JSON object with a list of 'ids' and a list of 'properties'")
    ids = query["ids"]
    if not all(isinstance(i, str) for i in ids):
        raise ReconError("extend: 'ids' must be strings")
    if len(ids) > MAX_EXTEND_IDS:
        raise ReconError(f"extend: at most {MAX_EXTEND_IDS} ids at once, not {len(ids)}", 413)
    props = query.get("properties")
    if not isinstance(props, list):
        raise ReconError("extend: 'properties' must be a list of {id, settings?} objects")
    found: list[tuple[Property, int]] = []
    for item in props:
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            raise ReconError("extend: each property must be an object with a string 'id'")
        prop = PROPERTIES.get(item["id"])
        if prop is None:
            raise ReconError(f"extend: unknown property {item['id']!r} (known: {', '.join(PROPERTIES)})")
        settings = item.get("settings", {})
        limit = settings.get("limit", 0) if isinstance(settings, dict) else None
        if isinstance(limit, str) and limit.strip().isdigit():
            limit = int(limit)
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 0:
            raise ReconError(f"extend: property {item['id']!r}: setting 'limit' must be a whole number ≥ 0")
        found.append((prop, limit))
    return ids, found


def _value(index: ReconIndex, prop: Property, entry: Entry, value: str) -> dict[str, Any]:
    if prop.compare == "entity":
        return {"id": value, "name": index.label_of(value)}
    if prop.compare == "wikidata":
        return {"id": value, "name": entry.label}
    if prop.id == "date" and len(value) == 10 and value[4] == "-" and value[7] == "-":
        return {"date": f"{value}T00:00:00Z"}
    return {"str": value}


def extend(index: ReconIndex, ids: list[str], props: list[tuple[Property, int]]) -> dict[str, Any]:
    """The data extension response: ``meta`` (the requested properties, in order) and one row per id; an
    id the service does not know gets empty cells."""
    meta: list[dict[str, Any]] = []
    for prop, _ in props:
        record: dict[str, Any] = {"id": prop.id, "name": prop.name}
        if prop.compare == "entity" and prop.target_kind:
            record["type"] = {"id": prop.target_kind, "name": TYPE_NAMES[prop.target_kind]}
        if prop.compare == "wikidata":
            record["service"] = WIKIDATA_SERVICE
        meta.append(record)
    rows: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for ident in ids:
        entry = index.get(ident)
        row: dict[str, list[dict[str, Any]]] = {}
        for prop, limit in props:
            values = prop.values(index, entry) if entry else []
            row[prop.id] = [_value(index, prop, entry, v) for v in values[: limit or None]] if entry else []
        rows[ident] = row
    return {"meta": meta, "rows": rows}


def preview(index: ReconIndex, ident: str, base: str) -> str | None:
    """A small HTML page about one entity, for OpenRefine's preview iframe (``None``: unknown id)."""
    entry = index.get(ident)
    if entry is None:
        return None
    others = [n for n in entry.names() if n != entry.label][:8]
    facts: list[tuple[str, Markup | str]] = [("Kind", TYPE_NAMES[entry.kind])]
    if others:
        facts.append(("Other names", ", ".join(others)))
    if entry.falls_within:
        facts.append(("Falls within", ", ".join(index.label_of(i) for i in entry.falls_within)))
    if entry.part_of:
        facts.append(("Part of", ", ".join(index.label_of(i) for i in entry.part_of)))
    if entry.date:
        facts.append(("Date", entry.date))
    if entry.wikidata:
        links = [
            Markup(
                '<a href="https://www.wikidata.org/wiki/{0}" target="_blank" rel="noopener">{0}</a>'
            ).format(q)
            for q in entry.wikidata
        ]
        facts.append(("Wikidata", Markup(", ").join(links)))
    if entry.mentioned_in:
        facts.append(("Mentioned in", f"{len(entry.mentioned_in)} document(s)"))
    rows = Markup("").join(Markup("<dt>{}</dt><dd>{}</dd>").format(k, v) for k, v in facts)
    page = Markup(
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{label}</title><style>'
        "body{{font:13px/1.35 system-ui,sans-serif;margin:6px;overflow:hidden}}"
        "h1{{font-size:15px;margin:0 0 4px}}"
        "p{{margin:0 0 4px;color:#444}}dl{{display:grid;grid-template-columns:auto 1fr;gap:1px 8px;margin:0}}"
        "dt{{color:#666}}dd{{margin:0}}</style></head><body>"
        '<h1><a href="{page}" target="_blank" rel="noopener">{label}</a></h1>'
        "<p>{description}</p><dl>{rows}</dl>"
        "</body></html>\n"
    ).format(label=entry.label, page=f"{base}/id/{entry.id}", description=entry.description, rows=rows)
    return str(page)
