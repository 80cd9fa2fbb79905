"""HTML pages (issue 3, item 3) over the real build, through the app's test client: what a historian reads on
the telegram page and the entity pages, the home page and label search, schema.org JSON-LD, and escaping of
hostile input (a capture with script and markup, built into its own store)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import given
from hypothesis import strategies as st

from ldpub.build import build
from ldpub.store import EmbeddedStore, SelectResult, open_published
from ldpub.web import create_app
from ldpub.web.markup import Span, highlight

from .conftest import BASE, ROOT, SEED_PAGE, project_settings

SLUG = "prc-fma-118-01025-02"
DOC = f"/doc/document/{SLUG}"
IRI = f"{BASE}/id/document/{SLUG}"
TITLE = (
    "Telegram from the Ministry of Foreign Affairs and the Ministry of Public Security on the Issue of "
    "Ethnic Koreans Crossing the Border to Korea"
)
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


# --- a small DOM, enough to ask questions of a page --------------------------------------------------------


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    children: list[Element | str] = field(default_factory=list)

    def text(self, skip: str = "") -> str:
        parts = []
        for child in self.children:
            if isinstance(child, str):
                parts.append(child)
            elif not (skip and skip in child.attrs.get("class", "").split()):
                parts.append(child.text(skip))
        return "".join(parts)

    def iter(self) -> Iterator[Element]:
        yield self
        for child in self.children:
            if isinstance(child, Element):
                yield from child.iter()

    def find_all(self, tag: str, **attrs: str) -> list[Element]:
        return [e for e in self.iter() if e.tag == tag and all(e.attrs.get(k) == v for k, v in attrs.items())]

    def by_id(self, ident: str) -> Element:
        found = [e for e in self.iter() if e.attrs.get("id") == ident]
        assert len(found) == 1, f"{len(found)} elements with id {ident!r}"
        return found[0]

    def links(self) -> list[str]:
        return [e.attrs["href"] for e in self.find_all("a") if "href" in e.attrs]


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.stack = [self.root]
        self.errors: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(element)
        if tag not in VOID:
            self.stack.append(element)

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if self.stack[-1].tag != tag:
            self.errors.append(f"</{tag}> closes <{self.stack[-1].tag}>")
            return
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse(html: str) -> Element:
    """The page as a tree; fails on any mis-nested or unclosed element (the markup must stay well formed)."""
    builder = _Builder()
    builder.feed(html)
    builder.close()
    assert not builder.errors, builder.errors[:5]
    assert [e.tag for e in builder.stack] == ["#document"], "unclosed elements"
    return builder.root


def json_ld(page: Element) -> dict[str, object]:
    scripts = page.find_all("script")
    assert [s.attrs.get("type") for s in scripts] == ["application/ld+json"]
    data: dict[str, object] = json.loads(scripts[0].text())
    return data


# --- fixtures -------------------------------------------------------------------------------------------


def get_page(client: FlaskClient, path: str) -> Element:
    response = client.get(path, headers={"Accept": "text/html"})
    assert response.status_code == 200, (path, response.status_code)
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    return parse(response.get_data(as_text=True))


@pytest.fixture(scope="module")
def telegram(app: Flask) -> Element:
    return get_page(app.test_client(), DOC)


def select(store: EmbeddedStore, query: str) -> list[dict[str, str]]:
    result = store.query(
        "PREFIX oa: <http://www.w3.org/ns/oa#> PREFIX crm: <http://www.cidoc-crm.org/cidoc-crm/> " + query
    )
    assert isinstance(result, SelectResult)
    return [{k: str(v) for k, v in row.items()} for row in result.rows]


# --- the telegram page ------------------------------------------------------------------------------------


def test_telegram_page_shows_its_metadata(telegram: Element) -> None:
    assert telegram.find_all("h1")[0].text() == TITLE
    meta = " ".join(telegram.find_all("aside")[0].text().split())
    for fact in (
        "March 24, 1962",
        "telegram",
        "Additional Rush",
        "Ministry of Foreign Affairs of the People's Republic of China",
        "Ministry of Public Security of the People's Republic of China",
        "Embassy of the People's Republic of China in North Korea",
        "PRC FMA 118-01025-02, 4-6",
        "Chinese",
        "Shen Zhihua",
        "Jeffrey Wang",
        "Charles Kraus",
        "History and Public Policy Program",
        "Leon Levy Foundation",
        "John D. and Catherine T. MacArthur Foundation",
        "Telegram dated 6 March [1962]",
    ):
        assert fact in meta, fact
    body = " ".join(telegram.text().split())
    assert (
        "PRC FMA 118-01025-02, 4-6. Obtained by Shen Zhihua and translated by Jeffrey Wang and Charles Kraus."
        in body
    )
    assert "temporary economic difficulties in China" in body  # the summary
    assert "welcomes reuse of Digital Archive materials" in body  # the rights text
    assert "http://rightsstatements.org/vocab/InC-EDU/1.0/" in telegram.links()


def test_the_full_english_text_is_shown_exactly(telegram: Element, store: EmbeddedStore) -> None:
    english = select(store, f"SELECT ?t WHERE {{ <{IRI}/en> crm:P190_has_symbolic_content ?t }}")[0]["t"]
    assert telegram.by_id("text").text(skip="pilcrow") == english


def test_every_mention_is_highlighted_and_linked_to_its_page(telegram: Element, store: EmbeddedStore) -> None:
    rows = select(
        store,
        f"""SELECT ?start ?end ?exact ?body WHERE {{ ?a oa:hasBody ?body ; oa:hasTarget ?t .
            ?t oa:hasSource <{IRI}/en> ; oa:hasSelector ?p , ?q . ?p oa:start ?start ; oa:end ?end .
            ?q oa:exact ?exact FILTER(!CONTAINS(STR(?body), "/assertion/")) }}""",
    )
    assert len(rows) > 60
    for row in rows:
        span = telegram.by_id(f"ann-{row['start']}-{row['end']}")
        assert "mention" in span.attrs["class"].split()
        assert span.text() == row["exact"]
        expected = "/doc/" + row["body"].removeprefix(f"{BASE}/id/")
        assert expected in span.links(), (row, span.links())
    pak = telegram.by_id("ann-1577-1608")
    assert pak.text() == "Pak Seong-cheol [Pak Song Chol]"
    assert pak.links() == ["/doc/person/pak-seong-cheol"]
    assert not [a for a in telegram.find_all("a") if a.find_all("a")[1:]], "links never nest"


def test_numbered_points_are_citable_by_anchor(telegram: Element) -> None:
    for label in ("1", "2", "3", "4", "4a", "4b", "5"):
        point = telegram.by_id(f"point-{label}")
        pilcrows = [a for a in point.find_all("a") if "pilcrow" in a.attrs.get("class", "")]
        assert pilcrows[0].attrs["href"] == f"#point-{label}"
        assert pilcrows[0].text() == "§"
    assert (
        telegram.by_id("point-4b").text(skip="pilcrow").startswith("b. For those that have already settled")
    )
    assert telegram.by_id("point-4").text(skip="pilcrow").startswith("4. Regarding two specific issues")
    assert telegram.by_id("point-4").find_all("span", id="point-4b"), "4b sits inside 4"


def test_reported_figures_with_their_source_spans(telegram: Element) -> None:
    assert telegram.by_id("figure-311").text() == "28,028"
    assert telegram.by_id("figure-410").text() == "243"
    row = " ".join(telegram.by_id("figure-row-311").text().split())
    for fact in ("28,028", "persons", "Jilin", "during the past year", "1961-01-01", "Jilin Province alone"):
        assert fact in row, fact
    assert "#figure-311" in telegram.by_id("figure-row-311").links()
    row = " ".join(telegram.by_id("figure-row-410").text().split())
    assert "243" in row and "Yalu River" in row and "Tumen River" in row


def test_sources_provenance_and_formats(telegram: Element, client: FlaskClient) -> None:
    text = telegram.text()
    for name, sha in (
        ("000_020ce75d772fb1c8.txt", "ae250468593eef6d50ed8fcf33876f739d4d9a12ef638124b4649b2ae5d97026"),
        ("001_2b4c022557e90890.txt", "431fa4197c5db756c92380b28fcfd9b8bfff120a6f74638929026a8ad2b6c131"),
    ):
        assert name in text and sha in text
    assert "ldpub build " in text
    alternates = {e.attrs["type"]: e.attrs["href"] for e in telegram.find_all("link", rel="alternate")}
    assert alternates == {
        "text/turtle": f"{DOC}.ttl",
        "application/ld+json": f"{DOC}.jsonld",
        "application/rdf+xml": f"{DOC}.rdf",
        "application/n-triples": f"{DOC}.nt",
        "application/n-quads": f"{DOC}.nq",
    }
    for media_type, href in alternates.items():
        assert href in telegram.links()
        response = client.get(href)
        assert response.status_code == 200
        assert response.headers["Content-Type"].split(";")[0] == media_type


def test_telegram_json_ld_describes_the_message(telegram: Element) -> None:
    data = json_ld(telegram)
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == ["ArchiveComponent", "Message"]
    assert data["@id"] == IRI
    assert data["name"] == TITLE
    assert data["dateCreated"] == "1962-03-24"

    def names(key: str) -> set[str]:
        values = data[key]
        assert isinstance(values, list)
        return {str(x["name"]) for x in values}

    assert names("sender") == {
        "Ministry of Foreign Affairs of the People's Republic of China",
        "Ministry of Public Security of the People's Republic of China",
    }
    assert names("recipient") == {"Embassy of the People's Republic of China in North Korea"}
    assert names("translator") == {"Jeffrey Wang", "Charles Kraus"}
    assert {"Pak Seong-cheol", "Hao Deqing", "Jilin", "Yalu River"} <= names("mentions")
    assert data["license"] == "http://rightsstatements.org/vocab/InC-EDU/1.0/"


# --- entity pages -------------------------------------------------------------------------------------------


def test_person_page(client: FlaskClient) -> None:
    page = get_page(client, "/doc/person/pak-seong-cheol")
    assert page.find_all("h1")[0].text() == "Pak Seong-cheol"
    text = " ".join(page.text().split())
    for fact in (
        "박성철",
        "朴成哲",
        "Pak Song Chol",
        "Pak Sŏng-ch'ŏl",
        "Minister of Foreign Affairs of the Democratic",
    ):
        assert fact in text, fact
    assert page.find_all("dd", lang="ko")[0].text() == "박성철"
    quotes = [a for a in page.find_all("a") if a.attrs.get("class") == "quote"]
    assert [q.attrs["href"] for q in quotes] == [f"{DOC}#ann-1577-1608", f"{DOC}#ann-4508-4528"]
    first = quotes[0]
    assert first.find_all("mark")[0].text() == "Pak Seong-cheol [Pak Song Chol]"
    assert (
        first.text()
        == "…the Minister of Foreign Affairs Pak Seong-cheol [Pak Song Chol] and clarify the issue of Chines…"
    )
    assert DOC in page.links()
    data = json_ld(page)
    assert data["@type"] == "Person" and data["name"] == "Pak Seong-cheol"
    assert "Pak Song Chol" in data["alternateName"]  # type: ignore[operator]
    assert data["subjectOf"] == [{"@type": "ArchiveComponent", "@id": IRI, "name": TITLE}]


def test_place_page_with_wikidata_link_and_falls_within(client: FlaskClient) -> None:
    page = get_page(client, "/doc/place/jilin")
    assert "http://www.wikidata.org/entity/Q45208" in page.links()
    assert "confidence: high" in page.text()
    assert "/doc/place/prc" in page.links()
    assert "吉林省" in page.text() and "Jilin Province" in page.text()
    data = json_ld(page)
    assert data["@type"] == "Place"
    assert data["sameAs"] == ["http://www.wikidata.org/entity/Q45208"]
    assert data["containedInPlace"] == [
        {"@type": "Place", "@id": f"{BASE}/id/place/prc", "name": "People's Republic of China"}
    ]


def test_group_page_with_identifiers_and_activities(client: FlaskClient) -> None:
    page = get_page(client, "/doc/group/macarthur")
    text = " ".join(page.text().split())
    for fact in (
        "ROR",
        "https://ror.org/00dxczh48",
        "ISNI",
        "0000 0001 2160 6827",
        "Crossref Funder ID",
        "100000870",
    ):
        assert fact in text, fact
    assert "/doc/activity/prc-fma-118-01025-02-funding" in page.links()
    assert "No document text mentions" in text
    assert json_ld(page)["@type"] == "Organization"


def test_concept_page_lists_every_mention(client: FlaskClient) -> None:
    page = get_page(client, "/doc/type/authorization-letters")
    quotes = [a for a in page.find_all("a") if a.attrs.get("class") == "quote"]
    assert len(quotes) == 5
    assert all(q.find_all("mark")[0].text() == "authorization letters" for q in quotes)
    assert json_ld(page)["@type"] == "DefinedTerm"


def test_other_resources_get_a_table_with_labels(client: FlaskClient) -> None:
    page = get_page(client, f"{DOC}/en/section/4b")
    assert f"{DOC}#point-4b" in page.links()
    assert "Point 4b" in page.find_all("h1")[0].text()
    assert f"{DOC}/en/section/4" in page.links()
    earlier = get_page(client, f"{DOC}-ref-1962-03-06")
    assert earlier.find_all("h1")[0].text() == "Telegram dated 6 March [1962]"
    assert DOC in earlier.links()  # referenced by the telegram
    assert json_ld(earlier)["@id"] == f"{IRI}-ref-1962-03-06"


# --- home page and search -----------------------------------------------------------------------------------


def test_home_lists_documents_and_entities_by_kind(client: FlaskClient, store: EmbeddedStore) -> None:
    page = get_page(client, "/")
    assert DOC in page.links()
    headings = [h.text().split()[0] for h in page.find_all("h3")]
    assert headings == ["Persons", "Groups", "Places", "Concepts", "Archives"]
    entities = select(
        store,
        f"SELECT DISTINCT ?e WHERE {{ GRAPH <{BASE}/graph/entities> {{ ?e a ?c }} VALUES ?c {{ crm:E21_Person crm:E74_Group crm:E53_Place }} }}",
    )
    for row in entities:
        assert "/doc/" + row["e"].removeprefix(f"{BASE}/id/") in page.links()
    forms = page.find_all("form")
    assert {f.attrs["action"] for f in forms} == {"/search"}
    assert json_ld(page)["@type"] == "WebSite"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("pak", ["/doc/person/pak-heon-yeong", "/doc/person/pak-seong-cheol"]),
        ("PAK SONG", ["/doc/person/pak-seong-cheol"]),  # an other name, any case
        ("鸭绿", ["/doc/place/yalu-river"]),  # an original-script label
        ("eong-ch", ["/doc/person/pak-seong-cheol"]),  # a substring
        ("telegram from the ministry", [DOC]),
        ('"}\\ <x>', []),
    ],
)
def test_label_search(client: FlaskClient, query: str, expected: list[str]) -> None:
    response = client.get("/search", query_string={"q": query})
    assert response.status_code == 200
    page = parse(response.get_data(as_text=True))
    results = [a.attrs["href"] for a in page.find_all("a") if a.attrs.get("class") == "result"]
    assert sorted(results) == sorted(expected)


def test_search_ranks_prefix_matches_first(client: FlaskClient) -> None:
    page = parse(client.get("/search?q=korea").get_data(as_text=True))
    results = [a.attrs["href"] for a in page.find_all("a") if a.attrs.get("class") == "result"]
    assert results.index("/doc/group/korean-chinese") < results.index("/doc/place/dprk")
    assert "/doc/group/prc-embassy-dprk" in results


# --- the same pages from an external SPARQL store ---------------------------------------------------------


def _without_build_times(html: str) -> str:
    html = re.sub(r"\d{8}T\d{6}Z-[0-9a-f]+", "BUILD", html)
    return re.sub(r"finished [^<]*", "finished", html)


@pytest.mark.slow
@pytest.mark.parametrize(
    "path", [DOC, "/", "/doc/person/pak-seong-cheol", "/doc/place/jilin", "/search?q=pak"]
)
def test_pages_are_the_same_from_an_external_store(
    client: FlaskClient, remote_client: FlaskClient, path: str
) -> None:
    embedded = client.get(path, headers={"Accept": "text/html"})
    external = remote_client.get(path, headers={"Accept": "text/html"})
    assert external.status_code == embedded.status_code == 200
    assert _without_build_times(external.get_data(as_text=True)) == _without_build_times(
        embedded.get_data(as_text=True)
    )


def test_home_and_search_are_cacheable_and_conditional(client: FlaskClient) -> None:
    for path in ("/", "/search?q=pak"):
        first = client.get(path)
        assert first.headers["Cache-Control"] == "public, max-age=60"
        assert first.headers["Access-Control-Allow-Origin"] == "*"
        assert "Accept" in first.headers["Vary"]
        etag = first.headers["ETag"]
        assert etag.startswith('"') and not etag.startswith("W/")
        assert client.get(path, headers={"If-None-Match": etag}).status_code == 304
        since = first.headers["Last-Modified"]
        assert client.get(path, headers={"If-Modified-Since": since}).status_code == 304
        head = client.head(path)
        assert head.status_code == 200 and head.data == b""
    assert client.get("/search?q=pak").headers["ETag"] != client.get("/search?q=jilin").headers["ETag"]


# --- highlighting never breaks the markup -------------------------------------------------------------------


@given(
    st.text(alphabet="ab<>&\"' \n", max_size=30),
    st.lists(st.tuples(st.integers(0, 32), st.integers(0, 32), st.booleans()), max_size=8),
)
def test_highlight_keeps_text_and_well_formed_markup(text: str, raw: list[tuple[int, int, bool]]) -> None:
    spans = [
        Span(s, e, "m", f"id-{n}", href=f"/doc/x/{n}" if link else None) for n, (s, e, link) in enumerate(raw)
    ]
    page = parse(f"<div>{highlight(text, spans)}</div>")
    assert page.children[0].text() == text  # type: ignore[union-attr]
    assert not [a for a in page.find_all("a") if a.find_all("a")[1:]]
    ids = [e.attrs["id"] for e in page.iter() if "id" in e.attrs]
    assert len(ids) == len(set(ids))


# --- hostile input stays inert -----------------------------------------------------------------------------

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(2)>"


@pytest.fixture(scope="module")
def hostile_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FlaskClient]:
    sources = tmp_path_factory.mktemp("hostile-sources")
    text = SEED_PAGE.read_text(encoding="utf-8")
    assert TITLE in text and "According to [our] initial understanding" in text
    text = text.replace(TITLE, f"{TITLE} {SCRIPT}", 1)
    text = text.replace("According to [our] initial", f"According to [our] {IMG} {SCRIPT} initial", 1)
    (sources / SEED_PAGE.name).write_text(text, encoding="utf-8")
    settings = project_settings(tmp_path_factory.mktemp("hostile-store"), sources=sources)
    build(settings)
    with open_published(settings.store) as opened:
        yield create_app(settings, opened).test_client()
    shutil.rmtree(sources, ignore_errors=True)


def _assert_inert(html: str) -> Element:
    page = parse(html)
    scripts = page.find_all("script")
    assert [s.attrs.get("type") for s in scripts] == ["application/ld+json"], (
        "only the JSON-LD block is a script"
    )
    assert "</script" not in scripts[0].text().lower()
    json.loads(scripts[0].text())
    assert not page.find_all("img")
    handlers = [(e.tag, k) for e in page.iter() for k in e.attrs if k.startswith("on")]
    assert not handlers
    assert not [h for h in page.links() if h.lower().startswith("javascript:")]
    return page


@pytest.mark.parametrize(
    "path", [DOC, "/", "/doc/person/pak-seong-cheol", f"/search?q={SCRIPT}", f"{DOC}/title"]
)
def test_markup_and_script_in_a_source_stay_inert(hostile_client: FlaskClient, path: str) -> None:
    response = hostile_client.get(path, headers={"Accept": "text/html"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    page = _assert_inert(html)
    assert SCRIPT in page.text()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_hostile_title_is_kept_as_data(hostile_client: FlaskClient) -> None:
    page = _assert_inert(hostile_client.get(DOC, headers={"Accept": "text/html"}).get_data(as_text=True))
    assert page.find_all("h1")[0].text() == f"{TITLE} {SCRIPT}"
    assert json_ld(page)["name"] == f"{TITLE} {SCRIPT}"
    assert f"According to [our] {IMG} {SCRIPT} initial" in page.by_id("text").text(skip="pilcrow")


def test_static_stylesheet_is_served_from_the_package(client: FlaskClient, telegram: Element) -> None:
    sheets = [e.attrs["href"] for e in telegram.find_all("link", rel="stylesheet")]
    assert sheets == ["/static/ldpub.css"]
    with client.get(sheets[0]) as response:
        assert response.status_code == 200 and b".mention" in response.data
    assert not [
        h
        for e in telegram.iter()
        for h in (e.attrs.get("src"), e.attrs.get("href"))
        if h and h.startswith("//")
    ]


# --- long lists come a page at a time (issue 6) --------------------------------------------------------------

PAGED_DOCUMENTS = 60
HUB_PAGE_BYTES = 100_000
"""A hub entity's page stays under this many bytes whatever the corpus (0.4-0.95 MB at 1,000 documents
before paging)."""


@pytest.fixture(scope="module")
def corpus_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[FlaskClient, EmbeddedStore]]:
    """60 generated documents (benchmarks/make_corpus.py): hub places and groups each referred to by most."""
    sources = tmp_path_factory.mktemp("paged") / "sources"
    script = str(ROOT / "benchmarks" / "make_corpus.py")
    command = [
        sys.executable,
        script,
        "--documents",
        str(PAGED_DOCUMENTS),
        "--seed",
        "3",
        "--out",
        str(sources),
    ]
    subprocess.run(command, check=True, capture_output=True)
    settings = project_settings(tmp_path_factory.mktemp("paged-store"), sources=sources)
    build(settings)
    with open_published(settings.store) as opened:
        yield create_app(settings, opened).test_client(), opened


def _hub(store: EmbeddedStore) -> str:
    """The entity quoted in the most documents."""
    rows = select(
        store,
        """SELECT ?e (COUNT(DISTINCT ?d) AS ?n) WHERE { ?a oa:hasBody ?e ; oa:hasTarget/oa:hasSource ?en .
             ?en crm:P73i_is_translation_of ?d FILTER(CONTAINS(STR(?e), "/id/place/")) }
           GROUP BY ?e ORDER BY DESC(?n) ?e LIMIT 1""",
    )
    return rows[0]["e"]


def _walk(client: FlaskClient, path: str) -> list[tuple[Element, str]]:
    """Every page of ``path``, following the rel="next" links (in the page and in the Link header)."""
    pages: list[tuple[Element, str]] = []
    url: str | None = path
    while url is not None:
        response = client.get(url, headers={"Accept": "text/html"})
        assert response.status_code == 200, (url, response.status_code)
        page = parse(response.get_data(as_text=True))
        pages.append((page, url))
        heads = [e.attrs["href"] for e in page.find_all("link", rel="next")]
        visible = [e.attrs["href"] for e in page.find_all("a", rel="next")]
        header = re.findall(r'<([^>]*)>; rel="next"', response.headers.get("Link", ""))
        assert heads == header == sorted(set(visible)), (url, heads, header, visible)
        url = heads[0] if heads else None
        assert len(pages) <= PAGED_DOCUMENTS, "the next links never end"
    return pages


def test_a_hub_entity_page_shows_every_mention_once_across_its_pages(
    corpus_client: tuple[FlaskClient, EmbeddedStore],
) -> None:
    client, store = corpus_client
    hub = _hub(store)
    path = "/doc/" + hub.removeprefix(f"{BASE}/id/")
    expected_quotes = {
        f"/doc/{row['d'].removeprefix(f'{BASE}/id/')}#ann-{row['start']}-{row['end']}"
        for row in select(
            store,
            f"""SELECT DISTINCT ?d ?start ?end WHERE {{ ?a oa:hasBody <{hub}> ; oa:hasTarget ?t .
                  ?t oa:hasSource/crm:P73i_is_translation_of ?d ; oa:hasSelector ?s . ?s oa:start ?start ; oa:end ?end }}""",
        )
    }
    expected_documents = {
        "/doc/" + row["d"].removeprefix(f"{BASE}/id/")
        for row in select(store, f"SELECT DISTINCT ?d WHERE {{ ?d crm:P67_refers_to <{hub}> }}")
    }
    assert len(expected_documents) > 20, "the hub fills more than one page"
    pages = _walk(client, path)
    assert len(pages) == -(-len(expected_documents) // 20)
    quotes = [
        a.attrs["href"] for page, _ in pages for a in page.find_all("a") if a.attrs.get("class") == "quote"
    ]
    assert len(quotes) == len(set(quotes)), "no mention is shown twice"
    assert set(quotes) == expected_quotes, "every mention is shown"
    documents = [
        a.attrs["href"] for page, _ in pages for a in page.find_all("a") if a.attrs.get("class") == "doc-link"
    ]
    assert len(documents) == len(set(documents)) and set(documents) == expected_documents

    first = pages[0][0]
    total = " ".join(first.by_id("mentioned-in").find_all("h2")[0].text().split())
    assert f"{len(expected_documents)} documents, {len(expected_quotes)} mentions" in total
    assert f"Documents, by date: 1–20 of {len(expected_documents)}" in " ".join(first.text().split())
    assert f"Page 1 of {len(pages)}" in first.text()
    assert not first.find_all("link", rel="prev")
    last, last_url = pages[-1]
    assert last_url == f"{path}?page={len(pages)}"
    assert [e.attrs["href"] for e in last.find_all("link", rel="prev")] == [f"{path}?page={len(pages) - 1}"]
    subject_of = json_ld(first)["subjectOf"]
    assert isinstance(subject_of, list) and len(subject_of) == 20, "the schema.org embed lists this page only"
    for page, _ in pages:
        assert page.find_all("h1")[0].text() == first.find_all("h1")[0].text()


def test_every_page_of_a_hub_stays_small(corpus_client: tuple[FlaskClient, EmbeddedStore]) -> None:
    client, store = corpus_client
    for path in (
        "/doc/" + _hub(store).removeprefix(f"{BASE}/id/"),
        "/doc/group/prc-mfa",
        "/",
        "/search?q=telegram",
    ):
        response = client.get(path, headers={"Accept": "text/html"})
        assert response.status_code == 200
        assert len(response.data) < HUB_PAGE_BYTES, (path, len(response.data))


@pytest.mark.parametrize("value", ["0", "-1", "x", "1.5", "2 3", "", "1" * 12])
def test_a_malformed_page_number_is_a_400(
    corpus_client: tuple[FlaskClient, EmbeddedStore], value: str
) -> None:
    client, store = corpus_client
    for path in ("/doc/" + _hub(store).removeprefix(f"{BASE}/id/"), "/", "/search?q=pak"):
        separator = "&" if "?" in path else "?"
        response = client.get(f"{path}{separator}page={value}", headers={"Accept": "text/html"})
        assert response.status_code == 400, (path, value)
        assert "?page= must be a whole number from 1" in response.get_data(as_text=True)


def test_a_page_past_the_last_is_a_404(corpus_client: tuple[FlaskClient, EmbeddedStore]) -> None:
    client, store = corpus_client
    path = "/doc/" + _hub(store).removeprefix(f"{BASE}/id/")
    last = len(_walk(client, path))
    response = client.get(f"{path}?page={last + 1}", headers={"Accept": "text/html"})
    assert response.status_code == 404
    assert f"page {last + 1} does not exist" in response.get_data(as_text=True)
    document = client.get("/doc/document/doc-000001?page=2", headers={"Accept": "text/html"})
    assert document.status_code == 404, "a document's page is one page"
    assert client.get("/?page=99").status_code == 404
    assert client.get("/search?q=pak&page=99").status_code == 404
    assert client.get("/doc/person/nobody-at-all?page=2", headers={"Accept": "text/html"}).status_code == 404


def test_other_formats_ignore_the_page_number(corpus_client: tuple[FlaskClient, EmbeddedStore]) -> None:
    client, store = corpus_client
    path = "/doc/" + _hub(store).removeprefix(f"{BASE}/id/")
    turtle = client.get(path, headers={"Accept": "text/turtle"})
    assert turtle.status_code == 200
    assert client.get(f"{path}?page=2", headers={"Accept": "text/turtle"}).data == turtle.data
    assert client.get(f"{path}.ttl?page=99").data == turtle.data


def test_the_home_page_lists_every_document_once_by_date(
    corpus_client: tuple[FlaskClient, EmbeddedStore],
) -> None:
    client, store = corpus_client
    rows = select(
        store,
        "SELECT ?d ?date WHERE { ?d crm:P102_has_title ?t ; <http://purl.org/dc/terms/created> ?date }",
    )
    expected = [
        "/doc/" + r["d"].removeprefix(f"{BASE}/id/") for r in sorted(rows, key=lambda r: (r["date"], r["d"]))
    ]
    assert len(expected) == PAGED_DOCUMENTS
    pages = _walk(client, "/")
    assert [url for _, url in pages] == ["/", "/?page=2"]
    listed = [
        a.attrs["href"]
        for page, _ in pages
        for a in page.find_all("a")
        if a.attrs.get("class") == "doc-title"
    ]
    assert listed == expected
    first = pages[0][0]
    assert f"Documents {PAGED_DOCUMENTS}" in " ".join(first.find_all("h2")[0].text().split())
    has_part = json_ld(first)["hasPart"]
    assert isinstance(has_part, list) and len(has_part) == 50


def test_search_hits_come_a_page_at_a_time(corpus_client: tuple[FlaskClient, EmbeddedStore]) -> None:
    client, _ = corpus_client
    pages = _walk(client, "/search?q=telegram")
    hits = [
        a.attrs["href"] for page, _ in pages for a in page.find_all("a") if a.attrs.get("class") == "result"
    ]
    assert len(hits) == len(set(hits)) >= PAGED_DOCUMENTS, "every hit once"
    assert [url for _, url in pages][1:] == [f"/search?q=telegram&page={n}" for n in range(2, len(pages) + 1)]
    assert len(pages) == -(-len(hits) // 50)
    assert f"{len(hits)} results for" in " ".join(pages[0][0].text().split())


def test_later_pages_are_cacheable_and_conditional(corpus_client: tuple[FlaskClient, EmbeddedStore]) -> None:
    client, store = corpus_client
    path = "/doc/" + _hub(store).removeprefix(f"{BASE}/id/")
    for url in (f"{path}?page=2", "/?page=2", "/search?q=telegram&page=2"):
        first = client.get(url, headers={"Accept": "text/html"})
        assert first.headers["Cache-Control"] == "public, max-age=60"
        assert "Accept" in first.headers["Vary"]
        etag = first.headers["ETag"]
        page_one = client.get(url.replace("page=2", "page=1"), headers={"Accept": "text/html"})
        assert page_one.headers["ETag"] != etag
        again = client.get(url, headers={"Accept": "text/html", "If-None-Match": etag})
        assert again.status_code == 304
        head = client.head(url, headers={"Accept": "text/html"})
        assert head.status_code == 200 and head.data == b""


def test_a_sender_s_activities_are_each_listed_once_across_its_pages(
    corpus_client: tuple[FlaskClient, EmbeddedStore],
) -> None:
    client, store = corpus_client
    sender = f"{BASE}/id/group/prc-mfa"
    expected = {
        "/doc/" + row["a"].removeprefix(f"{BASE}/id/")
        for row in select(
            store,
            f"""SELECT DISTINCT ?a WHERE {{ {{ ?a crm:P14_carried_out_by <{sender}> }}
                  UNION {{ ?a <https://w3id.org/ldpub/ns#addressee> <{sender}> }} ?a a crm:E7_Activity }}""",
        )
    }
    assert len(expected) > 50, "more than one page of activities"
    pages = _walk(client, "/doc/group/prc-mfa")
    listed = [
        a.attrs["href"]
        for page, _ in pages
        for section in page.find_all("section", id="took-part-in")
        for a in section.find_all("a")
        if "rel" not in a.attrs
    ]
    assert len(listed) == len(set(listed)) and set(listed) == expected
    heading = " ".join(pages[0][0].by_id("took-part-in").find_all("h2")[0].text().split())
    assert heading == f"Took part in {len(expected)}"
