"""SERVICE federation: refused unless the endpoint is on the allow-list; then it really runs.

The allowed endpoint is a real `oxigraph serve` on 127.0.0.1; nothing leaves the machine.
"""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

from ldpub.build import BuildReport
from ldpub.settings import Settings
from ldpub.store import EmbeddedStore
from ldpub.web import create_app

from .servers import oxigraph_server


def test_allowed_service_is_federated_and_others_are_refused(
    tmp_path: Path, built: tuple[Settings, BuildReport], store: EmbeddedStore
) -> None:
    with oxigraph_server(tmp_path / "remote") as remote:
        data = b'<http://example.org/a> <http://example.org/says> "hello from the remote store" .'
        request = urllib.request.Request(
            f"{remote}/store?default",
            data=data,
            method="POST",
            headers={"Content-Type": "application/n-triples"},
        )
        urllib.request.urlopen(request, timeout=10).close()
        endpoint = f"{remote}/query"
        query = f"SELECT ?o WHERE {{ SERVICE <{endpoint}> {{ <http://example.org/a> ?p ?o }} }}"

        refused = (
            create_app(built[0], store=store).test_client().get("/sparql", query_string={"query": query})
        )
        assert refused.status_code == 403
        assert endpoint in refused.get_data(as_text=True)

        allowed_settings = built[0].replace(sparql_service_allow=(endpoint,))
        client = create_app(allowed_settings, store=store).test_client()
        answer = client.get(
            "/sparql", query_string={"query": query}, headers={"Accept": "application/sparql-results+json"}
        )
        assert answer.status_code == 200, answer.get_data(as_text=True)
        rows = json.loads(answer.data)["results"]["bindings"]
        assert [row["o"]["value"] for row in rows] == ["hello from the remote store"]

        other = "SELECT ?o WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"
        assert client.get("/sparql", query_string={"query": other}).status_code == 403
