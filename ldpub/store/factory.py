"""Choose the store the settings name: the embedded Oxigraph store, or an external SPARQL 1.1 endpoint.

Issue 3, item 8: with ``store_url`` set, ``ldpub serve`` reads from an external SPARQL 1.1 store
(:class:`~ldpub.store.remote.RemoteStore`) and ``ldpub build`` loads into it through ``store_update_url``
(:mod:`ldpub.store.remote_load`); otherwise both use the embedded store in ``store``.
"""

from __future__ import annotations

from collections.abc import Iterable
from types import TracebackType
from typing import Any, Protocol

from ..errors import ConfigError
from ..settings import Settings
from .base import DatasetStore, ReleaseInfo
from .embedded import open_published, stage
from .remote import RemoteStore, release_graph
from .remote_load import stage_remote

HTTP_MARGIN = 5.0
"""Seconds an HTTP call to an external store may take beyond ``sparql_timeout``."""


class StagingArea(Protocol):
    """A release being built (embedded :class:`~ldpub.store.embedded.Staging` or remote staging).

    Leaving the ``with`` block without :meth:`publish` (or by an exception) aborts: the published release
    stays as it was.
    """

    build_id: str

    def __enter__(self) -> StagingArea: ...

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...

    def add_graph(self, graph_iri: str, data: bytes | Iterable[tuple[Any, Any, Any]]) -> None: ...

    def publish(self) -> ReleaseInfo: ...

    def abort(self) -> None: ...


def open_store(settings: Settings) -> DatasetStore:
    """The published dataset, read-only: ``store_url`` when set, else the embedded store in ``store``."""
    if settings.store_url:
        timeout = settings.sparql_timeout + HTTP_MARGIN
        return RemoteStore(
            settings.store_url, release_graph=release_graph(settings.base_uri), timeout=timeout
        )
    return open_published(settings.store)


def stage_for(settings: Settings, build_id: str) -> StagingArea:
    """Start publishing build ``build_id`` where the settings say: an external store or the embedded one."""
    if settings.store_url:
        if not settings.store_update_url:
            raise ConfigError(
                "store_update_url: loading the external store at store_url needs its update URL "
                "(--store-update-url, e.g. http://127.0.0.1:7878/update for `oxigraph serve`)"
            )
        graph = release_graph(settings.base_uri)
        return stage_remote(settings.store_url, settings.store_update_url, graph, build_id)
    return stage(settings.store, build_id, keep_releases=settings.keep_releases)
