"""Names: normalisation across romanisations and scripts, search strings, and name similarity.

Issue 4, section 1 ("label and alias similarity across romanisations and scripts"). Wikidata is searched by
exact, language-tagged labels and aliases (standard SPARQL 1.1, the only search every endpoint holding a
Wikidata extract answers), so recall comes from the strings we send: each name as written, its spelling
variants (hyphens, capitals, a generic head such as "Province") and the parts of a compound name ("… of the
Chinese Communist Party"), which is how near neighbours such as the enclosing body are found and shown to a
curator. Similarity is then computed by rapidfuzz on normalised names of the same script.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from rapidfuzz import fuzz

# Generic heads dropped before comparing ("Jilin Province" ~ "Jilin"); CJK ones are suffixes.
HEADS = ("province", "river", "city", "prefecture", "county", "municipality")
CJK_HEADS = ("省", "市")
_CONNECTOR = re.compile(r"\s+(?:of|in)\s+(?:the\s+)?", re.IGNORECASE)
_PAREN = re.compile(r"\s*[(（][^)）]*[)）]")
_APOSTROPHES = "'’ʼ‘`"
STOPWORDS = frozenset({"of", "the", "in", "and", "for", "at", "de"})
WORD_MATCH = 75


@dataclass(frozen=True)
class SearchString:
    """A string sent to the endpoint, with its language tag and why it is searched."""

    text: str
    lang: str
    origin: str  # "name" (a name or its spelling variant), "form" (a mention form), "part" (part of a name)


def script(text: str) -> str:
    """The script of a name: ``hangul``, ``han``, ``kana`` or ``latin`` (anything else counts as latin).

    >>> [script(s) for s in ("Jilin", "吉林省", "박성철", "Pak Sŏng-ch'ŏl")]
    ['latin', 'han', 'hangul', 'latin']
    """
    for char in text:
        code = ord(char)
        if 0xAC00 <= code <= 0xD7AF or 0x1100 <= code <= 0x11FF or 0x3130 <= code <= 0x318F:
            return "hangul"
        if 0x3040 <= code <= 0x30FF:
            return "kana"
        if 0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or 0xF900 <= code <= 0xFAFF:
            return "han"
    return "latin"


def languages(text: str, lang: str | None = None) -> tuple[str, ...]:
    """Language tags a name is searched under: its own, else one guessed from its script.

    Latin-script names are searched in English and in Wikidata's language-neutral ``mul``.

    >>> languages("Kirin"), languages("圖們江"), languages("평양", "ko"), languages("Jilin", "en")
    (('en', 'mul'), ('zh',), ('ko',), ('en', 'mul'))
    """
    kind = script(text)
    if lang is not None and lang not in ("en", "mul"):
        return (lang,)
    return {"hangul": ("ko",), "han": ("zh",), "kana": ("ja",)}.get(kind, ("en", "mul"))


def normalise(text: str) -> str:
    """Case, diacritics, apostrophes, hyphens, parenthetical qualifiers, "the" and generic heads removed.

    >>> normalise("Pak Sŏng-ch'ŏl"), normalise("Jilin Province"), normalise("Korean Chinese (Chaoxianzu)")
    ('pak song chol', 'jilin', 'korean chinese')
    >>> normalise("吉林省"), normalise("The Yalu River")
    ('吉林', 'yalu')
    """
    text = _PAREN.sub("", text)
    decomposed = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in decomposed if not unicodedata.combining(c))
    text = unicodedata.normalize("NFKC", text).casefold()
    text = "".join("" if c in _APOSTROPHES else c for c in text)
    text = re.sub(r"[-‐‑–—_/.,]+", " ", text)
    words = text.split()
    if words and words[0] == "the":
        words = words[1:]
    if len(words) > 1 and words[-1] in HEADS:
        words = words[:-1]
    text = " ".join(words)
    for head in CJK_HEADS:
        if len(text) > len(head) + 1 and text.endswith(head):
            text = text[: -len(head)]
    return text


def word_agreement(a: str, b: str) -> float:
    """The share of the words of two normalised names that have a close partner (ratio ≥ 75) in the other.

    Words are what tell "North Korea" from "South Korea" and one central committee from another, which a
    character ratio over the whole name hides; a different romanisation of a word still finds its partner.

    >>> word_agreement("north korea", "south korea"), word_agreement("pak song chol", "pak seong cheol")
    (0.5, 1.0)
    """
    words_a = [w for w in a.split() if w not in STOPWORDS] or a.split()
    words_b = [w for w in b.split() if w not in STOPWORDS] or b.split()
    if not words_a or not words_b:
        return 0.0

    def partnered(words: list[str], others: list[str]) -> int:
        return sum(1 for w in words if max(fuzz.ratio(w, o) for o in others) >= WORD_MATCH)

    return (partnered(words_a, words_b) + partnered(words_b, words_a)) / (len(words_a) + len(words_b))


def similarity(ours: str, theirs: str) -> float:
    """Similarity in [0, 1] of two names: character ratio × word agreement; 0 across scripts.

    Names without spaces (Chinese, Korean) are compared by characters only.

    >>> similarity("Pak Song Chol", "Pak Sŏng-ch'ŏl"), similarity("Jilin Province", "Jilin")
    (1.0, 1.0)
    >>> round(similarity("North Korea", "South Korea"), 2), similarity("Jilin", "吉林")
    (0.41, 0.0)
    >>> round(similarity("中国共产党中央委员会", "中国共产党"), 2)
    0.67
    """
    if script(ours) != script(theirs):
        return 0.0
    a, b = normalise(ours), normalise(theirs)
    if not a or not b:
        return 0.0
    characters = max(fuzz.ratio(a, b), fuzz.token_sort_ratio(a, b)) / 100.0
    return characters * word_agreement(a, b) if script(a) == "latin" else characters


def spellings(name: str) -> list[str]:
    """A name as written and its spelling variants: without head, with hyphens as spaces, title-cased.

    >>> spellings("Pak Song-chol")
    ['Pak Song-chol', 'Pak Song chol', 'Pak Song Chol']
    >>> spellings("Jilin Province")
    ['Jilin Province', 'Jilin']
    """
    out = [name]
    words = name.split()
    if len(words) > 1 and words[-1].casefold() in HEADS:
        out.append(" ".join(words[:-1]))
    if "-" in name:
        spaced = name.replace("-", " ")
        out += [spaced, " ".join(w[:1].upper() + w[1:] for w in spaced.split())]
    return list(dict.fromkeys(out))


def parts(name: str) -> list[str]:
    """The parts of a compound name ("X of the Y", "X in Y"): its head and every tail.

    >>> parts("Central Committee of the Chinese Communist Party")
    ['Central Committee', 'Chinese Communist Party']
    >>> parts("Democratic People's Republic of Korea"), parts("Jilin")
    (["Democratic People's Republic", 'Korea'], [])
    """
    pieces = _CONNECTOR.split(name)
    if len(pieces) < 2:
        return []
    tails = []
    for match in _CONNECTOR.finditer(name):
        tails.append(name[match.end() :])
    return list(dict.fromkeys([pieces[0], *tails]))


def search_strings(
    names: list[tuple[str, str | None]], forms: list[str], use_parts: bool = True
) -> list[SearchString]:
    """Every language-tagged string to search for an entity with ``names`` (text, language) and ``forms``."""
    found: dict[tuple[str, str], SearchString] = {}

    def add(text: str, lang: str | None, origin: str) -> None:
        text = " ".join(text.split())
        for tag in languages(text, lang):
            if text and (text, tag) not in found:
                found[(text, tag)] = SearchString(text, tag, origin)

    for name, lang in names:
        for spelling in spellings(name):
            add(spelling, lang, "name")
    for form in forms:
        add(form, None, "form")
    if use_parts:
        for name, lang in names:
            if script(name) == "latin":
                for part in parts(name):
                    add(part, lang, "part")
    return list(found.values())
