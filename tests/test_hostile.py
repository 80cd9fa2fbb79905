"""Hostile input everywhere (issue 7, item 4): property-based tests (Hypothesis) over the readers, the date
and credit parsers, the Accept/Accept-Profile parsers, the SPARQL, reconciliation and OAI-PMH parameters —
no crash, no hang (a deadline per example), no 500 — and markup and script from a source staying inert in
every HTML page and JSON answer.

The longer, coverage-guided runs of the same targets are in fuzz/ (atheris); see docs/RELIABILITY.md.
"""

from __future__ import annotations

import json
import shutil
import warnings
from collections.abc import Iterator
from datetime import timedelta
from urllib.parse import quote

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from ldpub.build import BuildReport, build
from ldpub.errors import LdpubError
from ldpub.read import read_bytes
from ldpub.read.credits import parse_credits, split_names
from ldpub.read.dates import find_dates, parse_date
from ldpub.settings import Settings
from ldpub.store import EmbeddedStore, open_published
from ldpub.web import create_app
from ldpub.web.conneg import negotiate, parse_accept
from ldpub.web.profiles import MalformedProfileHeader, parse_accept_profile

from .conftest import SEED_PAGE, SEED_TRANSCRIPT, project_settings

FAST = settings(max_examples=150, deadline=timedelta(seconds=2), suppress_health_check=[HealthCheck.too_slow])
WEB = settings(
    max_examples=60,
    deadline=timedelta(seconds=5),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
SEED = SEED_PAGE.read_text(encoding="utf-8")
NASTY = st.sampled_from(
    ["<script>", "\x00", "\r\n", "\u202e", "\ufeff", "{", "[", '"', ",", "\t", "%", "..", "𝕏", "ß", "Ǆ"]
)
TEXTISH = st.text(st.characters(codec="utf-8"), max_size=300) | st.lists(NASTY, max_size=20).map("".join)


# --- readers and parsers ---------------------------------------------------------------------------------------


@st.composite
def mutated_capture(draw: st.DrawFn) -> str:
    """The seed capture with a few slices replaced, deleted or duplicated."""
    text = SEED
    for _ in range(draw(st.integers(1, 4))):
        start = draw(st.integers(0, len(text)))
        end = draw(st.integers(start, min(len(text), start + 400)))
        text = text[:start] + draw(TEXTISH | st.just(text[start:end] * 2) | st.just("")) + text[end:]
    return text


@FAST
@given(
    data=st.binary(max_size=2000) | mutated_capture().map(str.encode) | TEXTISH.map(str.encode),
    suffix=st.sampled_from([".txt", ".json", ".csv"]),
)
def test_readers_return_a_record_or_a_clear_error(data: bytes, suffix: str) -> None:
    try:
        record = read_bytes(data, f"fuzz{suffix}")
    except LdpubError as error:
        assert "fuzz" in str(error)
        return
    assert record is not None


@FAST
@given(text=TEXTISH | mutated_capture())
def test_date_parsers_never_fail(text: str) -> None:
    value = parse_date(text)
    if value is not None:
        assert value.begin <= value.end
    for start, end, found in find_dates(text, include_years=True):
        assert 0 <= start <= end <= len(text)
        assert found.begin <= found.end


@FAST
@given(text=TEXTISH | st.builds(lambda a, b: f"Obtained by {a} and translated by {b}.", TEXTISH, TEXTISH))
def test_credit_parsers_never_fail(text: str) -> None:
    credits = parse_credits(text)
    assert credits is not None
    assert all(isinstance(name, str) for name in split_names(text))


@FAST
@given(header=TEXTISH)
def test_accept_parsers_never_fail(header: str) -> None:
    ranges = parse_accept(header)
    assert all(0 <= r.q <= 1 for r in ranges)
    chosen = negotiate(header, ["text/turtle", "text/html"], {})
    assert chosen in (None, "text/turtle", "text/html")
    try:
        profiles = parse_accept_profile(header)
    except MalformedProfileHeader:
        return
    assert all(0 <= q <= 1 for _, q in profiles)


# --- web parameters: never a 500 --------------------------------------------------------------------------------

HEADER_TEXT = st.text(st.characters(min_codepoint=0x20, max_codepoint=0xFF), max_size=120)
SPARQL_BITS = st.sampled_from(
    [
        "SELECT",
        "ASK",
        "CONSTRUCT",
        "DESCRIBE",
        "*",
        "?s",
        "?p",
        "?o",
        "WHERE",
        "{",
        "}",
        ".",
        "FILTER",
        "(",
        ")",
        "LIMIT 3",
        "OFFSET 1",
        "GRAPH",
        "?g",
        "OPTIONAL",
        "UNION",
        "<http://x/>",
        '"a"@en',
        "1e9",
        "PREFIX p: <http://x/>",
        "p:a",
        "SERVICE",
        "BIND",
        "AS",
        "VALUES",
        "COUNT",
        "GROUP BY",
        "\\u0000",
        "#",
    ]
)
SPARQL = st.lists(SPARQL_BITS, max_size=15).map(" ".join) | TEXTISH


@pytest.fixture(scope="module")
def quick_client(built: tuple[Settings, BuildReport], store: EmbeddedStore) -> FlaskClient:
    return create_app(built[0].replace(sparql_timeout=3.0, access_log=""), store).test_client()


@WEB
@given(
    query=SPARQL,
    fmt=st.none() | HEADER_TEXT | st.sampled_from(["json", "xml", "csv", "tsv", "ttl", "nt", "html"]),
    accept=HEADER_TEXT,
    graph=st.none() | HEADER_TEXT,
    post=st.booleans(),
)
def test_sparql_parameters_never_give_a_500(
    quick_client: FlaskClient, query: str, fmt: str | None, accept: str, graph: str | None, post: bool
) -> None:
    params = {"query": query, **({"format": fmt} if fmt is not None else {})}
    if graph is not None:
        params["default-graph-uri"] = graph
    environ = {"HTTP_ACCEPT": accept}
    if post:
        response = quick_client.post("/sparql", data=params, environ_overrides=environ)
    else:
        response = quick_client.get("/sparql", query_string=params, environ_overrides=environ)
    assert response.status_code < 500 or response.status_code == 503, response.get_data(as_text=True)[:300]


JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | TEXTISH,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXTISH, inner, max_size=4),
    max_leaves=12,
)
QUERY_OBJECT = st.fixed_dictionaries(
    {"query": TEXTISH},
    optional={
        "type": TEXTISH | st.sampled_from(["Person", "Place", "Group", "Document"]),
        "limit": JSONISH,
        "type_strict": JSONISH,
        "properties": st.lists(st.fixed_dictionaries({"pid": TEXTISH, "v": JSONISH}), max_size=3) | JSONISH,
    },
)


