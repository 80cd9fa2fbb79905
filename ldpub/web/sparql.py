"""The SPARQL endpoint: ``/sparql`` per the SPARQL 1.1 Protocol (https://www.w3.org/TR/sparql11-protocol/),
and the example queries at ``/.well-known/sparql-examples``.

* Query operation (Protocol §2.1): ``GET ?query=``, ``POST`` ``application/x-www-form-urlencoded`` and
  ``POST`` ``application/sparql-query`` (UTF-8 only); ``default-graph-uri``/``named-graph-uri`` replace the
  query's ``FROM``/``FROM NAMED`` (§2.1.4). Without them the default graph is the union of every named graph.
* Answers (§2.1.6): ``SELECT``/``ASK`` as SPARQL results JSON (default), XML, CSV or TSV; ``CONSTRUCT``/
  ``DESCRIBE`` as Turtle (default), N-Triples, RDF/XML or JSON-LD; chosen by ``Accept`` or a ``format``
  parameter, which wins. A browser (``text/html`` preferred) gets the query page with the results as a table.
* ``GET`` without a query: the SPARQL 1.1 Service Description (https://www.w3.org/TR/sparql11-service-description/
  §2), or the query page for a browser.
* Errors (§2.1.5): a malformed query, two ``query`` parameters or a bad dataset IRI → 400 with the parser's
  message; SPARQL Update (``update`` or ``application/sparql-update``) → 403, the endpoint is read-only; a
  refused ``SERVICE`` → 403; another body type → 415; another method → 405 with ``Allow`` (Flask's
  routing, answered by :mod:`ldpub.web.errors`); the time limit → 503.
* Limits: ``sparql_timeout`` and ``sparql_max_rows`` (:mod:`ldpub.query_limits`); a cut answer carries
  ``X-SPARQL-Truncated: true`` and a ``Warning`` header, and the query page shows a note. One client may
  have ``sparql_client_queries`` queries running or waiting at once (:class:`ldpub.web.limits.ClientLimit`);
  one more → 429 with ``Retry-After``. The query processes (``sparql_pool_size`` per server process)
  outnumber that limit, so one client's slow queries always leave a process for the others.
* Validators: an answer's weak ``ETag`` names the release it was computed on (the query process reports
  it: a rebuild may have switched that process to a newer release than the request's) with a digest of
  the query, its dataset and the format; ``Last-Modified`` is that release's time; 304 when it matches.
"""

from __future__ import annotations

import hashlib
import math

from flask import Blueprint, Response, render_template, request, url_for
from rdflib import Graph, URIRef

from ..errors import QueryError
from ..query_limits import Limited, QueryTimeout, run_limited
from ..sparql_results import (
    ASK_FORMATS,
    GRAPH_FORMATS,
    SELECT_FORMATS,
    Format,
    find_format,
    term_text,
    write_ask,
    write_graph,
    write_select,
)
from ..sparql_service import (
    ServiceFacts,
    examples_graph,
    has_dataset_clause,
    load_examples,
    query_form,
    refused_services,
    service_description,
    with_base,
    with_dataset,
)
from ..store import SelectResult, Term
from . import state
from .conneg import negotiate
from .errors import problem
from .limits import TooManyQueries, client_key, client_limit
from .markup import href_for

sparql = Blueprint("sparql", __name__)

HTML = "text/html"
FORM = "application/x-www-form-urlencoded"
QUERY = "application/sparql-query"
UPDATE = "application/sparql-update"
EXPOSED = "X-SPARQL-Truncated, X-SPARQL-Max-Rows, Warning, ETag, Last-Modified"
READ_ONLY = "this endpoint is read-only: SPARQL Update is not accepted"


class _Refusal(Exception):
    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


