"""Proactive content negotiation: parse ``Accept`` and choose a representation (RFC 9110 §12.5.1).

Pure functions, no Flask. A media range's weight applies to the offered types it matches; when several
ranges match one type, the most specific range wins (``text/turtle`` over ``text/*`` over ``*/*``),
whatever its order or weight (RFC 9110 §12.5.1: "the most specific reference has precedence"). ``q=0``
means "not acceptable". Parameters other than ``q`` are ignored for matching (``charset``, JSON-LD
``profile``): every representation ldpub serves is UTF-8 and compacted. Ties are broken by the server's
order of preference.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class MediaRange:
    """One element of an ``Accept`` header: ``type/subtype`` (either may be ``*``) and its weight."""

    type: str
    subtype: str
    q: float

    @property
    def specificity(self) -> int:
        """2 for ``type/subtype``, 1 for ``type/*``, 0 for ``*/*``."""
        return (self.type != "*") + (self.subtype != "*")

    def matches(self, media_type: str) -> bool:
        """Whether this range covers ``media_type`` (``type/subtype``, no parameters).

        >>> MediaRange("text", "*", 1.0).matches("text/turtle")
        True
        >>> MediaRange("application", "ld+json", 1.0).matches("application/json")
        False
        """
        kind, _, sub = media_type.lower().partition("/")
        return self.type in ("*", kind) and self.subtype in ("*", sub)


def _weight(text: str) -> float | None:
    """A ``qvalue`` (RFC 9110 §12.4.2: 0 to 1, at most three decimals), or None when malformed."""
    try:
        value = float(text)
    except ValueError:
        return None
    return value if 0.0 <= value <= 1.0 else None


def parse_accept(header: str | None) -> list[MediaRange]:
    """The media ranges of an ``Accept`` header, in the order given; malformed elements are skipped.

    A missing or empty header means ``*/*`` (RFC 9110 §12.5.1: no Accept, any type is acceptable).

    >>> [(r.type, r.subtype, r.q) for r in parse_accept("text/turtle;q=0.5, application/ld+json;q=0.9")]
    [('text', 'turtle', 0.5), ('application', 'ld+json', 0.9)]
    >>> [(r.type, r.subtype, r.q) for r in parse_accept("TEXT/HTML; level=1; Q=0.7 , */*;q=0.1")]
    [('text', 'html', 0.7), ('*', '*', 0.1)]
    >>> [(r.type, r.subtype, r.q) for r in parse_accept(None)]
    [('*', '*', 1.0)]
    >>> parse_accept("garbage, text/;q=1, */html, text/plain;q=2")
    []
    """
    if header is None or not header.strip():
        return [MediaRange("*", "*", 1.0)]
    ranges = []
    for element in header.split(","):
        media, *params = (part.strip() for part in element.split(";"))
        kind, slash, sub = media.lower().partition("/")
        if not slash or not kind or not sub or (kind == "*" and sub != "*"):
            continue
        q: float | None = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                q = _weight(value.strip())
                break
        if q is not None:
            ranges.append(MediaRange(kind, sub, q))
    return ranges


def quality(ranges: Sequence[MediaRange], media_type: str) -> float:
    """The weight ``ranges`` give ``media_type``: that of the most specific matching range, else 0.

    >>> quality(parse_accept("text/*;q=0.3, text/turtle;q=0, */*;q=0.5"), "text/turtle")
    0.0
    >>> quality(parse_accept("text/*;q=0.3, */*;q=0.5"), "text/html")
    0.3
    >>> quality(parse_accept("application/ld+json"), "text/turtle")
    0.0
    """
    best: MediaRange | None = None
    for media_range in ranges:
        if media_range.matches(media_type) and (best is None or media_range.specificity > best.specificity):
            best = media_range
    return best.q if best is not None else 0.0


def negotiate(
    header: str | None, offers: Sequence[str], aliases: Mapping[str, str] | None = None
) -> str | None:
    """The offered media type the client prefers, or None when it accepts none of them (→ 406).

    ``offers`` is in the server's order of preference, which breaks ties. ``aliases`` maps other names
    a client may use for an offered type (``text/plain`` for N-Triples) to it; an alias counts only
    when it is named explicitly, never through a wildcard.

    >>> OFFERS = ["text/turtle", "application/ld+json", "text/html"]
    >>> negotiate("text/turtle;q=0.5, application/ld+json;q=0.9", OFFERS)
    'application/ld+json'
    >>> negotiate("*/*", OFFERS)
    'text/turtle'
    >>> negotiate("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", OFFERS)
    'text/html'
    >>> negotiate("application/*", OFFERS)
    'application/ld+json'
    >>> negotiate("image/png", OFFERS) is None
    True
    >>> negotiate("*/*;q=0", OFFERS) is None
    True
    >>> negotiate("text/n3", OFFERS, {"text/n3": "text/turtle"})
    'text/turtle'
    """
    return _negotiate(header, tuple(offers), tuple((aliases or {}).items()))


@lru_cache(maxsize=1024)
def _negotiate(
    header: str | None, offers: tuple[str, ...], aliases: tuple[tuple[str, str], ...]
) -> str | None:
    """:func:`negotiate`, memoised: clients send a handful of distinct ``Accept`` headers, and parsing
    one cost more than answering a cached description (py-spy, benchmarks/RESULTS.md)."""
    ranges = parse_accept(header)
    scores: dict[str, float] = {offer: quality(ranges, offer) for offer in offers}
    for alias, target in aliases:
        explicit = [r.q for r in ranges if r.specificity == 2 and r.matches(alias)]
        if target in scores and explicit:
            scores[target] = max(scores[target], *explicit)
    best = max(offers, key=lambda offer: scores[offer], default=None)
    if best is None or scores[best] <= 0.0:
        return None
    return best
