"""The reconciliation service at /reconcile (W3C Reconciliation Service API 0.2, what OpenRefine speaks).

Every answer is validated against the spec's JSON Schemas (tests/data/reconciliation/0.2, checked first
against the upstream valid/invalid examples); matching facts are asserted on the built dataset; bad input
gets a 400 (413 for an oversized batch) with a JSON body, never a 500; one test goes through the real
server as OpenRefine does (form-encoded POST).
"""

from __future__ import annotations

import dataclasses
import json
import re
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft7Validator
from referencing import Registry
from referencing.jsonschema import DRAFT7

from ldpub.build import BuildReport, build
from ldpub.reconciliation import index_for
from ldpub.reconciliation.matching import MAX_QUERIES
from ldpub.settings import Settings
from ldpub.store import EmbeddedStore, open_published, open_store
from ldpub.web import create_app

from .conftest import BASE, project_settings
from .servers import ldpub_server, oxigraph_server

SPECS = Path(__file__).parent / "data" / "reconciliation" / "0.2"
SCHEMAS = {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in SPECS.glob("*.json")}
REGISTRY: Registry[Any] = Registry().with_resources(
    (doc["$id"].rstrip("#"), DRAFT7.create_resource(doc)) for doc in SCHEMAS.values()
)
DONE_WHEN = {"q0": {"query": "Pak Song Chol"}, "q1": {"query": "Jilin Province", "type": "place"}}


def validator(name: str) -> Draft7Validator:
    return Draft7Validator(SCHEMAS[name], registry=REGISTRY)


def assert_valid(name: str, instance: object) -> None:
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator(name).iter_errors(instance)]
    assert not errors, f"{name}: {errors}"


def examples() -> list[tuple[str, bool, Path]]:
    found = []
    for path in sorted((SPECS / "examples").glob("*/*/*.json")):
        schema, verdict = path.parent.parent.name, path.parent.name
        if schema in SCHEMAS:
            found.append((schema, verdict == "valid", path))
    return found


@pytest.mark.parametrize(("schema", "valid", "path"), examples(), ids=lambda v: getattr(v, "name", str(v)))
def test_upstream_examples_validate_as_labelled(schema: str, valid: bool, path: Path) -> None:
    """Self-check of the schemas and of how they are loaded: valid examples pass, invalid ones fail."""
    instance = json.loads(path.read_text(encoding="utf-8"))
    assert validator(schema).is_valid(instance) is valid


def test_examples_cover_every_answer_schema() -> None:
    tested = {schema for schema, _, _ in examples()}
    assert {"manifest", "reconciliation-result-batch", "data-extension-response"} <= tested
    assert any(not valid for _, valid, _ in examples())


def batch(client: FlaskClient, queries: object, **extra: str) -> Any:
    response = client.post("/reconcile", data={"queries": json.dumps(queries), **extra})
    assert response.status_code == 200, response.data
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert_valid("reconciliation-result-batch", response.json)
    return response.json


def top(answer: Any, key: str) -> dict[str, Any]:
    result: list[dict[str, Any]] = answer[key]["result"]
    assert result, f"{key}: no candidate"
    return result[0]


# ---------------------------------------------------------------- manifest


def test_manifest(client: FlaskClient) -> None:
    response = client.get("/reconcile")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    manifest = response.json
    assert_valid("manifest", manifest)
    assert manifest["versions"] == ["0.2"]
    assert manifest["identifierSpace"] == f"{BASE}/id/"
    assert {t["id"] for t in manifest["defaultTypes"]} == {"person", "group", "place", "document"}
    assert all(t["name"] for t in manifest["defaultTypes"])
    assert manifest["view"]["url"] == f"{BASE}/id/{{{{id}}}}"
    assert isinstance(manifest["preview"]["width"], int) and isinstance(manifest["preview"]["height"], int)
    for kind in ("entity", "type", "property"):
        service = manifest["suggest"][kind]
        assert (service["service_url"] + service["service_path"]).endswith(f"/reconcile/suggest/{kind}")
    assert manifest["extend"]["propose_properties"]["service_path"] == "/propose_properties"


