"""Choose the store the settings name: the embedded Oxigraph store, or an external SPARQL 1.1 endpoint."""

from __future__ import annotations

from ..errors import ConfigError
from ..settings import Settings
from .base import DatasetStore
from .embedded import open_published


def open_store(settings: Settings) -> DatasetStore:
    """The published dataset, read-only: ``store_url`` when set, else the embedded store in ``store``."""
    if settings.store_url:
        raise ConfigError("store_url: external SPARQL stores are not supported by this version")
    return open_published(settings.store)
