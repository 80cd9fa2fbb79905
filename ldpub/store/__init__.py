"""Storage of the published dataset behind one small interface (:class:`DatasetStore`).

Only this package imports pyoxigraph. Build with :func:`stage`, serve with :func:`open_published`;
:func:`open_store` and :func:`stage_for` choose the embedded store or an external SPARQL 1.1 store.
"""

from .base import EXPORT_FORMATS, DatasetStore, QueryResult, ReleaseInfo, SelectResult, Term, refuse_service
from .embedded import EmbeddedStore, Staging, new_build_id, open_published, stage
from .factory import StagingArea, open_store, stage_for
from .remote import RemoteStore
from .remote_load import RemoteStaging, stage_remote

__all__ = [
    "EXPORT_FORMATS",
    "DatasetStore",
    "EmbeddedStore",
    "QueryResult",
    "ReleaseInfo",
    "RemoteStaging",
    "RemoteStore",
    "SelectResult",
    "Staging",
    "StagingArea",
    "Term",
    "new_build_id",
    "open_published",
    "open_store",
    "refuse_service",
    "stage",
    "stage_for",
    "stage_remote",
]