@WEB
@given(
    queries=st.dictionaries(TEXTISH, QUERY_OBJECT | JSONISH, max_size=5).map(json.dumps) | TEXTISH,
    field=st.sampled_from(["queries", "extend"]),
    callback=st.none() | HEADER_TEXT,
)
def test_reconciliation_parameters_never_give_a_500(
    quick_client: FlaskClient, queries: str, field: str, callback: str | None
) -> None:
    data = {field: queries, **({"callback": callback} if callback is not None else {})}
    response = quick_client.post("/reconcile", data=data)
    assert response.status_code < 500, response.get_data(as_text=True)[:300]
    if response.status_code == 200 and callback is None:
        json.loads(response.get_data(as_text=True))


OAI_ARGS = st.dictionaries(
    st.sampled_from(
        ["verb", "metadataPrefix", "identifier", "from", "until", "set", "resumptionToken", "other"]
    ),
    st.sampled_from(
        [
            "Identify",
            "ListRecords",
            "ListIdentifiers",
            "GetRecord",
            "ListSets",
            "ListMetadataFormats",
            "oai_dc",
            "edm",
            "rdf",
            "2026-11-24",
            "2026-11-24T00:00:00Z",
            "1900-01-01",
            "9999-12-31",
        ]
    )
    | TEXTISH,
    max_size=6,
)


