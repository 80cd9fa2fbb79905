"""``ldpub reconcile``: link the authority file's persons, groups and places to Wikidata, and say why.

Issue 4, section 1. One run: every person, group and place becomes a :class:`~.scoring.Subject`; its names
become language-tagged search strings (:mod:`.names`); two kinds of batched standard SPARQL 1.1 queries find
the items having those strings as labels or aliases and describe them (:mod:`.wikidata`, through the polite,
cached :mod:`.client`); each candidate is scored by explainable features (:mod:`.scoring`); each entity gets a
decision with its reason (:mod:`.decide`); and the review, links, QuickStatements and Mix'n'match files are
written together at the end (:mod:`.outputs`), so a failed run changes nothing.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

from .. import __version__
from ..link.authority import ENTITY_KINDS, Authority, Entry, load_authority
from ..settings import Settings
from .client import ReconcileError, RetryPolicy, WikidataClient
from .decide import DECISIONS, MARGIN, Candidate, Decision, decide
from .names import SearchString, search_strings
from .outputs import links_csv, mixnmatch, quickstatements, review_csv, write_all
from .scoring import curated, load_classes, score, subject
from .wikidata import fetch_items, find_hits

__all__ = ["ReconcileError", "RetryPolicy", "run_reconcile"]


def reconcile(settings: Settings, client: WikidataClient) -> list[Decision]:
    """The decision for every person, group and place of the authority file, in authority order."""
    authority = load_authority(settings.authorities)
    # The class table lives beside the verified Wikidata file.
    classes = load_classes(settings.authorities.parent / "wikidata" / "classes.csv")
    entries = authority.of_kind(*ENTITY_KINDS)
    subjects = [subject(e, authority) for e in entries]
    strings: dict[str, list[SearchString]] = {
        s.key: search_strings(list(s.names), list(s.forms)) for s in subjects
    }
    hits = find_hits(client, [x for xs in strings.values() for x in xs])
    found: dict[str, dict[str, list[str]]] = {}
    for s in subjects:
        per_item = found.setdefault(s.key, {})
        for x in strings[s.key]:
            for qid in sorted(hits.get((x.text, x.lang), ())):
                per_item.setdefault(qid, []).append(f"{x.origin} {x.text!r}@{x.lang}")
    langs = {"en", "mul"} | {x.lang for xs in strings.values() for x in xs}
    items = fetch_items(client, {q for per in found.values() for q in per}, langs)
    # Places first, outermost first, so a place linked now gives its country to what it encloses or names.
    places = {e.key: q for e in authority.of_kind("place") if (q := curated(e)) is not None}
    decisions: dict[tuple[str, str], Decision] = {}
    for entry in sorted(entries, key=lambda e: (e.kind != "place", _depth(e, authority))):
        s = subject(entry, authority, places)
        candidates = [
            Candidate(items[qid], score(s, items[qid], classes), tuple(how))
            for qid, how in sorted(found[s.key].items())
        ]
        decision = decide(s, candidates, settings.reconcile_threshold)
        if entry.kind == "place" and decision.decision == "linked" and decision.qid:
            places[entry.key] = decision.qid
        decisions[(entry.kind, entry.key)] = decision
    return [decisions[(e.kind, e.key)] for e in entries]


def _depth(entry: Entry, authority: Authority) -> int:
    """How many places enclose a place (0 for a country)."""
    depth, seen, key = 0, set(), entry.falls_within
    while key is not None and key not in seen and depth < 50:
        seen.add(key)
        depth += 1
        enclosing = authority.find("place", key)
        key = enclosing.falls_within if enclosing is not None else None
    return depth


def run_reconcile(settings: Settings, *, retry: RetryPolicy | None = None) -> str:
    """Reconcile, write the four files into ``settings.reconcile_review``, and return the summary to print."""
    client = WikidataClient(
        settings.wikidata_endpoint, settings.wikidata_cache, settings.oai_admin_email, retry
    )
    decisions = reconcile(settings, client)
    authority = load_authority(settings.authorities)
    date = datetime.now(UTC).date().isoformat()
    method = (
        f"ldpub {__version__} reconcile: exact label/alias search (SPARQL 1.1), score = name similarity "
        f"(rapidfuzz) x type x country x dates; threshold {settings.reconcile_threshold}, margin {MARGIN}"
    )
    texts = {
        "review": review_csv(decisions),
        "links": links_csv(decisions, method, settings.wikidata_endpoint, date),
        "quickstatements": quickstatements(decisions, settings.base_uri, date),
        "mixnmatch": mixnmatch(authority.of_kind(*ENTITY_KINDS)),
    }
    paths = write_all(settings.reconcile_review, texts)
    counts = Counter(d.decision for d in decisions)
    lines = [
        f"reconciled {len(decisions)} entities against {settings.wikidata_endpoint} "
        f"({client.sent} request(s) sent, {client.cached} answer(s) from the cache "
        f"{settings.wikidata_cache})",
        "  " + ", ".join(f"{name}: {counts[name]}" for name in DECISIONS),
    ]
    lines += [
        f"  {d.subject.kind}/{d.subject.key} -> {d.qid} ({d.reason})"
        for d in decisions
        if d.decision == "linked"
    ]
    lines += [f"  {name}: {path}" for name, path in paths.items()]
    if "://localhost" in settings.base_uri or "://127.0.0.1" in settings.base_uri:
        lines.append(
            f"  note: base_uri is {settings.base_uri}; set the public one before using the QuickStatements"
        )
    return "\n".join(lines) + "\n"
