"""Link one document: resolve its mentions, parties, credits and figures to authority entries.

The result, :class:`LinkedDocument`, is everything the model needs; the model never looks at the
source text again except through it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..read.record import Record, Span, render_text
from .authority import Authority, Entry
from .figures import Figure, find_figures, unit_nouns
from .mentions import Matcher, Mention, build_matcher, find_mentions
from .references import Reference, find_references
from .slugs import document_slug, slugify

if TYPE_CHECKING:
    from ..read.assemble import DocumentSources

_ORG_WORDS = re.compile(
    r"\b(University|Institute|Foundation|Ministry|Archive|Archives|Center|Centre|Program|Programme|"
    r"Council|Committee|Society|Academy|Library|Museum|Project|Fund|Trust|Embassy|Agency|Association)\b"
)


@dataclass
class LinkedDocument:
    sources: DocumentSources
    slug: str
    text: str
    spans: list[Span]
    mentions: list[Mention]
    figures: list[Figure]
    references: list[Reference]
    senders: list[Entry]
    addressees: list[Entry]
    archive: Entry | None
    file_number: str | None
    doctype: Entry
    priority: Entry | None
    language: Entry | None
    language_from_archive: bool
    obtainers: list[Entry]
    translators: list[Entry]
    contributors: list[Entry]
    funders: list[Entry]
    publisher: Entry | None
    subjects: list[Entry]
    warnings: list[str] = field(default_factory=list)

    @property
    def record(self) -> Record:
        return self.sources.primary


def _parties(text: str | None, matcher: Matcher, kinds: tuple[str, ...], authority: Authority) -> list[Entry]:
    if not text:
        return []
    keys = dict.fromkeys((m.kind, m.key) for m in find_mentions(text, matcher) if m.kind in kinds)
    return [authority.get(kind, key) for kind, key in keys]


def _title_parts(title: str | None) -> tuple[str | None, str | None]:
    """The "from …" and "to …" parts of a title like "Telegram from X to Y on Z"."""
    if not title:
        return None, None
    hit = re.search(
        r"\bfrom (?P<from>.+?)(?:\s+to (?P<to>.+?))?(?:\s+(?:on|about|regarding|concerning)\b|,|$)", title
    )
    if not hit:
        return None, None
    return hit.group("from"), hit.group("to")


def _archive(record: Record, authority: Authority) -> tuple[Entry | None, str | None]:
    """The archive an archival reference belongs to (by prefix) and the file number in it."""
    if not record.reference:
        return None, None
    for entry in authority.of_kind("archive"):
        for prefix in sorted(entry.prefixes, key=len, reverse=True):
            if record.reference.startswith(prefix):
                rest = record.reference[len(prefix) :].strip(" ,")
                return entry, rest or None
    return None, None


def _doctype(title: str | None, authority: Authority) -> Entry:
    types = authority.of_kind("doctype")
    if title:
        for entry in types:
            if any(title.startswith(words) for words in entry.title_starts):
                return entry
    return authority.get("doctype", "document")


def _by_label(value: str | None, kind: str, authority: Authority) -> Entry | None:
    if not value:
        return None
    return authority.by_name(value, (kind,)) or authority.find(kind, slugify(value))


class Linker:
    """Links documents against one authority, minting persons and groups named only in credits."""

    def __init__(self, authority: Authority) -> None:
        self.authority = authority
        self.nouns = unit_nouns(authority)
        self._matchers: dict[str | None, Matcher] = {}

    def matcher(self, archive: str | None) -> Matcher:
        if archive not in self._matchers:
            self._matchers[archive] = build_matcher(self.authority, archive)
        return self._matchers[archive]

    def credited(self, names: list[str], archive: str | None) -> list[Entry]:
        """Authority entries for credited names; a name the authority lacks is minted once."""
        entries = []
        for name in names:
            found = self.authority.by_name(name, ("person", "group"), archive)
            if found is None:
                kind = "group" if _ORG_WORDS.search(name) else "person"
                key = slugify(name) or "unnamed"
                found = self.authority.find(kind, key)
                if found is None:
                    found = Entry(kind=kind, key=key, labels={"en": " ".join(name.split())}, minted=True)
                    self.authority.add(found)
            entries.append(found)
        return entries_by_id(entries)

    def link(self, sources: DocumentSources, slug: str) -> LinkedDocument:
        record = sources.primary
        warnings: list[str] = []
        archive, file_number = _archive(record, self.authority)
        archive_key = archive.key if archive else None
        matcher = self.matcher(archive_key)
        text, spans = render_text(record)
        mentions = find_mentions(text, matcher)
        paragraphs = [(s.start, s.end) for s in spans]
        when = (
            record.date.begin if record.date else (record.closing_date.begin if record.closing_date else None)
        )
        figures = find_figures(text, paragraphs, mentions, self.nouns, when)
        references = find_references(text, when.year if when else None)
        sender_text, addressee_text = _title_parts(record.title)
        senders = _parties("\n".join(record.signatories), matcher, ("group", "person"), self.authority)
        if not senders:
            senders = _parties(sender_text, matcher, ("group", "person"), self.authority)
        if not senders:
            warnings.append("no sender could be resolved from the signatories or the title")
        addressees = _parties(record.addressee, matcher, ("group", "person"), self.authority)
        if not addressees:
            addressees = _parties(addressee_text, matcher, ("group", "person"), self.authority)
        language = _by_label(record.original_language, "language", self.authority)
        from_archive = False
        if language is None and archive is not None and archive.language is not None:
            language = self.authority.get("language", archive.language)
            from_archive = True
        publisher = next(
            (
                g
                for g in self.authority.of_kind("group")
                if any(w in (record.rights or "") + (record.citation or "") for w in g.publishes_when)
            ),
            None,
        )
        title_mentions = find_mentions(record.title or "", matcher)
        subjects = [self.authority.get(m.kind, m.key) for m in title_mentions if m.kind == "concept"]
        return LinkedDocument(
            sources=sources,
            slug=slug,
            text=text,
            spans=spans,
            mentions=mentions,
            figures=figures,
            references=references,
            senders=senders,
            addressees=addressees,
            archive=archive,
            file_number=file_number,
            doctype=_doctype(record.title, self.authority),
            priority=_by_label(record.priority, "priority", self.authority),
            language=language,
            language_from_archive=from_archive,
            obtainers=self.credited(record.obtained_by, archive_key),
            translators=self.credited(record.translated_by, archive_key),
            contributors=self.credited(record.contributed_by + record.transcribed_by, archive_key),
            funders=self.credited(record.funders, archive_key),
            publisher=publisher,
            subjects=entries_by_id(subjects),
            warnings=warnings,
        )


def entries_by_id(entries: list[Entry]) -> list[Entry]:
    """Entries without repeats (by kind and key), order kept."""
    seen: dict[tuple[str, str], Entry] = {}
    for entry in entries:
        seen.setdefault((entry.kind, entry.key), entry)
    return list(seen.values())


def assign_slugs(documents: list[DocumentSources]) -> list[str]:
    """A slug per document; documents that share a reference get their pages appended."""
    return slugs_for(
        [
            (d.primary.reference, d.primary.record_id, d.primary.source.path, d.primary.pages)
            for d in documents
        ]
    )


def slugs_for(primaries: Sequence[tuple[str | None, str | None, str, str | None]]) -> list[str]:
    """:func:`assign_slugs` from each document's primary ``(reference, record_id, path, pages)``."""
    slugs = [document_slug(reference, record_id, path) for reference, record_id, path, _ in primaries]
    counts = Counter(slugs)
    result = []
    for (_, _, path, pages), slug in zip(primaries, slugs, strict=True):
        if counts[slug] > 1:
            suffix = slugify(pages or "") or slugify(path)
            slug = f"{slug}-p{suffix}"
        result.append(slug)
    return result


def link_documents(documents: list[DocumentSources], authority: Authority) -> list[LinkedDocument]:
    linker = Linker(authority)
    return [linker.link(doc, slug) for doc, slug in zip(documents, assign_slugs(documents), strict=True)]


__all__ = ["LinkedDocument", "Linker", "assign_slugs", "link_documents", "slugs_for"]
