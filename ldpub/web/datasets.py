"""Dataset descriptions for aggregators (issue 5, item 3): VoID, a DCAT 3 catalogue and ``sitemap.xml``.

* ``/.well-known/void``: the VoID description (VoID Note §7.2, "Discovery via /.well-known/void", RFC 8615);
  the home page links it with ``Link: </.well-known/void>; rel="describedby"`` and every page's footer
  links it (``base.html``).
* ``/catalog``: the DCAT 3 catalogue: the dataset with its version, a distribution per dump of the current
  release (byte size, SHA-256) and the SPARQL and OAI-PMH data services.
* ``/sitemap.xml``: every document and entity page (sitemaps.org protocol 0.9) with the Semantic
  Sitemaps extension's ``sc:dataset`` block (http://sw.deri.org/2007/07/sitemapextension/: label, dataset
  URI, linked-data prefix, sample URIs, SPARQL endpoint and data dumps).

VoID and DCAT are RDF: Turtle by default, JSON-LD, RDF/XML or N-Triples by ``Accept`` or ``?format=``
(nothing acceptable: 406). The numbers are the statistics the build stored with the release being served
(:func:`ldpub.statistics.stored_statistics`: one small file or literal read, never a count over the
store); a release without them (built by an older ldpub) is described without counts and says so. Every
answer is computed once per release; ``ETag`` and ``Last-Modified`` come from the release.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from xml.sax.saxutils import escape as xml_escape

from flask import Blueprint, Response, current_app, request, url_for
from rdflib import Graph
from werkzeug.http import http_date

from ..dumps import dumps_for, release_version
from ..model.namespaces import CRM
from ..statistics import Statistics, stored_statistics
from ..store import SelectResult
from ..views.dataset import Distribution, Endpoints, dcat_graph, void_graph
from . import state
from .conneg import negotiate
from .errors import problem
from .representations import FORMATS, Format, RepresentationCache, lookup

datasets = Blueprint("datasets", __name__)

CACHE_KEY = "ldpub.representations"
RDF_FORMATS = [f for f in FORMATS if f.name in ("turtle", "jsonld", "rdfxml", "ntriples")]
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
SC_NS = "http://sw.deri.org/2007/07/sitemapextension/scschema.xsd"
_PAGES = """SELECT DISTINCT ?s WHERE {{
  {{ GRAPH ?g {{ ?s a <{document}> }}
     FILTER(STRSTARTS(STR(?g), "{base}/graph/document/")
            && STR(?s) = CONCAT("{base}/id/document/", STRAFTER(STR(?g), "{base}/graph/document/"))) }}
  UNION
  {{ GRAPH <{base}/graph/entities> {{ ?s a ?class }}
     VALUES ?class {{ <{person}> <{group}> <{place}> <{concept}> }} }}
  FILTER(STRSTARTS(STR(?s), "{base}/id/"))
}} ORDER BY ?s"""


def _memo(key: tuple[object, ...], make: Callable[[], object]) -> object:
    cache = current_app.extensions.get(CACHE_KEY)
    if cache is None:
        cache = current_app.extensions[CACHE_KEY] = RepresentationCache()
    assert isinstance(cache, RepresentationCache)
    release = state().store.release_info()
    return cache.memo(release.build_id if release else None, (*key, request.host, request.scheme), make)


def _root() -> str:
    return request.url_root.rstrip("/")


def dataset_iri() -> str:
    """The dataset's IRI, shared by VoID and DCAT: ``{site}/.well-known/void#dataset``."""
    return f"{_root()}/.well-known/void#dataset"


def _stats() -> Statistics | None:
    """The statistics stored with the release being served (None: it has none)."""
    store = state().store
    found = _memo(("dataset-statistics",), lambda: stored_statistics(store))
    assert found is None or isinstance(found, Statistics)
    return found


def _endpoints() -> Endpoints:
    """Where things are served, with the current release's dumps (from its manifest)."""
    settings, store = state().settings, state().store
    release = store.release_info()
    manifest = dumps_for(settings, release_version(settings, release)) if release is not None else None
    if manifest is not None and release is not None and manifest.build_id != release.build_id:
        manifest = None
    files = manifest.files if manifest is not None else ()
    dumps = tuple(
        Distribution(
            url=url_for("releases.dump_file", version=manifest.version, name=f.name, _external=True),
            media_type=f.media_type,
            compress_format=f.compress_format,
            byte_size=f.bytes,
            sha256=f.sha256,
        )
        for f in files
        if manifest is not None
    )
    return Endpoints(
        void=url_for("datasets.void", _external=True),
        catalog=url_for("datasets.catalog", _external=True),
        sparql=url_for("sparql.endpoint", _external=True),
        oai=url_for("harvest.oai", _external=True),
        distributions=dumps,
    )


def _version() -> str:
    settings = state().settings
    return release_version(settings, state().store.release_info())