@WEB
@given(args=OAI_ARGS, post=st.booleans())
def test_oai_arguments_never_give_a_500(quick_client: FlaskClient, args: dict[str, str], post: bool) -> None:
    response = quick_client.post("/oai", data=args) if post else quick_client.get("/oai", query_string=args)
    assert response.status_code == 200
    etree.fromstring(response.get_data())  # well-formed XML, errors included


@WEB
@given(
    path=st.sampled_from(
        ["/doc/document/prc-fma-118-01025-02", "/id/person/pak-seong-cheol", "/", "/sparql"]
    ),
    accept=HEADER_TEXT,
    profile=HEADER_TEXT,
    query=st.dictionaries(st.sampled_from(["_profile", "_mediatype", "format", "q", "page"]), HEADER_TEXT),
)
def test_accept_headers_and_view_parameters_never_give_a_500(
    quick_client: FlaskClient, path: str, accept: str, profile: str, query: dict[str, str]
) -> None:
    response = quick_client.get(
        path, query_string=query, environ_overrides={"HTTP_ACCEPT": accept, "HTTP_ACCEPT_PROFILE": profile}
    )
    assert response.status_code < 500, response.get_data(as_text=True)[:300]


# --- markup and script stay inert in every page and JSON answer -------------------------------------------------

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(2)>"
TITLE = "Telegram from the Ministry of Foreign Affairs and the Ministry of Public Security"
DOC = "/doc/document/prc-fma-118-01025-02"


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[FlaskClient, Settings]]:
    """A build whose title, body, tag and credit line carry markup and script."""
    sources = tmp_path_factory.mktemp("hostile-all")
    text = SEED.replace(TITLE, f"{TITLE} {SCRIPT}", 1)
    text = text.replace("According to [our] initial", f"According to [our] {IMG} {SCRIPT} initial", 1)
    text = text.replace("Obtained by Shen Zhihua", f"Obtained by Shen Zhihua and Eve {IMG}", 1)
    (sources / SEED_PAGE.name).write_text(text, encoding="utf-8")
    (sources / SEED_TRANSCRIPT.name).write_bytes(SEED_TRANSCRIPT.read_bytes())
    settings_ = project_settings(tmp_path_factory.mktemp("hostile-all-store"), sources=sources, access_log="")
    build(settings_)
    with open_published(settings_.store) as opened:
        yield create_app(settings_, opened).test_client(), settings_
    shutil.rmtree(sources, ignore_errors=True)


def _html_is_inert(html: str, where: str) -> None:
    """No element, attribute or URL from the payloads survives as markup; the payload shows as text."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tree = etree.HTML(html)
    assert tree is not None, where
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        assert element.tag != "img", where
        if element.tag == "script":  # only ours: JSON data blocks, the page's own code from /static/
            if element.get("type") in ("application/ld+json", "application/json"):
                json.loads(element.text or "")
            elif element.get("src") is not None:
                assert element.get("src", "").startswith("/static/"), where
            else:
                assert "alert(" not in (element.text or ""), where
        for name, value in element.attrib.items():
            assert not name.lower().startswith("on"), (where, name)
            assert not value.strip().lower().startswith("javascript:"), (where, value)
    assert "<script>alert" not in html and "<img src=x" not in html, where


def _pages(client: FlaskClient) -> list[str]:
    """Every HTML page a payload can reach: from the home page's links, plus the fixed surfaces."""
    paths = {"/", DOC, f"/search?q={quote(SCRIPT)}", "/dumps/", "/activity/", "/sparql"}
    home = client.get("/", headers={"Accept": "text/html"}).get_data(as_text=True)
    tree = etree.HTML(home)
    paths |= {a for a in tree.xpath("//a/@href") if a.startswith("/doc/") or a.startswith("/id/")}
    document = client.get(DOC, headers={"Accept": "text/html"}).get_data(as_text=True)
    paths |= {a for a in etree.HTML(document).xpath("//a/@href") if a.startswith(("/doc/", "/id/"))}
    title_query = "SELECT ?t WHERE { ?d <http://purl.org/dc/terms/title> ?t }"
    paths.add(f"/sparql?query={quote(title_query)}")
    paths.add(f"/reconcile/preview?id={quote('http://localhost:5000/id/document/prc-fma-118-01025-02')}")
    return sorted(paths)