def test_view_template_reaches_the_entity(client: FlaskClient) -> None:
    """OpenRefine percent-encodes the id into the view template; the result names our entity page."""
    view = client.get("/reconcile").json["view"]["url"]
    url = view.replace("{{id}}", urllib.parse.quote("person/pak-seong-cheol", safe=""))
    response = client.get(url.removeprefix(BASE), headers={"Accept": "text/html"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/doc/person/pak-seong-cheol")


def test_jsonp_manifest_as_jquery_asks(client: FlaskClient) -> None:
    response = client.get("/reconcile?callback=jQuery3600_17&_=1700000000000")
    assert response.status_code == 200
    assert response.mimetype == "application/javascript"
    body = response.get_data(as_text=True)
    found = re.fullmatch(r"/\*\*/jQuery3600_17\((.*)\);", body, re.DOTALL)
    assert found, body[:80]
    assert_valid("manifest", json.loads(found.group(1)))


@pytest.mark.parametrize("callback", ["alert(1)", "a b", "1abc", "x;y", "</script>", "a" * 200, ""])
def test_bad_callback_is_refused(client: FlaskClient, callback: str) -> None:
    response = client.get("/reconcile", query_string={"callback": callback})
    assert response.status_code == 400
    assert response.is_json and "callback" in response.json["detail"]


@pytest.mark.parametrize("path", ["/reconcile", "/reconcile/suggest/entity", "/reconcile/preview"])
def test_cors_preflight(client: FlaskClient, path: str) -> None:
    response = client.options(
        path, headers={"Origin": "http://example.org", "Access-Control-Request-Method": "POST"}
    )
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in response.headers["Access-Control-Allow-Methods"]


# ---------------------------------------------------------------- queries


def test_done_when_batch_post_and_get(client: FlaskClient) -> None:
    posted = batch(client, DONE_WHEN)
    assert set(posted) == {"q0", "q1"}
    assert top(posted, "q0")["id"] == "person/pak-seong-cheol"
    assert top(posted, "q0")["match"] is True
    assert top(posted, "q1")["id"] == "place/jilin"
    assert top(posted, "q1")["type"] == [{"id": "place", "name": "Place"}]
    response = client.get("/reconcile", query_string={"queries": json.dumps(DONE_WHEN)})
    assert response.status_code == 200
    assert response.json == posted


def test_jsonp_queries(client: FlaskClient) -> None:
    response = client.get("/reconcile", query_string={"queries": json.dumps(DONE_WHEN), "callback": "cb"})
    body = response.get_data(as_text=True)
    assert body.startswith("/**/cb(") and body.endswith(");")
    assert_valid("reconciliation-result-batch", json.loads(body[len("/**/cb(") : -2]))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Pak Seong-cheol", "person/pak-seong-cheol"),
        ("Pak Sŏng-ch'ŏl", "person/pak-seong-cheol"),
        ("pak seong chol", "person/pak-seong-cheol"),
        ("朴成哲", "person/pak-seong-cheol"),
        ("박성철", "person/pak-seong-cheol"),
        ("KIM IL-SUNG", "person/kim-il-sung"),
        ("Hao Te-ching", "person/hao-deqing"),
        ("吉林省", "place/jilin"),
        ("Kirin", "place/jilin"),
        ("Chaoxianzu", "group/korean-chinese"),
        ("Communist Party of China", "group/ccp"),
        ("PRC FMA 118-01025-02, 4-6", "document/prc-fma-118-01025-02"),
        (f"{BASE}/id/place/dprk", "place/dprk"),
        ("place/dprk", "place/dprk"),
    ],
)
def test_names_across_romanisations_and_scripts(client: FlaskClient, query: str, expected: str) -> None:
    first = top(batch(client, {"q": {"query": query}}), "q")
    assert first["id"] == expected
    assert first["score"] >= 90 and first["match"] is True