def _rdf_answer(name: str, make: Callable[[], Graph]) -> Response:
    requested = request.args.get("format")
    fmt: Format | None
    if requested is not None:
        fmt = lookup(requested)
    else:
        media_type = negotiate(request.headers.get("Accept"), [f.media_type for f in RDF_FORMATS])
        fmt = lookup(media_type) if media_type else None
    if fmt is None or fmt not in RDF_FORMATS:
        return problem(406, "available as " + ", ".join(f.media_type for f in RDF_FORMATS))

    def serialise() -> bytes:
        graph = make()
        if fmt.name == "jsonld":
            context = {prefix: str(ns) for prefix, ns in graph.namespaces() if prefix}
            return graph.serialize(format="json-ld", context=context, auto_compact=True).encode("utf-8")
        rdflib_format = {"turtle": "turtle", "rdfxml": "pretty-xml", "ntriples": "nt"}[fmt.name]
        return graph.serialize(format=rdflib_format, encoding="utf-8")

    body = _memo((name, fmt.name), serialise)
    assert isinstance(body, bytes)
    return _conditional(Response(body, content_type=fmt.content_type), vary="Accept")


def _conditional(response: Response, vary: str | None = None) -> Response:
    """Cache headers from the release (strong ETag of the body, Last-Modified), 304 when current."""
    release = state().store.release_info()
    response.headers["Cache-Control"] = "public, max-age=60"
    response.headers["Access-Control-Allow-Origin"] = "*"
    if vary:
        response.vary.add(vary)
    response.set_etag(hashlib.sha256(response.get_data()).hexdigest()[:32])
    if release is not None:
        response.headers["Last-Modified"] = http_date(release.created)
    response.make_conditional(request)
    return response


@datasets.get("/.well-known/void")
def void() -> Response:
    """The VoID description of the dataset."""
    settings = state().settings

    def make() -> Graph:
        return void_graph(
            _stats(),
            dataset=dataset_iri(),
            base_uri=settings.base_uri,
            title=settings.dataset_title,
            license=settings.dataset_license,
            version=_version(),
            at=_endpoints(),
        )

    return _rdf_answer("void", make)


@datasets.get("/catalog")
def catalog() -> Response:
    """The DCAT 3 catalogue."""
    settings = state().settings
    release = state().store.release_info()
    modified = release.created.isoformat(timespec="seconds") if release else "1970-01-01T00:00:00+00:00"

    def make() -> Graph:
        return dcat_graph(
            _stats(),
            dataset=dataset_iri(),
            title=settings.dataset_title,
            license=settings.dataset_license,
            version=_version(),
            modified=modified,
            at=_endpoints(),
        )

    return _rdf_answer("catalog", make)


def page_iris() -> list[str]:
    """The IRIs whose pages the sitemap lists: every document (record) and every person, group, place and
    concept of the authority file."""
    base = state().settings.base_uri
    query = _PAGES.format(
        base=base,
        document=CRM.E31_Document,
        person=CRM.E21_Person,
        group=CRM.E74_Group,
        place=CRM.E53_Place,
        concept=CRM.E55_Type,
    )
    result = state().store.query(query)
    return [str(row["s"]) for row in result.rows if "s" in row] if isinstance(result, SelectResult) else []


@datasets.get("/sitemap.xml")
def sitemap() -> Response:
    """The sitemap with the Semantic Sitemaps ``sc:dataset`` block."""
    settings = state().settings

    def make() -> bytes:
        base, root = settings.base_uri, _root()
        release = state().store.release_info()
        lastmod = release.created.date().isoformat() if release else None
        at, stats = _endpoints(), _stats()
        prefix = xml_escape(f"{base}/id/")
        lines = [
            '<?xml version="1.0" encoding="UTF-8"?>',
            f'<urlset xmlns="{SITEMAP_NS}" xmlns:sc="{SC_NS}">',
            "  <sc:dataset>",
            f"    <sc:datasetLabel>{xml_escape(settings.dataset_title)}</sc:datasetLabel>",
            f"    <sc:datasetURI>{xml_escape(dataset_iri())}</sc:datasetURI>",
            f'    <sc:linkedDataPrefix sc:slicing="subject-object">{prefix}</sc:linkedDataPrefix>',
        ]
        examples = stats.examples if stats is not None else ()
        lines += [f"    <sc:sampleURI>{xml_escape(iri)}</sc:sampleURI>" for iri in examples]
        lines.append(f"    <sc:sparqlEndpointLocation>{xml_escape(at.sparql)}</sc:sparqlEndpointLocation>")
        lines += [
            f"    <sc:dataDumpLocation>{xml_escape(d.url)}</sc:dataDumpLocation>" for d in at.distributions
        ]
        lines += ["    <changefreq>weekly</changefreq>", "  </sc:dataset>"]
        for iri in page_iris():
            page = root + "/doc/" + iri.removeprefix(f"{base}/id/")
            modified = f"<lastmod>{lastmod}</lastmod>" if lastmod else ""
            lines.append(f"  <url><loc>{xml_escape(page)}</loc>{modified}</url>")
        lines.append("</urlset>")
        return ("\n".join(lines) + "\n").encode("utf-8")

    body = _memo(("sitemap",), make)
    assert isinstance(body, bytes)
    return _conditional(Response(body, content_type="application/xml; charset=utf-8"))


@datasets.after_app_request
def _describedby(response: Response) -> Response:
    """The home page points at the dataset's VoID description (VoID Note §7.3, RFC 8288 ``describedby``)."""
    if request.path == "/" and request.method in ("GET", "HEAD"):
        link = '</.well-known/void>; rel="describedby"; type="text/turtle"'
        existing = response.headers.get("Link")
        response.headers["Link"] = f"{existing}, {link}" if existing else link
    return response
