"""The files a run leaves for curators: review CSV, links CSV, QuickStatements and a Mix'n'match catalogue.

Issue 4, section 1 ("close calls are written to a review file (CSV with candidates, labels, descriptions and
scores)"; "a QuickStatements file for statements Wikidata lacks … and a Mix'n'match catalogue (TSV: id, name,
description, type)"). Every file is composed in memory and written through a temporary file and a rename once
the whole run has succeeded, so a failed run leaves the previous files as they were.

- ``review.csv``: one row per (entity, candidate), best first; an entity without candidates has one row.
  Every entity appears, whatever its decision, with the reason in words.
- ``links.csv``: the links made (decision ``linked``) with score, features, method, endpoint and date; a
  curator publishes them by copying the file to the ``reconciled`` file named in the authority file.
- ``quickstatements.txt``: QuickStatements V1 commands, one per linked or curated item (not in conflict)
  with ``P973`` (described at URL) lacking our URI, referenced by ``S854`` (reference URL) and ``S813``
  (retrieved).
- ``mixnmatch.tsv``: every person, group and place (id = ``kind/key``, name, description, type QID).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from ..link.authority import RECONCILED_COLUMNS, Entry
from .client import write_atomic
from .decide import Decision

REVIEW_COLUMNS = (
    "key", "kind", "label", "decision", "reason", "curated_qid", "rank", "qid", "candidate_label",
    "description", "score", "name", "type", "country", "dates", "features", "found_by",
)  # fmt: skip
MIXNMATCH_TYPES = {"person": "Q5", "group": "Q43229", "place": "Q2221906"}
FILES = {
    "review": "review.csv",
    "links": "links.csv",
    "quickstatements": "quickstatements.txt",
    "mixnmatch": "mixnmatch.tsv",
}


def _csv(columns: tuple[str, ...], rows: list[dict[str, str]], delimiter: str = ",") -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, delimiter=delimiter, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def review_csv(decisions: list[Decision]) -> str:
    rows: list[dict[str, str]] = []
    for d in decisions:
        s = d.subject
        head = {
            "key": s.key, "kind": s.kind, "label": s.label, "decision": d.decision, "reason": d.reason,
            "curated_qid": s.curated or "",
        }  # fmt: skip
        if not d.candidates:
            rows.append(head)
        for rank, c in enumerate(d.candidates, start=1):
            f = c.features
            rows.append(
                {
                    **head,
                    "rank": str(rank),
                    "qid": c.qid,
                    "candidate_label": c.item.label,
                    "description": c.item.description,
                    "score": f"{f.score:.3f}",
                    "name": f"{f.name:.3f}",
                    "type": f.type,
                    "country": f.country,
                    "dates": f.dates,
                    "features": f.text(),
                    "found_by": "; ".join(c.found_by),
                }
            )
    return _csv(REVIEW_COLUMNS, rows)


def links_csv(decisions: list[Decision], method: str, endpoint: str, date: str) -> str:
    rows = []
    for d in decisions:
        if d.decision == "linked" and d.qid is not None:
            top = d.candidates[0]
            rows.append(
                {
                    "key": d.subject.key,
                    "kind": d.subject.kind,
                    "qid": d.qid,
                    "score": f"{top.score:.3f}",
                    "features": top.features.text(),
                    "method": method,
                    "endpoint": endpoint,
                    "date": date,
                }
            )
    return _csv(RECONCILED_COLUMNS, rows)


def quickstatements(decisions: list[Decision], base_uri: str, date: str) -> str:
    """QuickStatements V1: ``Q…<TAB>P973<TAB>"our URI"<TAB>S854<TAB>"our URI"<TAB>S813<TAB>+date/11``.

    >>> from ldpub.reconcile.scoring import Subject
    >>> jilin = Subject("place", "jilin", "Jilin", (), (), frozenset(), (), "Q45208")
    >>> d = Decision(jilin, "curated-confirmed", "", "Q45208", ())
    >>> quickstatements([d], "https://example.org", "2026-01-02")
    'Q45208\\tP973\\t"https://example.org/id/place/jilin"\\tS854\\t"https://example.org/id/place/jilin"\\tS813\\t+2026-01-02T00:00:00Z/11\\n'
    """
    lines = []
    for d in decisions:
        if d.qid is None or d.decision not in ("linked", "curated-confirmed", "curated-unconfirmed"):
            continue  # a conflict is settled by a curator first
        uri = f"{base_uri}/id/{d.subject.kind}/{d.subject.key}"
        item = next((c.item for c in d.candidates if c.qid == d.qid), None)
        if item is not None and uri in item.values("P973"):
            continue  # Wikidata already has it
        lines.append(f'{d.qid}\tP973\t"{uri}"\tS854\t"{uri}"\tS813\t+{date}T00:00:00Z/11\n')
    return "".join(lines)


def _description(entry: Entry) -> str:
    others = [n for lang, n in sorted(entry.labels.items()) if lang != "en"] + entry.alt
    parts = [entry.kind]
    if others:
        parts.append("also " + ", ".join(dict.fromkeys(others)))
    parts += entry.roles[:1]
    return "; ".join(" ".join(p.split()) for p in parts)


def mixnmatch(entries: list[Entry]) -> str:
    """The Mix'n'match catalogue: id, name, description, type (a QID), one row per entity."""
    rows = [
        {
            "id": f"{e.kind}/{e.key}",
            "name": e.label,
            "description": _description(e),
            "type": MIXNMATCH_TYPES[e.kind],
        }
        for e in entries
    ]
    return _csv(("id", "name", "description", "type"), rows, delimiter="\t")


def write_all(folder: Path, texts: dict[str, str]) -> dict[str, Path]:
    """Write every output (all composed before), each through a temporary file and a rename."""
    paths = {}
    for name, text in texts.items():
        path = folder / FILES[name]
        write_atomic(path, text)
        paths[name] = path
    return paths
