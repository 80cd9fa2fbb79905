"""Pure helpers for the HTML pages: local links, safe external links, highlighted text, inert JSON-LD.

Everything here returns :class:`markupsafe.Markup` only after escaping every value that came from the data
(issue 3, item 3: "All values are escaped"). Offsets count code points, end exclusive, as the
``oa:TextPositionSelector`` of the Web Annotation model (https://www.w3.org/TR/annotation-model/#text-position-selector)
does, which is what Python string indexing counts.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

ALTERNATES: tuple[tuple[str, str, str], ...] = (
    ("ttl", "text/turtle", "Turtle"),
    ("jsonld", "application/ld+json", "JSON-LD"),
    ("rdf", "application/rdf+xml", "RDF/XML"),
    ("nt", "application/n-triples", "N-Triples"),
    ("nq", "application/n-quads", "N-Quads"),
)
"""The data formats every page links to: (suffix, media type, name)."""


def doc_path(iri: str, base: str) -> str | None:
    """The local path of the description document of ``iri``, or ``None`` when ``iri`` is not ours.

    >>> doc_path("http://localhost:5000/id/person/pak-seong-cheol", "http://localhost:5000")
    '/doc/person/pak-seong-cheol'
    >>> doc_path("http://www.wikidata.org/entity/Q423", "http://localhost:5000") is None
    True
    """
    prefix = base.rstrip("/") + "/id/"
    if iri.startswith(prefix) and len(iri) > len(prefix):
        return "/doc/" + iri[len(prefix) :]
    return None


def href_for(iri: str, base: str) -> str | None:
    """Where a link to ``iri`` should point: our own page (a local path), an http(s) IRI, or nowhere.

    Any other scheme (``javascript:``, ``data:``) is never made a link.

    >>> href_for("http://localhost:5000/id/place/dprk", "http://localhost:5000")
    '/doc/place/dprk'
    >>> href_for("https://ror.org/00whzh260", "http://localhost:5000")
    'https://ror.org/00whzh260'
    >>> href_for("javascript:alert(1)", "http://localhost:5000") is None
    True
    """
    local = doc_path(iri, base)
    if local is not None:
        return local
    if iri.lower().startswith(("http://", "https://")):
        return iri
    return None


def json_ld_script(data: object) -> Markup:
    """A ``<script type="application/ld+json">`` element whose content can never end the element early.

    ``<``, ``>`` and ``&`` are written as JSON ``\\u`` escapes, so ``</script>`` or ``<!--`` in a value stays
    data, and the block still parses as the same JSON.

    >>> str(json_ld_script({"name": "</script><script>alert(1)</script>"}))[35:]
    '{"name": "\\\\u003c/script\\\\u003e\\\\u003cscript\\\\u003ealert(1)\\\\u003c/script\\\\u003e"}</script>'
    """
    text = json.dumps(data, ensure_ascii=False, indent=None)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return Markup('<script type="application/ld+json">') + Markup(text) + Markup("</script>")


@dataclass(frozen=True)
class Span:
    """A stretch of text to wrap in a ``<span>``: a mention, a reported figure, or a numbered point.

    ``href`` makes the characters of the span a link when no inner span has a link of its own (links never
    nest); ``lead`` is markup placed just inside the opening tag (the point's § link); ``element_id`` is
    written on the first piece only when an overlapping span forces the span to be split.
    """

    start: int
    end: int
    classes: str
    element_id: str = ""
    title: str = ""
    href: str | None = None
    lead: Markup | None = None


def _open(span: Span, first: bool) -> Markup:
    attrs = Markup(' class="{}"').format(span.classes + ("" if first else " continued"))
    if first and span.element_id:
        attrs += Markup(' id="{}"').format(span.element_id)
    if span.title:
        attrs += Markup(' title="{}"').format(span.title)
    out = Markup("<span{}>").format(attrs)
    if first and span.lead is not None:
        out += span.lead
    return out


def _leaf(text: str, stack: Sequence[Span]) -> Markup:
    link = next((s for s in reversed(stack) if s.href), None)
    if link is None or link.href is None:
        return escape(text)
    return Markup('<a href="{}">{}</a>').format(link.href, text)


def highlight(text: str, spans: Iterable[Span]) -> Markup:
    """``text`` escaped, with every span wrapped in well-nested ``<span>`` elements.

    Spans may nest or overlap: an overlapped span is closed and reopened (``continued``) so the markup
    always stays well formed; a span outside the text or empty is dropped.

    >>> str(highlight("Pak met Hao", [Span(0, 3, "m", "m-0", href="/doc/person/pak")]))
    '<span class="m" id="m-0"><a href="/doc/person/pak">Pak</a></span> met Hao'
    >>> print(highlight("a<9>", [Span(2, 3, "f"), Span(0, 4, "m", href="/")]))
    <span class="m"><a href="/">a&lt;</a><span class="f"><a href="/">9</a></span><a href="/">&gt;</a></span>
    >>> str(highlight("abcdef", [Span(0, 4, "x"), Span(2, 6, "y")]))
    '<span class="x">ab<span class="y">cd</span></span><span class="y continued">ef</span>'
    """
    length = len(text)
    kept = sorted(
        (s for s in spans if 0 <= s.start < s.end <= length),
        key=lambda s: (s.start, -s.end),
    )
    bounds = sorted({0, length, *(s.start for s in kept), *(s.end for s in kept)})
    out: list[Markup] = []
    stack: list[Span] = []
    pending = 0
    for pos, nxt in zip(bounds, [*bounds[1:], length], strict=True):
        # close what ends here (and whatever is open above it, to be reopened)
        lowest = next((i for i, s in enumerate(stack) if s.end <= pos), None)
        reopen: list[Span] = []
        if lowest is not None:
            out.extend(Markup("</span>") for _ in stack[lowest:])
            reopen = [s for s in stack[lowest:] if s.end > pos]
            del stack[lowest:]
        for s in reopen:
            out.append(_open(s, first=False))
            stack.append(s)
        while pending < len(kept) and kept[pending].start == pos:
            out.append(_open(kept[pending], first=True))
            stack.append(kept[pending])
            pending += 1
        if nxt > pos:
            out.append(_leaf(text[pos:nxt], stack))
    out.extend(Markup("</span>") for _ in stack)
    return Markup("").join(out)