def test_scores_sorted_bounded_and_match_only_when_unambiguous(client: FlaskClient) -> None:
    answer = batch(client, {"a": {"query": "Korea"}, "b": {"query": "Pak"}, "c": {"query": "Pak Song Chol"}})
    for key in answer:
        scores = [c["score"] for c in answer[key]["result"]]
        assert scores == sorted(scores, reverse=True)
        assert all(0 <= s <= 100 for s in scores)
    assert not any(c["match"] for c in answer["a"]["result"])  # North Korea, Korean Chinese: no sure one
    assert not any(c["match"] for c in answer["b"]["result"])  # two persons named Pak
    assert {c["id"] for c in answer["b"]["result"]} >= {"person/pak-seong-cheol", "person/pak-heon-yeong"}
    assert [c["match"] for c in answer["c"]["result"]].count(True) == 1


def test_type_and_limit(client: FlaskClient) -> None:
    answer = batch(
        client,
        {
            "places": {"query": "China", "type": "place"},
            "groups": {"query": "China", "type": ["group"]},
            "crm": {"query": "China", "type": "E74_Group"},
            "one": {"query": "Pak", "limit": 1},
        },
    )
    assert {c["type"][0]["id"] for c in answer["places"]["result"]} == {"place"}
    assert top(answer, "places")["id"] == "place/prc"
    assert {c["type"][0]["id"] for c in answer["groups"]["result"]} == {"group"}
    assert answer["crm"] == answer["groups"]
    assert len(answer["one"]["result"]) == 1


def test_property_conditions_raise_and_lower_scores(client: FlaskClient) -> None:
    answer = batch(
        client,
        {
            "plain": {"query": "Pyongyan"},
            "right_country": {
                "query": "Pyongyan",
                "properties": [{"pid": "falls_within", "v": "North Korea"}],
            },
            "wrong_country": {
                "query": "Pyongyan",
                "properties": [{"pid": "falls_within", "v": {"id": "place/prc"}}],
            },
            "wikidata_only": {
                "properties": [{"pid": "wikidata", "v": "http://www.wikidata.org/entity/Q45208"}]
            },
            "wrong_qid": {"query": "Jilin", "properties": [{"pid": "wikidata", "v": "Q43934"}]},
        },
    )
    plain, right, wrong = (top(answer, k) for k in ("plain", "right_country", "wrong_country"))
    assert plain["id"] == right["id"] == wrong["id"] == "place/pyongyang"
    assert wrong["score"] < plain["score"] < right["score"]
    assert {"id": "property_falls_within", "value": True} in right["features"]
    assert {"id": "property_falls_within", "value": False} in wrong["features"]
    assert top(answer, "wikidata_only")["id"] == "place/jilin" and top(answer, "wikidata_only")["match"]
    assert top(answer, "wrong_qid")["match"] is False  # Liaoning's QID: the name alone is not enough


def test_empty_batch_and_empty_query(client: FlaskClient) -> None:
    assert batch(client, {}) == {}
    assert batch(client, {"q": {"query": ""}}) == {"q": {"result": []}}


# ---------------------------------------------------------------- bad input


BAD_BATCHES: list[tuple[str, int]] = [
    ("{not json", 400),
    ("[1, 2]", 400),
    ('"Pak"', 400),
    ('{"q": "Pak"}', 400),
    ('{"q": {"query": 3}}', 400),
    ('{"q": {"query": "x", "limit": "ten"}}', 400),
    ('{"q": {"query": "x", "limit": 0}}', 400),
    ('{"q": {"query": "x", "limit": NaN}}', 400),
    ('{"q": {"query": "x", "type": "city"}}', 400),
    ('{"q": {"query": "x", "type": [1]}}', 400),
    ('{"q": {"query": "x", "type_strict": "some"}}', 400),
    ('{"q": {"query": "x", "props": []}}', 400),
    ('{"q": {"limit": 1}}', 400),
    ('{"q": {"properties": []}}', 400),
    ('{"q": {"query": "x", "properties": [{"pid": "shoe_size", "v": 3}]}}', 400),
    ('{"q": {"query": "x", "properties": [{"pid": "wikidata"}]}}', 400),
    ('{"q": {"query": "x", "properties": [{"pid": "wikidata", "v": [[1]]}]}}', 400),
    ("[" * 100_000, 400),
    (json.dumps({f"q{i}": {"query": "x"} for i in range(MAX_QUERIES + 1)}), 413),
]


