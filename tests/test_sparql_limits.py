"""The per-client SPARQL limit (issue 7): slots shared by every worker process of one server, freed when a
query ends or its process dies; the 429 answer names the limit and the setting. And the memory bound of
the query processes: a query past it is stopped (503 naming the setting), a bloated process replaced.

The real-server checks (a slow client does not hold up another one; answers' ETags name the release they
were read from) are in tests/test_reliability.py.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from ldpub.build import BuildReport
from ldpub.query_limits import QueryPool, QueryTooLarge
from ldpub.settings import Settings
from ldpub.store import EmbeddedStore, SelectResult
from ldpub.web import create_app
from ldpub.web.limits import ClientLimit, TooManyQueries, client_key, client_limit

HOLDER = """
import sys, time
from pathlib import Path
from ldpub.web.limits import ClientLimit
limit = ClientLimit(int(sys.argv[2]), Path(sys.argv[1]))
held = [limit.acquire(sys.argv[3]) for _ in range(int(sys.argv[4]))]
print("held" if all(h is not None for h in held) else "refused", flush=True)
sys.stdin.readline()  # hold the slots until told (or killed)
"""


def _holder(path: Path, limit: int, client: str, slots: int) -> subprocess.Popen[str]:
    """Another process (as another worker of the server would be) holding ``slots`` of ``client``'s."""
    process = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(path), str(limit), client, str(slots)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "held"
    return process


def test_slots_are_shared_with_other_processes_and_freed_when_they_die(tmp_path: Path) -> None:
    path = tmp_path / "clients.lock"
    other = _holder(path, 2, "203.0.113.7", 2)
    try:
        here = ClientLimit(2, path)
        assert here.acquire("203.0.113.7") is None, "the other process holds both slots of this client"
        second = here.acquire("198.51.100.1")
        assert second is not None, "another client is not limited by the first one's queries"
        here.release(second)
    finally:
        other.kill()
        other.wait(timeout=10)
        assert other.stdout is not None
        other.stdout.close()
        assert other.stdin is not None
        other.stdin.close()
    freed = [here.acquire("203.0.113.7"), here.acquire("203.0.113.7")]
    assert None not in freed, "a dead process's slots are free again"
    assert here.acquire("203.0.113.7") is None, "and the limit still holds in this process"
    for offset in freed:
        assert offset is not None
        here.release(offset)
    assert path.stat().st_size == 0, "the lock file never grows"


def test_threads_of_one_process_count_against_the_same_limit(tmp_path: Path) -> None:
    limit = ClientLimit(3, tmp_path / "clients.lock")
    entered, refused = threading.Barrier(4), []
    release = threading.Event()

    def query() -> None:
        try:
            with limit.slot("192.0.2.1"):
                entered.wait(timeout=10)
                release.wait(timeout=10)
        except TooManyQueries as exc:
            refused.append(exc)

    threads = [threading.Thread(target=query) for _ in range(3)]
    for thread in threads:
        thread.start()
    entered.wait(timeout=10)  # three slots held
    with (
        pytest.raises(TooManyQueries, match=r"at most 3 .*setting sparql_client_queries"),
        limit.slot("192.0.2.1"),
    ):
        pass
    release.set()
    for thread in threads:
        thread.join(timeout=10)
    assert not refused
    with limit.slot("192.0.2.1"):  # all freed
        pass


def test_no_limit_when_the_setting_is_zero(tmp_path: Path) -> None:
    limit = ClientLimit(0, tmp_path / "clients.lock")
    with limit.slot("192.0.2.1"), limit.slot("192.0.2.1"), limit.slot("192.0.2.1"):
        pass


def test_an_ipv6_client_is_counted_by_its_64_network() -> None:
    assert client_key("2001:db8:1:2::1") == client_key("2001:db8:1:2:ffff::9")
    assert client_key("2001:db8:1:3::1") != client_key("2001:db8:1:2::1")
    assert client_key("192.0.2.1") != client_key("192.0.2.2")


