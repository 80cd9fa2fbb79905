"""Reconciliation over the published dataset (W3C Reconciliation Service API 0.2, what OpenRefine speaks).

:mod:`.text` normalises names, :mod:`.index` builds the per-release index from the store, :mod:`.properties`
declares the properties used in query conditions and data extension, :mod:`.matching` scores candidates,
and :mod:`.service` answers the protocol's requests as plain data; :mod:`ldpub.web.reconcile` serves them.
"""

from .index import IndexCache, ReconIndex, build_index, index_for

__all__ = ["IndexCache", "ReconIndex", "build_index", "index_for"]