@pytest.mark.parametrize(("raw", "status"), BAD_BATCHES, ids=lambda v: str(v)[:40])
def test_bad_queries_get_a_json_error(client: FlaskClient, raw: str, status: int) -> None:
    response = client.post("/reconcile", data={"queries": raw})
    assert response.status_code == status
    assert response.is_json and response.json["status"] == status and response.json["detail"]
    assert response.headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize(
    "path",
    [
        "/reconcile/suggest/entity?cursor=-1",
        "/reconcile/suggest/entity?cursor=x",
        "/reconcile/suggest/shoes?prefix=a",
        "/reconcile/preview",
        "/reconcile/propose_properties?type=city",
        "/reconcile/propose_properties?type=place&limit=many",
        "/reconcile?extend=nope",
        '/reconcile?extend={"ids": "place/jilin", "properties": []}',
        '/reconcile?extend={"ids": ["place/jilin"], "properties": [{"id": "shoe_size"}]}',
        '/reconcile?extend={"ids": ["place/jilin"], "properties": [{"id": "wikidata", "settings": {"limit": -1}}]}',
    ],
)
def test_bad_requests_to_other_services_get_400(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 400, response.data
    assert response.is_json and response.json["detail"]


def test_post_without_queries_or_extend_is_400(client: FlaskClient) -> None:
    assert client.post("/reconcile", data={"other": "1"}).status_code == 400


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)
_query_objects = st.fixed_dictionaries(
    {},
    optional={
        "query": st.text(max_size=40) | _json_values,
        "type": st.sampled_from(["person", "place", "E74_Group", "x"]) | _json_values,
        "limit": st.integers(-2, 500) | _json_values,
        "type_strict": st.sampled_from(["any", "should", "all"]) | _json_values,
        "properties": st.lists(
            st.fixed_dictionaries(
                {
                    "pid": st.sampled_from(["wikidata", "falls_within", "label_zh", "kind"])
                    | st.text(max_size=8)
                },
                optional={"v": _json_values},
            ),
            max_size=3,
        )
        | _json_values,
    },
)


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    queries=st.dictionaries(st.text(max_size=6), _query_objects | _json_values, max_size=4)
    | _json_values
    | st.text(max_size=60)
)
def test_random_queries_never_get_a_500(app: Flask, queries: object) -> None:
    raw = queries if isinstance(queries, str) else json.dumps(queries)
    response = app.test_client().post("/reconcile", data={"queries": raw})
    assert response.status_code in (200, 400), response.data
    assert response.is_json
    if response.status_code == 200:
        assert_valid("reconciliation-result-batch", response.json)
        assert set(response.json) == set(json.loads(raw))


# ---------------------------------------------------------------- suggest, preview, extend


@pytest.mark.parametrize(
    ("prefix", "expected"),
    [
        ("pak s", "person/pak-seong-cheol"),
        ("Pak Song", "person/pak-seong-cheol"),
        ("박", "person/pak-seong-cheol"),
        ("朴", "person/pak-seong-cheol"),
        ("kiri", "place/jilin"),
        ("吉林", "place/jilin"),
        ("林省", "place/jilin"),
        ("seong", "person/pak-seong-cheol"),
        ("chaox", "group/korean-chinese"),
    ],
)
def test_suggest_entity_by_prefix(client: FlaskClient, prefix: str, expected: str) -> None:
    response = client.get("/reconcile/suggest/entity", query_string={"prefix": prefix})
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert_valid("suggest-entities-response", response.json)
    assert expected in [r["id"] for r in response.json["result"]]