@sparql.after_request
def _cors(response: Response) -> Response:
    """CORS (Fetch standard) on every answer of this surface, preflight included."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = EXPOSED
    if "Accept" not in response.vary:
        response.vary.add("Accept")
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS, POST"
        requested = request.headers.get("Access-Control-Request-Headers")
        response.headers["Access-Control-Allow-Headers"] = requested or "Accept, Content-Type"
        response.headers["Access-Control-Max-Age"] = "86400"
    return response


def _text(response_body: str, media_type: str, status: int = 200) -> Response:
    return Response(response_body, status=status, content_type=f"{media_type}; charset=utf-8")


def _params() -> tuple[list[str], list[str], list[str], list[str], str | None]:
    """(queries, updates, default graphs, named graphs, format) from the URL and the body (§2.1)."""
    args = request.args
    queries, updates = args.getlist("query"), args.getlist("update")
    default, named = args.getlist("default-graph-uri"), args.getlist("named-graph-uri")
    fmt = args.get("format")
    if request.method == "POST":
        media = request.mimetype.lower()
        charset = request.mimetype_params.get("charset", "utf-8").lower()
        if media == UPDATE:
            raise _Refusal(403, READ_ONLY)
        if media == FORM:
            form = request.form
            queries, updates = queries + form.getlist("query"), updates + form.getlist("update")
            default += form.getlist("default-graph-uri")
            named += form.getlist("named-graph-uri")
            fmt = form.get("format", fmt)
        elif media == QUERY:
            if charset not in ("utf-8", "utf8"):
                raise _Refusal(415, f"a query must be sent in UTF-8, not {charset}")
            try:
                queries = [*queries, request.get_data().decode("utf-8")]
            except UnicodeDecodeError as exc:
                raise _Refusal(400, f"the query is not valid UTF-8: {exc}") from exc
        else:
            sent = media or "no Content-Type"
            raise _Refusal(415, f"POST a query as {FORM} or {QUERY}, not {sent}")
    if updates:
        raise _Refusal(403, READ_ONLY)
    if len(queries) > 1:
        raise _Refusal(400, f"give exactly one query parameter, not {len(queries)}")
    return queries, updates, default, named, fmt


def _choose(formats: tuple[Format, ...], fmt: str | None, html: bool) -> Format | str:
    """The answer's format: the ``format`` parameter, else ``Accept``; ``"html"`` for a browser."""
    if fmt is not None:
        if fmt.lower() in ("html", HTML) and html:
            return "html"
        chosen = find_format(formats, fmt)
        if chosen is None:
            names = ", ".join(f.name for f in formats)
            raise _Refusal(400, f"unknown format {fmt!r} for this query (known: {names})")
        return chosen
    offers = [f.media_type for f in formats] + ([HTML] if html else [])
    aliases = {a: f.media_type for f in formats for a in f.aliases if "/" in a}
    wanted = negotiate(request.headers.get("Accept"), offers, aliases)
    if wanted is None:
        raise _Refusal(406, f"this answer is available as {', '.join(offers)}")
    if wanted == HTML:
        return "html"
    found = find_format(formats, wanted)
    assert found is not None
    return found


def _formats_for(form: str | None) -> tuple[Format, ...]:
    if form in ("CONSTRUCT", "DESCRIBE"):
        return GRAPH_FORMATS
    return ASK_FORMATS if form == "ASK" else SELECT_FORMATS


def _form_of(result: object) -> str:
    if isinstance(result, SelectResult):
        return "SELECT"
    return "ASK" if isinstance(result, bool) else "CONSTRUCT"


def _endpoint_url() -> str:
    return url_for("sparql.endpoint", _external=True)


@sparql.route("/sparql", methods=["GET", "POST"])
def endpoint() -> Response:
    """The SPARQL 1.1 Protocol query operation (§2.1), the service description and the query page."""
    try:
        queries, _, default, named, fmt = _params()
        if not queries:
            if request.method == "POST":
                raise _Refusal(
                    400, "no query given: send a 'query' parameter or an application/sparql-query body"
                )
            return _describe(fmt)
        return _answer(queries[0], default, named, fmt)
    except _Refusal as refusal:
        return problem(refusal.status, refusal.detail)


def _answer(text: str, default: list[str], named: list[str], fmt: str | None) -> Response:
    settings = state().settings
    if not text.strip():
        raise _Refusal(400, "the query is empty")
    form = query_form(text)
    # Negotiate before running when the form is known; otherwise the parser's error comes first.
    chosen = _choose(_formats_for(form), fmt, html=True) if form else None
    refused = refused_services(text, settings.sparql_service_allow)
    if refused:
        raise _Refusal(403, f"SERVICE to {', '.join(refused)} is not allowed (setting sparql_service_allow)")
    try:
        prepared = with_base(with_dataset(text, default, named), _endpoint_url())
    except ValueError as exc:
        raise _Refusal(400, f"default-graph-uri/named-graph-uri: {exc}") from exc
    union = not has_dataset_clause(prepared)
    try:
        with client_limit(settings).slot(client_key(request.remote_addr)):
            limited = run_limited(
                state().store,
                prepared,
                union_default_graph=union,
                timeout=settings.sparql_timeout,
                max_rows=settings.sparql_max_rows,
                allow_federation=bool(settings.sparql_service_allow),
                pool_size=settings.sparql_pool_size,
                worker_max_bytes=settings.sparql_worker_max_bytes,
            )
    except TooManyQueries as exc:
        return problem(429, str(exc), {"Retry-After": str(math.ceil(settings.sparql_timeout))})
    except QueryTimeout as exc:
        return problem(503, str(exc), {"Retry-After": "10"})
    except QueryError as exc:
        raise _Refusal(400, str(exc)) from exc
    if chosen is None:
        chosen = _choose(_formats_for(_form_of(limited.result)), fmt, html=True)
    if chosen == "html":
        return _validated(_page(text, limited), limited, prepared, union, "html")
    assert isinstance(chosen, Format)
    response = _serialise(limited, chosen)
    if limited.truncated:
        response.headers["X-SPARQL-Truncated"] = "true"
        response.headers["X-SPARQL-Max-Rows"] = str(settings.sparql_max_rows)
        response.headers["Warning"] = (
            f'199 - "answer cut to {settings.sparql_max_rows} rows or triples (setting sparql_max_rows)"'
        )
    return _validated(response, limited, prepared, union, chosen.name)


