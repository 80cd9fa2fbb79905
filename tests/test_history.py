"""The change history across builds, the /activity/ feed and 410 Gone (issue 5, item 5).

One private store goes through five builds of copies of data/ plus a second document (the seed page with
its reference changed to 118-01025-99):

1. the seed page, its transcript and the second document;
2. a word of the seed page's summary changed → Update of the telegram, nothing else of the other document;
3. the second document's capture removed → Delete of that document (no successor): 410;
4. it is added again → Create again: no longer gone;
5. its reference changed to the telegram's → merged into the telegram: Delete with the telegram as successor.

Between builds 1 and 2 the state is turned back into an earlier version's ``state.json`` (build 2 migrates
it) and a line is appended to the log as a build killed before committing its state would leave it;
between builds 2 and 3 such a line is appended again, to the new state's log. Neither ever shows.
"""

from __future__ import annotations

import io
import json
import shutil
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from ldpub.build import BuildReport, build
from ldpub.dumps import dumps_for
from ldpub.errors import StoreError
from ldpub.history import (
    Change,
    changes,
    count,
    deleted,
    history_root,
    read_release,
    record_history,
    record_release,
)
from ldpub.history import page as log_page
from ldpub.settings import Settings
from ldpub.store import ReleaseInfo
from ldpub.web import create_app

from .conftest import BASE, SEED_PAGE, SEED_TRANSCRIPT, project_settings

TELEGRAM = f"{BASE}/id/document/prc-fma-118-01025-02"
OTHER = f"{BASE}/id/document/prc-fma-118-01025-99"
OTHER_FILE = "other.txt"
SUMMARY_OLD = "are the reasons underlying illegal border crossings"
SUMMARY_NEW = "are the causes underlying illegal border crossings"
FORGED = '{"iri": "http://localhost:5000/id/forged", "kind": "create", "build_id": "x", "time": "2026-01-01T00:00:00+00:00"}'


@dataclass
class Timeline:
    settings: Settings
    reports: list[BuildReport] = field(default_factory=list)
    answers: dict[str, TestResponse] = field(default_factory=dict)
    """Answers recorded between builds, by a name saying when and what."""
    legacy: dict[str, object] = field(default_factory=dict)
    """The earlier version's state.json written after build 1."""
    legacy_count: int = 0
    """How many changes the readers saw with only that state.json."""
    migrated: list[str] = field(default_factory=list)
    """The history folder after build 2."""
    counted: tuple[int, int, int] = (0, 0, 0)
    """count(), len(changes()) and the feed's totalItems with a forged line after build 2's state."""

    def of_build(self, n: int) -> list[Change]:
        """The changes recorded by build ``n`` (1-based)."""
        build_id = self.reports[n - 1].release.build_id
        return [c for c in changes(self.settings) if c.build_id == build_id]


def _as_earlier_version(root: Path) -> dict[str, object]:
    """Replace ``state.sqlite`` by the ``state.json`` an earlier ldpub wrote (the same hashes and sources)."""
    db = sqlite3.connect(root / "state.sqlite")
    meta = dict(db.execute("SELECT key, value FROM meta"))
    sources: dict[str, list[str]] = {}
    for doc, key in db.execute("SELECT doc, key FROM sources ORDER BY doc, key"):
        sources.setdefault(doc, []).append(key)
    record = {
        "build_id": meta["build_id"],
        "log_lines": int(meta["log_lines"]),
        "hashes": {iri: digest.hex() for iri, digest in db.execute("SELECT iri, hash FROM hashes")},
        "sources": sources,
    }
    db.close()
    (root / "state.json").write_text(json.dumps(record), encoding="utf-8")
    (root / "state.sqlite").unlink()
    return record


def _forge(settings: Settings) -> None:
    with (history_root(settings) / "changes.jsonl").open("a", encoding="utf-8") as log:
        log.write(FORGED + "\n")


def _fetch(client: FlaskClient, url: str) -> TestResponse:
    with client.get(url) as response:
        response.get_data()
    return response


