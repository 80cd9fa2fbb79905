"""The change history across builds, the /activity/ feed and 410 Gone (issue 5, item 5).

One private store goes through five builds of copies of data/ plus a second document (the seed page with
its reference changed to 118-01025-99):

1. the seed page, its transcript and the second document;
2. a word of the seed page's summary changed → Update of the telegram, nothing else of the other document;
3. the second document's capture removed → Delete of that document (no successor): 410;
4. it is added again → Create again: no longer gone;
5. its reference changed to the telegram's → merged into the telegram: Delete with the telegram as successor.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from ldpub.build import BuildReport, build
from ldpub.history import Change, changes, deleted, history_root, record_history
from ldpub.settings import Settings
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

    def of_build(self, n: int) -> list[Change]:
        """The changes recorded by build ``n`` (1-based)."""
        build_id = self.reports[n - 1].release.build_id
        return [c for c in changes(self.settings) if c.build_id == build_id]


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
    # a build killed after writing the log but before the state: the forged line must not survive
    with (history_root(settings) / "changes.jsonl").open("a", encoding="utf-8") as log:
        log.write(FORGED + "\n")
    (sources / SEED_PAGE.name).write_text(page.replace(SUMMARY_OLD, SUMMARY_NEW), encoding="utf-8")
    line.reports.append(build(settings))
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
    from ldpub.dumps import dumps_for

    manifest = dumps_for(timeline.settings)
    assert manifest is not None
    before = len(changes(timeline.settings))
    assert record_history(timeline.settings, timeline.reports[-1].release, manifest) == []
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