def _validated(response: Response, limited: Limited, query: str, union: bool, fmt: str) -> Response:
    """A weak ETag ``W/"{build id}.{digest}"`` naming the release the answer was computed on, and that
    release's time as Last-Modified; 304 when the client's copy matches. Weak: an answer with fresh blank
    nodes, ``RAND()`` or ``NOW()`` is equivalent but not byte for byte the same when asked again."""
    response.headers["Cache-Control"] = "no-cache"  # revalidate: the release may have changed
    release = limited.release
    if release is None:
        return response
    settings = state().settings
    key = "\n".join([query, str(union), fmt, str(settings.sparql_max_rows), request.host])
    digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:20]
    response.set_etag(f"{release.build_id}.{digest}", weak=True)
    response.last_modified = release.created
    if request.method in ("GET", "HEAD"):
        response.make_conditional(request)
    return response


def _serialise(limited: Limited, chosen: Format) -> Response:
    result = limited.result
    if isinstance(result, SelectResult):
        if chosen not in SELECT_FORMATS:
            raise _Refusal(406, "a SELECT answer is available as JSON, XML, CSV or TSV results")
        return _text(write_select(result, chosen), chosen.media_type)
    if isinstance(result, bool):
        if chosen not in ASK_FORMATS:
            raise _Refusal(406, "an ASK answer is available as JSON or XML results")
        return _text(write_ask(result, chosen), chosen.media_type)
    if chosen not in GRAPH_FORMATS:
        raise _Refusal(
            406, "a CONSTRUCT or DESCRIBE answer is available as Turtle, N-Triples, RDF/XML, JSON-LD"
        )
    return _text(write_graph(result, chosen), chosen.media_type)


def _conditional(response: Response, fmt: str) -> Response:
    """A strong ETag from the release and the format, Last-Modified the build time; 304 when fresh."""
    info = state().store.release_info()
    if info is not None:
        response.set_etag(f"{info.build_id}-{fmt}-{request.host}")
        response.last_modified = info.created
    response.headers["Cache-Control"] = "public, max-age=60"
    response.make_conditional(request)
    return response


def _describe(fmt: str | None) -> Response:
    chosen = _choose(GRAPH_FORMATS, fmt, html=True)
    if chosen == "html":
        return _conditional(_page("", None), "html")
    assert isinstance(chosen, Format)
    settings = state().settings
    facts = ServiceFacts(
        endpoint=_endpoint_url(),
        graphs=state().store.graphs(),
        timeout=settings.sparql_timeout,
        max_rows=settings.sparql_max_rows,
        service_allow=settings.sparql_service_allow,
        examples=url_for("sparql.examples", _external=True),
    )
    response = _text(write_graph(service_description(facts), chosen), chosen.media_type)
    return _conditional(response, chosen.name)


@sparql.get("/.well-known/sparql-examples")
def examples() -> Response:
    """The researchers' queries as ``sh:SPARQLExecutable`` resources (Turtle by default, or JSON-LD)."""
    try:
        chosen = _choose(GRAPH_FORMATS, request.args.get("format"), html=False)
    except _Refusal as refusal:
        return problem(refusal.status, refusal.detail)
    assert isinstance(chosen, Format)
    graph = examples_graph(load_examples(), url_for("sparql.examples", _external=True), _endpoint_url())
    return _conditional(_text(write_graph(graph, chosen), chosen.media_type), chosen.name)


def _page(text: str, limited: Limited | None) -> Response:
    """The query page: an editor with the examples, and the results of ``text`` as a table."""
    settings = state().settings
    columns: list[str] = []
    rows: list[list[tuple[str, str | None]]] = []
    boolean = None

    def cell(term: Term | None) -> tuple[str, str | None]:
        """The text of a value, and where it links: our own resources to their pages here."""
        link = href_for(str(term), settings.base_uri) if isinstance(term, URIRef) else None
        return term_text(term), link

    if limited is not None:
        result = limited.result
        if isinstance(result, SelectResult):
            columns = list(result.vars)
            rows = [[cell(row.get(name)) for name in columns] for row in result.rows]
        elif isinstance(result, bool):
            boolean = result
        elif isinstance(result, Graph):
            columns = ["subject", "predicate", "object"]
            rows = sorted([cell(t) for t in triple] for triple in result)  # type: ignore[arg-type]
    html = render_template(
        "sparql.html",
        title="SPARQL query",
        sparql_text=text,
        examples=load_examples(),
        ran=limited is not None,
        columns=columns,
        rows=rows,
        boolean=boolean,
        truncated=bool(limited and limited.truncated),
        seconds=limited.seconds if limited else 0.0,
        max_rows=settings.sparql_max_rows,
        timeout=settings.sparql_timeout,
    )
    response = _text(html, HTML)
    if limited is not None and limited.truncated:
        response.headers["X-SPARQL-Truncated"] = "true"
        response.headers["X-SPARQL-Max-Rows"] = str(settings.sparql_max_rows)
    return response
