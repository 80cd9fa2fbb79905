"""HTML pages a historian is glad to read (issue 3, item 3).

* :func:`resource_page` renders the ``text/html`` representation of any ``/doc/...`` description (the
  resources blueprint calls it): the telegram page (metadata, the English text with every mention
  highlighted and linked, numbered points citable by anchor, reported figures, sources and provenance),
  the person/group/place/concept pages (labels, other names, Wikidata link, documents that mention them
  with the quoted context), and a plain statement table for every other resource.
* The ``pages`` blueprint serves the home page ``/`` (documents and entities) and the label search
  ``/search?q=``.

Every value is escaped: Jinja autoescaping in the templates, :mod:`ldpub.web.markup` for the highlighted
text, and :func:`~ldpub.web.markup.json_ld_script` for the schema.org block each page embeds.
"""

from __future__ import annotations

import hashlib
from typing import Any

from flask import Blueprint, Response, render_template, request
from markupsafe import Markup
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF

from . import state
from .entitydata import KIND_HEADINGS, entity_kind, load_entity, load_home, search
from .markup import ALTERNATES, Span, doc_path, highlight, href_for, json_ld_script
from .pagedata import DocumentView, document_graph_name, load_document
from .pagequery import Ref, label_of
from .schemaorg import document_json_ld, entity_json_ld, generic_json_ld, home_json_ld

pages = Blueprint("pages", __name__)

CACHE_CONTROL = "public, max-age=60"
"""As the resources: short freshness, then revalidation with the ETag."""

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


def _render(template: str, *, iri: str | None, title: str, json_ld: dict[str, Any], **context: Any) -> str:
    base = state().settings.base_uri
    page_path = (doc_path(iri, base) if iri else None) or request.path
    alternates = [(f"{page_path}.{suffix}", mime, name) for suffix, mime, name in ALTERNATES] if iri else []
    return render_template(
        template,
        base=base,
        iri=iri,
        title=title,
        page_path=page_path,
        alternates=alternates,
        json_ld=json_ld_script(json_ld),
        link=lambda ref, css="": _link(ref, base, css),
        href=lambda value: href_for(str(value), base),
        languages=LANGUAGES,
        kind_headings=KIND_HEADINGS,
        **context,
    )


def resource_page(iri: str, description: Graph) -> str:
    """The HTML page of one resource (the ``text/html`` representation of its ``/doc/`` document)."""
    subject = URIRef(iri)
    classes = [str(c) for c in description.objects(subject, RDF.type)]
    if "http://www.cidoc-crm.org/cidoc-crm/E31_Document" in classes:
        graph_name = document_graph_name(iri)
        if graph_name is not None:
            return document_page(load_document(iri, graph_name))
    kind = entity_kind(classes)
    if kind is not None:
        view = load_entity(iri, kind)
        return _render(
            "page_entity.html",
            iri=iri,
            title=view.label,
            json_ld=entity_json_ld(view, _page_url(iri)),
            view=view,
        )
    return generic_page(iri, description)


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


def generic_page(iri: str, description: Graph) -> str:
    """A table of the statements about any other resource, with labels instead of bare IRIs."""
    subject = URIRef(iri)
    label = label_of(description, subject)
    rows: dict[str, list[Any]] = {}
    for p, o in sorted(description.predicate_objects(subject)):
        value: Any = Ref(str(o), label_of(description, o)) if isinstance(o, URIRef) else o
        rows.setdefault(compact(str(p)), []).append(value)
    incoming: list[tuple[Ref, str]] = sorted(
        {
            (Ref(str(s), label_of(description, s)), compact(str(p)))
            for s, p in description.subject_predicates(subject)
            if isinstance(s, URIRef)
        },
        key=lambda x: (x[1], x[0].label),
    )
    in_context = None
    if "/en/section/" in iri:
        document, point = iri.split("/en/section/", 1)
        in_context = (doc_path(document, state().settings.base_uri) or "") + f"#point-{point}"
    return _render(
        "page_resource.html",
        iri=iri,
        title=label,
        json_ld=generic_json_ld(iri, label, _page_url(iri)),
        rows=rows,
        incoming=incoming,
        in_context=in_context,
        is_literal=lambda v: isinstance(v, Literal),
    )


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


@pages.get("/")
def home() -> str:
    """The home page: the documents, then the entities by kind, with the label search."""
    base = state().settings.base_uri
    view = load_home(base)
    documents = [Ref(d.iri, d.title, "document") for d in view.documents]
    return _render(
        "page_home.html",
        iri=None,
        title="Archival documents as linked open data",
        json_ld=home_json_ld(request.url_root, documents),
        view=view,
    )


@pages.get("/search")
def label_search() -> str:
    """``/search?q=``: documents and entities whose labels or other names contain ``q`` (any case)."""
    query = request.args.get("q", "")
    base = state().settings.base_uri
    hits = search(base, query)
    return _render(
        "page_search.html",
        iri=None,
        title=f"Search: {query}" if query.strip() else "Search",
        json_ld=home_json_ld(request.url_root, []),
        query=query,
        hits=hits,
    )
