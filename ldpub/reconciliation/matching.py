"""Reconciliation queries: read a query batch, find and score candidates (Reconciliation Service API 0.2,
§ "Reconciliation queries" and § "Reconciliation query results").

Scores are 0–100 and deterministic. A candidate's score starts from how well the query text matches its
best name: 100 equal after normalisation, 99 equal without spaces, 98 equal once Korean romanisation
vowels are folded, else the best of the rapidfuzz ratios and a word-containment score, at most 97. Each
property condition then raises it (a match) or lowers it (the candidate has values for the property, none
matching), by the property's weights (:mod:`.properties`); the result is clamped to 0–100. ``match`` is
true only when the top score is at least :data:`MATCH_SCORE` and leads the next candidate by at least
:data:`MATCH_LEAD`.
"""

from __future__ import annotations

import heapq
import json
import math
from collections import Counter
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz

from .index import CRM, KIND_CLASSES, Entry, ReconIndex
from .properties import PROPERTIES, Property, condition_values, matches
from .text import fold, normalise, squash, trigrams

MAX_QUERIES = 500
"""Most queries in one batch; a larger batch gets 413."""
MAX_LIMIT = 100
DEFAULT_LIMIT = 10
MAX_QUERY_CHARS = 300
"""Query text beyond this many characters is not compared (names are shorter)."""
MIN_NAME_SCORE = 50.0
MATCH_SCORE = 90.0
MATCH_LEAD = 10.0
MAX_COMPARED = 400
"""At most this many names sharing the most trigrams with the query are scored."""
MIN_SHARED = 0.3
"""A name is scored only when it shares at least this part of the query's trigrams."""

TYPE_NAMES = {
    "person": "Person",
    "group": "Group",
    "place": "Place",
    "document": "Document",
    "concept": "Concept",
}
_QUERY_KEYS = {"query", "type", "limit", "properties", "type_strict"}


