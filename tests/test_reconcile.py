"""`ldpub reconcile` against a real `oxigraph serve` on 127.0.0.1 holding a Wikidata-shaped fixture.

The fixture (tests/data/wikidata/fixture.ttl, see its README) holds the items of data/wikidata/entities.csv,
their near neighbours and decoy namesakes. Requests go through a small counting proxy, so the tests see what
the endpoint was sent.
"""

from __future__ import annotations

import csv
import importlib.util
import re
import shutil
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Literal, URIRef

from ldpub import __version__
from ldpub.build import build
from ldpub.cli import main
from ldpub.link.authority import load_authority
from ldpub.reconcile import run_reconcile
from ldpub.settings import Settings, load_settings
from ldpub.store import open_published

from .servers import oxigraph_server

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_DIR = ROOT / "tests" / "data" / "wikidata"
VERIFIED = ROOT / "data" / "wikidata" / "entities.csv"
WD = "http://www.wikidata.org/entity/"
CRM = "http://www.cidoc-crm.org/cidoc-crm/"

pytestmark = pytest.mark.slow


@dataclass
class Proxy:
    """A counting HTTP proxy in front of one endpoint: requests seen and their User-Agent headers."""

    target: str
    url: str = ""
    agents: list[str] = field(default_factory=list)

    @property
    def requests(self) -> int:
        return len(self.agents)


@contextmanager
def counting_proxy(target: str) -> Iterator[Proxy]:
    proxy = Proxy(target)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            proxy.agents.append(self.headers.get("User-Agent", ""))
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            request = urllib.request.Request(target, data=body, method="POST")
            for name in ("Content-Type", "Accept"):
                if self.headers.get(name):
                    request.add_header(name, self.headers[name])
            with urllib.request.urlopen(request, timeout=30) as answer:
                data = answer.read()
                self.send_response(answer.status)
                self.send_header("Content-Type", answer.headers.get("Content-Type", ""))
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    proxy.url = f"http://127.0.0.1:{server.server_address[1]}/sparql"
    try:
        yield proxy
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture(scope="module")
def wikidata(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The query URL of a real `oxigraph serve` loaded with the fixture."""
    location = tmp_path_factory.mktemp("wikidata-store")
    binary = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    subprocess.run(
        [binary, "load", "--location", str(location), "--file", str(FIXTURE_DIR / "fixture.ttl")],
        check=True,
        capture_output=True,
    )
    with oxigraph_server(location) as url:
        yield url + "/query"


def settings_for(tmp: Path, endpoint: str, authorities: Path | None = None) -> Settings:
    overrides = {
        "wikidata_endpoint": endpoint,
        "wikidata_cache": tmp / "cache",
        "reconcile_review": tmp / "out",
        "store": tmp / "store",
    }
    if authorities is not None:
        overrides["authorities"] = authorities
    return load_settings(config=ROOT / "ldpub.toml", environ={}, overrides=overrides)


def authority_copy(tmp: Path, verified_rows: list[dict[str, str]]) -> Path:
    """The project's authority file in ``tmp``, with ``verified_rows`` as its verified Wikidata file."""
    (tmp / "wikidata").mkdir(parents=True)
    shutil.copy(ROOT / "data" / "authorities.toml", tmp / "authorities.toml")
    shutil.copy(ROOT / "data" / "wikidata" / "classes.csv", tmp / "wikidata" / "classes.csv")
    shutil.copy(ROOT / "data" / "wikidata" / "reconciled.csv", tmp / "wikidata" / "reconciled.csv")
    with VERIFIED.open(encoding="utf-8", newline="") as handle:
        columns = csv.DictReader(handle).fieldnames or []
    with (tmp / "wikidata" / "entities.csv").open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=columns)
        writer.writeheader()
        writer.writerows(verified_rows)
    return tmp / "authorities.toml"