@pytest.fixture(scope="module")
def timeline(tmp_path_factory: pytest.TempPathFactory) -> Timeline:
    sources = tmp_path_factory.mktemp("sources")
    page = SEED_PAGE.read_text(encoding="utf-8")
    assert SUMMARY_OLD in page
    shutil.copy(SEED_PAGE, sources / SEED_PAGE.name)
    shutil.copy(SEED_TRANSCRIPT, sources / SEED_TRANSCRIPT.name)
    other = sources / OTHER_FILE
    other.write_text(page.replace("118-01025-02", "118-01025-99"), encoding="utf-8")
    settings = project_settings(tmp_path_factory.mktemp("store"), sources=sources)
    line = Timeline(settings)
    line.reports.append(build(settings))
    client = create_app(settings).test_client()
    line.answers["activity-1"] = _fetch(client, "/activity/")
    line.legacy = _as_earlier_version(history_root(settings))
    line.legacy_count = count(settings)
    # a build killed after writing the log but before the state: the forged line must not survive
    _forge(settings)
    (sources / SEED_PAGE.name).write_text(page.replace(SUMMARY_OLD, SUMMARY_NEW), encoding="utf-8")
    line.reports.append(build(settings))
    line.migrated = sorted(p.name for p in history_root(settings).iterdir())
    _forge(settings)
    line.counted = (
        count(settings),
        len(changes(settings)),
        _fetch(client, "/activity/").get_json()["totalItems"],
    )
    other.rename(sources.parent / f"{sources.name}-{OTHER_FILE}")
    line.reports.append(build(settings))
    line.answers["removed-id"] = _fetch(client, "/id/document/prc-fma-118-01025-99")
    line.answers["removed-doc"] = _fetch(client, "/doc/document/prc-fma-118-01025-99.ttl")
    line.answers["removed-part"] = _fetch(client, "/id/document/prc-fma-118-01025-99/en")
    line.answers["activity-3"] = _fetch(client, "/activity/")
    (sources.parent / f"{sources.name}-{OTHER_FILE}").rename(other)
    line.reports.append(build(settings))
    line.answers["back-id"] = _fetch(client, "/id/document/prc-fma-118-01025-99")
    other.write_text(page, encoding="utf-8")
    line.reports.append(build(settings))
    return line


def test_first_build_creates_every_resource(timeline: Timeline) -> None:
    first = timeline.of_build(1)
    assert {c.kind for c in first} == {"create"}
    iris = {c.iri for c in first}
    assert {TELEGRAM, OTHER, f"{TELEGRAM}/en", f"{BASE}/id/person/pak-seong-cheol"} <= iris
    assert not any("/id/build/" in iri for iri in iris)
    assert all(c.time == timeline.reports[0].release.created for c in first)


def test_a_changed_summary_is_an_update_of_that_document_only(timeline: Timeline) -> None:
    second = timeline.of_build(2)
    assert {c.kind for c in second} == {"update"}
    updated = {c.iri for c in second}
    assert TELEGRAM in updated
    assert f"{TELEGRAM}/summary" in updated
    assert not any(iri.startswith(OTHER) for iri in updated)
    assert not any("forged" in c.iri for c in changes(timeline.settings))
    assert b"forged" not in (history_root(timeline.settings) / "changes.jsonl").read_bytes()


def test_an_earlier_versions_state_is_migrated_without_spurious_changes(timeline: Timeline) -> None:
    # build 2 read the state.json of an earlier ldpub: only the summary's update, no create of what existed
    assert len(timeline.legacy["hashes"]) == len(timeline.of_build(1))  # type: ignore[arg-type]
    assert timeline.legacy_count == len(timeline.of_build(1))  # readers read the old log meanwhile
    assert timeline.migrated == [".lock", "changes.jsonl", "state.sqlite"]
    assert len(timeline.of_build(2)) < 10


def test_readers_never_see_lines_a_killed_build_appended(timeline: Timeline) -> None:
    before = len(timeline.of_build(1)) + len(timeline.of_build(2))
    assert timeline.counted == (before, before, before)


def test_pages_of_the_log_are_slices_of_the_whole(timeline: Timeline) -> None:
    everything = changes(timeline.settings)
    assert count(timeline.settings) == len(everything) > 300
    for start, size in [(0, 1), (0, 300), (255, 2), (256, 1), (17, 256), (len(everything) - 3, 10)]:
        assert log_page(timeline.settings, start, size) == everything[start : start + size], (start, size)
    assert log_page(timeline.settings, len(everything), 5) == []