def test_suggest_cursor_pages(client: FlaskClient) -> None:
    first = client.get("/reconcile/suggest/entity?prefix=p&limit=2").json["result"]
    second = client.get("/reconcile/suggest/entity?prefix=p&limit=2&cursor=2").json["result"]
    assert len(first) == 2 and second and not {r["id"] for r in first} & {r["id"] for r in second}


def test_suggest_types_and_properties(client: FlaskClient) -> None:
    types = client.get("/reconcile/suggest/type?prefix=pl").json
    assert_valid("suggest-types-response", types)
    assert [t["id"] for t in types["result"]] == ["place"]
    props = client.get("/reconcile/suggest/property?prefix=wiki").json
    assert_valid("suggest-properties-response", props)
    assert [p["id"] for p in props["result"]] == ["wikidata"]
    labels = client.get("/reconcile/suggest/property?prefix=label").json["result"]
    assert {"label_en", "label_zh", "label_ko"} <= {p["id"] for p in labels}


def test_preview(client: FlaskClient) -> None:
    manifest = client.get("/reconcile").json
    path = manifest["preview"]["url"].replace("{{id}}", urllib.parse.quote("place/jilin", safe=""))
    response = client.get(path.removeprefix("http://localhost"))
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    page = response.get_data(as_text=True)
    for fact in ("Jilin", "吉林省", "Kirin", "People&#39;s Republic of China", "Q45208"):
        assert fact in page
    assert client.get("/reconcile/preview?id=place/atlantis").status_code == 404


def test_propose_properties(client: FlaskClient) -> None:
    answer = client.get("/reconcile/propose_properties?type=place").json
    assert_valid("data-extension-property-proposal", answer)
    ids = [p["id"] for p in answer["properties"]]
    assert {
        "wikidata",
        "label_zh",
        "label_ko",
        "label_en",
        "other_names",
        "mentioned_in",
        "falls_within",
    } <= set(ids)
    assert "part_of" not in ids and answer["type"] == "place"
    limited = client.get("/reconcile/propose_properties?type=person&limit=2").json
    assert_valid("data-extension-property-proposal", limited)
    assert len(limited["properties"]) == 2 and limited["limit"] == 2
    documents = {
        p["id"] for p in client.get("/reconcile/propose_properties?type=document").json["properties"]
    }
    assert {"mentions", "date", "reference"} <= documents


def test_extend(client: FlaskClient) -> None:
    query = {
        "ids": ["place/jilin", "person/pak-seong-cheol", "document/prc-fma-118-01025-02", "place/atlantis"],
        "properties": [
            {"id": "wikidata"},
            {"id": "label_zh"},
            {"id": "label_ko"},
            {"id": "other_names", "settings": {"limit": 1}},
            {"id": "mentioned_in"},
            {"id": "falls_within"},
            {"id": "kind"},
            {"id": "date"},
        ],
    }
    assert_valid("data-extension-query", query)
    posted = client.post("/reconcile", data={"extend": json.dumps(query)})
    assert posted.status_code == 200 and posted.headers["Access-Control-Allow-Origin"] == "*"
    answer = posted.json
    assert_valid("data-extension-response", answer)
    assert [m["id"] for m in answer["meta"]] == [p["id"] for p in query["properties"]]
    assert next(m for m in answer["meta"] if m["id"] == "wikidata")["service"].startswith("https://")
    assert set(answer["rows"]) == set(query["ids"])
    jilin, pak = answer["rows"]["place/jilin"], answer["rows"]["person/pak-seong-cheol"]
    assert jilin["wikidata"] == [{"id": "Q45208", "name": "Jilin"}]
    assert jilin["label_zh"] == [{"str": "吉林省"}]
    assert jilin["falls_within"] == [{"id": "place/prc", "name": "People's Republic of China"}]
    assert len(jilin["other_names"]) == 1
    assert pak["wikidata"] == []  # no verified item for the person
    assert pak["label_ko"] == [{"str": "박성철"}]
    assert pak["mentioned_in"][0]["id"] == "document/prc-fma-118-01025-02"
    assert answer["rows"]["document/prc-fma-118-01025-02"]["date"] == [{"date": "1962-03-24T00:00:00Z"}]
    assert all(v == [] for v in answer["rows"]["place/atlantis"].values())
    got = client.get("/reconcile", query_string={"extend": json.dumps(query)})
    assert got.status_code == 200 and got.json == answer


