"""``ldpub serve``: the Flask app under granian, a production WSGI server (Rust, multi-process).

granian imports the application in each worker process by name (:func:`app_factory`), so the settings
cross the process boundary the one allowed way: :func:`run_server` writes them as JSON to the
environment variable :data:`SETTINGS_ENV`, and each worker rebuilds the same :class:`Settings` from it.
Why granian: on 2 cores it answers cached descriptions about three times faster than gunicorn's sync
workers (shared/BASELINES.md).
"""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path
from typing import Any

from flask import Flask

from .errors import ConfigError
from .settings import FIELDS, RightsRule, Settings

SETTINGS_ENV = "_LDPUB_SERVE_SETTINGS"
"""Carries the settings to granian's workers. Not ``LDPUB_*``: that prefix is read as settings."""

APP_FACTORY = "ldpub.serve:app_factory"
THREADS = 32
"""Threads running the app in each worker: a slow SPARQL query (up to its time limit) holds one while
the others keep answering. granian's default (256 per worker) only costs memory on 2 cores."""
BACKPRESSURE = 2 * THREADS
"""Requests one worker takes at once; more wait in the listen backlog."""


def settings_to_json(settings: Settings) -> str:
    """The settings as JSON (paths as text, tuples as lists)."""
    return json.dumps(dataclasses.asdict(settings), default=str)


def settings_from_json(text: str) -> Settings:
    """The settings :func:`settings_to_json` wrote.

    >>> from ldpub.settings import load_settings
    >>> s = load_settings(environ={"LDPUB_STORE": "/tmp/s", "LDPUB_SPARQL_SERVICE_ALLOW": "http://a,http://b"})
    >>> s = s.replace(rights_rules=(RightsRule("reuse", "http://r/"),))
    >>> settings_from_json(settings_to_json(s)) == s
    True
    """
    try:
        record: dict[str, Any] = json.loads(text)
        values: dict[str, Any] = {}
        for name, value in record.items():
            kind = FIELDS[name].type
            if kind == "Path":
                value = Path(value)
            elif kind == "tuple[RightsRule, ...]":
                value = tuple(RightsRule(**rule) for rule in value)
            elif kind.startswith("tuple"):
                value = tuple(value)
            values[name] = value
        return Settings(**values)
    except (ValueError, KeyError, TypeError) as exc:
        raise ConfigError(f"{SETTINGS_ENV} does not hold ldpub settings: {exc}") from exc


def app_factory() -> Flask:
    """The application of one granian worker, built from the settings :func:`run_server` passed on."""
    from .web import create_app

    text = os.environ.get(SETTINGS_ENV)
    if text is None:
        raise ConfigError(f"{SETTINGS_ENV} is not set: start the server with `ldpub serve`")
    return create_app(settings_from_json(text))


def display_url(settings: Settings) -> str:
    """The URL to open in a browser (a wildcard address is shown as localhost).

    >>> from ldpub.settings import Settings
    >>> display_url(Settings(host="0.0.0.0", port=8080))
    'http://localhost:8080/'
    >>> display_url(Settings(host="::1"))
    'http://[::1]:5000/'
    """
    host = "localhost" if settings.host in ("0.0.0.0", "::", "") else settings.host
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{settings.port}/"


def run_server(settings: Settings) -> None:
    """Serve the published dataset with granian (WSGI, ``settings.workers`` processes) until stopped.

    The store is opened once first, so a missing or unreadable store is a clear error (StoreError)
    before any worker starts.
    """
    from granian import Granian
    from granian.constants import Interfaces

    from .store import open_store
    from .web.limits import client_limit_path

    probe = open_store(settings)
    try:
        release = probe.release_info()
    finally:
        probe.close()
    os.environ[SETTINGS_ENV] = settings_to_json(settings)
    url = display_url(settings)
    serving = f"release {release.build_id}" if release is not None else settings.store_url
    print(f"ldpub: serving {serving} on {url} (open it in a browser; SPARQL at {url}sparql)", flush=True)
    print(
        f"ldpub: resources are named {settings.base_uri}/id/... and described at {url}doc/...; Ctrl+C stops",
        flush=True,
    )
    server = Granian(
        APP_FACTORY,
        address=settings.host,
        port=settings.port,
        interface=Interfaces.WSGI,
        workers=settings.workers,
        factory=True,
        blocking_threads=THREADS,
        backpressure=BACKPRESSURE,
        log_access=False,
    )
    try:
        server.serve()
    finally:
        # the per-client SPARQL limit's lock file holds no state once the workers are gone
        client_limit_path(settings).unlink(missing_ok=True)
