"""`ldpub query`: the local store directly, and real endpoints with SPARQLWrapper.

The endpoints are real processes on 127.0.0.1 started by tests/servers.py: `oxigraph serve` (the oxigraph
package) loaded with the dataset's Turtle export (the union of all graphs, in its default graph), and
`ldpub serve` itself.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from ldpub.build import BuildReport
from ldpub.cli import main
from ldpub.settings import Settings

from .conftest import BASE, ROOT
from .servers import ldpub_server, oxigraph_server

PERSONS = str(ROOT / "queries" / "01-persons-mentioned.rq")
NETWORK = str(ROOT / "queries" / "14-mention-network.rq")
ASK = str(ROOT / "queries" / "15-mentions-person-ask.rq")
PAK = f"{BASE}/id/person/pak-seong-cheol"


def ldpub_query(settings: Settings, *args: str) -> Result:
    command = ["--config", str(ROOT / "ldpub.toml"), "query", "--store", str(settings.store), *args]
    return CliRunner().invoke(main, command, env={"LDPUB_STORE_URL": ""})


@pytest.fixture(scope="module")
def oxigraph_endpoint(
    built: tuple[Settings, BuildReport], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """`oxigraph serve` over the dataset's Turtle export; yields its query URL."""
    folder = tmp_path_factory.mktemp("oxigraph")
    export = folder / "dataset.ttl"
    result = CliRunner().invoke(
        main,
        [
            "--config",
            str(ROOT / "ldpub.toml"),
            "export",
            "--store",
            str(built[0].store),
            "--format",
            "turtle",
            "--output",
            str(export),
        ],
    )
    assert result.exit_code == 0, result.output
    binary = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    location = folder / "db"
    subprocess.run(
        [binary, "load", "--location", str(location), "--file", str(export)], check=True, capture_output=True
    )
    with oxigraph_server(location) as url:
        yield f"{url}/query"


def test_table_from_the_local_store(built: tuple[Settings, BuildReport]) -> None:
    result = ldpub_query(built[0], PERSONS)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["document", "title", "person", "name", "wikidataId", "mentions"]
    assert set(lines[1]) <= {"-", " "}
    assert lines[-1] == "(2 rows)"
    assert "Hao Deqing@en" in lines[2] and "Pak Seong-cheol@en" in lines[3]
    # Columns line up: every value starts where its header does.
    start = lines[0].index("name")
    assert lines[2][start:].startswith("Hao Deqing@en") and lines[3][start:].startswith("Pak Seong-cheol@en")


def test_csv_and_json_from_the_local_store(built: tuple[Settings, BuildReport]) -> None:
    rows = list(csv.DictReader(io.StringIO(ldpub_query(built[0], PERSONS, "--format", "csv").output)))
    assert [(r["name"], r["wikidataId"], r["mentions"]) for r in rows] == [
        ("Hao Deqing", "", "1"),
        ("Pak Seong-cheol", "", "2"),
    ]
    data = json.loads(ldpub_query(built[0], PERSONS, "--format", "json").output)
    assert data["head"]["vars"][:3] == ["document", "title", "person"]
    assert PAK in [b["person"]["value"] for b in data["results"]["bindings"]]


def test_query_text_ask_and_construct(built: tuple[Settings, BuildReport]) -> None:
    text = f"SELECT ?l WHERE {{ <{PAK}> <http://www.w3.org/2000/01/rdf-schema#label> ?l }} ORDER BY ?l"
    assert "박성철@ko" in ldpub_query(built[0], text).output
    assert ldpub_query(built[0], ASK).output == "true\n"
    table = ldpub_query(built[0], NETWORK).output
    assert table.splitlines()[0].split() == ["subject", "predicate", "object"]
    assert "dcterms:references" in table and "wd:Q423" in table
    graph = json.loads(ldpub_query(built[0], NETWORK, "--format", "json").output)
    assert any(node.get("@id") == PAK for node in graph)


def test_a_malformed_query_is_a_one_line_error(built: tuple[Settings, BuildReport]) -> None:
    result = ldpub_query(built[0], "SELECT * WHERE {")
    assert result.exit_code == 1
    assert "error: malformed SPARQL query" in result.output
    assert "Traceback" not in result.output


def test_sparqlwrapper_against_oxigraph_serve(
    built: tuple[Settings, BuildReport], oxigraph_endpoint: str
) -> None:
    local = ldpub_query(built[0], PERSONS, "--format", "csv").output
    remote = ldpub_query(built[0], PERSONS, "--format", "csv", "--endpoint", oxigraph_endpoint)
    assert remote.exit_code == 0, remote.output
    assert remote.output == local
    assert ldpub_query(built[0], ASK, "--endpoint", oxigraph_endpoint).output == "true\n"
    network = ldpub_query(built[0], NETWORK, "--endpoint", oxigraph_endpoint).output
    assert network == ldpub_query(built[0], NETWORK).output


def test_endpoint_errors_are_reported(built: tuple[Settings, BuildReport], oxigraph_endpoint: str) -> None:
    result = ldpub_query(built[0], "SELECT * WHERE {", "--endpoint", oxigraph_endpoint)
    assert result.exit_code == 1 and result.output.startswith("error: ")
    closed = ldpub_query(built[0], "ASK {}", "--endpoint", "http://127.0.0.1:9/sparql")
    assert closed.exit_code == 1 and "cannot reach the SPARQL endpoint" in closed.output


def test_sparqlwrapper_gets_the_telegrams_mentions_from_ldpub_serve(
    built: tuple[Settings, BuildReport],
) -> None:
    with ldpub_server(built[0].store) as url:
        result = ldpub_query(
            built[0],
            str(ROOT / "queries" / "08-mentions-in-context.rq"),
            "--format",
            "json",
            "--endpoint",
            f"{url}/sparql",
        )
    assert result.exit_code == 0, result.output
    bindings = json.loads(result.output)["results"]["bindings"]
    assert len(bindings) == 50
    assert [b["exact"]["value"] for b in bindings if b["entity"]["value"] == PAK] == [
        "Pak Seong-cheol [Pak Song Chol]",
        "Foreign Minister Pak",
    ]