def verified() -> dict[str, str]:
    """key → QID of the verified file's rows that have one."""
    with VERIFIED.open(encoding="utf-8", newline="") as handle:
        return {row["key"]: row["qid"] for row in csv.DictReader(handle) if row["qid"]}


def review(settings: Settings) -> list[dict[str, str]]:
    with (settings.reconcile_review / "review.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def decisions(rows: list[dict[str, str]]) -> dict[str, tuple[str, str]]:
    """key → (decision, reason), from the review rows."""
    return {row["key"]: (row["decision"], row["reason"]) for row in rows}


def candidates(rows: list[dict[str, str]], key: str) -> list[str]:
    """The QIDs found for one entity, best first."""
    return [
        row["qid"]
        for row in sorted((r for r in rows if r["key"] == key and r["qid"]), key=lambda r: int(r["rank"]))
    ]


def test_fixture_is_what_its_script_makes() -> None:
    spec = importlib.util.spec_from_file_location(
        "make_wikidata_fixture", FIXTURE_DIR / "make_wikidata_fixture.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.fixture() == (FIXTURE_DIR / "fixture.ttl").read_text(encoding="utf-8")


def test_curated_links_are_confirmed_and_persons_left_unlinked(wikidata: str, tmp_path: Path) -> None:
    settings = settings_for(tmp_path, wikidata)
    summary = run_reconcile(settings)
    rows = review(settings)
    decided = decisions(rows)
    authority = load_authority(settings.authorities)
    entities = authority.of_kind("person", "group", "place")
    # Every person, group and place is in the review file, each with a decision and a reason in words.
    assert set(decided) == {e.key for e in entities}
    assert all(reason for _, reason in decided.values())
    # Each curated link is confirmed by the blind match, with the verified item on top.
    curated = {e.key: e.wikidata.qid for e in entities if e.wikidata is not None}
    assert curated == {k: q for k, q in verified().items() if k in curated}
    for key, qid in curated.items():
        assert decided[key][0] == "curated-confirmed", (key, decided[key])
        assert candidates(rows, key)[0] == qid
    # Nothing is linked anew: the persons have no verified item; the Central Committee is not the party.
    assert [k for k, (d, _) in decided.items() if d == "linked"] == []
    for person in authority.of_kind("person"):
        assert decided[person.key][0] in ("review", "no-match", "no-candidate")
    assert decided["ccp-central-committee"][0] in ("review", "no-match")
    assert "Q17427" in candidates(rows, "ccp-central-committee")
    links = (settings.reconcile_review / "links.csv").read_text(encoding="utf-8").splitlines()
    assert links == ["key,kind,qid,score,features,method,endpoint,date"]
    assert "linked: 0" in summary and "curated-confirmed: 13" in summary


def test_near_neighbours_are_found_and_ranked_below(wikidata: str, tmp_path: Path) -> None:
    settings = settings_for(tmp_path, wikidata)
    run_reconcile(settings)
    rows = review(settings)
    dprk = candidates(rows, "dprk")
    assert dprk[0] == "Q423" and {"Q884", "Q18097", "Q483134"} <= set(dprk[1:])
    assert candidates(rows, "korean-chinese")[:2] == ["Q715978", "Q484464"]
    assert candidates(rows, "prc-mfa")[0] == "Q1155502"
    assert candidates(rows, "jilin")[0] == "Q45208"
    assert "Q43934" not in candidates(rows, "jilin") and "Q19206" not in candidates(rows, "jilin")
    by_pair = {(r["key"], r["qid"]): r for r in rows}
    # Each candidate's features say why it lost: North vs South Korea by words, the brewer by type and country.
    assert float(by_pair[("dprk", "Q884")]["score"]) < 0.5
    assert by_pair[("jilin", "Q999999907")]["type"] == "unlisted"
    assert by_pair[("jilin", "Q999999907")]["country"] == "mismatch"
    assert by_pair[("prc-mfa", "Q999999905")]["country"] == "mismatch"
    assert by_pair[("prc-mps", "Q148")]["type"] == "contradicts"
    # Persons: a namesake born after 1962, a film, and namesakes with no dates to confirm them.
    assert by_pair[("pak-seong-cheol", "Q999999901")]["dates"] == "incompatible"
    assert by_pair[("kim-il-sung", "Q999999903")]["type"] == "contradicts"
    assert "dates confirm" in by_pair[("hao-deqing", "Q999999902")]["reason"]
    assert by_pair[("hao-deqing", "Q999999902")]["decision"] == "review"
    for row in rows:
        if row["qid"]:
            assert row["candidate_label"] and row["features"].startswith("name ")
            assert 0 <= float(row["score"]) <= 1


def test_blind_run_links_exactly_the_verified_items_and_the_build_publishes_them(
    wikidata: str, tmp_path: Path
) -> None:
    """Without curated links the run links what the verified file says, nothing else; the build reads them."""
    authorities = authority_copy(tmp_path / "authority", [])
    settings = settings_for(tmp_path, wikidata, authorities)
    run_reconcile(settings)
    with (settings.reconcile_review / "links.csv").open(encoding="utf-8", newline="") as handle:
        links = list(csv.DictReader(handle))
    keys = {e.key for e in load_authority(authorities).of_kind("person", "group", "place")}
    assert {row["key"]: row["qid"] for row in links} == {k: q for k, q in verified().items() if k in keys}
    for row in links:
        assert float(row["score"]) >= settings.reconcile_threshold
        assert row["endpoint"] == wikidata and re.fullmatch(r"\d{4}-\d\d-\d\d", row["date"])
        assert row["method"].startswith(f"ldpub {__version__} reconcile") and "type" in row["features"]
    decided = decisions(review(settings))
    assert decided["ccp-central-committee"][0] != "linked"
    assert decided["jilin"][0] == "linked" and "Q45208" in decided["jilin"][1]

    # A curator publishes the links: the build makes them owl:sameAs, described as reconciled links.
    shutil.copy(settings.reconcile_review / "links.csv", authorities.parent / "wikidata" / "reconciled.csv")
    build(settings)
    with open_published(settings.store) as store:
        jilin = URIRef(f"{settings.base_uri}/id/place/jilin")
        query = f"""PREFIX crm: <{CRM}> PREFIX owl: <http://www.w3.org/2002/07/owl#>
            SELECT ?item ?type ?note WHERE {{ <{jilin}> owl:sameAs ?item .
              ?a crm:P140_assigned_attribute_to <{jilin}> ; crm:P141_assigned ?item ; crm:P2_has_type ?type ;
                 crm:P3_has_note ?note }}"""
        result = store.query(query)
        rows = [tuple(row[name] for name in ("item", "type", "note")) for row in result.rows]
    assert len(rows) == 1
    item, kind, note = rows[0]
    assert item == URIRef(WD + "Q45208")
    assert kind == URIRef(f"{settings.base_uri}/id/type/reconciled-link")
    assert isinstance(note, Literal) and "score: 1.000" in note and f"endpoint: {wikidata}" in note


def test_a_conflict_with_a_curated_link_is_reported_and_the_curated_link_kept(
    wikidata: str, tmp_path: Path
) -> None:
    with VERIFIED.open(encoding="utf-8", newline="") as handle:
        rows = [row for row in csv.DictReader(handle) if row["key"] in ("jilin", "prc")]
    for row in rows:
        if row["key"] == "jilin":
            row["qid"] = "Q43934"  # Liaoning: a wrong curated link
    authorities = authority_copy(tmp_path / "authority", rows)
    settings = settings_for(tmp_path, wikidata, authorities)
    summary = run_reconcile(settings)
    decision, reason = decisions(review(settings))["jilin"]
    assert decision == "conflict" and "Q43934" in reason and "Q45208" in reason and "kept" in reason
    assert "conflict: 1" in summary
    links = (settings.reconcile_review / "links.csv").read_text(encoding="utf-8")
    assert "jilin" not in links
    assert "Q43934" not in (settings.reconcile_review / "quickstatements.txt").read_text(encoding="utf-8")
    entry = load_authority(authorities).get("place", "jilin")
    assert entry.wikidata is not None and entry.wikidata.qid == "Q43934"


def test_a_rerun_asks_the_endpoint_nothing_and_says_who_is_asking(wikidata: str, tmp_path: Path) -> None:
    with counting_proxy(wikidata) as proxy:
        settings = settings_for(tmp_path, proxy.url)
        first = run_reconcile(settings)
        asked = proxy.requests
        before = (settings.reconcile_review / "review.csv").read_text(encoding="utf-8")
        second = run_reconcile(settings)
        assert proxy.requests == asked
    assert 1 <= asked <= 4  # batched: the whole authority file in a few queries
    assert f"{asked} request(s) sent, 0 answer(s)" in first
    assert f"0 request(s) sent, {asked} answer(s) from the cache" in second
    assert (settings.reconcile_review / "review.csv").read_text(encoding="utf-8") == before
    agent = proxy.agents[0]
    assert agent.startswith(f"ldpub/{__version__} (") and settings.oai_admin_email in agent


def test_quickstatements_and_mixnmatch_files(wikidata: str, tmp_path: Path) -> None:
    settings = settings_for(tmp_path, wikidata, authorities=None).replace(
        base_uri="https://ldpub.example.org"
    )
    summary = run_reconcile(settings)
    assert "note: base_uri" not in summary
    lines = (settings.reconcile_review / "quickstatements.txt").read_text(encoding="utf-8").splitlines()
    command = re.compile(r'^(Q\d+)\tP973\t"([^"]+)"\tS854\t"([^"]+)"\tS813\t\+\d{4}-\d\d-\d\dT00:00:00Z/11$')
    matched = [command.match(line) for line in lines]
    assert all(matched) and len(lines) == 13
    assert {m.group(1): m.group(2) for m in matched if m} == {
        qid: f"https://ldpub.example.org/id/{kind}/{key}"
        for key, qid in verified().items()
        for kind in ("person", "group", "place")
        if load_authority(settings.authorities).find(kind, key) is not None
    }
    with (settings.reconcile_review / "mixnmatch.tsv").open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle, delimiter="\t")
        assert reader.fieldnames == ["id", "name", "description", "type"]
        catalogue = list(reader)
    assert len(catalogue) == len({row["id"] for row in catalogue}) == 26
    by_id = {row["id"]: row for row in catalogue}
    assert by_id["person/pak-seong-cheol"]["name"] == "Pak Seong-cheol"
    assert (
        by_id["person/pak-seong-cheol"]["type"] == "Q5"
        and "박성철" in by_id["person/pak-seong-cheol"]["description"]
    )
    assert by_id["place/jilin"]["type"] == "Q2221906" and by_id["group/prc-mfa"]["type"] == "Q43229"


def test_cli_reconcile(wikidata: str, tmp_path: Path) -> None:
    env = {"LDPUB_WIKIDATA_CACHE": str(tmp_path / "cache")}
    args = [
        "--config",
        str(ROOT / "ldpub.toml"),
        "reconcile",
        "--endpoint",
        wikidata,
        "--output",
        str(tmp_path / "out"),
    ]
    result = CliRunner().invoke(main, [*args, "--threshold", "0.9"], env=env)
    assert result.exit_code == 0, result.output
    assert "curated-confirmed: 13" in result.output and str(tmp_path / "out" / "review.csv") in result.output
    result = CliRunner().invoke(main, [*args, "--threshold", "1.5"], env=env)
    assert result.exit_code == 1 and "reconcile_threshold" in result.output