def test_a_removed_capture_deletes_its_document(timeline: Timeline) -> None:
    third = timeline.of_build(3)
    gone = {c.iri: c for c in third if c.kind == "delete"}
    assert OTHER in gone and f"{OTHER}/en" in gone
    assert gone[OTHER].successor is None
    assert all(iri.startswith((OTHER, f"{BASE}/id/")) for iri in gone)
    assert TELEGRAM not in gone
    assert not [c for c in third if c.kind == "create"]


def test_a_removed_resource_answers_410_and_comes_back_when_rebuilt(timeline: Timeline) -> None:
    for name in ("removed-id", "removed-doc", "removed-part"):
        answer = timeline.answers[name]
        assert answer.status_code == 410, name
        assert "successor-version" not in answer.headers.get("Link", "")
    assert "prc-fma-118-01025-99" in timeline.answers["removed-id"].get_json()["detail"]
    assert timeline.answers["back-id"].status_code == 303
    fourth = timeline.of_build(4)
    assert Change(OTHER, "create", fourth[0].build_id, fourth[0].time) in fourth


def test_a_merged_document_links_its_successor(timeline: Timeline) -> None:
    fifth = {c.iri: c for c in timeline.of_build(5)}
    assert fifth[OTHER].kind == "delete"
    assert fifth[OTHER].successor == TELEGRAM
    assert fifth[f"{OTHER}/en"].successor == f"{TELEGRAM}/en"
    assert fifth[TELEGRAM].kind == "update"  # it has one more source now
    assert deleted(timeline.settings)[OTHER] == fifth[OTHER]
    client = create_app(timeline.settings).test_client()
    for url in ("/id/document/prc-fma-118-01025-99", "/doc/document/prc-fma-118-01025-99"):
        answer = _fetch(client, url)
        assert answer.status_code == 410, url
        assert answer.headers["Link"] == f'<{TELEGRAM}>; rel="successor-version"'
    assert _fetch(client, "/id/document/prc-fma-118-01025-99/en").headers["Link"] == (
        f'<{TELEGRAM}/en>; rel="successor-version"'
    )
    assert _fetch(client, "/id/document/prc-fma-118-01025-02").status_code == 303
    assert _fetch(client, "/id/document/never-existed").status_code == 303
    assert _fetch(client, "/doc/document/never-existed").status_code == 404


def test_recording_a_release_twice_adds_nothing(timeline: Timeline) -> None:
    manifest = dumps_for(timeline.settings)
    assert manifest is not None
    before = len(changes(timeline.settings))
    assert record_history(timeline.settings, timeline.reports[-1].release, manifest).total == 0
    again, recorded = record_release(timeline.settings, timeline.reports[-1].release)
    assert again == manifest and recorded.total == 0
    assert len(changes(timeline.settings)) == before


def _walk(client: FlaskClient, start: str, step: str) -> list[dict[str, object]]:
    pages, url = [], start
    while url:
        answer = _fetch(client, url.removeprefix("http://localhost"))
        assert answer.status_code == 200
        assert answer.content_type == 'application/ld+json;profile="https://www.w3.org/ns/activitystreams"'
        record = answer.get_json()
        pages.append(record)
        url = record.get(step, {}).get("id")
    return pages


