"""Credit sentences and funder lines (FORMATS.md, "Credit formulas seen").

A credit sentence is a run of clauses ``<roles> [for <X>] by <names>``, e.g. "Obtained by X and
translated by Y and Z." or "Contributed, transcribed, and translated by X."; each clause gives its
names to each of its roles. Names of organisations are kept whole: "the Institute for Far Eastern
Studies, Kyungnam University" is one obtainer. Only the words "by" after a role make a credit, so a
body line such as "Translator and Documentation: <name>" is never one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

ROLES = ("obtained", "translated", "contributed", "transcribed")
_ROLE = r"(?:obtained|translated|contributed|transcribed)"
_CLAUSE = re.compile(
    rf"\b(?P<roles>{_ROLE}(?:(?:\s*,\s*|\s+)(?:and\s+)?{_ROLE})*)"
    r"(?:\s+for\s+(?P<for>[^,.;]{1,80}?))?\s+by\s+",
    re.IGNORECASE,
)
ORGANISATION_WORDS = frozenset(
    {
        "university",
        "universities",
        "institute",
        "institution",
        "foundation",
        "foundations",
        "ministry",
        "ministries",
        "archive",
        "archives",
        "center",
        "centre",
        "program",
        "programme",
        "project",
        "council",
        "committee",
        "department",
        "office",
        "library",
        "museum",
        "society",
        "association",
        "academy",
        "agency",
        "bureau",
        "commission",
        "college",
        "school",
        "service",
        "fund",
        "trust",
        "corporation",
        "company",
        "embassy",
        "government",
        "unit",
        "party",
    }
)
_ABBREVIATIONS = frozenset({"jr", "sr", "dr", "st", "mr", "mrs", "ms", "prof", "co", "inc", "ltd"})
_SEPARATOR = re.compile(r"\s*,\s*(?:and\s+)?|\s+and\s+")
_INITIAL = re.compile(r"(?:^|\s)[A-Z]\.$")


@dataclass
class Credits:
    obtained_by: list[str] = field(default_factory=list)
    translated_by: list[str] = field(default_factory=list)
    contributed_by: list[str] = field(default_factory=list)
    transcribed_by: list[str] = field(default_factory=list)
    credit_for: str | None = None

    def is_empty(self) -> bool:
        return not (self.obtained_by or self.translated_by or self.contributed_by or self.transcribed_by)


def credit_start(text: str) -> int | None:
    """Offset of the first credit clause in ``text``, or None.

    >>> credit_start("PRC FMA 118-01025-02, 4-6. Obtained by Shen Zhihua.")
    27
    """
    match = _CLAUSE.search(text)
    return match.start() if match else None


def parse_credits(text: str) -> Credits:
    """Split credit sentences into roles.

    >>> c = parse_credits("Obtained by Shen Zhihua and translated by Jeffrey Wang and Charles Kraus.")
    >>> c.obtained_by, c.translated_by
    (['Shen Zhihua'], ['Jeffrey Wang', 'Charles Kraus'])
    >>> c = parse_credits("Obtained and translated for NKIDP by James F. Person.")
    >>> c.obtained_by, c.translated_by, c.credit_for
    (['James F. Person'], ['James F. Person'], 'NKIDP')
    >>> parse_credits("Obtained by the Institute for Far Eastern Studies, Kyungnam University, "
    ...               "and translated by Jane Doe.").obtained_by
    ['the Institute for Far Eastern Studies, Kyungnam University']
    """
    credits = Credits()
    matches = list(_CLAUSE.finditer(text))
    for i, match in enumerate(matches):
        stop = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        names = split_names(_names_segment(text[match.end() : stop]))
        roles = {r.lower() for r in re.findall(_ROLE, match.group("roles"), re.IGNORECASE)}
        for role in ROLES:
            if role in roles:
                target: list[str] = getattr(credits, f"{role}_by")
                target.extend(n for n in names if n not in target)
        if match.group("for") and credits.credit_for is None:
            credits.credit_for = match.group("for").strip()
    return credits


def _names_segment(segment: str) -> str:
    """The names part of a clause: up to the end of its sentence, a URL, or the next clause's "and"."""
    segment = re.split(r"\s+https?://", segment, maxsplit=1)[0]
    for match in re.finditer(r"\.(?=\s|$)", segment):
        before = segment[: match.start()]
        word = re.findall(r"[\w']+$", before)
        if _INITIAL.search(before + ".") or (word and word[0].lower() in _ABBREVIATIONS):
            continue
        segment = before
        break
    return re.sub(r"(?:\s*,)?(?:\s+and)?\s*[,;]?\s*$", "", segment.strip())


def _org_words(text: str) -> bool:
    return any(w.lower() in ORGANISATION_WORDS for w in re.findall(r"\w+", text))


def _ends_with_org_word(text: str) -> bool:
    words = re.findall(r"\w+", text)
    return bool(words) and words[-1].lower() in ORGANISATION_WORDS


def _split_here(left: str, separator: str, right: str) -> bool:
    """Whether a name list splits between ``left`` (what is gathered so far) and ``right``."""
    if _org_words(left):
        if not _ends_with_org_word(left):
            return False  # "the Institute for Far Eastern Studies, Kyungnam University"
        return "," not in separator or _org_words(right)  # "Center, Washington" stays whole
    return not _INITIAL.search(left)  # "John D. and Catherine T. MacArthur Foundation"


def split_names(text: str) -> list[str]:
    """Split a list of names joined by commas and "and", keeping organisations whole.

    >>> split_names("Jeffrey Wang, Charles Kraus, and Sergey Radchenko")
    ['Jeffrey Wang', 'Charles Kraus', 'Sergey Radchenko']
    >>> split_names("Korea Institute for National Unification, Seoul, South Korea")
    ['Korea Institute for National Unification, Seoul, South Korea']
    """
    text = " ".join(text.split())
    if not text:
        return []
    pieces = _SEPARATOR.split(text)
    separators = _SEPARATOR.findall(text)
    names: list[str] = []
    current = pieces[0]
    for separator, piece in zip(separators, pieces[1:], strict=True):
        if _split_here(current, separator, piece):
            names.append(current)
            current = piece
        else:
            current += separator + piece
    names.append(current)
    return [n.strip(" .,;") for n in names if n.strip(" .,;")]


def split_funders(text: str) -> list[str]:
    """Funders named in a credit or funder line, without a leading "the".

    >>> split_funders("MacArthur Foundation\\xa0 and Leon Levy Foundation")
    ['MacArthur Foundation', 'Leon Levy Foundation']
    >>> split_funders("the John D. and Catherine T. MacArthur Foundation")
    ['John D. and Catherine T. MacArthur Foundation']
    """
    names = split_names(text.strip().rstrip("."))
    return [re.sub(r"^the\s+", "", n, flags=re.IGNORECASE) for n in names]


def merge_names(*lists: list[str]) -> list[str]:
    """Union of name lists, order kept, duplicates (ignoring case and spacing) dropped.

    >>> merge_names(["MacArthur Foundation"], ["MacArthur  Foundation", "Leon Levy Foundation"])
    ['MacArthur Foundation', 'Leon Levy Foundation']
    """
    seen: set[str] = set()
    merged: list[str] = []
    for names in lists:
        for name in names:
            key = " ".join(name.lower().split())
            if key not in seen:
                seen.add(key)
                merged.append(name)
    return merged
