"""Storage of the published dataset behind one small interface (:class:`DatasetStore`).

Only this package imports pyoxigraph. Build with :func:`stage`, serve with :func:`open_published`.
"""

from .base import EXPORT_FORMATS, DatasetStore, QueryResult, ReleaseInfo, SelectResult, Term, refuse_service
from .embedded import EmbeddedStore, Staging, new_build_id, open_published, stage
from .factory import open_store

__all__ = [
    "EXPORT_FORMATS",
    "DatasetStore",
    "EmbeddedStore",
    "QueryResult",
    "ReleaseInfo",
    "SelectResult",
    "Staging",
    "Term",
    "new_build_id",
    "open_published",
    "open_store",
    "refuse_service",
    "stage",
]