class ReconError(ValueError):
    """A request the service refuses: ``status`` is 400, or 413 for a batch that is too large."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Query:
    text: str
    types: tuple[str, ...]
    type_strict: str
    limit: int
    conditions: tuple[tuple[Property, tuple[tuple[str, str], ...]], ...]


def type_id(value: str) -> str | None:
    """Our type id for a type given as an id, a CIDOC-CRM class name or IRI (``None`` when unknown).

    >>> type_id("place"), type_id("E21_Person"), type_id(CRM + "E74_Group"), type_id("city")
    ('place', 'person', 'group', None)
    """
    text = value.strip()
    if text in KIND_CLASSES:
        return text
    local = text.removeprefix(CRM)
    return next((kind for kind, cls in KIND_CLASSES.items() if cls == local), None)


def load_json(raw: str, what: str) -> Any:
    """Parse a JSON parameter, or raise :class:`ReconError` naming it."""
    try:
        return json.loads(raw, parse_constant=_no_constant)
    except (ValueError, RecursionError) as exc:
        raise ReconError(f"{what} is not valid JSON: {exc}") from None


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not a JSON number")


def parse_batch(raw: str) -> dict[str, Query]:
    """Read the ``queries`` parameter: a JSON object of query objects (schema reconciliation-query-batch)."""
    batch = load_json(raw, "queries")
    if not isinstance(batch, dict):
        raise ReconError("queries must be a JSON object mapping keys to query objects")
    if len(batch) > MAX_QUERIES:
        raise ReconError(f"a batch holds at most {MAX_QUERIES} queries, not {len(batch)}", 413)
    return {str(key): parse_query(str(key), value) for key, value in batch.items()}


def parse_query(key: str, value: object) -> Query:
    if not isinstance(value, dict):
        raise ReconError(f"query {key!r} must be a JSON object")
    unknown = sorted(set(value) - _QUERY_KEYS)
    if unknown:
        raise ReconError(
            f"query {key!r}: unknown field(s) {', '.join(unknown)} (known: {', '.join(sorted(_QUERY_KEYS))})"
        )
    text = value.get("query", "")
    if not isinstance(text, str):
        raise ReconError(f"query {key!r}: 'query' must be a string")
    types = _types(key, value.get("type"))
    strict = value.get("type_strict", "any")
    if strict not in ("any", "should", "all"):
        raise ReconError(f"query {key!r}: 'type_strict' must be 'any', 'should' or 'all'")
    limit = value.get("limit", DEFAULT_LIMIT)
    if isinstance(limit, bool) or not isinstance(limit, int | float) or not math.isfinite(limit) or limit < 1:
        raise ReconError(f"query {key!r}: 'limit' must be a positive number")
    conditions = _conditions(key, value.get("properties"))
    if "query" not in value and not conditions:
        raise ReconError(f"query {key!r} needs a 'query' string or a non-empty 'properties' list")
    return Query(text[:MAX_QUERY_CHARS], types, strict, min(int(limit), MAX_LIMIT), conditions)


def _types(key: str, raw: object) -> tuple[str, ...]:
    if raw is None:
        return ()
    items = [raw] if isinstance(raw, str) else raw
    if not isinstance(items, list) or not all(isinstance(t, str) for t in items):
        raise ReconError(f"query {key!r}: 'type' must be a type id or a list of type ids")
    found: list[str] = []
    for item in items:
        kind = type_id(item)
        if kind is None:
            raise ReconError(f"query {key!r}: unknown type {item!r} (known: {', '.join(KIND_CLASSES)})")
        found.append(kind)
    return tuple(dict.fromkeys(found))


def _is_value(v: object) -> bool:
    if isinstance(v, dict):
        return isinstance(v.get("id"), str) and isinstance(v.get("name", ""), str)
    return isinstance(v, str | bool | int) or (isinstance(v, float) and math.isfinite(v))


def _conditions(key: str, raw: object) -> tuple[tuple[Property, tuple[tuple[str, str], ...]], ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise ReconError(f"query {key!r}: 'properties' must be a list of {{pid, v}} objects")
    found = []
    for item in raw:
        if not isinstance(item, dict) or not isinstance(item.get("pid"), str) or "v" not in item:
            raise ReconError(f"query {key!r}: each property must be an object with a string 'pid' and a 'v'")
        prop = PROPERTIES.get(item["pid"])
        if prop is None:
            raise ReconError(
                f"query {key!r}: unknown property {item['pid']!r} (known: {', '.join(PROPERTIES)})"
            )
        v = item["v"]
        if not (all(_is_value(x) for x in v) if isinstance(v, list) else _is_value(v)):
            raise ReconError(f"query {key!r}: property {item['pid']!r}: a value must be a string, number, "
                             "boolean or {id, name} object")  # fmt: skip
        found.append((prop, tuple(condition_values(v))))
    return tuple(found)


@dataclass
class Candidate:
    entry: Entry
    score: float
    name_score: float
    type_match: bool | None  # None: the query named no type
    conditions: list[tuple[str, bool]]  # (property id, matched)

    def features(self) -> list[dict[str, Any]]:
        """The evidence behind the score (§ "Reconciliation query results", ``features``)."""
        found: list[dict[str, Any]] = [{"id": "name_similarity", "value": round(self.name_score, 2)}]
        if self.type_match is not None:
            found.append({"id": "type_match", "value": self.type_match})
        found += [{"id": f"property_{pid}", "value": ok} for pid, ok in self.conditions]
        return found


def _name_scores(index: ReconIndex, text: str) -> dict[int, float]:
    """Entry → best name score for ``text``, among the names sharing the most trigrams with it (at least
    :data:`MIN_SHARED` of the query's)."""
    normal = normalise(text)
    if not normal:
        return {}
    squashed, folded, words = squash(normal), fold(normal), frozenset(normal.split())
    grams = trigrams(squashed)
    shared: Counter[int] = Counter()
    for gram in grams:
        shared.update(index.grams.get(gram, ()))
    enough = max(1, int(MIN_SHARED * len(grams)))
    near = sorted(((-k, n) for n, k in shared.items() if k >= enough))[:MAX_COMPARED]
    best: dict[int, float] = {}
    for _, n in near:
        name = index.names[n]
        if name.normal == normal:
            score = 100.0
        elif name.squashed == squashed:
            score = 99.0
        elif name.folded == folded:
            score = 98.0
        else:
            score = min(
                97.0,
                max(
                    fuzz.ratio(normal, name.normal),
                    fuzz.token_sort_ratio(normal, name.normal),
                    fuzz.ratio(folded, name.folded),
                    _words_within(words, name.words),
                ),
            )
        if score > best.get(name.entry, -1.0):
            best[name.entry] = score
    return best


def _words_within(words: frozenset[str], have: tuple[str, ...]) -> float:
    """A name holding every word of the query (a surname, a short form) scores 60–89 by how much of the
    name the query covers: a candidate worth showing, never a sure match on its own.

    >>> round(_words_within(frozenset({"pak"}), ("pak", "seong", "cheol")), 1)
    66.9
    >>> _words_within(frozenset({"kim"}), ("pak", "seong", "cheol"))
    0.0
    """
    if not words or not words.issubset(have):
        return 0.0
    return min(89.0, 60.0 + 30.0 * sum(map(len, words)) / max(1, sum(map(len, have))))


def _type_ok(query: Query, entry: Entry) -> bool:
    if not query.types or query.type_strict == "should":
        return True
    if query.type_strict == "all":
        return query.types == (entry.kind,)
    return entry.kind in query.types


def candidates(index: ReconIndex, query: Query, keep: int | None = None) -> list[Candidate]:
    """The scored candidates of one query, best first (ties by label, then id); only the best ``keep``
    of them when a number is given (without conditions, the others are not looked at any further)."""
    text = query.text.strip()
    scores: dict[int, float] = {}
    if text:
        scores = {i: s for i, s in _name_scores(index, text).items() if s >= MIN_NAME_SCORE}
        own = index.by_id.get(index.local_id(text))
        if own is not None:
            scores[own] = 100.0
        if keep is not None and not query.conditions and query.type_strict != "should":
            entries = index.entries
            best = heapq.nsmallest(keep, scores, key=lambda i: (-scores[i], entries[i].label.casefold(), i))
            scores = {i: scores[i] for i in best}
    elif query.conditions:
        scores = dict.fromkeys(range(len(index.entries)), 0.0)
    found: list[Candidate] = []
    for i, name_score in scores.items():
        entry = index.entries[i]
        if not _type_ok(query, entry):
            continue
        score, matched = name_score, 0
        type_match = (entry.kind in query.types) if query.types else None
        if type_match is False:
            score -= 10
        conditions: list[tuple[str, bool]] = []
        for prop, given in query.conditions:
            have = prop.values(index, entry)
            ok = matches(prop, index, have, list(given))
            conditions.append((prop.id, ok))
            matched += ok
            if text:
                score += prop.raise_by if ok else -prop.lower_by if have else 0
        if not text:
            if not matched:
                continue
            score = 100.0 * matched / len(query.conditions)
        score = max(0.0, min(100.0, round(score, 2)))
        found.append(Candidate(entry, score, name_score, type_match, conditions))
    found.sort(key=lambda c: (-c.score, c.entry.label.casefold(), c.entry.id))
    return found[:keep] if keep is not None else found


def result(index: ReconIndex, query: Query) -> dict[str, Any]:
    """The result object of one query: ``{"result": [candidate, …]}``, at most ``limit`` candidates."""
    found = candidates(index, query, keep=query.limit + 1)  # one more: is the first clearly ahead?
    sure = bool(found) and found[0].score >= MATCH_SCORE
    if sure and len(found) > 1:
        sure = found[0].score - found[1].score >= MATCH_LEAD
    return {
        "result": [
            {
                "id": c.entry.id,
                "name": c.entry.label,
                "description": c.entry.description,
                "score": c.score,
                "match": sure and n == 0,
                "type": [{"id": c.entry.kind, "name": TYPE_NAMES[c.entry.kind]}],
                "features": c.features(),
            }
            for n, c in enumerate(found[: query.limit])
        ]
    }


def reconcile_batch(index: ReconIndex, batch: dict[str, Query]) -> dict[str, Any]:
    """The result batch: the same keys as the query batch."""
    return {key: result(index, query) for key, query in batch.items()}
