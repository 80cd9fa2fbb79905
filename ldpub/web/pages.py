"""HTML pages a historian is glad to read (issue 3, item 3).

* :func:`resource_page` renders the ``text/html`` representation of any ``/doc/...`` description (the
  resources blueprint calls it): the telegram page (metadata, the English text with every mention
  highlighted and linked, numbered points citable by anchor, reported figures, sources and provenance),
  the person/group/place/concept pages (labels, other names, Wikidata link, documents that mention them
  with the quoted context), and a plain statement table for every other resource.
* The ``pages`` blueprint serves the home page ``/`` (documents and entities) and the label search
  ``/search?q=``.

Paging (issue 6): every list that grows with the corpus comes a page at a time, ``?page=N`` (1-based; the
page sizes and why are in :mod:`ldpub.web.entitydata`). A page links the previous and next ones in the
HTML (``<link rel="prev|next">`` and a visible pager) and in a ``Link`` header (RFC 8288), and shows the
totals. A malformed ``?page=`` (``0``, ``-1``, ``x``) is a ``400``, a page past the last a ``404``, both
with a problem body saying so. Page 1 of a ``/doc/`` description is the ``text/html`` representation the
resources blueprint serves (and caches); ``?page=`` pages are answered here, before it, since its cache
keeps one body per resource and format. Rendered pages and the lists' orders are kept per release
(:class:`ldpub.web.pagequery.ReleaseCache`).

Every value is escaped: Jinja autoescaping in the templates, :mod:`ldpub.web.markup` for the highlighted
text, and :func:`~ldpub.web.markup.json_ld_script` for the schema.org block each page embeds.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any
from urllib.parse import quote, urlencode

from flask import Blueprint, Response, render_template, request
from markupsafe import Markup
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF

from .. import __version__
from ..describe import describe
from . import state
from .conneg import negotiate
from .entitydata import KIND_HEADINGS, entity_kind, entity_pages, labels_of, load_entity, load_home, search
from .errors import problem
from .markup import ALTERNATES, Span, doc_path, highlight, href_for, json_ld_script
from .pagedata import DocumentView, document_graph_name, load_document, referrers
from .pagequery import SMALL, PageError, Pager, Ref, Slice, kept, label_of, pager, parse_page, select, text
from .representations import ALIASES, BY_SUFFIX, FORMATS, lookup
from .schemaorg import document_json_ld, entity_json_ld, generic_json_ld, home_json_ld

pages = Blueprint("pages", __name__)

CACHE_CONTROL = "public, max-age=60"
"""As the resources: short freshness, then revalidation with the ETag."""

HTML = "text/html; charset=utf-8"
STATEMENTS_PER_PAGE = 100
"""Values of a resource's own statements per page of the statement table (a build names every graph)."""
REFERRERS_PER_PAGE = 100
"""Resources per page of "Referenced by" (a type or a build is pointed at by every document)."""
E31 = "http://www.cidoc-crm.org/cidoc-crm/E31_Document"

LANGUAGES = {"en": "English", "zh": "Chinese", "ko": "Korean", "ru": "Russian", "ro": "Romanian", "": "—"}

_PREFIXES = (
    ("crm:", "http://www.cidoc-crm.org/cidoc-crm/"),
    ("rdf:", "http://www.w3.org/1999/02/22-rdf-syntax-ns#"),
    ("rdfs:", "http://www.w3.org/2000/01/rdf-schema#"),
    ("skos:", "http://www.w3.org/2004/02/skos/core#"),
    ("owl:", "http://www.w3.org/2002/07/owl#"),
    ("dcterms:", "http://purl.org/dc/terms/"),
    ("oa:", "http://www.w3.org/ns/oa#"),
    ("prov:", "http://www.w3.org/ns/prov#"),
    ("ldpub:", "https://w3id.org/ldpub/ns#"),
)


def compact(iri: str) -> str:
    """A property IRI in its usual prefixed form.

    >>> compact("http://www.cidoc-crm.org/cidoc-crm/P14_carried_out_by")
    'crm:P14_carried_out_by'
    """
    for prefix, namespace in _PREFIXES:
        if iri.startswith(namespace):
            return prefix + iri[len(namespace) :]
    return iri


