"""Security basics (issue 7, items 3–5): size limits (413/414), no SSRF, no header injection, no path
escapes from the dump and static folders, structured access logs with request ids and no secrets, and
X-Forwarded-* trusted only when configured.

In-process tests use Flask's test client over the session's build; the end-to-end ones start the real
`ldpub serve` on 127.0.0.1 (tests/servers.py). The SSRF tests listen on a loopback socket and check that no
connection ever arrives.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import socket
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from flask.testing import FlaskClient

from ldpub.build import BuildReport
from ldpub.settings import Settings
from ldpub.store import EmbeddedStore
from ldpub.web import ACCESS_LOG_KEY, create_app

from .servers import ldpub_server

DOC = "/doc/document/prc-fma-118-01025-02"


def client_for(built: tuple[Settings, BuildReport], store: EmbeddedStore, **changes: object) -> FlaskClient:
    return create_app(built[0].replace(**changes), store).test_client()


# --- 413 / 414 ----------------------------------------------------------------------------------------------


def test_a_long_request_target_is_414_before_anything_else(
    built: tuple[Settings, BuildReport], store: EmbeddedStore
) -> None:
    client = client_for(built, store, max_url_bytes=200)
    response = client.get("/sparql?query=" + quote("ASK {}" + " " * 300))
    assert response.status_code == 414
    assert response.mimetype == "application/problem+json"
    assert "max_url_bytes" in response.get_json()["detail"]
    assert client.get("/doc/document/" + "x" * 300).status_code == 414
    assert client.get("/sparql?query=" + quote("ASK {}")).status_code == 200


def test_a_large_body_is_413(built: tuple[Settings, BuildReport], store: EmbeddedStore) -> None:
    client = client_for(built, store, max_request_bytes=1000)
    big = "ASK {}" + " " * 2000
    for path, kwargs in (
        ("/sparql", {"data": big, "content_type": "application/sparql-query"}),
        ("/sparql", {"data": {"query": big}}),
        ("/reconcile", {"data": {"queries": json.dumps({"q0": {"query": "x" * 2000}})}}),
        ("/oai", {"data": {"verb": "Identify", "x": "y" * 2000}}),
    ):
        response = client.post(path, **kwargs)  # type: ignore[arg-type]
        assert response.status_code == 413, path
        assert "max_request_bytes" in response.get_json()["detail"]
    small = client.post("/sparql", data="ASK {}", content_type="application/sparql-query")
    assert small.status_code == 200


@pytest.mark.slow
def test_limits_hold_on_the_real_server(built: tuple[Settings, BuildReport]) -> None:
    with ldpub_server(built[0].store) as url:
        parts = urlsplit(url)
        connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=30)
        connection.request("GET", "/sparql?query=" + "a" * 20_000)
        response = connection.getresponse()
        assert response.status == 414
        response.read()
        connection.close()
        body = b"query=" + b"a" * 2_000_000
        connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=30)
        try:
            # The answer comes before the body is read; a client still sending may see its pipe close.
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                connection.request(
                    "POST",
                    "/sparql",
                    body=body,
                    headers={"Content-Type": "application/x-www-form-urlencoded"},
                )
            response = connection.getresponse()
            assert response.status == 413
            response.read()
        finally:
            connection.close()
        with urllib.request.urlopen(url + DOC, timeout=30) as ok:  # and it still serves
            assert ok.status == 200


# --- no SSRF -------------------------------------------------------------------------------------------------


@contextmanager
def listener() -> Iterator[tuple[str, list[bytes]]]:
    """A loopback socket that records every connection made to it; yields (base URL, received data)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    sock.settimeout(0.2)
    received: list[bytes] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with conn:
                conn.settimeout(1)
                try:
                    received.append(conn.recv(4096) or b"<connected>")
                except OSError:
                    received.append(b"<connected>")

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}", received
    finally:
        time.sleep(0.3)
        stop.set()
        thread.join(timeout=5)
        sock.close()


