"""The web layer: a Flask app factory over a store; one Blueprint per surface.

The web layer never parses sources: it only reads the published dataset through the store interface.
"""

from __future__ import annotations

from flask import Flask

from ..settings import Settings
from ..store import DatasetStore, open_store

EXTENSION_KEY = "ldpub"


class LdpubState:
    """What every request handler needs: the settings and the store (refreshed when a build publishes)."""

    def __init__(self, settings: Settings, store: DatasetStore) -> None:
        self.settings = settings
        self.store = store


def create_app(settings: Settings, store: DatasetStore | None = None) -> Flask:
    """Build the application; ``store`` defaults to the one the settings name (embedded or external)."""
    app = Flask(__name__)
    app.json.sort_keys = False  # type: ignore[attr-defined]
    state = LdpubState(settings, store if store is not None else open_store(settings))
    app.extensions[EXTENSION_KEY] = state

    @app.before_request
    def _refresh() -> None:
        state.store.refresh()

    from .datasets import datasets
    from .errors import register_errors
    from .harvest import harvest
    from .pages import pages
    from .reconcile import reconcile
    from .releases import releases
    from .resources import resources
    from .sparql import sparql

    register_errors(app)
    for blueprint in (pages, resources, sparql, reconcile, harvest, datasets, releases):
        app.register_blueprint(blueprint)
    return app


def state() -> LdpubState:
    """The current app's ldpub state (inside a request)."""
    from flask import current_app

    value: LdpubState = current_app.extensions[EXTENSION_KEY]
    return value