def _link(ref: Ref, base: str, css: str = "") -> Markup:
    href = href_for(ref.iri, base)
    cls = Markup(' class="{}"').format(css) if css else Markup("")
    if href is None:
        return Markup("<span{}>{}</span>").format(cls, ref.label)
    return Markup('<a{} href="{}">{}</a>').format(cls, href, ref.label)


def _page_url(iri: str) -> str:
    """The stable URL of the HTML page describing ``iri`` (the same whichever URL asked for it)."""
    base = state().settings.base_uri
    return base + (doc_path(iri, base) or "")


def page_href(path: str, page: int, **args: str) -> str:
    """The URL of page ``page`` of ``path`` (page 1 without ``?page=``), other query arguments first.

    >>> page_href("/doc/place/prc", 1), page_href("/doc/place/prc", 3), page_href("/search", 2, q="a b")
    ('/doc/place/prc', '/doc/place/prc?page=3', '/search?q=a+b&page=2')
    """
    query = dict(args) | ({"page": str(page)} if page > 1 else {})
    return path + ("?" + urlencode(query) if query else "")


def _render(
    template: str,
    *,
    iri: str | None,
    title: str,
    json_ld: dict[str, Any],
    paging: Pager | None = None,
    href_of: Callable[[int], str] | None = None,
    **context: Any,
) -> str:
    base = state().settings.base_uri
    page_path = (doc_path(iri, base) if iri else None) or request.path
    alternates = [(f"{page_path}.{suffix}", mime, name) for suffix, mime, name in ALTERNATES] if iri else []
    return render_template(
        template,
        base=base,
        iri=iri,
        title=title + (f" (page {paging.page} of {paging.pages})" if paging and paging.page > 1 else ""),
        heading=title,
        page_path=page_path,
        pager=paging if paging and paging.pages > 1 else None,
        page_href=href_of or (lambda n: page_href(page_path, n)),
        alternates=alternates,
        json_ld=json_ld_script(json_ld),
        link=lambda ref, css="": _link(ref, base, css),
        href=lambda value: href_for(str(value), base),
        languages=LANGUAGES,
        kind_headings=KIND_HEADINGS,
        **context,
    )


def resource_page(iri: str, description: Graph, page: int = 1) -> str:
    """The HTML page of one resource (the ``text/html`` representation of its ``/doc/`` document), page
    ``page`` of its lists; a page past the last raises :class:`~ldpub.web.pagequery.PageError` (404)."""
    return _resource_page(iri, description, page)[0]


def _resource_page(iri: str, description: Graph, page: int) -> tuple[str, Pager]:
    subject = URIRef(iri)
    classes = [str(c) for c in description.objects(subject, RDF.type)]
    if E31 in classes:
        graph_name = document_graph_name(iri)
        if graph_name is not None:
            paging = pager(page, what=f"the page of <{iri}>")  # bounded by the document: one page
            return _remember(iri, document_page(load_document(iri, graph_name)), paging)
    kind = entity_kind(classes)
    if kind is not None:
        view = load_entity(iri, kind, page)
        html = _render(
            "page_entity.html",
            iri=iri,
            title=view.label,
            json_ld=entity_json_ld(view, _page_url(iri)),
            paging=view.pager,
            view=view,
        )
        return _remember(iri, html, view.pager)
    return generic_page(iri, description, page)


def _remember(iri: str, html: str, paging: Pager) -> tuple[str, Pager]:
    """Keep how many pages ``iri`` has (for the ``Link`` header of page 1, which the resources blueprint
    answers from its own cache)."""
    kept("keys", ("pages-of", iri), lambda: paging.pages, lambda _: SMALL)
    return html, paging