def ssrf_attempts(target: str) -> list[tuple[str, str]]:
    """(path with query string, label) requests that name ``target`` in every way a client could."""
    queries = {
        "SERVICE": f"SELECT * WHERE {{ SERVICE <{target}/sparql> {{ ?s ?p ?o }} }}",
        "SERVICE SILENT": f"SELECT * WHERE {{ SERVICE SILENT <{target}/sparql> {{ ?s ?p ?o }} }}",
        "service (lower case)": f"select * where {{ service <{target}/sparql> {{ ?s ?p ?o }} }}",
        "SERVICE ?var": f"SELECT * WHERE {{ VALUES ?e {{ <{target}/sparql> }} SERVICE ?e {{ ?s ?p ?o }} }}",
        "SERVICE via BASE": f"BASE <{target}/> SELECT * WHERE {{ SERVICE <sparql> {{ ?s ?p ?o }} }}",
        "SERVICE via PREFIX": f"PREFIX x: <{target}/> SELECT * WHERE {{ SERVICE x:sparql {{ ?s ?p ?o }} }}",
        "FROM": f"SELECT * FROM <{target}/graph.ttl> WHERE {{ ?s ?p ?o }} LIMIT 1",
        "FROM NAMED": f"SELECT * FROM NAMED <{target}/g.ttl> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
        "LOAD": f"LOAD <{target}/data.ttl>",
        "CONSTRUCT as JSON-LD": f"CONSTRUCT {{ <{target}/x> <{target}/@context> ?o }} WHERE {{ ?s ?p ?o }} LIMIT 3",
    }
    attempts = [(f"/sparql?query={quote(q)}", label) for label, q in queries.items()]
    attempts += [
        (
            f"/sparql?query={quote('SELECT * WHERE { ?s ?p ?o } LIMIT 1')}&default-graph-uri={quote(target)}",
            "dg",
        ),
        (
            f"/sparql?query={quote('SELECT * WHERE { ?s ?p ?o } LIMIT 1')}&named-graph-uri={quote(target)}",
            "ng",
        ),
        (f"/sparql?query={quote(queries['CONSTRUCT as JSON-LD'])}&format=json-ld", "JSON-LD answer"),
        (f"{DOC}?_profile={quote(target + '/ctx.jsonld')}", "_profile URL"),
        (f"{DOC}.jsonld?_profile={quote(target + '/ctx.jsonld')}", "_profile URL, JSON-LD"),
        (f"/reconcile?queries={quote(json.dumps({'q0': {'query': target, 'type': target}}))}", "recon"),
        (f"/reconcile/preview?id={quote(target)}", "preview"),
        (f"/oai?verb=GetRecord&metadataPrefix=oai_dc&identifier={quote(target)}", "oai"),
        (f"/oai?verb=ListRecords&resumptionToken={quote(target)}", "oai token"),
    ]
    return attempts


def test_no_request_makes_the_app_contact_another_host(client: FlaskClient) -> None:
    with listener() as (target, received):
        statuses = {}
        for path, label in ssrf_attempts(target):
            response = client.get(path, headers={"Accept": "application/ld+json, application/json;q=0.9"})
            statuses[label] = response.status_code
            assert response.status_code < 500, (label, response.get_data(as_text=True)[:300])
    assert received == [], f"the server connected to {target}: {received}"
    assert statuses["SERVICE"] == statuses["SERVICE SILENT"] == statuses["SERVICE ?var"] == 403
    assert statuses["LOAD"] in (400, 403)


@pytest.mark.slow
def test_no_query_makes_the_real_server_contact_another_host(built: tuple[Settings, BuildReport]) -> None:
    with listener() as (target, received), ldpub_server(built[0].store) as url:
        for path, label in ssrf_attempts(target):
            request = urllib.request.Request(url + path, headers={"Accept": "application/ld+json"})
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    status = response.status
            except urllib.error.HTTPError as error:
                error.close()
                status = error.code
            assert status < 500, (label, status)
    assert received == [], f"the server connected to {target}: {received}"


# --- no header injection -------------------------------------------------------------------------------------

INJECTED = "x\r\nX-Injected: yes\r\nSet-Cookie: a=b"


@pytest.mark.parametrize(
    "path",
    [
        f"/doc/document/{quote(INJECTED)}",
        f"/id/document/{quote(INJECTED)}",
        f"{DOC}?format={quote(INJECTED)}",
        f"{DOC}?_profile={quote(INJECTED)}",
        f"{DOC}?_mediatype={quote(INJECTED)}",
        f"/reconcile?callback={quote(INJECTED)}",
        f"/sparql?query={quote('ASK {}')}&format={quote(INJECTED)}",
        f"/dumps/{quote(INJECTED)}/",
        f"/dumps/latest/{quote(INJECTED)}",
        f"/activity/page/{quote(INJECTED)}",
        f"/search?q={quote(INJECTED)}",
        f"/oai?verb={quote(INJECTED)}",
    ],
)
def test_crlf_in_values_never_reaches_a_header(client: FlaskClient, path: str) -> None:
    response = client.get(
        path,
        headers={"Accept-Profile": "<http://x/>"},
        environ_overrides={"HTTP_X_REQUEST_ID": INJECTED},
    )
    assert response.status_code < 500, response.get_data(as_text=True)[:300]
    for name, value in response.headers.items():
        assert "\r" not in value and "\n" not in value, (name, value)
        assert name.lower() not in ("x-injected", "set-cookie"), name
    assert response.headers["X-Request-ID"] != INJECTED
    assert "\n" not in response.headers["X-Request-ID"]


