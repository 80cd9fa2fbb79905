"""Reliability under faults (issue 7, items 2 and 3): a rebuild while serving, builds killed with SIGKILL,
expensive SPARQL stopped at the time limit while other requests are answered, one client's slow queries
never holding up another client's, and result caps.

Every test runs the real thing: `ldpub serve` (granian) on 127.0.0.1 via tests/servers.py, and real builds
(in-process, or `python -m ldpub build` subprocesses that are killed).
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
import tracemalloc
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable
from email.message import Message
from pathlib import Path
from urllib.parse import quote

import pytest

from ldpub.build import build
from ldpub.describe import describe
from ldpub.errors import LdpubError
from ldpub.read import read_bytes
from ldpub.settings import Settings
from ldpub.store import open_published
from ldpub.web import create_app
from ldpub.web.representations import BY_NAME, RepresentationCache

from .conftest import ROOT, SEED_PAGE, SEED_TRANSCRIPT, project_settings
from .servers import ldpub_server

DOC = "/doc/document/prc-fma-118-01025-02"
TITLE = "Telegram from the Ministry of Foreign Affairs and the Ministry of Public Security"


def _variant_sources(folder: Path, marker: str) -> Path:
    """The seed captures with ``marker`` appended to the document's title."""
    folder.mkdir(parents=True, exist_ok=True)
    text = SEED_PAGE.read_text(encoding="utf-8")
    assert TITLE in text
    (folder / SEED_PAGE.name).write_text(text.replace(TITLE, f"{TITLE} {marker}", 1), encoding="utf-8")
    (folder / SEED_TRANSCRIPT.name).write_bytes(SEED_TRANSCRIPT.read_bytes())
    return folder


def _get(url: str, accept: str) -> tuple[int, str, str]:
    request = urllib.request.Request(url, headers={"Accept": accept})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers.get("ETag", ""), response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        with error:
            return error.code, "", error.read().decode("utf-8", "replace")


def _rebuild_while_reading(
    store: Path,
    variants: dict[str, Path],
    marker_of: dict[str, str],
    reader: Callable[[int], None],
    readers: int,
    stop: threading.Event,
) -> None:
    """Run ``readers`` threads of ``reader`` while five builds alternate the two variants; record each
    build's marker in ``marker_of``; then stop the readers."""
    threads = [threading.Thread(target=reader, args=(n,)) for n in range(readers)]
    for thread in threads:
        thread.start()
    try:
        for n in range(5):
            time.sleep(0.3)
            marker = "BETAVARIANT" if n % 2 == 0 else "ALPHAVARIANT"
            report = build(project_settings(store, sources=variants[marker]))
            marker_of[report.release.build_id] = marker
        time.sleep(0.5)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)


# --- rebuild while serving ----------------------------------------------------------------------------------


@pytest.mark.slow
def test_readers_see_the_old_or_the_new_release_never_an_error_or_a_mix(tmp_path: Path) -> None:
    """Readers hammer a real server while five rebuilds swap releases under it: every answer is 200, and
    the title variant in each body is the one of the build its ETag names."""
    variants = {m: _variant_sources(tmp_path / m, m) for m in ("ALPHAVARIANT", "BETAVARIANT")}
    store = tmp_path / "store"
    marker_of: dict[str, str] = {}  # build id -> marker of the sources it was built from
    first = build(project_settings(store, sources=variants["ALPHAVARIANT"]))
    marker_of[first.release.build_id] = "ALPHAVARIANT"
    paths = [(DOC, "text/turtle"), (DOC, "application/ld+json"), (DOC, "text/html"), ("/", "text/html")]
    seen: list[tuple[str, int, str | None, str]] = []
    stop = threading.Event()

    with ldpub_server(store) as url:

        def reader(n: int) -> None:
            while not stop.is_set():
                path, accept = paths[n % len(paths)]
                status, etag, body = _get(url + path, accept)
                build_id = etag.strip('"').split(".")[0] if etag else None
                found = [m for m in ("ALPHAVARIANT", "BETAVARIANT") if m in body]
                seen.append((path, status, build_id, ",".join(found)))
                n += 1

        _rebuild_while_reading(store, variants, marker_of, reader, 8, stop)

    assert len(seen) > 100, "the readers made too few requests to mean anything"
    errors = Counter((path, status) for path, status, _, _ in seen if status != 200)
    assert not errors, f"answers other than 200 during rebuilds: {errors}"
    mixes = [(p, b, f) for p, _, b, f in seen if b is None or b not in marker_of or f != marker_of[b]]
    assert not mixes, f"answers whose body is not of the build their ETag names: {mixes[:5]} ({len(mixes)})"
    served = {b for _, _, b, _ in seen}
    assert len(served) >= 3, f"the readers saw too few of the {len(marker_of)} releases: {served}"