def test_the_endpoint_answers_429_naming_the_limit(
    built: tuple[Settings, BuildReport], store: EmbeddedStore
) -> None:
    """In process: with the client's only slot held (as by a query still running), its next query is 429
    with Retry-After and a problem body naming the limit; another client is answered."""
    settings = built[0].replace(sparql_client_queries=1, trusted_proxies=1, port=1)
    client: FlaskClient = create_app(settings, store).test_client()
    limit = client_limit(settings)
    with limit.slot(client_key("198.51.100.20")):
        response = client.get(
            "/sparql", query_string={"query": "ASK {}"}, headers={"X-Forwarded-For": "198.51.100.20"}
        )
        other = client.get(
            "/sparql", query_string={"query": "ASK {}"}, headers={"X-Forwarded-For": "198.51.100.21"}
        )
    assert response.status_code == 429
    assert response.headers["Retry-After"] == str(int(settings.sparql_timeout))
    detail = json.loads(response.data)["detail"]
    assert "at most 1" in detail and "sparql_client_queries" in detail and "198.51.100.20" in detail
    assert other.status_code == 200 and json.loads(other.data)["boolean"] is True
    again = client.get(
        "/sparql", query_string={"query": "ASK {}"}, headers={"X-Forwarded-For": "198.51.100.20"}
    )
    assert again.status_code == 200, "the slot is free once the query has ended"


# The memory bound of the query processes (setting sparql_worker_max_bytes).

SORTED_PRODUCT = "SELECT ?a ?b ?c WHERE { ?a ?p ?b . ?c ?q ?d . ?e ?r ?f } ORDER BY ?a ?c ?e"
"""Oxigraph materialises every solution to sort them: gigabytes on the 1,730 triples of data/."""


def test_a_query_past_the_memory_bound_is_stopped_and_its_process_replaced(store: EmbeddedStore) -> None:
    pool = QueryPool(store.store_dir, size=1, max_bytes=160 * 2**20)
    try:
        started = time.monotonic()
        with pytest.raises(QueryTooLarge, match=r"more than 160 MiB .*setting sparql_worker_max_bytes"):
            pool.run(SORTED_PRODUCT, True, 10, 60.0)
        assert time.monotonic() - started < 30, "stopped at the memory bound, long before the time limit"
        result, _ = pool.run("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", True, 10, 60.0)
        assert isinstance(result, SelectResult) and int(result.rows[0]["n"]) > 1000
    finally:
        pool.close()


CROSS_PRODUCT = "SELECT ?a ?d WHERE { ?a ?p ?b . ?c ?q ?d }"
"""About three million rows on data/ (1,730 triples squared), but streamed by Oxigraph: no ORDER BY."""


@pytest.mark.parametrize(
    "query",
    [CROSS_PRODUCT, "CONSTRUCT { ?a <urn:ldpub:test> ?d } WHERE { ?a ?p ?b . ?c ?q ?d }"],
    ids=["select", "construct"],
)
def test_a_huge_answer_is_cut_at_the_row_cap_while_it_is_read_not_after(
    store: EmbeddedStore, query: str
) -> None:
    """Reading stops at ``sparql_max_rows`` + 1: the answer comes back cut (and says so) well within a memory
    bound that the whole answer, turned into Python objects, would pass many times over."""
    pool = QueryPool(store.store_dir, size=1, max_bytes=160 * 2**20)
    try:
        result, truncated = pool.run(query, True, 25, 60.0)
        assert truncated is True
        if isinstance(result, SelectResult):
            assert len(result.rows) == 25 and result.vars == ("a", "d")
        else:
            assert len(result) == 25
        assert pool.recycled == 0, "the process stayed under its bound, so it was kept"
    finally:
        pool.close()


def test_a_process_holding_over_half_the_bound_after_answering_is_replaced(store: EmbeddedStore) -> None:
    """An idle query process holds about 45 MiB: with a bound of 80 MiB each one is replaced after its
    answer, and the answers are still right."""
    pool = QueryPool(store.store_dir, size=1, max_bytes=80 * 2**20)
    try:
        pids = set()
        for _ in range(3):
            assert pool.run("ASK { ?s ?p ?o }", True, 10, 60.0)[0] is True
            pids |= {w.process.pid for w in pool._idle}
        assert pool.recycled == 3 and len(pids) == 3
    finally:
        pool.close()


def test_the_endpoint_answers_503_naming_the_memory_bound(
    built: tuple[Settings, BuildReport], store: EmbeddedStore
) -> None:
    settings = built[0].replace(sparql_worker_max_bytes=160 * 2**20, sparql_timeout=60.0)
    response = (
        create_app(settings, store).test_client().get("/sparql", query_string={"query": SORTED_PRODUCT})
    )
    assert response.status_code == 503
    assert "sparql_worker_max_bytes" in json.loads(response.data)["detail"]