def page_count(iri: str) -> int:
    """How many pages the HTML description of ``iri`` has (kept per release; computed from the kept key
    lists when the page itself was rendered before the keep was dropped)."""

    def make() -> int:
        classes = {text(r["c"]) for r in select(f"SELECT ?c WHERE {{ <{iri}> a ?c }}")}
        if E31 in classes and document_graph_name(iri) is not None:
            return 1
        if entity_kind(sorted(classes)) is not None:
            return entity_pages(iri)
        rows = select(f"SELECT (COUNT(*) AS ?n) WHERE {{ SELECT DISTINCT ?p ?o WHERE {{ <{iri}> ?p ?o }} }}")
        own = int(text(rows[0].get("n")) or 0) if rows else 0
        return max(
            Slice(1, STATEMENTS_PER_PAGE, own).pages, Slice(1, REFERRERS_PER_PAGE, len(referrers(iri))).pages
        )

    return kept("keys", ("pages-of", iri), make, lambda _: SMALL)


def _text_spans(view: DocumentView) -> list[Span]:
    base = state().settings.base_uri
    spans: list[Span] = []
    ids: set[str] = set()
    for m in view.mentions:
        ident = f"figure-{m.start}" if m.body.kind == "figure" else f"ann-{m.start}-{m.end}"
        if ident in ids:
            ident = ""
        ids.add(ident)
        if m.body.kind == "figure":
            spans.append(Span(m.start, m.end, "figure", ident, m.body.label, f"#figure-row-{m.start}"))
        else:
            kind = m.body.kind or "other"
            title = f"{m.body.label} ({kind})"
            spans.append(
                Span(m.start, m.end, f"mention mention-{kind}", ident, title, href_for(m.body.iri, base))
            )
    for p in view.points:
        lead = Markup('<a class="pilcrow" href="#point-{0}" title="Link to point {0}">§</a>').format(p.label)
        spans.append(Span(p.start, p.end, f"point depth-{p.depth}", f"point-{p.label}", "", None, lead))
    return spans


def document_page(view: DocumentView) -> str:
    """The telegram page."""
    mentioned: dict[str, dict[str, tuple[Ref, int]]] = {}
    for m in view.mentions:
        if m.body.kind != "figure":
            group = mentioned.setdefault(m.body.kind or "other", {})
            ref, n = group.get(m.body.iri, (m.body, 0))
            group[m.body.iri] = (ref, n + 1)
    index = {
        kind: sorted(found.values(), key=lambda x: x[0].label.lower())
        for kind, found in sorted(mentioned.items())
    }
    return _render(
        "page_document.html",
        iri=view.iri,
        title=view.title,
        json_ld=document_json_ld(view, _page_url(view.iri)),
        view=view,
        text=highlight(view.english, _text_spans(view)),
        index=index,
    )


def generic_page(iri: str, description: Graph, page: int = 1) -> tuple[str, Pager]:
    """A table of the statements about any other resource, with labels instead of bare IRIs, and the
    resources that refer to it; both a page at a time. Returns the page and its pager."""
    subject = URIRef(iri)
    label = label_of(description, subject)
    statements = sorted(description.predicate_objects(subject))
    pointing = referrers(iri)
    own = Slice(page, STATEMENTS_PER_PAGE, len(statements))
    incoming_slice = Slice(page, REFERRERS_PER_PAGE, len(pointing))
    paging = pager(page, own, incoming_slice, what=f"the page of <{iri}>")
    rows: dict[str, list[Any]] = {}
    for p, o in own.take(statements):
        value: Any = Ref(str(o), label_of(description, o)) if isinstance(o, URIRef) else o
        rows.setdefault(compact(str(p)), []).append(value)
    pairs = [key.split("|", 1) for key in incoming_slice.take(pointing)]
    labels = labels_of(sorted({s for _, s in pairs}))
    incoming = [(Ref(s, labels[s]), compact(p)) for p, s in pairs]
    in_context = None
    if "/en/section/" in iri:
        document, point = iri.split("/en/section/", 1)
        in_context = (doc_path(document, state().settings.base_uri) or "") + f"#point-{point}"
    html = _render(
        "page_resource.html",
        iri=iri,
        title=label,
        json_ld=generic_json_ld(iri, label, _page_url(iri)),
        paging=paging,
        rows=rows,
        statements=own,
        incoming=incoming,
        incoming_slice=incoming_slice,
        in_context=in_context,
        is_literal=lambda v: isinstance(v, Literal),
    )
    return _remember(iri, html, paging)