# ---------------------------------------------------------------- the index


def test_index_built_once_per_release(tmp_path: Path) -> None:
    settings = project_settings(tmp_path / "store")
    build(settings)
    with open_published(settings.store) as opened:
        first = index_for(opened, settings.base_uri)
        assert index_for(opened, settings.base_uri) is first
        assert first.build_id == opened.release_info().build_id
        build(settings)
        assert opened.refresh()
        second = index_for(opened, settings.base_uri)
        assert second is not first and second.build_id == opened.release_info().build_id
        assert [e.id for e in second.entries] == [e.id for e in first.entries]


def test_the_app_builds_the_index_once_per_release_not_per_request(
    built: tuple[Settings, BuildReport], store: EmbeddedStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every request reads its own pinned snapshot of the store; the index is still built once."""
    import ldpub.reconciliation.index as index_module

    builds: list[str] = []
    real = index_module.build_index

    def counted(opened: Any, base: str) -> Any:
        builds.append(base)
        return real(opened, base)

    monkeypatch.setattr(index_module, "build_index", counted)
    client = create_app(built[0], store).test_client()
    queries = json.dumps({"q0": {"query": "Jilin"}})
    answers = [client.post("/reconcile", data={"queries": queries}) for _ in range(3)]
    assert all(a.status_code == 200 for a in answers)
    assert answers[0].json["q0"]["result"][0]["id"] == "place/jilin"
    assert len(builds) == 1


def test_index_from_an_external_store_is_the_same(tmp_path: Path, store: EmbeddedStore) -> None:
    """The index reads the store through SPARQL only: a real `oxigraph serve` store gives the same one."""
    embedded = index_for(store, BASE)
    with oxigraph_server(tmp_path / "oxigraph") as url:
        settings = project_settings(
            tmp_path / "unused", store_url=url + "/query", store_update_url=url + "/update"
        )
        build(settings)
        remote = open_store(settings)
        try:
            external = index_for(remote, settings.base_uri)
        finally:
            remote.close()
    assert [dataclasses.asdict(e) for e in external.entries] == [
        dataclasses.asdict(e) for e in embedded.entries
    ]


# ---------------------------------------------------------------- the real server


def test_openrefine_style_batch_through_the_real_server(
    built: tuple[Settings, BuildReport], store: EmbeddedStore
) -> None:
    with ldpub_server(built[0].store) as url:
        with urllib.request.urlopen(url + "/reconcile", timeout=30) as response:
            manifest = json.loads(response.read())
        assert_valid("manifest", manifest)
        body = urllib.parse.urlencode({"queries": json.dumps(DONE_WHEN)}).encode()
        request = urllib.request.Request(
            url + "/reconcile",
            data=body,
            headers={"Content-Type": "application/x-www-form-urlencoded; charset=UTF-8"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            assert response.headers["Access-Control-Allow-Origin"] == "*"
            answer = json.loads(response.read())
        assert_valid("reconciliation-result-batch", answer)
        assert top(answer, "q0")["id"] == "person/pak-seong-cheol"
        assert top(answer, "q1")["id"] == "place/jilin"
        view = manifest["view"]["url"].replace(BASE, url).replace("{{id}}", "person%2Fpak-seong-cheol")
        opener = urllib.request.build_opener(_NoRedirect())
        with pytest.raises(urllib.error.HTTPError) as seen:
            opener.open(view, timeout=30)
        assert seen.value.code == 303
        assert seen.value.headers["Location"].endswith("/doc/person/pak-seong-cheol")
        seen.value.close()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None