def test_a_sane_request_id_is_echoed_and_others_replaced(client: FlaskClient) -> None:
    assert client.get("/", headers={"X-Request-ID": "abc-123"}).headers["X-Request-ID"] == "abc-123"
    generated = {client.get("/").headers["X-Request-ID"] for _ in range(3)}
    assert len(generated) == 3 and all(len(g) == 32 for g in generated)
    replaced = client.get("/", headers={"X-Request-ID": "<script>"}).headers["X-Request-ID"]
    assert replaced != "<script>" and replaced.isalnum()


# --- paths never leave the dump and static folders -----------------------------------------------------------

ESCAPES = [
    "/static/../__init__.py",
    "/static/..%2f__init__.py",
    "/static/%2e%2e/__init__.py",
    "/static/%2e%2e%2f%2e%2e%2fsettings.py",
    "/static//etc/passwd",
    "/static/vendor/../../__init__.py",
    "/static/..\\__init__.py",
    "/dumps/../CURRENT",
    "/dumps/%2e%2e/CURRENT",
    "/dumps/..%2fCURRENT/",
    "/dumps/latest/..%2f..%2fCURRENT",
    "/dumps/{v}/..%2f..%2fCURRENT",
    "/dumps/{v}/%2e%2e%2f%2e%2e%2fCURRENT",
    "/dumps/{v}/..%5c..%5cCURRENT",
    "/dumps/{v}/%2fetc%2fpasswd",
    "/dumps/{v}/..",
    "/dumps/{v}/.",
    "/dumps/{v}/ldpub-{v}.ttl.gz%00.txt",
    "/dumps/{v}/../../releases/",
    "/doc/../../../etc/passwd",
]


def _secrets(built: tuple[Settings, BuildReport]) -> list[bytes]:
    """Bytes that only a file outside the served folders holds."""
    store = built[0].store
    return [(store / "CURRENT").read_bytes().strip(), b"root:x:0:0", b"def create_app", b"EXTENSION_KEY"]


def _version(built: tuple[Settings, BuildReport]) -> str:
    versions: dict[str, str] = json.loads((built[0].store / "dumps" / "versions.json").read_text())
    return versions[built[1].release.build_id]


@pytest.mark.parametrize("raw", ESCAPES)
def test_paths_never_leave_the_dump_and_static_folders(
    client: FlaskClient, built: tuple[Settings, BuildReport], raw: str
) -> None:
    response = client.get(raw.format(v=_version(built)))
    assert response.status_code in (301, 302, 308, 400, 404), (raw, response.status_code)
    body = response.get_data()
    for secret in _secrets(built):
        assert secret not in body, (raw, secret)


@pytest.mark.slow
def test_raw_path_tricks_on_the_real_server(built: tuple[Settings, BuildReport]) -> None:
    """The same tricks sent byte for byte (no client-side normalisation) to granian."""
    version = _version(built)
    with ldpub_server(built[0].store) as url:
        parts = urlsplit(url)
        ok = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=30)
        ok.request("GET", f"/dumps/{version}/ldpub-{version}.ttl.gz")
        assert ok.getresponse().status == 200
        ok.close()
        for raw in ESCAPES:
            connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=30)
            connection.request("GET", raw.format(v=version))
            response = connection.getresponse()
            body = response.read()
            connection.close()
            assert response.status in (301, 302, 308, 400, 404), (raw, response.status)
            for secret in _secrets(built):
                assert secret not in body, (raw, secret)


# --- access log ------------------------------------------------------------------------------------------------


