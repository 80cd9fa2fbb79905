"""OAI-PMH and descriptions over a generated corpus (issue 6: bounded work per request).

60 documents from benchmarks/make_corpus.py are built, harvested page by page (7 records a page), then
rebuilt with 5 captures removed and 1 changed and harvested again: every record comes exactly once, the
counts and cursors are right, selective harvests by set and by date get exactly their records, deleted
records are reported as deleted in their sets, and no request reads the whole change log. The build
activity's description, with its cap lowered below the number of sources, holds that many ``prov:used``
and says where the others are.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest
from flask.testing import FlaskClient
from lxml import etree
from rdflib import URIRef

from ldpub import history
from ldpub.build import build
from ldpub.oai.repository import Selection, repository
from ldpub.settings import Settings
from ldpub.store import SelectResult, open_published
from ldpub.web import create_app

from .conftest import BASE, ROOT, project_settings
from .test_oai import NS, errors, oai

pytestmark = pytest.mark.slow

DOCUMENTS = 60
PAGE = 7
REMOVED = ["doc-000003.txt", "doc-000017.txt", "doc-000030.txt", "doc-000041.txt", "doc-000058.txt"]
CHANGED = "doc-000005.txt"
PROV_USED = URIRef("http://www.w3.org/ns/prov#used")
DOCS = f"{BASE}/id/document/"
GRAPHS = f"{BASE}/graph/document/"


@dataclass
class Harvest:
    """One list harvested to its end: its headers (or records) and its resumption token elements."""

    items: list[etree._Element] = field(default_factory=list)
    tokens: list[etree._Element] = field(default_factory=list)
    error: list[str] = field(default_factory=list)

    @property
    def headers(self) -> list[etree._Element]:
        return [i if i.tag == f"{{{NS['oai']}}}header" else i.find("oai:header", NS) for i in self.items]

    @property
    def identifiers(self) -> list[str]:
        return [h.findtext("oai:identifier", namespaces=NS) for h in self.headers]

    def by_identifier(self) -> dict[str, etree._Element]:
        return {h.findtext("oai:identifier", namespaces=NS): h for h in self.headers}


def harvest(client: FlaskClient, verb: str = "ListIdentifiers", **params: str) -> Harvest:
    """Every page of a list, following the resumption tokens (each answer checked against the schema)."""
    found = Harvest()
    query: dict[str, str] = {"verb": verb, "metadataPrefix": "oai_dc", **params}
    while True:
        root = oai(client, **query)
        found.error = errors(root)
        if found.error:
            return found
        element = root.find(f"oai:{verb}", NS)
        found.items += element.findall("oai:header" if verb == "ListIdentifiers" else "oai:record", NS)
        token = element.find("oai:resumptionToken", NS)
        if token is None or not token.text:
            if token is not None:
                found.tokens.append(token)
            return found
        found.tokens.append(token)
        query = {"verb": verb, "resumptionToken": token.text}


def _select(settings: Settings, sparql: str) -> list[dict[str, Any]]:
    with open_published(settings.store) as store:
        result = store.query(sparql)
    assert isinstance(result, SelectResult)
    return result.rows


def _documents(settings: Settings) -> set[str]:
    """The slugs of the documents with their own graph, by SPARQL."""
    rows = _select(
        settings,
        f"""SELECT ?g WHERE {{ GRAPH ?g {{ ?doc a <http://www.cidoc-crm.org/cidoc-crm/E31_Document> }}
            FILTER(STRSTARTS(STR(?g), "{GRAPHS}") && STRAFTER(STR(?g), "{GRAPHS}") = STRAFTER(STR(?doc), "{DOCS}")) }}""",
    )
    return {str(row["g"])[len(GRAPHS) :] for row in rows}


def _slug(identifier: str) -> str:
    return identifier.removeprefix("oai:localhost:")


@dataclass
class Corpus:
    settings: Settings
    client: FlaskClient
    before: set[str]
    """The documents of the first build."""
    first: Harvest
    """ListIdentifiers of the first build."""
    first_records: Harvest
    first_sets: dict[str, str]
    after: set[str] = field(default_factory=set)
    """The documents of the second build."""
    log_lines_read: int = 0
    """Log lines the first OAI request after the second build read."""
    log_lines: int = 0


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Corpus]:
    """The corpus built and harvested, then rebuilt without 5 captures and with 1 changed."""
    root = tmp_path_factory.mktemp("oai-corpus")
    sources = root / "sources"
    script = str(ROOT / "benchmarks" / "make_corpus.py")
    command = [sys.executable, script, "--documents", str(DOCUMENTS), "--seed", "4", "--out", str(sources)]
    subprocess.run(command, check=True, capture_output=True)
    settings = project_settings(root / "store", sources=sources, oai_page_size=PAGE)
    build(settings)
    with open_published(settings.store) as store:
        client = create_app(settings, store).test_client()
        sets = {
            s.findtext("oai:setSpec", namespaces=NS): s.findtext("oai:setName", namespaces=NS)
            for s in oai(client, verb="ListSets").iterfind(".//oai:set", NS)
        }
        corpus = Corpus(
            settings,
            client,
            _documents(settings),
            harvest(client),
            harvest(client, "ListRecords"),
            sets,
        )
        for name in REMOVED:
            (sources / name).unlink()
        changed = sources / CHANGED
        text = changed.read_text(encoding="utf-8")
        assert "requires attention" in text
        changed.write_text(
            text.replace("requires attention", "requires close attention", 1), encoding="utf-8"
        )
        build(settings)
        corpus.after = _documents(settings)
        corpus.log_lines = history.count(settings)
        reads = _count_log_reads()
        with reads:
            oai(client, verb="Identify")
        corpus.log_lines_read = reads.count
        yield corpus


class _count_log_reads:
    """Counts the lines the history's random-access reader reads while active."""

    def __init__(self) -> None:
        self.count = 0
        self.original = history._Lines._raw

    def __enter__(self) -> _count_log_reads:
        original, counter = self.original, self

        def counted(lines: Any) -> bytes | None:
            counter.count += 1
            return original(lines)

        history._Lines._raw = counted  # type: ignore[method-assign]
        return self

    def __exit__(self, *exc: object) -> None:
        history._Lines._raw = self.original  # type: ignore[method-assign]


def test_a_paged_harvest_gets_every_record_exactly_once(corpus: Corpus) -> None:
    expected = sorted(corpus.before)
    assert len(expected) == DOCUMENTS
    for found in (corpus.first, corpus.first_records):
        identifiers = [_slug(i) for i in found.identifiers]
        assert sorted(identifiers) == expected, "every document, none twice"
        assert len(found.tokens) == -(-DOCUMENTS // PAGE)
        assert [t.get("cursor") for t in found.tokens] == [str(n * PAGE) for n in range(len(found.tokens))]
        assert {t.get("completeListSize") for t in found.tokens} == {str(DOCUMENTS)}
        assert not any(h.get("status") == "deleted" for h in found.headers)
    for record in corpus.first_records.items:
        assert record.find("oai:metadata", NS)[0].findtext("{http://purl.org/dc/elements/1.1/}title"), (
            "each record carries its metadata"
        )


def test_a_token_names_the_same_page_every_time(corpus: Corpus) -> None:
    client = corpus.client
    first = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc")
    token = first.find(".//oai:resumptionToken", NS).text
    pages = [oai(client, verb="ListIdentifiers", resumptionToken=token) for _ in range(2)]
    assert etree.tostring(pages[0].find("oai:ListIdentifiers", NS)) == etree.tostring(
        pages[1].find("oai:ListIdentifiers", NS)
    )


def test_selective_harvests_by_set_and_date(corpus: Corpus) -> None:
    client, headers = corpus.client, corpus.first.headers
    assert {"doctype", "archive"} <= set(corpus.first_sets) and len(corpus.first_sets) > 3
    specs_of = {
        _slug(h.findtext("oai:identifier", namespaces=NS)): {s.text for s in h.findall("oai:setSpec", NS)}
        for h in headers
    }
    for spec in corpus.first_sets:
        expected = sorted(
            s for s, specs in specs_of.items() if any(x == spec or x.startswith(spec + ":") for x in specs)
        )
        assert expected, spec
        found = harvest(client, set=spec)
        assert sorted(_slug(i) for i in found.identifiers) == expected, spec
    telegrams = _select(
        corpus.settings,
        f"""SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?doc <http://www.cidoc-crm.org/cidoc-crm/P2_has_type> <{BASE}/id/type/telegram> }}
            FILTER(STRSTARTS(STR(?g), "{GRAPHS}")) }}""",
    )
    by_type = {str(r["g"])[len(GRAPHS) :] for r in telegrams} & corpus.after
    found = harvest(client, set="doctype:telegram")
    live = [
        _slug(h.findtext("oai:identifier", namespaces=NS)) for h in found.headers if h.get("status") is None
    ]
    assert sorted(live) == sorted(by_type)
    stamp = corpus.first.headers[0].findtext("oai:datestamp", namespaces=NS)
    assert {h.findtext("oai:datestamp", namespaces=NS) for h in corpus.first.headers} == {stamp}
    day = stamp[:10]
    now = harvest(client)
    rebuilt = {
        i for i, h in now.by_identifier().items() if h.findtext("oai:datestamp", namespaces=NS) > stamp
    }
    assert len(rebuilt) == len(REMOVED) + 1, "the second build changed 1 document and deleted 5"
    assert sorted(harvest(client, until=stamp).identifiers) == sorted(set(corpus.first.identifiers) - rebuilt)
    assert harvest(client, until="2000-01-01").error == ["noRecordsMatch"]
    assert len(harvest(client, **{"from": day}).identifiers) == DOCUMENTS


def test_a_rebuild_reports_its_deletions_and_changes(corpus: Corpus) -> None:
    client = corpus.client
    removed = {name.removesuffix(".txt") for name in REMOVED}
    gone = corpus.before - corpus.after
    assert len(gone) == len(REMOVED) and len(corpus.after) == DOCUMENTS - len(REMOVED)
    after = harvest(client)
    assert sorted(_slug(i) for i in after.identifiers) == sorted(corpus.before), "deleted records persist"
    assert {t.get("completeListSize") for t in after.tokens} == {str(DOCUMENTS)}
    headers, earlier = after.by_identifier(), corpus.first.by_identifier()
    deleted = {_slug(i) for i, h in headers.items() if h.get("status") == "deleted"}
    assert deleted == gone
    for identifier in (f"oai:localhost:{slug}" for slug in gone):
        sets = [s.text for s in headers[identifier].findall("oai:setSpec", NS)]
        assert sets == [s.text for s in earlier[identifier].findall("oai:setSpec", NS)], "in its sets still"
        record = oai(client, verb="GetRecord", identifier=identifier, metadataPrefix="oai_dc")
        assert record.find(".//oai:header", NS).get("status") == "deleted"
        assert record.find(".//oai:metadata", NS) is None
    stamps = {i: h.findtext("oai:datestamp", namespaces=NS) for i, h in headers.items()}
    first_stamp = earlier[next(iter(earlier))].findtext("oai:datestamp", namespaces=NS)
    newer = {_slug(i) for i, s in stamps.items() if s > first_stamp}
    changed = newer - gone
    assert len(changed) == 1, "the changed capture's document, and nothing else, has a new datestamp"
    assert removed  # the captures' names are not the slugs; the count says it
    since = harvest(client, **{"from": max(stamps.values())})
    assert sorted(_slug(i) for i in since.identifiers) == sorted(gone | changed)
    assert [_slug(i) for i in since.identifiers][-1] in gone | changed
    in_set = harvest(client, set="doctype")
    assert gone <= {_slug(i) for i in in_set.identifiers}
    in_order = [
        (h.findtext("oai:datestamp", namespaces=NS), h.findtext("oai:identifier", namespaces=NS))
        for h in after.headers
    ]
    assert in_order == sorted(in_order), "lists go by datestamp: what a build changed comes last"


def test_a_request_reads_only_the_documents_lines_of_the_log(corpus: Corpus) -> None:
    assert 0 < corpus.log_lines_read < corpus.log_lines / 10, (corpus.log_lines_read, corpus.log_lines)
    reads = _count_log_reads()
    with reads:
        for params in (
            {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc"},
            {"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "doctype"},
            {
                "verb": "GetRecord",
                "metadataPrefix": "oai_dc",
                "identifier": f"oai:localhost:{min(corpus.after)}",
            },
        ):
            assert not errors(oai(corpus.client, **params))
    assert reads.count == 0, "an index up to date with the history reads no log"


def test_the_whole_log_readers_are_not_used(corpus: Corpus, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_: object) -> None:
        raise AssertionError("OAI-PMH read the whole change log")

    for name in ("changes", "deleted", "_legacy"):
        monkeypatch.setattr(history, name, refuse)
    for path in (corpus.settings.store / "oai").glob("index.sqlite*"):
        path.unlink()  # made again from the log
    after = harvest(corpus.client)
    assert sorted(_slug(i) for i in after.identifiers) == sorted(corpus.before)
    for path in sorted((ROOT / "ldpub" / "oai").glob("*.py")):
        names = {
            node.attr
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == "history"
        }
        assert not names & {"changes", "deleted"}, path


def test_changes_under_a_prefix_are_the_log_filtered(corpus: Corpus) -> None:
    everything = history.changes(corpus.settings)
    builds = [c.build_id for c in everything]
    second = builds.index(builds[-1])
    assert 0 < second < len(everything)
    for prefix in (DOCS, f"{BASE}/id/", f"{BASE}/id/person/", f"{BASE}/id/zzz", "http://"):
        for start in (0, 1, second - 1, second, len(everything)):
            expected = [c for c in everything[start:] if c.iri.startswith(prefix)]
            assert list(history.changes_under(corpus.settings, prefix, start)) == expected, (prefix, start)
    leaves = [c for c in everything if c.iri.startswith(DOCS) and "/" not in c.iri[len(DOCS) :]]
    assert list(history.changes_under(corpus.settings, DOCS, nested=False)) == leaves
    assert history.recorded(corpus.settings) == (builds[-1], len(everything))


def test_a_page_deep_in_a_list_costs_what_the_first_costs(corpus: Corpus) -> None:
    """Each page seeks to its first item in an index: the last page reads no more than the first."""
    with open_published(corpus.settings.store) as store, repository(store, corpus.settings) as items:
        steps = [0]

        def count() -> int:
            steps[0] += 1
            return 0

        def cost(selection: Selection, after: tuple[str, str] | None) -> int:
            steps[0] = 0
            items.db.set_progress_handler(count, 1)
            try:
                assert len(items.page(selection, after, PAGE)) == PAGE
            finally:
                items.db.set_progress_handler(None, 1)
            return steps[0]

        stamp = corpus.first.headers[0].findtext("oai:datestamp", namespaces=NS)
        lower = datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        for selection in (Selection(), Selection(lower=lower), Selection(spec="doctype")):
            listed: list[tuple[str, str]] = []
            while page := items.page(selection, listed[-1] if listed else None, PAGE):
                listed += [item.key for item in page]
            assert len(listed) >= 3 * PAGE and len(set(listed)) == len(listed)
            first, deep = cost(selection, None), cost(selection, listed[-PAGE - 1])
            assert deep < first * 1.5, (selection, first, deep)
