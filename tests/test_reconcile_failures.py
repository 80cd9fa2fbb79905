"""`ldpub reconcile` against endpoints that rate-limit, fail or drop the connection (small local HTTP servers).

A run either succeeds after waiting as told, or stops with a clear error and writes nothing: the files of the
previous run are left as they were.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner

from ldpub.cli import main
from ldpub.reconcile import ReconcileError, RetryPolicy, run_reconcile
from ldpub.settings import Settings, load_settings

ROOT = Path(__file__).resolve().parent.parent
EMPTY = json.dumps({"head": {"vars": ["name", "item"]}, "results": {"bindings": []}}).encode()
OUTPUTS = ("review.csv", "links.csv", "quickstatements.txt", "mixnmatch.tsv")

# An answer: (status, headers, body), or None to drop the connection without answering.
Answer = tuple[int, dict[str, str], bytes] | None


@contextmanager
def scripted_endpoint(answer: Callable[[int], Answer]) -> Iterator[tuple[str, list[float]]]:
    """A SPARQL endpoint on 127.0.0.1 whose n-th request (from 0) gets ``answer(n)``; yields URL and request times."""
    times: list[float] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            times.append(time.monotonic())
            reply = answer(len(times) - 1)
            if reply is None:
                self.close_connection = True
                self.connection.close()
                return
            status, headers, body = reply
            self.send_response(status)
            for name, value in {"Content-Type": "application/sparql-results+json", **headers}.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/sparql", times
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def settings_for(tmp: Path, endpoint: str) -> Settings:
    overrides = {
        "wikidata_endpoint": endpoint,
        "wikidata_cache": tmp / "cache",
        "reconcile_review": tmp / "out",
    }
    return load_settings(config=ROOT / "ldpub.toml", environ={}, overrides=overrides)


def previous_run(settings: Settings) -> dict[str, bytes]:
    """Files standing for an earlier run's outputs."""
    settings.reconcile_review.mkdir(parents=True)
    files = {name: f"earlier {name}\n".encode() for name in OUTPUTS}
    for name, data in files.items():
        (settings.reconcile_review / name).write_bytes(data)
    return files


def contents(settings: Settings) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(settings.reconcile_review.iterdir())}


def test_429_with_retry_after_is_waited_out(tmp_path: Path) -> None:
    def answer(n: int) -> Answer:
        return (429, {"Retry-After": "1"}, b"slow down") if n == 0 else (200, {}, EMPTY)

    with scripted_endpoint(answer) as (url, times):
        settings = settings_for(tmp_path, url)
        summary = run_reconcile(settings)
    assert len(times) == 2 and times[1] - times[0] >= 1.0
    assert "2 request(s) sent" in summary and "no-candidate: 13" in summary
    assert set(contents(settings)) == set(OUTPUTS)


def test_5xx_is_retried_with_backoff(tmp_path: Path) -> None:
    def answer(n: int) -> Answer:
        return (503, {}, b"busy") if n < 2 else (200, {}, EMPTY)

    with scripted_endpoint(answer) as (url, times):
        run_reconcile(settings_for(tmp_path, url), retry=RetryPolicy(backoff=0.2))
    assert len(times) == 3
    assert times[1] - times[0] >= 0.2 and times[2] - times[1] >= 0.4  # doubled


def test_a_dropped_connection_fails_clearly_and_writes_nothing(tmp_path: Path) -> None:
    with scripted_endpoint(lambda n: None) as (url, times):
        settings = settings_for(tmp_path, url)
        before = previous_run(settings)
        with pytest.raises(ReconcileError, match=r"gave up after 3 attempt\(s\).*connection failed"):
            run_reconcile(settings, retry=RetryPolicy(attempts=3, backoff=0.05))
    assert len(times) == 3
    assert contents(settings) == before


def test_a_retry_after_beyond_the_wait_budget_gives_up_at_once(tmp_path: Path) -> None:
    with scripted_endpoint(lambda n: (429, {"Retry-After": "3600"}, b"")) as (url, times):
        settings = settings_for(tmp_path, url)
        before = previous_run(settings)
        started = time.monotonic()
        with pytest.raises(ReconcileError, match="HTTP 429"):
            run_reconcile(settings)
    assert len(times) == 1 and time.monotonic() - started < 5
    assert contents(settings) == before


def test_a_failure_halfway_keeps_the_previous_files_and_the_cache_serves_the_rerun(tmp_path: Path) -> None:
    """The first query is answered, the second fails: nothing written; a rerun asks only the second again."""
    hits = {
        "head": {"vars": ["name", "item"]},
        "results": {
            "bindings": [
                {
                    "name": {"type": "literal", "value": "Jilin", "xml:lang": "en"},
                    "item": {"type": "uri", "value": "http://www.wikidata.org/entity/Q45208"},
                }
            ]
        },
    }
    failing = True

    def answer(n: int) -> Answer:
        if n == 0:
            return (200, {}, json.dumps(hits).encode())
        return None if failing else (200, {}, EMPTY)

    with scripted_endpoint(answer) as (url, times):
        settings = settings_for(tmp_path, url)
        before = previous_run(settings)
        with pytest.raises(ReconcileError):
            run_reconcile(settings, retry=RetryPolicy(attempts=2, backoff=0.05))
        assert contents(settings) == before
        failing = False
        asked = len(times)
        summary = run_reconcile(settings)
    assert len(times) == asked + 1 and "1 request(s) sent, 1 answer(s) from the cache" in summary
    assert contents(settings) != before


def test_bad_answers_are_errors_not_crashes(tmp_path: Path) -> None:
    garbage = scripted_endpoint(lambda n: (200, {}, b"<html>not json</html>"))
    with garbage as (url, _), pytest.raises(ReconcileError, match="not SPARQL JSON results"):
        run_reconcile(settings_for(tmp_path / "a", url))
    with scripted_endpoint(lambda n: (400, {}, b"parse error")) as (url, times):
        result = CliRunner().invoke(
            main,
            [
                "--config",
                str(ROOT / "ldpub.toml"),
                "reconcile",
                "--endpoint",
                url,
                "--output",
                str(tmp_path / "b"),
            ],
            env={"LDPUB_WIKIDATA_CACHE": str(tmp_path / "cache")},
        )
    assert len(times) == 1  # a 400 is not retried
    assert result.exit_code == 1 and result.output.startswith("error: ") and "Traceback" not in result.output
    assert not (tmp_path / "b").exists()