def _log_lines(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_access_log_has_one_json_line_per_request_and_no_secrets(
    built: tuple[Settings, BuildReport], store: EmbeddedStore, tmp_path: Path
) -> None:
    log = tmp_path / "access.jsonl"
    app = create_app(built[0].replace(access_log=str(log)), store)
    client = app.test_client()
    secret = "Bearer s3cr3t-token"
    # The line is written when the server closes the body (WSGI), as a real server always does.
    headers = {"Accept": "text/turtle", "Authorization": secret, "Cookie": "session=s3cr3t"}
    client.get(DOC, headers=headers).close()
    client.get(
        "/sparql?query=" + quote("SELECT * WHERE { ?s ?p ?o } LIMIT 2"), headers={"X-Request-ID": "r-1"}
    ).close()
    client.get("/nothing-here").close()
    client.get("/search?q=" + "y" * 2000).close()
    app.extensions[ACCESS_LOG_KEY].flush()
    lines = _log_lines(log)
    assert len(lines) == 4
    assert [line["status"] for line in lines] == [200, 200, 404, 200]
    assert set(lines[0]) == {"ts", "id", "method", "path", "query", "status", "bytes", "ms", "remote"}
    assert lines[0]["path"] == DOC and lines[0]["method"] == "GET" and lines[0]["remote"] == "127.0.0.1"
    assert isinstance(lines[0]["bytes"], int) and lines[0]["bytes"] > 1000
    assert isinstance(lines[0]["ms"], float) and lines[0]["ms"] >= 0
    assert lines[1]["id"] == "r-1" and "LIMIT" in str(lines[1]["query"])
    assert len(str(lines[3]["query"])) <= 512
    text = log.read_text(encoding="utf-8")
    assert "s3cr3t" not in text


@pytest.mark.slow
def test_access_log_of_the_real_server(built: tuple[Settings, BuildReport], tmp_path: Path) -> None:
    log = tmp_path / "access.jsonl"
    with ldpub_server(built[0].store, env={"LDPUB_ACCESS_LOG": str(log)}) as url:
        request = urllib.request.Request(
            url + DOC, headers={"X-Request-ID": "real-1", "Accept": "text/turtle"}
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            assert response.headers["X-Request-ID"] == "real-1"
            size = len(response.read())
        time.sleep(0.3)
    lines = [line for line in _log_lines(log) if line["id"] == "real-1"]
    assert len(lines) == 1 and lines[0]["status"] == 200 and lines[0]["bytes"] == size


def test_forwarded_headers_are_ignored_unless_proxies_are_trusted(
    built: tuple[Settings, BuildReport], store: EmbeddedStore, tmp_path: Path
) -> None:
    forwarded = {
        "X-Forwarded-For": "203.0.113.7",
        "X-Forwarded-Proto": "https",
        "X-Forwarded-Host": "evil.test",
    }
    for trusted, remote, scheme_host in (
        (0, "127.0.0.1", "http://localhost"),
        (1, "203.0.113.7", "https://evil.test"),
    ):
        log = tmp_path / f"access-{trusted}.jsonl"
        app = create_app(built[0].replace(access_log=str(log), trusted_proxies=trusted), store)
        response = app.test_client().get("/sparql", headers={**forwarded, "Accept": "text/turtle"})
        response.close()
        app.extensions[ACCESS_LOG_KEY].flush()
        assert response.status_code == 200
        assert f"{scheme_host}/sparql" in response.get_data(as_text=True)
        assert _log_lines(log)[0]["remote"] == remote


# --- no outgoing connection at all while answering (Python audit hook on socket.connect) ----------------------

_CONNECTS: list[object] = []
_WATCHING = threading.Event()


def _audit(event: str, args: tuple[object, ...]) -> None:
    if event in ("socket.connect", "socket.getaddrinfo") and _WATCHING.is_set():
        _CONNECTS.append((event, args[1] if len(args) > 1 else args))


def test_rendering_every_view_opens_no_connection(client: FlaskClient) -> None:
    """JSON-LD contexts (ldpub's, Linked Art's, schema.org's) are packaged, never fetched: while every view
    of the document is rendered in every format, this process attempts no connection to any host."""
    if _audit not in getattr(test_rendering_every_view_opens_no_connection, "hooked", []):
        sys.addaudithook(_audit)
        test_rendering_every_view_opens_no_connection.hooked = [_audit]  # type: ignore[attr-defined]
    _CONNECTS.clear()
    _WATCHING.set()
    try:
        answered = 0
        for profile in ("", "edm", "schema", "rico", "linkedart"):
            for ext in ("jsonld", "ttl", "rdf", "nt", "html"):
                response = client.get(f"{DOC}.{ext}" + (f"?_profile={profile}" if profile else ""))
                answered += response.status_code == 200
        construct = quote("CONSTRUCT WHERE { ?s ?p ?o } LIMIT 20")
        answered += client.get(f"/sparql?query={construct}&format=json-ld").status_code == 200
        answered += client.get("/ns/context.jsonld").status_code == 200
    finally:
        _WATCHING.clear()
    assert answered >= 20
    assert _CONNECTS == [], f"connections attempted while rendering: {_CONNECTS[:5]}"