@pytest.mark.slow
def test_etags_change_with_the_build(tmp_path: Path) -> None:
    settings = project_settings(tmp_path / "store")
    build(settings)
    with ldpub_server(settings.store) as url:
        before = {p: _get(url + p, "text/turtle")[1] for p in (DOC, "/")}
        build(settings)
        time.sleep(0.1)
        after = {p: _get(url + p, "text/turtle")[1] for p in (DOC, "/")}
    for path in before:
        assert before[path] and after[path] and before[path] != after[path], path


# --- builds killed at random moments ------------------------------------------------------------------------


def _children(pid: int) -> list[int]:
    """Pids whose parent is ``pid`` (a build's worker processes), from /proc."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    if int(handle.read().rsplit(")", 1)[1].split()[1]) == pid:
                        found.append(int(entry))
            except (OSError, ValueError, IndexError):
                continue
    return found


def _survivors(pids: list[int], seconds: float) -> list[int]:
    """Those of ``pids`` still running (not zombies) after ``seconds``."""
    deadline = time.monotonic() + seconds
    alive = pids
    while alive and time.monotonic() < deadline:
        alive = [pid for pid in alive if _running(pid)]
        if alive:
            time.sleep(0.1)
    return alive


def _running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def kill_loop(store: Path, runs: int, seed: int, max_delay: float = 1.5) -> dict[str, int]:
    """Start `ldpub build` ``runs`` times and SIGKILL each after a random delay; after each kill check the
    published release is intact (the same build, or a newer complete one, with the reference quad count).
    Returns counts: runs, killed (before exiting), published (a kill after publishing), failures.

    Also run by hand for docs/RELIABILITY.md (``python -m tests.test_reliability RUNS MAX_DELAY``).
    """
    rng = random.Random(seed)
    command = [sys.executable, "-m", "ldpub", "--config", str(ROOT / "ldpub.toml"), "build"]
    command += ["--store", str(store), "--quiet"]
    subprocess.run(command, check=True, capture_output=True, timeout=300)
    with open_published(store) as opened:
        reference = opened.quad_count()
        current = opened.release_info().build_id
    counts = Counter(runs=0, killed=0, published=0, failures=0, orphans=0)
    for _ in range(runs):
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.0, max_delay))
        children = _children(process.pid)
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            counts["killed"] += 1
        process.wait(timeout=60)
        orphans = _survivors(children, seconds=10)
        if orphans:
            counts["orphans"] += len(orphans)
            for pid in orphans:  # ours: the killed build's own workers
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
        counts["runs"] += 1
        try:
            with open_published(store) as opened:
                info = opened.release_info()
                quads = opened.quad_count()
            assert quads == reference == info.quads, (quads, reference, info.quads)
            assert info.build_id == current or info.build_id > current, (info.build_id, current)
            if info.build_id != current:
                counts["published"] += 1
                current = info.build_id
        except Exception:
            counts["failures"] += 1
            raise
    done = subprocess.run(command, capture_output=True, timeout=300)
    assert done.returncode == 0, done.stderr.decode()
    with open_published(store) as opened:
        assert opened.quad_count() == reference and opened.release_info().build_id > current
    leftovers = [
        p.name for p in (store / "releases").iterdir() if p.name.startswith((".staging-", ".trash-"))
    ]
    assert not leftovers, f"the next build did not clean up: {leftovers}"
    return dict(counts)


@pytest.mark.slow
def test_a_build_killed_at_any_moment_leaves_the_published_release_intact(tmp_path: Path) -> None:
    counts = kill_loop(tmp_path / "store", runs=10, seed=7, max_delay=3.0)
    assert counts["runs"] == 10 and counts["failures"] == 0
    assert counts["orphans"] == 0, "worker processes of a killed build kept running"
    assert counts["killed"] >= 3, counts


# --- expensive SPARQL ---------------------------------------------------------------------------------------

CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
PATHS = "PREFIX : <http://x/> SELECT (COUNT(*) AS ?n) WHERE { ?a (:p|!:p)* ?b . ?c (:p|!:p)* ?d }"
OFFSET = "SELECT ?a WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } OFFSET 100000000000 LIMIT 1"
FAST = "SELECT (COUNT(*) AS ?n) WHERE { ?s a <http://www.cidoc-crm.org/cidoc-crm/E21_Person> }"


@pytest.mark.slow
def test_expensive_queries_are_stopped_while_others_are_answered(tmp_path: Path) -> None:
    settings = project_settings(tmp_path / "store")
    build(settings)
    answers: dict[str, tuple[int, float, str]] = {}

    # All requests come from one address here: the per-client limit (tested below) is off, so three
    # expensive queries run at once.
    env = {"LDPUB_SPARQL_TIMEOUT": "2", "LDPUB_SPARQL_CLIENT_QUERIES": "0"}
    with ldpub_server(settings.store, env=env) as url:

        def expensive(name: str, query: str) -> None:
            started = time.monotonic()
            status, _, body = _get(f"{url}/sparql?query={quote(query)}", "application/sparql-results+json")
            answers[name] = (status, time.monotonic() - started, body)

        threads = [
            threading.Thread(target=expensive, args=(name, q))
            for name, q in (("cartesian", CARTESIAN), ("paths", PATHS), ("offset", OFFSET))
        ]
        for thread in threads:
            thread.start()
        time.sleep(0.3)
        page_times, sparql_times = [], []
        for _ in range(5):  # answered while the expensive ones run
            started = time.monotonic()
            status, _, body = _get(url + DOC, "text/turtle")
            page_times.append(time.monotonic() - started)
            assert status == 200 and TITLE in body
            started = time.monotonic()
            status, _, body = _get(f"{url}/sparql?query={quote(FAST)}", "application/sparql-results+json")
            sparql_times.append(time.monotonic() - started)
            assert status == 200 and int(json.loads(body)["results"]["bindings"][0]["n"]["value"]) > 0
        for thread in threads:
            thread.join(timeout=60)
    # Pages never wait for SPARQL. A cheap query waits at most for a worker of the query pool: with more
    # expensive queries than workers (sparql_pool_size, 2), up to one time limit.
    assert max(page_times) < 1.0, page_times
    assert max(sparql_times) < 2.0 + 1.5, sparql_times
    for name, (status, seconds, body) in answers.items():
        assert status == 503, (name, status, body[:300])
        assert "time limit" in json.loads(body)["detail"], name
        assert seconds < 10, (name, seconds)


def _sparql(url: str, query: str, client: str) -> tuple[int, Message, str, float]:
    """Ask ``query`` as the client at address ``client`` (the server trusts one proxy): status, headers,
    body and seconds taken."""
    headers = {"Accept": "application/sparql-results+json", "X-Forwarded-For": client}
    request = urllib.request.Request(f"{url}/sparql?query={quote(query)}", headers=headers)
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            body = response.read().decode("utf-8")
            return response.status, response.headers, body, time.monotonic() - started
    except urllib.error.HTTPError as error:
        with error:
            body = error.read().decode("utf-8", "replace")
            return error.code, error.headers, body, time.monotonic() - started


CHEAP = "ASK { ?s a <http://www.cidoc-crm.org/cidoc-crm/E21_Person> }"


@pytest.mark.slow
def test_one_client_s_slow_queries_leave_room_for_the_others(tmp_path: Path) -> None:
    """Two server worker processes with the default limits (sparql_client_queries per client, more query
    processes than that per server worker): while client A has as many queries running until the time limit
    as it may, every further query of A is 429 at once, whichever worker process takes it, and client B's
    queries are answered promptly."""
    settings = project_settings(tmp_path / "store")
    build(settings)
    limit = Settings().sparql_client_queries
    assert 0 < limit < Settings().sparql_pool_size
    timeout = 6
    env = {"LDPUB_SPARQL_TIMEOUT": str(timeout), "LDPUB_TRUSTED_PROXIES": "1"}
    with ldpub_server(settings.store, "--workers", "2", env=env) as url:
        # Start both workers' query processes: concurrent queries from many clients reach both workers.
        warm: list[int] = []
        starters = [
            threading.Thread(target=lambda n=n: warm.append(_sparql(url, CHEAP, f"192.0.2.{n}")[0]))
            for n in range(16)
        ]
        for thread in starters:
            thread.start()
        for thread in starters:
            thread.join(timeout=120)
        assert warm == [200] * 16, warm
        slow: list[tuple[int, str, float]] = []

        def slow_query() -> None:
            status, _, body, seconds = _sparql(url, CARTESIAN, "198.51.100.1")
            slow.append((status, body, seconds))

        threads = [threading.Thread(target=slow_query) for _ in range(limit)]
        for thread in threads:
            thread.start()
        time.sleep(1.0)  # A's queries are running (they run until the time limit)
        extra = [_sparql(url, CHEAP, "198.51.100.1") for _ in range(4)]
        other = [_sparql(url, CHEAP, "203.0.113.9") for _ in range(3)]
        running = [thread.is_alive() for thread in threads]
        for thread in threads:
            thread.join(timeout=60)
        after = _sparql(url, CHEAP, "198.51.100.1")
    assert all(running), "A's slow queries ended before the checks were done"
    for status, headers, body, seconds in extra:
        assert status == 429, (status, body[:300])
        assert headers["Retry-After"] == str(timeout) and seconds < 2.0
        detail = json.loads(body)["detail"]
        assert (
            f"at most {limit} " in detail and "sparql_client_queries" in detail and "198.51.100.1" in detail
        )
    for status, _, body, seconds in other:
        assert status == 200 and json.loads(body)["boolean"] is True
        assert seconds < 2.5, f"client B waited {seconds:.1f} s behind client A (time limit {timeout} s)"
    assert [status for status, _, _ in slow] == [503] * limit, slow
    assert after[0] == 200, "A's slots are free once its queries have ended"


VARIANT_QUERY = 'SELECT DISTINCT ?o WHERE { ?s ?p ?o FILTER(CONTAINS(STR(?o), "VARIANT")) }'


@pytest.mark.slow
def test_sparql_answers_name_the_release_they_were_read_from(tmp_path: Path) -> None:
    """Readers query /sparql on a real server while five rebuilds swap releases under it: every answer is
    200 and the title variant in its body is the one of the build its ETag names (the query processes
    switch releases on their own, so the ETag must come from the process that answered)."""
    variants = {m: _variant_sources(tmp_path / m, m) for m in ("ALPHAVARIANT", "BETAVARIANT")}
    store = tmp_path / "store"
    marker_of: dict[str, str] = {}
    first = build(project_settings(store, sources=variants["ALPHAVARIANT"]))
    marker_of[first.release.build_id] = "ALPHAVARIANT"
    seen: list[tuple[int, str | None, str, str]] = []
    stop = threading.Event()

    with ldpub_server(store, env={"LDPUB_TRUSTED_PROXIES": "1"}) as url:

        def reader(n: int) -> None:
            while not stop.is_set():
                status, headers, body, _ = _sparql(url, VARIANT_QUERY, f"192.0.2.{n}")
                etag = headers.get("ETag", "")
                build_id = etag.removeprefix("W/").strip('"').split(".")[0] if etag else None
                found = [m for m in ("ALPHAVARIANT", "BETAVARIANT") if m in body]
                seen.append((status, build_id, ",".join(found), headers.get("Last-Modified", "")))

        _rebuild_while_reading(store, variants, marker_of, reader, 6, stop)

    assert len(seen) > 50, "the readers made too few requests to mean anything"
    errors = Counter(status for status, _, _, _ in seen if status != 200)
    assert not errors, f"answers other than 200 during rebuilds: {errors}"
    mixes = [(b, f) for _, b, f, _ in seen if b is None or b not in marker_of or f != marker_of[b]]
    assert not mixes, f"answers whose body is not of the build their ETag names: {mixes[:5]} ({len(mixes)})"
    assert all(modified for _, _, _, modified in seen), "every answer has a Last-Modified"
    served = {b for _, b, _, _ in seen}
    assert len(served) >= 3, f"the readers saw too few of the {len(marker_of)} releases: {served}"


@pytest.mark.slow
def test_result_cap_holds_on_the_real_server(tmp_path: Path) -> None:
    settings = project_settings(tmp_path / "store")
    build(settings)
    query = "SELECT * WHERE { ?s ?p ?o }"
    with ldpub_server(settings.store, env={"LDPUB_SPARQL_MAX_ROWS": "25"}) as url:
        request = urllib.request.Request(
            f"{url}/sparql?query={quote(query)}", headers={"Accept": "application/sparql-results+json"}
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            truncated = response.headers.get("X-SPARQL-Truncated")
            rows = json.loads(response.read())["results"]["bindings"]
        construct = "CONSTRUCT WHERE { ?s ?p ?o }"
        status, _, body = _get(f"{url}/sparql?query={quote(construct)}&format=nt", "application/n-triples")
    assert truncated == "true" and len(rows) == 25
    assert status == 200 and len([line for line in body.splitlines() if line.strip()]) == 25


# --- memory over time ---------------------------------------------------------------------------------------


def test_the_representation_cache_stays_within_its_budget(tmp_path: Path) -> None:
    """Everything the per-release cache keeps counts against representation_cache_bytes: bodies per format,
    memoised values (profile views with their headers, as many as are asked) and the descriptions kept. Before,
    only the bodies counted, and memoised views were dropped only past 100,000 keys, whatever their size.
    The memory the cache really holds (tracemalloc) stays within its budget."""
    settings = project_settings(tmp_path / "store", representation_cache_bytes=2 * 2**20)
    build(settings)
    with open_published(settings.store) as store:
        iris = [str(row["s"]) for row in store.query(RESOURCES).rows]  # type: ignore[union-attr]
        assert len(iris) > 200
        app = create_app(settings, store)
        app.test_client().get(DOC, headers={"Accept": "text/turtle"})
        cache = app.extensions["ldpub.representations"]
        assert isinstance(cache, RepresentationCache) and cache.max_bytes == 2 * 2**20
        build_id = store.release_info().build_id
        gc.collect()
        tracemalloc.start()
        try:
            before = tracemalloc.get_traced_memory()[0]
            for n in range(3000):  # profile views of 10 KB and their headers, each asked once
                cache.memo(
                    build_id, ("profile", "edm", f"{n}", "turtle"), lambda: (os.urandom(10_000), [("A", "b")])
                )
            for iri in iris:
                for name in ("turtle", "ntriples"):
                    cache.get(build_id, iri, BY_NAME[name], lambda iri=iri: describe(store, iri))
            gc.collect()
            held = tracemalloc.get_traced_memory()[0] - before
        finally:
            tracemalloc.stop()
    assert cache.size <= cache.max_bytes
    assert held < 1.5 * cache.max_bytes, f"the cache holds {held / 2**20:.1f} MiB for a budget of 2 MiB"


RESOURCES = "SELECT DISTINCT ?s WHERE { GRAPH ?g { ?s ?p ?o } FILTER(CONTAINS(STR(?s), '/id/')) }"


# --- findings of the long fuzzing run (fuzz/, docs/RELIABILITY.md) -----------------------------------------

STRAY_BRACKET_CITATION = "Summary:\nCitation: \u201cTelegram\nhttp://digitalarchiveNorth]".encode()
"""fuzz_read.py's finding, minimised from 1,476 to 58 bytes: a citation whose URL has a "]" in its host."""


def test_a_citation_url_with_a_stray_bracket_is_read_or_refused_clearly() -> None:
    """A reader gives a record or a clear LdpubError, never another exception: a build meeting this capture
    stopped with a traceback, even with on_source_error = skip."""
    try:
        record = read_bytes(STRAY_BRACKET_CITATION, "capture.txt")
    except LdpubError:
        return
    assert record.record_id is None  # the URL is unusable: no record number guessed from it


if __name__ == "__main__":  # the longer loop of docs/RELIABILITY.md
    import tempfile

    total = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    longest = float(sys.argv[2]) if len(sys.argv) > 2 else 4.0
    with tempfile.TemporaryDirectory() as folder:
        started = time.monotonic()
        result = kill_loop(Path(folder) / "store", runs=total, seed=int(time.time()), max_delay=longest)
        print(json.dumps({**result, "seconds": round(time.monotonic() - started, 1)}))