def _page_links(href_of: Callable[[int], str], paging: Pager) -> list[str]:
    """``Link`` header values (RFC 8288) to the first, previous, next and last pages."""
    links = []
    if paging.prev is not None:
        links += [f'<{href_of(1)}>; rel="first"', f'<{href_of(paging.prev)}>; rel="prev"']
    if paging.next is not None:
        links += [f'<{href_of(paging.next)}>; rel="next"', f'<{href_of(paging.pages)}>; rel="last"']
    return links


def _release_headers(response: Response, variant: str) -> Response:
    """``Cache-Control``, a strong ``ETag`` from the build and ``variant``, ``Last-Modified``, and ``304``
    on a matching ``If-None-Match`` / ``If-Modified-Since`` (RFC 9110 §8.8, §13.1)."""
    response.headers["Cache-Control"] = CACHE_CONTROL
    release = state().store.release_info()
    if release is not None:
        digest = hashlib.sha256(f"{__version__}\n{variant}\nhtml".encode()).hexdigest()[:16]
        response.set_etag(f"{release.build_id}.{digest}")
        response.last_modified = release.created
    else:
        response.set_etag(hashlib.sha256(response.get_data()).hexdigest()[:32])
    response.make_conditional(request)  # changes ``response`` in place
    return response


def _html_stem(rest: str) -> str | None:
    """The resource path of ``/doc/<rest>`` when the request asks for HTML (suffix, ``?format=`` or
    ``Accept``, as the resources blueprint decides), else None."""
    stem, dot, suffix = rest.rpartition(".")
    if dot and stem and suffix in BY_SUFFIX:
        return stem if BY_SUFFIX[suffix].name == "html" else None
    requested = request.args.get("format") or request.args.get("_mediatype")
    if requested is not None:
        fmt = lookup(requested)
        return rest if fmt is not None and fmt.name == "html" else None
    offers = [f.media_type for f in FORMATS]
    return rest if negotiate(request.headers.get("Accept"), offers, ALIASES) == "text/html" else None


def _resource_iri(stem: str) -> str:
    """The IRI ``/doc/<stem>`` describes (as the resources blueprint mints it: with ``base_uri``). Every
    character a SPARQL ``IRIREF`` forbids (``<>"{}|^`\\``, space, controls) comes out percent-encoded."""
    return f"{state().settings.base_uri}/id/{quote(stem, safe='/:@!$&()*+,;=-._~')}"


def _profiled() -> bool:
    return bool(request.headers.get("Accept-Profile", "").strip()) or "_profile" in request.args


def _render_page(iri: str, page: int) -> tuple[bytes, Pager] | PageError | None:
    """Page ``page`` of the HTML page of ``iri``; the error when there is no such page; None when the
    dataset does not describe ``iri``. An entity page needs only the entity's classes, not its description
    (which reads up to 500 referring triples)."""
    classes = sorted({text(r["c"]) for r in select(f"SELECT ?c WHERE {{ <{iri}> a ?c }}")})
    if entity_kind(classes) is not None:
        graph = Graph()
        for c in classes:
            graph.add((URIRef(iri), RDF.type, URIRef(c)))
    else:
        description = describe(state().store, iri)
        if not description.found:
            return None
        graph = description.graph
    try:
        html, paging = _resource_page(iri, graph, page)
    except PageError as exc:
        return exc
    return html.encode("utf-8"), paging


def _cost(rendered: tuple[bytes, Pager] | PageError | None) -> int:
    return len(rendered[0]) if isinstance(rendered, tuple) else 256


@pages.before_app_request
def _paged_description() -> Response | None:
    """``/doc/<path>?page=N`` in HTML: page N of the resource's page (other formats ignore ``?page=``)."""
    if request.endpoint != "resources.document" or "page" not in request.args or _profiled():
        return None
    if request.method not in ("GET", "HEAD"):
        return None
    stem = _html_stem(str((request.view_args or {}).get("rest", "")))
    if stem is None:
        return None
    try:
        page = parse_page(request.args.get("page"))
    except PageError as exc:
        return problem(exc.status, exc.message)
    iri = _resource_iri(stem)
    found = kept("pages", ("doc", iri, page), lambda: _render_page(iri, page), _cost)
    if isinstance(found, PageError):
        return problem(found.status, found.message)
    if found is None:
        return None  # the resources blueprint answers 404 (or 410 for a withdrawn resource)
    body, paging = found
    path = "/doc/" + stem
    response = Response(body, content_type=HTML)
    response.headers["Link"] = ", ".join(
        [*_page_links(lambda n: page_href(path, n), paging), f'<{iri}>; rel="cite-as"']
    )
    return _release_headers(response, f"{iri}\n{page}")