def test_the_activity_feed_pages_through_every_change_in_order(timeline: Timeline) -> None:
    app = create_app(timeline.settings.replace(activity_page_size=97))
    client = app.test_client()
    collection = _fetch(client, "/activity/").get_json()
    everything = changes(timeline.settings)
    assert collection["type"] == "OrderedCollection"
    assert collection["totalItems"] == len(everything)
    assert collection["@context"] == "http://iiif.io/api/discovery/1/context.json"
    forward = _walk(client, collection["first"]["id"], "next")
    backward = _walk(client, collection["last"]["id"], "prev")
    assert len(forward) == (len(everything) + 96) // 97
    assert [p["id"] for p in forward] == [p["id"] for p in reversed(backward)]
    for n, page in enumerate(forward):
        assert page["type"] == "OrderedCollectionPage"
        assert page["partOf"]["id"] == collection["id"]
        assert page["startIndex"] == 97 * n
        assert 1 <= len(page["orderedItems"]) <= 97
    items = [item for page in forward for item in page["orderedItems"]]
    names = {"create": "Create", "update": "Update", "delete": "Delete"}
    assert [(i["type"], i["object"]["id"]) for i in items] == [(names[c.kind], c.iri) for c in everything]
    times = [i["endTime"] for i in items]
    assert times == sorted(times)  # newest last
    merged = [i for i in items if i["type"] == "Delete" and i["object"]["id"] == OTHER]
    assert [m["object"]["type"] for m in merged] == ["Document", "Document"]
    assert "target" not in merged[0]  # removed in build 3
    merged = merged[1]  # merged in build 5
    assert merged["target"]["id"] == TELEGRAM
    person = next(i for i in items if i["object"]["id"] == f"{BASE}/id/person/pak-seong-cheol")
    assert person["object"]["type"] == "Person"


def test_the_feed_etag_changes_with_the_build(timeline: Timeline) -> None:
    client = create_app(timeline.settings).test_client()
    now = _fetch(client, "/activity/")
    first, third = timeline.answers["activity-1"], timeline.answers["activity-3"]
    assert len({first.headers["ETag"], third.headers["ETag"], now.headers["ETag"]}) == 3
    assert first.get_json()["totalItems"] < third.get_json()["totalItems"] < now.get_json()["totalItems"]
    assert _fetch(client, "/activity/").status_code == 200
    revalidated = client.get("/activity/", headers={"If-None-Match": now.headers["ETag"]})
    assert revalidated.status_code == 304


@pytest.mark.parametrize(
    ("page", "status"),
    [("-1", 400), ("abc", 400), ("1e3", 400), ("99999", 404), ("9" * 5000, 404), ("%00", 400)],
)
def test_bad_page_numbers_are_client_errors(timeline: Timeline, page: str, status: int) -> None:
    answer = _fetch(create_app(timeline.settings).test_client(), f"/activity/page/{page}")
    assert answer.status_code == status
    assert json.loads(answer.data)["status"] == status


def test_no_history_means_an_empty_feed_and_nothing_gone(tmp_path: Path) -> None:
    settings = project_settings(tmp_path / "none")
    assert changes(settings) == [] and deleted(settings) == {}


# --- the successor rule and a cut stream, on N-Quads written by hand ---------------------------------

PROV = "<http://www.w3.org/ns/prov#wasDerivedFrom>"
IDENTIFIER = "<http://purl.org/dc/terms/identifier>"


def _nquads(documents: dict[str, list[str]], resources: list[str], shas: dict[str, str]) -> bytes:
    """Documents (slug → source names) with a title, resources (``kind/name``, in the graph of the
    document with the longest slug they contain) and sources' checksums, as N-Quads."""
    lines = []
    for slug, names in documents.items():
        graph = f"<{BASE}/graph/document/{slug}>"
        lines.append(f'<{BASE}/id/document/{slug}> <http://x/title> "{slug}" {graph} .')
        lines += [f"{graph} {PROV} <{BASE}/id/source/{name}> <{BASE}/graph/build> ." for name in names]
    for resource in resources:
        slug = next(s for s in sorted(documents, key=len, reverse=True) if s in resource)
        lines.append(f'<{BASE}/id/{resource}> <http://x/p> "v" <{BASE}/graph/document/{slug}> .')
    for name, sha in shas.items():
        lines.append(f'<{BASE}/id/source/{name}> {IDENTIFIER} "sha256:{sha}" <{BASE}/graph/build> .')
    return "".join(line + "\n" for line in lines).encode()


def _release(n: int) -> ReleaseInfo:
    return ReleaseInfo(f"2026010{n}T000000Z-00000{n}", datetime(2026, 1, n, tzinfo=UTC), 1, 1, "0")


