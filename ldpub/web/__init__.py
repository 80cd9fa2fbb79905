"""The web layer: a Flask app factory over a store; one Blueprint per surface.

The web layer never parses sources: it only reads the published dataset through the store interface.
Every surface is read-only. Around the blueprints (issue 7): request size limits, 413/414
(:mod:`ldpub.web.limits`); a structured access log with request ids (:mod:`ldpub.web.logging`); and, only
when the ``trusted_proxies`` setting says a reverse proxy is in front, werkzeug's ``ProxyFix`` so that
``X-Forwarded-For/-Proto/-Host/-Prefix`` set the client address, scheme, host and prefix.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, g, has_request_context
from werkzeug.middleware.proxy_fix import ProxyFix

from ..settings import Settings
from ..store import DatasetStore, open_store
from .replay import Replay

EXTENSION_KEY = "ldpub"
ACCESS_LOG_KEY = "ldpub.access_log"
REPLAY_KEY = "ldpub.replay"


class LdpubState:
    """What every request handler needs: the settings and the store.

    The app holds one whose store follows the published release; each request gets its own whose store
    is a :meth:`~ldpub.store.DatasetStore.snapshot` of that release.
    """

    def __init__(self, settings: Settings, store: DatasetStore) -> None:
        self.settings = settings
        self.store = store


def create_app(settings: Settings, store: DatasetStore | None = None) -> Flask:
    """Build the application; ``store`` defaults to the one the settings name (embedded or external)."""
    app = Flask(__name__)
    app.json.sort_keys = False  # type: ignore[attr-defined]
    state = LdpubState(settings, store if store is not None else open_store(settings))
    app.extensions[EXTENSION_KEY] = state

    from .limits import install_limits
    from .logging import AccessLog, open_sink

    install_limits(app, settings)  # first: an oversized request touches nothing else

    @app.before_request
    def _pin_release() -> None:
        # One release per request: every query of this request reads the release its ETag names,
        # even when a build publishes meanwhile (issue 7, "rebuild while serving").
        state.store.refresh()
        g.ldpub_state = LdpubState(settings, state.store.snapshot())

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
    # innermost: answers already given in this release are sent again without Flask (ldpub.web.replay)
    replay = Replay(app.wsgi_app, state.store, settings.representation_cache_bytes)
    app.extensions[REPLAY_KEY] = replay
    wsgi: Any = replay
    if settings.trusted_proxies:
        n = settings.trusted_proxies
        wsgi = ProxyFix(wsgi, x_for=n, x_proto=n, x_host=n, x_port=n, x_prefix=n)
    access_log = AccessLog(wsgi, open_sink(settings.access_log))
    app.extensions[ACCESS_LOG_KEY] = access_log
    app.wsgi_app = access_log  # type: ignore[method-assign]
    return app


def state() -> LdpubState:
    """The ldpub state of the current request (its store pinned to one release), else of the app."""
    from flask import current_app

    if has_request_context():
        pinned: LdpubState | None = g.get("ldpub_state")
        if pinned is not None:
            return pinned
    value: LdpubState = current_app.extensions[EXTENSION_KEY]
    return value
