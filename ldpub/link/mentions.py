"""Find the mentions of authority entries in a text, each with its exact character span.

Editorial brackets ("[North] Korea", "Hao [Deqing]") are the translator's additions: names are matched
on a *view* of the text with the brackets removed, and every match is mapped back to code-point offsets
in the text as published, widened so that a bracket is never cut in half.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from .authority import Authority

MENTION_KINDS = ("person", "group", "place", "concept")
# "the Yalu and Tumen Rivers": one phrase naming two places of the same generic kind.
_HEADS = ("River", "Province", "Mountain", "Island", "Lake", "Sea")
_COORDINATED = re.compile(
    r"\b(?P<a>[A-Z][\w'-]*) and (?P<b>[A-Z][\w'-]*) (?P<head>" + "|".join(_HEADS) + r")s\b"
)
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'"})


@dataclass(frozen=True)
class Mention:
    kind: str
    key: str
    start: int  # code points in the published text, end exclusive
    end: int
    exact: str


def editorial_view(text: str) -> tuple[str, list[int]]:
    """The text without square brackets, and for each view position its offset in ``text``.

    >>> view, where = editorial_view("[North] Korea")
    >>> view, where[0], where[6]
    ('North Korea', 1, 8)
    """
    chars: list[str] = []
    where: list[int] = []
    for offset, char in enumerate(text):
        if char in "[]":
            continue
        chars.append(char)
        where.append(offset)
    return "".join(chars).translate(_APOSTROPHES), where


def _is_word(char: str) -> bool:
    return char.isalnum() or char == "_"


class Matcher:
    """Longest-match lookup of surface forms, indexed by first word (fast for thousands of forms)."""

    def __init__(self, forms: dict[str, tuple[str, str]]) -> None:
        self.by_first: dict[str, list[tuple[str, tuple[str, str]]]] = defaultdict(list)
        for form, target in forms.items():
            form = " ".join(form.translate(_APOSTROPHES).split())
            if form:
                self.by_first[_first_word(form)].append((form, target))
        for candidates in self.by_first.values():
            candidates.sort(key=lambda item: -len(item[0]))

    def match_at(self, view: str, pos: int) -> tuple[int, tuple[str, str]] | None:
        """The longest form starting at ``pos`` and ending at a word boundary: (end, target)."""
        end = pos
        while end < len(view) and _is_word(view[end]):
            end += 1
        for form, target in self.by_first.get(view[pos:end], ()):
            stop = pos + len(form)
            if view.startswith(form, pos) and (stop == len(view) or not _is_word(view[stop])):
                return stop, target
        return None


def _first_word(form: str) -> str:
    match = re.match(r"\w+", form)
    return match.group(0) if match else form[:1]


def build_matcher(authority: Authority, archive: str | None) -> Matcher:
    """A matcher for documents from ``archive``; a form claimed by two entries is left out (ambiguous)."""
    claims: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for entry in authority.of_kind(*MENTION_KINDS):
        for form in entry.surface_forms(archive):
            claims[form].add((entry.kind, entry.key))
    return Matcher({form: next(iter(t)) for form, t in claims.items() if len(t) == 1})


def _widen(text: str, start: int, end: int) -> tuple[int, int]:
    """Grow a span so that it holds whole bracket pairs: "North] Korea" → "[North] Korea"."""
    piece = text[start:end]
    if piece.count("]") > piece.count("[") and start > 0:
        opening = text.rfind("[", 0, start)
        if opening != -1:
            start = opening
    piece = text[start:end]
    if piece.count("[") > piece.count("]"):
        closing = text.find("]", end)
        if closing != -1:
            end = closing + 1
    return start, end


def _span(text: str, where: list[int], vstart: int, vend: int) -> tuple[int, int]:
    return _widen(text, where[vstart], where[vend - 1] + 1)


def find_mentions(text: str, matcher: Matcher) -> list[Mention]:
    """Every mention in ``text``, left to right, longest match first, never overlapping.

    Two neighbouring mentions of the same entry joined only by space and brackets
    ("Pak Seong-cheol [Pak Song Chol]") become one mention.
    """
    view, where = editorial_view(text)
    found: list[Mention] = []
    taken = _coordinated(text, view, where, matcher, found)
    pos = 0
    while pos < len(view):
        starts_word = _is_word(view[pos]) and (pos == 0 or not _is_word(view[pos - 1]))
        hit = matcher.match_at(view, pos) if starts_word and pos not in taken else None
        if hit is None:
            pos += 1
            continue
        vend, (kind, key) = hit
        vend = _extend(view, matcher, pos, vend, (kind, key))
        if any(p in taken for p in range(pos, vend)):
            pos += 1
            continue
        start, end = _span(text, where, pos, vend)
        found.append(Mention(kind, key, start, end, text[start:end]))
        pos = vend
    found.sort(key=lambda m: m.start)
    return _merge(text, found)


def _extend(view: str, matcher: Matcher, pos: int, vend: int, target: tuple[str, str]) -> int:
    """Grow a match over a longer name of the same entry that starts inside it.

    "Ambassador Hao" + "Hao Deqing" → "Ambassador Hao Deqing".
    """
    inner = pos + 1
    while inner < vend:
        if _is_word(view[inner]) and not _is_word(view[inner - 1]):
            hit = matcher.match_at(view, inner)
            if hit is not None and hit[1] == target and hit[0] > vend:
                vend = hit[0]
        inner += 1
    return vend


def _coordinated(text: str, view: str, where: list[int], matcher: Matcher, found: list[Mention]) -> set[int]:
    """Resolve "the X and Y <Head>s" to two places; return the view positions it used."""
    taken: set[int] = set()
    for hit in _COORDINATED.finditer(view):
        head = hit.group("head")
        first = _whole(matcher, f"{hit.group('a')} {head}")
        second = _whole(matcher, f"{hit.group('b')} {head}")
        if first is None or second is None:
            continue
        for (vstart, vend), (_, target) in (
            (hit.span("a"), first),
            ((hit.start("b"), hit.end()), second),
        ):
            start, end = _span(text, where, vstart, vend)
            found.append(Mention(target[0], target[1], start, end, text[start:end]))
        taken.update(range(hit.start(), hit.end()))
    return taken


def _whole(matcher: Matcher, name: str) -> tuple[int, tuple[str, str]] | None:
    hit = matcher.match_at(name, 0)
    return hit if hit is not None and hit[0] == len(name) else None


def _merge(text: str, mentions: list[Mention]) -> list[Mention]:
    merged: list[Mention] = []
    for mention in mentions:
        if merged:
            last = merged[-1]
            gap = text[last.end : mention.start]
            if (last.kind, last.key) == (mention.kind, mention.key) and gap.strip(" []") == "":
                start, end = _widen(text, last.start, mention.end)
                merged[-1] = Mention(last.kind, last.key, start, end, text[start:end])
                continue
        merged.append(mention)
    return merged
