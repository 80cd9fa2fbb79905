"""Decisions: link, send to review, or leave alone; curated links kept and checked.

Issue 4, section 1: "a match above a threshold becomes an ``owl:sameAs`` link …; close calls are written to a
review file … and never linked automatically; curated links in the authority file are kept and checked, and a
conflict is reported, not overwritten". Every decision carries a reason in words.

An entity is **linked** to its best candidate when all of these hold: its score reaches the threshold; it
is at least ``MARGIN`` ahead of the runner-up; its type is compatible; and, for a person, dates confirm it (a
name alone never identifies a person: namesakes are common). Otherwise a best candidate scoring
``REVIEW_FLOOR`` or more is a close call for **review**; below that the entity has **no match** (or **no
candidate** at all).
An entity with a curated link gets the same blind judgement, compared with the curated item:
**curated-confirmed**, **curated-unconfirmed** (nothing better was found), or **conflict** (a different best
candidate: reported, the curated link is kept).
"""

from __future__ import annotations

from dataclasses import dataclass

from .scoring import Features, Subject
from .wikidata import Item

MARGIN = 0.1
REVIEW_FLOOR = 0.5
DECISIONS = (
    "linked", "review", "no-match", "no-candidate", "curated-confirmed", "curated-unconfirmed", "conflict",
)  # fmt: skip


@dataclass(frozen=True)
class Candidate:
    """A Wikidata item found for an entity, how it was found, and its features."""

    item: Item
    features: Features
    found_by: tuple[str, ...]

    @property
    def qid(self) -> str:
        return self.item.qid

    @property
    def score(self) -> float:
        return self.features.score


@dataclass(frozen=True)
class Decision:
    subject: Subject
    decision: str
    reason: str
    qid: str | None  # the linked item (linked) or the curated one (curated-*, conflict)
    candidates: tuple[Candidate, ...]  # best first


def ranked(candidates: list[Candidate]) -> tuple[Candidate, ...]:
    """Best score first; ties broken by the smaller QID number, so a run is deterministic."""
    return tuple(sorted(candidates, key=lambda c: (-c.score, int(c.qid[1:]))))


def _blind(subject: Subject, best: tuple[Candidate, ...], threshold: float) -> tuple[str, str]:
    """("link" | "review" | "none", reason) without looking at a curated link."""
    if not best:
        return "none", "no item has one of our names (or their variants and parts) as a label or alias"
    top = best[0]
    problems = []
    if top.score < threshold:
        problems.append(f"score {top.score:.2f} is below the threshold {threshold:.2f}")
    ahead = ""
    if len(best) > 1:
        lead = top.score - best[1].score
        ahead = f", {lead:.2f} ahead of {best[1].qid}"
        if lead < MARGIN:
            problems.append(f"only {lead:.2f} ahead of {best[1].qid} ({best[1].score:.2f}; {MARGIN} needed)")
    if top.features.type != "compatible":
        problems.append(f"its type is {top.features.type} for a {subject.kind}")
    if subject.kind == "person" and top.features.dates != "compatible":
        problems.append(f"a person is linked only when dates confirm it (dates: {top.features.dates})")
    what = f"{top.qid} {top.item.label!r}"
    if not problems:
        return "link", f"{what} scores {top.score:.2f} (threshold {threshold:.2f}{ahead})"
    if top.score >= REVIEW_FLOOR:
        return "review", f"close call on {what}: " + "; ".join(problems)
    return "none", f"best candidate {what} scores {top.score:.2f}, under {REVIEW_FLOOR}: " + "; ".join(
        problems
    )


def decide(subject: Subject, candidates: list[Candidate], threshold: float) -> Decision:
    """The decision for one entity (see the module's docstring)."""
    best = ranked(candidates)
    verdict, reason = _blind(subject, best, threshold)
    top = best[0].qid if best else None
    if subject.curated is None:
        if verdict == "link":
            return Decision(subject, "linked", reason, top, best)
        if verdict == "review":
            return Decision(subject, "review", reason, None, best)
        return Decision(subject, "no-match" if best else "no-candidate", reason, None, best)
    curated = subject.curated
    if verdict == "link" and top == curated:
        return Decision(subject, "curated-confirmed", f"curated {curated} confirmed: {reason}", curated, best)
    if best and top != curated and best[0].score >= REVIEW_FLOOR:
        mine = next((c for c in best if c.qid == curated), None)
        seen = f"{curated} scores {mine.score:.2f}" if mine else f"{curated} was not found"
        return Decision(
            subject,
            "conflict",
            f"curated {curated} kept, but the best candidate is {top} ({best[0].score:.2f}) and {seen}: "
            + reason,
            curated,
            best,
        )
    return Decision(
        subject, "curated-unconfirmed", f"curated {curated} kept, not confirmed: {reason}", curated, best
    )