def test_successor_rule_most_shared_sources_then_smallest_iri_then_shortest_slug(tmp_path: Path) -> None:
    settings = project_settings(tmp_path / "store")
    before = _nquads(
        {"a": ["s1"], "a-b": ["s2"], "d": ["s4", "s5"], "g": ["s6"], "j": ["s7"], "c": ["s3"]},
        ["annotation/a-1", "annotation/a-b-1", "place/a/en", "annotation/d-1"],
        {"s7": "abc"},
    )
    after = _nquads(
        {"c": ["s1", "s2", "s3"], "e": ["s4"], "f": ["s4", "s5"], "i": ["s6"], "h": ["s6"], "k": ["s8"]},
        ["annotation/c-1", "annotation/c", "place/c/en"],
        {"s8": "abc"},
    )
    assert read_release(settings, _release(1), io.BytesIO(before)).created > 0
    recorded = read_release(settings, _release(2), io.BytesIO(after))
    found = {c.iri: c for c in changes(settings) if c.build_id == _release(2).build_id}
    assert recorded.deleted == len([c for c in found.values() if c.kind == "delete"])
    doc = f"{BASE}/id/document"

    def successor(resource: str) -> str | None:
        return found[f"{BASE}/id/{resource}"].successor

    assert successor("document/a") == successor("document/a-b") == f"{doc}/c"  # sharing s1 / s2
    assert successor("document/d") == f"{doc}/f"  # f shares two sources, e one
    assert successor("document/g") == f"{doc}/h"  # h and i share one each: the smaller IRI
    assert successor("document/j") == f"{doc}/k"  # the same content under another source IRI
    assert successor("annotation/a-1") == f"{BASE}/id/annotation/c-1"  # the same IRI with the new slug
    assert successor("place/a/en") == f"{BASE}/id/place/c/en"
    assert successor("annotation/a-b-1") == f"{doc}/c"  # slug "a" (shortest) → annotation/c-b-1: none
    assert found[f"{doc}/c"].kind == "update"  # it has more sources
    assert deleted(settings)[f"{doc}/d"].successor == f"{doc}/f"


def _cut(data: bytes) -> Iterator[bytes]:
    yield from data.splitlines(keepends=True)[:3]
    raise StoreError("the N-Quads export stopped before its end")


def test_a_stream_that_stops_short_records_nothing(tmp_path: Path) -> None:
    settings = project_settings(tmp_path / "store")
    data = _nquads({"a": ["s1"], "b": ["s2"]}, ["annotation/a-1", "annotation/b-1"], {})
    first = read_release(settings, _release(1), io.BytesIO(data))
    root = history_root(settings)
    log, state = (root / "changes.jsonl").read_bytes(), (root / "state.sqlite").read_bytes()
    with pytest.raises(StoreError, match="change history was not recorded: the N-Quads export stopped"):
        read_release(settings, _release(2), _cut(data))  # type: ignore[arg-type]
    assert (root / "changes.jsonl").read_bytes() == log
    assert (root / "state.sqlite").read_bytes() == state
    assert sorted(p.name for p in root.iterdir()) == [".lock", "changes.jsonl", "state.sqlite"]
    assert count(settings) == first.total == 4  # two documents and their annotations
    assert read_release(settings, _release(2), io.BytesIO(data)).total == 0  # nothing changed after all


def test_a_malformed_earlier_state_is_a_clear_error(tmp_path: Path) -> None:
    settings = project_settings(tmp_path / "store")
    root = history_root(settings)
    root.mkdir(parents=True)
    (root / "state.json").write_text('{"build_id": "x"}', encoding="utf-8")
    with pytest.raises(StoreError, match=r"state\.json is not the change-history state of an earlier ldpub"):
        read_release(settings, _release(1), io.BytesIO(_nquads({"a": ["s1"]}, [], {})))


def test_a_log_cut_behind_the_states_back_is_a_clear_error(tmp_path: Path) -> None:
    settings = project_settings(tmp_path / "store")
    data = _nquads({"a": ["s1"]}, ["annotation/a-1"], {})
    read_release(settings, _release(1), io.BytesIO(data))
    (history_root(settings) / "changes.jsonl").write_bytes(b"")
    with pytest.raises(StoreError, match=r"changes\.jsonl holds 0 bytes but the recorded history accounts"):
        read_release(settings, _release(2), io.BytesIO(data))