def test_markup_stays_inert_in_every_html_page(hostile: tuple[FlaskClient, Settings]) -> None:
    client, _ = hostile
    pages = _pages(client)
    assert len(pages) > 20
    shown = 0
    for path in pages:
        response = client.get(path, headers={"Accept": "text/html"}, follow_redirects=True)
        assert response.status_code == 200, path
        if response.mimetype != "text/html":
            continue
        html = response.get_data(as_text=True)
        _html_is_inert(html, path)
        shown += "&lt;script&gt;alert(1)&lt;/script&gt;" in html or "&lt;img src=x" in html
    assert shown >= 4, "the payload should be shown (as text) on the document, search and other pages"


def test_markup_stays_data_in_every_json_answer(hostile: tuple[FlaskClient, Settings]) -> None:
    client, _ = hostile
    answers = {
        "document JSON-LD": client.get(DOC, headers={"Accept": "application/ld+json"}),
        "schema.org JSON-LD": client.get(f"{DOC}?_profile=schema", headers={"Accept": "application/ld+json"}),
        "linked art": client.get(f"{DOC}?_profile=linkedart", headers={"Accept": "application/ld+json"}),
        "sparql": client.get(
            "/sparql?query=" + quote("SELECT ?t WHERE { ?d <http://purl.org/dc/terms/title> ?t }"),
            headers={"Accept": "application/sparql-results+json"},
        ),
        "reconcile": client.post(
            "/reconcile",
            data={"queries": json.dumps({"q0": {"query": "Telegram Ministry"}})},
        ),
        "suggest": client.get("/reconcile/suggest/entity?prefix=Eve"),
        "dumps": client.get("/dumps/?format=json"),
        "activity": client.get("/activity/page/0"),
    }
    found = 0
    for name, response in answers.items():
        assert response.status_code == 200, name
        assert response.mimetype != "text/html", name
        assert "json" in response.mimetype, (name, response.mimetype)
        text = response.get_data(as_text=True)
        data = json.loads(text)  # JSON, so any payload is inside a string
        found += SCRIPT in json.dumps(data, ensure_ascii=False) or IMG in json.dumps(data, ensure_ascii=False)
    assert found >= 3, "the payload should be kept as data in the JSON answers that show titles"
    jsonp = client.get(
        "/reconcile", query_string={"callback": "cb", "queries": json.dumps({"q0": {"query": SCRIPT}})}
    )
    assert jsonp.status_code == 200 and jsonp.get_data(as_text=True).startswith("/**/cb(")
    bad = client.get("/reconcile", query_string={"callback": "alert(1);cb"})
    assert bad.status_code == 400


def test_answers_are_never_sniffed_as_html(hostile: tuple[FlaskClient, Settings]) -> None:
    """A JSON or RDF answer is never labelled text/html, so a browser does not render the payload."""
    client, _ = hostile
    for accept in ("text/turtle", "application/n-triples", "application/rdf+xml", "application/ld+json"):
        response = client.get(DOC, headers={"Accept": accept})
        assert response.status_code == 200 and response.mimetype == accept
