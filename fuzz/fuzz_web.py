"""atheris harness: SPARQL, reconciliation and OAI-PMH parameters and the Accept / Accept-Profile headers,
through the Flask app over a real built store: never a 500 (503 is the SPARQL time limit).

    python fuzz/fuzz_web.py -max_total_time=600 -timeout=30 CORPUS_DIR       # builds data/ first
    LDPUB_FUZZ_STORE=var/store python fuzz/fuzz_web.py ...                    # or an existing store
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

import atheris
from _common import ROOT

with atheris.instrument_imports():
    from ldpub.build import build
    from ldpub.settings import load_settings
    from ldpub.store import open_published
    from ldpub.web import create_app

VERBS = ["Identify", "ListRecords", "ListIdentifiers", "GetRecord", "ListSets", "ListMetadataFormats"]
OAI_KEYS = ["verb", "metadataPrefix", "identifier", "from", "until", "set", "resumptionToken"]
PATHS = ["/doc/document/prc-fma-118-01025-02", "/id/person/pak-seong-cheol", "/", "/search", "/sparql"]


def _client():  # type: ignore[no-untyped-def]
    store = os.environ.get("LDPUB_FUZZ_STORE")
    changes = {"sparql_timeout": 3.0, "access_log": ""}
    if store is None:
        store = tempfile.mkdtemp(prefix="ldpub-fuzz-")
        settings = load_settings(
            config=ROOT / "ldpub.toml", environ={}, overrides={"store": store, **changes}
        )
        build(settings)
    else:
        settings = load_settings(
            config=ROOT / "ldpub.toml", environ={}, overrides={"store": Path(store), **changes}
        )
    return create_app(settings, open_published(settings.store)).test_client()


CLIENT = _client()


def _header(fdp: atheris.FuzzedDataProvider) -> str:
    """Header text: latin-1 only, no CR/LF (what a WSGI server can hand the app)."""
    raw = fdp.ConsumeBytes(fdp.ConsumeIntInRange(0, 200))
    return raw.decode("latin-1").replace("\r", " ").replace("\n", " ")


def TestOneInput(data: bytes) -> None:
    fdp = atheris.FuzzedDataProvider(data)
    target = fdp.ConsumeIntInRange(0, 3)
    environ = {"HTTP_ACCEPT": _header(fdp), "HTTP_ACCEPT_PROFILE": _header(fdp)}
    if target == 0:
        params = {"query": fdp.ConsumeUnicodeNoSurrogates(400)}
        if fdp.ConsumeBool():
            params["format"] = fdp.ConsumeUnicodeNoSurrogates(20)
        if fdp.ConsumeBool():
            params["default-graph-uri"] = fdp.ConsumeUnicodeNoSurrogates(60)
        if fdp.ConsumeBool():
            response = CLIENT.post("/sparql", data=params, environ_overrides=environ)
        else:
            response = CLIENT.get("/sparql", query_string=params, environ_overrides=environ)
        allowed = {503}
    elif target == 1:
        field = "queries" if fdp.ConsumeBool() else "extend"
        value = fdp.ConsumeUnicodeNoSurrogates(600)
        if fdp.ConsumeBool():  # valid JSON shapes reach deeper
            value = json.dumps(
                {"q0": {"query": value[:80], "type": value[80:120], "limit": fdp.ConsumeInt(4)}}
            )
        data_ = {field: value}
        if fdp.ConsumeBool():
            data_["callback"] = fdp.ConsumeUnicodeNoSurrogates(30)
        response = CLIENT.post("/reconcile", data=data_)
        allowed = set()
    elif target == 2:
        args = {}
        for _ in range(fdp.ConsumeIntInRange(0, 5)):
            key = OAI_KEYS[fdp.ConsumeIntInRange(0, len(OAI_KEYS) - 1)]
            args[key] = (
                VERBS[fdp.ConsumeIntInRange(0, 5)]
                if key == "verb" and fdp.ConsumeBool()
                else fdp.ConsumeUnicodeNoSurrogates(60)
            )
        response = CLIENT.get("/oai", query_string=args)
        allowed = set()
    else:
        path = PATHS[fdp.ConsumeIntInRange(0, len(PATHS) - 1)]
        query = {
            k: fdp.ConsumeUnicodeNoSurrogates(40)
            for k in ("_profile", "_mediatype", "format", "q")
            if fdp.ConsumeBool()
        }
        response = CLIENT.get(path, query_string=query, environ_overrides=environ)
        allowed = set()
    if response.status_code >= 500 and response.status_code not in allowed:
        raise AssertionError(f"{response.status_code}: {response.get_data(as_text=True)[:500]}")
    response.close()


if __name__ == "__main__":
    atheris.Setup(sys.argv, TestOneInput)
    atheris.Fuzz()
