"""Descriptions replayed without Flask (ldpub.web.replay): the same request in the same release gets the
very answer it got before; anything else (another format, host or page, a conditional request, an error,
a new release) is answered by the application as before."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from werkzeug.test import TestResponse

from ldpub.build import BuildReport, build
from ldpub.settings import Settings
from ldpub.store import EmbeddedStore, open_published
from ldpub.web import REPLAY_KEY, create_app
from ldpub.web.replay import Replay

from .conftest import project_settings

SLUG = "prc-fma-118-01025-02"
DOC = f"/doc/document/{SLUG}"
TURTLE = {"Accept": "text/turtle"}


def _replay(app: Flask) -> Replay:
    replay = app.extensions[REPLAY_KEY]
    assert isinstance(replay, Replay)
    return replay


@pytest.fixture
def fresh(built: tuple[Settings, BuildReport], store: EmbeddedStore) -> Flask:
    """An application of its own, so that no other test's requests are in its replay layer."""
    return create_app(built[0], store)


def _headers(response: TestResponse) -> list[tuple[str, str]]:
    return [(k, v) for k, v in response.headers.items() if k != "X-Request-ID"]


def test_the_same_request_again_gets_the_same_answer_without_the_application(
    built: tuple[Settings, BuildReport], store: EmbeddedStore
) -> None:
    app = create_app(built[0], store)
    calls: list[int] = []
    app.before_request(lambda: calls.append(1))  # runs only when Flask handles the request
    client = app.test_client()
    first = client.get(DOC, headers=TURTLE)
    assert first.status_code == 200 and _replay(app).hits == 0 and calls == [1]
    second = client.get(DOC, headers=TURTLE)
    assert _replay(app).hits == 1 and calls == [1]
    assert second.status_code == 200
    assert second.data == first.data
    assert _headers(second) == _headers(first)
    assert second.headers["X-Request-ID"] != first.headers["X-Request-ID"], "each request keeps its own id"


def test_another_format_host_or_page_is_not_answered_with_a_kept_answer(fresh: Flask) -> None:
    app, client = fresh, fresh.test_client()
    turtle = client.get(DOC, headers=TURTLE)
    jsonld = client.get(DOC, headers={"Accept": "application/ld+json"})
    assert jsonld.headers["Content-Type"] == "application/ld+json" and jsonld.data != turtle.data
    elsewhere = client.get(DOC, headers=TURTLE, base_url="http://mirror.example.org")
    assert "http://mirror.example.org/doc/" in elsewhere.headers["Link"]
    assert "http://mirror.example.org/doc/" not in turtle.headers["Link"]
    by_suffix = client.get(f"{DOC}.ttl")
    assert by_suffix.status_code == 200 and "Content-Location" not in by_suffix.headers
    assert turtle.headers["Content-Location"] == f"{DOC}.ttl"
    assert _replay(app).hits == 0


def test_conditional_requests_errors_and_head_are_left_to_the_application(fresh: Flask) -> None:
    app, client = fresh, fresh.test_client()
    first = client.get(DOC, headers=TURTLE)
    again = client.get(DOC, headers={**TURTLE, "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    head = client.head(DOC, headers=TURTLE)
    assert head.status_code == 200 and head.data == b""
    for _ in range(2):
        missing = client.get("/doc/person/nobody-of-that-name", headers=TURTLE)
        assert missing.status_code == 404
    assert _replay(app).hits == 0


def test_a_new_release_is_never_answered_from_the_old_one(tmp_path: Path) -> None:
    settings = project_settings(tmp_path / "store")
    build(settings)
    with open_published(settings.store) as store:
        app = create_app(settings, store)
        client = app.test_client()
        first = client.get(DOC, headers=TURTLE)
        assert client.get(DOC, headers=TURTLE).headers["ETag"] == first.headers["ETag"]
        assert _replay(app).hits == 1
        build(settings)  # the same inputs, a new release
        second = client.get(DOC, headers=TURTLE)
        assert second.status_code == 200
        assert second.headers["ETag"] != first.headers["ETag"]
        assert store.release_info().build_id in second.headers["ETag"]
        assert _replay(app).hits == 1, "the first request of the new release went to the application"


def test_kept_answers_stay_within_their_budget(
    built: tuple[Settings, BuildReport], store: EmbeddedStore
) -> None:
    budget = 40_000
    app = create_app(built[0].replace(representation_cache_bytes=budget), store)
    client = app.test_client()
    paths = [DOC, "/doc/person/pak-seong-cheol", "/doc/group/prc-ministry-of-foreign-affairs"]
    for path in paths:
        for accept in ("text/turtle", "application/ld+json", "application/n-quads", "text/html"):
            assert client.get(path, headers={"Accept": accept}).status_code in (200, 404)
            assert _replay(app).size <= budget
    assert _replay(app).size > 0
