"""Shared fixtures: paths of the project's data, and one real build of data/ for the whole session."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from ldpub.build import BuildReport, build
from ldpub.settings import Settings, load_settings
from ldpub.store import EmbeddedStore, open_published
from ldpub.web import create_app

from .servers import oxigraph_server

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
SEED_PAGE = DATA / "sources" / "000_020ce75d772fb1c8.txt"
SEED_TRANSCRIPT = DATA / "sources" / "001_2b4c022557e90890.txt"
BASE = "http://localhost:5000"


def project_settings(store: Path, **changes: object) -> Settings:
    """The repository's own ldpub.toml, with the store somewhere private."""
    return load_settings(config=ROOT / "ldpub.toml", environ={}, overrides={"store": store, **changes})


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, BuildReport]:
    """data/ built once into a temporary store (the README's main job, minus serving)."""
    settings = project_settings(tmp_path_factory.mktemp("store"))
    return settings, build(settings)


@pytest.fixture(scope="session")
def store(built: tuple[Settings, BuildReport]) -> Iterator[EmbeddedStore]:
    with open_published(built[0].store) as opened:
        yield opened


@pytest.fixture(scope="module")
def app(built: tuple[Settings, BuildReport], store: EmbeddedStore) -> Flask:
    """The web application over the session's build."""
    return create_app(built[0], store)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture(scope="module")
def remote_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FlaskClient]:
    """data/ built into a real `oxigraph serve` process, and the app reading from it over SPARQL."""
    with oxigraph_server(tmp_path_factory.mktemp("oxigraph")) as url:
        settings = project_settings(
            tmp_path_factory.mktemp("unused-store"),
            store_url=f"{url}/query",
            store_update_url=f"{url}/update",
        )
        build(settings)
        yield create_app(settings).test_client()


# A structured record with a date and a text but no title: it must fail the documents shape.
UNTITLED_RECORD = {
    "date": "April 1976",
    "text": "A record with a date and a text but no title.",
    "citation": "X 1, 2.",
}