@pages.after_app_request
def _link_next_page(response: Response) -> Response:
    """Page 1 of a ``/doc/`` HTML page with more pages: ``Link: <…?page=2>; rel="next"`` (and last)."""
    if (
        request.endpoint != "resources.document"
        or response.status_code != 200
        or response.mimetype != "text/html"
        or "page" in request.args
        or _profiled()
    ):
        return response
    rest = str((request.view_args or {}).get("rest", ""))
    stem = rest.removesuffix(".html")
    pages_of = page_count(_resource_iri(stem))
    if pages_of > 1:
        links = _page_links(lambda n: page_href("/doc/" + stem, n), Pager(1, pages_of))
        existing = response.headers.get("Link")
        response.headers["Link"] = ", ".join([existing, *links] if existing else links)
    return response


@pages.after_request
def _http_headers(response: Response) -> Response:
    """Issue 3, item 2 for the home and search pages: ``Cache-Control``, CORS, ``Vary``, a strong ``ETag``
    from the build and the URL, ``Last-Modified`` (the build time), and ``304`` on a matching
    ``If-None-Match`` / ``If-Modified-Since`` (RFC 9110 §8.8, §13.1)."""
    response.headers["Cache-Control"] = CACHE_CONTROL
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.vary.add("Accept")
    if response.status_code != 200:
        return response
    release = state().store.release_info()
    if release is not None:
        digest = hashlib.sha256(f"{request.full_path}\nhtml".encode()).hexdigest()[:16]
        response.set_etag(f"{release.build_id}.{digest}")
        response.last_modified = release.created
    else:
        response.set_etag(hashlib.sha256(response.get_data()).hexdigest()[:32])
    response.make_conditional(request)
    return response


def _paged(
    make: Callable[[int], tuple[str, Pager]], key: tuple[str, ...], href_of: Callable[[int], str]
) -> Response:
    """A page of the home page or of a search, kept per release, with its ``Link`` header; a bad
    ``?page=`` answers 400 or 404."""
    try:
        page = parse_page(request.args.get("page"))
        html, paging = kept("pages", (*key, request.url_root, page), lambda: make(page), lambda r: len(r[0]))
    except PageError as exc:
        return problem(exc.status, exc.message)
    response = Response(html, content_type=HTML)
    links = _page_links(href_of, paging)
    if links:
        response.headers["Link"] = ", ".join(links)
    return response


@pages.get("/")
def home() -> Response:
    """The home page: the documents, then the entities by kind, with the label search; a page at a time."""
    base = state().settings.base_uri

    def make(page: int) -> tuple[str, Pager]:
        view = load_home(base, page)
        documents = [Ref(d.iri, d.title, "document") for d in view.documents]
        html = _render(
            "page_home.html",
            iri=None,
            title="Archival documents as linked open data",
            json_ld=home_json_ld(request.url_root, documents),
            paging=view.pager,
            href_of=lambda n: page_href("/", n),
            view=view,
        )
        return html, view.pager

    return _paged(make, ("home",), lambda n: page_href("/", n))


@pages.get("/search")
def label_search() -> Response:
    """``/search?q=``: documents and entities whose labels or other names contain ``q`` (any case), best
    match first, a page at a time."""
    query = request.args.get("q", "")
    base = state().settings.base_uri

    def href_of(n: int) -> str:
        return page_href("/search", n, q=query)

    def make(page: int) -> tuple[str, Pager]:
        found = search(base, query, page)
        html = _render(
            "page_search.html",
            iri=None,
            title=f"Search: {query}" if query.strip() else "Search",
            json_ld=home_json_ld(request.url_root, []),
            paging=found.pager,
            href_of=href_of,
            query=query,
            found=found,
            hits=found.hits,
        )
        return html, found.pager

    return _paged(make, ("search", query), href_of)
