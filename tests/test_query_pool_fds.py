"""The query pool answers from a process holding more than 1024 open files (a server over a large store)."""

from __future__ import annotations

import os
import resource

import pytest

from ldpub.query_limits import QueryPool
from ldpub.store import EmbeddedStore, SelectResult


def test_a_worker_is_read_past_descriptor_1024(store: EmbeddedStore) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < 1200:
        if os.environ.get("CI"):
            pytest.fail(f"the hard limit on open files is {hard}: CI must allow 1200")
        pytest.skip(f"the hard limit on open files is {hard}")
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, 1200), hard))
    held = [os.open(os.devnull, os.O_RDONLY) for _ in range(1100)]
    pool = QueryPool(store.store_dir, size=1)
    try:
        result, truncated = pool.run("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", True, 10, 30.0)
        assert isinstance(result, SelectResult) and int(result.rows[0]["n"]) > 0 and not truncated
    finally:
        pool.close()
        for fd in held:
            os.close(fd)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
