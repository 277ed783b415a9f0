"""Whatever a client sends, it gets a 4xx whose JSON body names the problem, never a 500."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from api.app import create_app
from search.embedding import Embedder
from search.settings import ApiSettings, Settings
from tests.api.client import local_client
from tests.indexed import runtime_for

KEY = "fuzz-key"
JSON = {"content-type": "application/json"}
WRITE = {**JSON, "X-API-Key": KEY}
GOOD_ARTICLE = (
    '{"id": "ferry", "title": "Ferry fares frozen", "source": "Coastal Wire",'
    ' "body": "The ferry operator froze fares for a year."}'
)
# (route, headers, a valid body with its first field spelled out so tests can corrupt it)
ROUTES = [
    ("/v1/search", JSON, '{"q": "missile"}'),
    ("/v1/tools/search_news", JSON, '{"query": "missile"}'),
    ("/v1/articles", WRITE, '{"articles": [' + GOOD_ARTICLE + "]}"),
]
MALFORMED = {
    "truncated": b'{"q": "missi',
    "not UTF-8": b'{"q": "caf\xe9 au lait"}',
    "a NUL byte": b"\x00",
    "nested 1000 deep": b"[" * 1000 + b"]" * 1000,
    "nested 30000 deep": b"[" * 30_000 + b"]" * 30_000,
    "NaN literal": b'{"q": "missile", "top_k": NaN}',
    "Infinity literal": b'{"q": "missile", "top_k": -Infinity}',
    "trailing garbage": b'{"q": "missile"} x',
    "a 5000-digit integer": b'{"q": "missile", "top_k": ' + b"9" * 5000 + b"}",
}


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Iterator[TestClient]:
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("errors") / "var",
        api=ApiSettings(write_key=SecretStr(KEY)),
    )
    runtime = runtime_for(settings, embedder)
    with local_client(create_app(runtime=runtime)) as test_client:
        yield test_client
    runtime.close()


def _errors(response, status: int = 422) -> list[dict]:
    assert response.status_code == status, response.text[:500]
    assert response.headers["content-type"].startswith("application/json")
    detail = response.json()["detail"]
    assert isinstance(detail, list) and detail, detail
    return detail


def _named(response, *loc: str | int) -> dict:
    """The error about the field at ``loc`` (e.g. "body", "top_k")."""
    errors = _errors(response)
    matching = [error for error in errors if tuple(error["loc"][: len(loc)]) == loc]
    assert matching, errors
    return matching[0]


@pytest.mark.parametrize("route", ROUTES, ids=[route for route, _, _ in ROUTES])
@pytest.mark.parametrize("body", MALFORMED.values(), ids=MALFORMED.keys())
def test_malformed_json_gets_422_on_every_route(
    client: TestClient, route: tuple[str, dict, str], body: bytes
) -> None:
    path, headers, _ = route
    errors = _errors(client.post(path, content=body, headers=headers))
    assert all(error["loc"][0] == "body" for error in errors)
    assert any(error["type"] == "json_invalid" for error in errors)


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/v1/search", '{"q": "missile", "top_k": 1e400}', "top_k"),
        ("/v1/search", '{"q": "missile", "rrf_k": 1e400}', "rrf_k"),
        ("/v1/search", '{"q": "missile", "bm25_weight": -1e400}', "bm25_weight"),
        ("/v1/search", '{"q": "missile", "dense_weight": 1e999}', "dense_weight"),
        ("/v1/tools/search_news", '{"query": "missile", "max_chars": 1e400}', "max_chars"),
        ("/v1/tools/search_news", '{"query": "missile", "top_k": -1e400}', "top_k"),
    ],
)
def test_numbers_too_large_for_a_float_name_the_field(
    client: TestClient, path: str, body: str, field: str
) -> None:
    error = _named(client.post(path, content=body, headers=JSON), "body", field)
    assert "finite" in error["msg"] or "integer" in error["msg"], error


@pytest.mark.parametrize("field", ["rrf_k", "bm25_weight", "dense_weight"])
@pytest.mark.parametrize("value", ["NaN", "inf", "-Infinity", "1e400"])
def test_non_finite_query_parameters_name_the_field(
    client: TestClient, field: str, value: str
) -> None:
    response = client.get("/v1/search", params={"q": "missile", field: value})
    _named(response, "query", field)


@pytest.mark.parametrize(
    ("path", "body", "loc"),
    [
        ("/v1/search", '{"q": "\\ud800"}', ("body", "q")),
        ("/v1/search", '{"q": "missile \\udfff fly"}', ("body", "q")),
        ("/v1/search", '{"q": "missile", "outlet": ["\\udfff"]}', ("body", "outlet", 0)),
        ("/v1/search", '{"q": "missile", "author": ["Mara \\ud83d"]}', ("body", "author", 0)),
        ("/v1/tools/search_news", '{"query": "\\ud800 far"}', ("body", "query")),
        ("/v1/tools/search_news", '{"query": "far", "outlet": "\\udc00"}', ("body", "outlet")),
    ],
)
def test_lone_surrogates_name_the_field(
    client: TestClient, path: str, body: str, loc: tuple
) -> None:
    error = _named(client.post(path, content=body, headers=JSON), *loc)
    assert "surrogate" in error["msg"]
    assert "\\ud" in (error.get("input") or "\\ud").lower()  # echoed escaped, never raw


def test_a_surrogate_pair_is_a_character_not_an_error(client: TestClient) -> None:
    response = client.post("/v1/search", content='{"q": "rocket \\ud83d\\ude80"}', headers=JSON)
    assert response.status_code == 200, response.text


def test_an_article_with_a_lone_surrogate_is_rejected_alone(client: TestClient) -> None:
    bad = '{"title": "Broken", "body": "half of a pair: \\ud800, then text"}'
    body = '{"articles": [' + bad + ", " + GOOD_ARTICLE + "]}"
    response = client.post("/v1/articles", content=body, headers=WRITE)
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert [result["status"] for result in results] == ["rejected", "indexed"]
    assert "body" in results[0]["reason"] and "surrogate" in results[0]["reason"]


@pytest.mark.parametrize(
    ("path", "body", "loc"),
    [
        ("/v1/search", '{"q": ["missile"]}', ("body", "q")),
        ("/v1/search", '{"q": "missile", "top_k": "5"}', ("body", "top_k")),
        ("/v1/search", '{"q": "missile", "top_k": 2.5}', ("body", "top_k")),
        ("/v1/search", '{"q": "missile", "group": "yes"}', ("body", "group")),
        ("/v1/search", '{"q": "missile", "outlet": "BBC"}', ("body", "outlet")),
        ("/v1/search", '{"q": "missile", "facets": "outlet,day"}', ("body", "facets")),
        ("/v1/search", "[]", ("body",)),
        ("/v1/tools/search_news", '{"query": 7}', ("body", "query")),
        ("/v1/tools/search_news", '{"query": "far", "top_k": true}', ("body", "top_k")),
        ("/v1/articles", '{"articles": "all of them"}', ("body", "articles")),
        ("/v1/articles", '{"articles": []}', ("body", "articles")),
        ("/v1/articles", '{"articles": [1, 2]}', ("body", "articles", 0)),
    ],
)
def test_wrong_types_name_the_field(client: TestClient, path: str, body: str, loc: tuple) -> None:
    headers = WRITE if path == "/v1/articles" else JSON
    _named(client.post(path, content=body, headers=headers), *loc)


@pytest.mark.parametrize("value", ["0", "1700000000", "-5", "1.5e9", "yesterday", "2024-13-01"])
def test_dates_are_iso_strings_never_numbers(client: TestClient, value: str) -> None:
    got = client.get("/v1/search", params={"q": "missile", "published_after": value})
    _named(got, "query", "published_after")
    literal = value if value.lstrip("-").replace(".", "").replace("e", "").isdigit() else None
    raw = literal if literal is not None else f'"{value}"'
    posted = client.post(
        "/v1/search", content=f'{{"q": "m", "published_before": {raw}}}', headers=JSON
    )
    _named(posted, "body", "published_before")
    tool = f'{{"query": "m", "published_after": {raw}}}'
    _named(
        client.post("/v1/tools/search_news", content=tool, headers=JSON), "body", "published_after"
    )


def test_an_iso_date_still_filters(client: TestClient) -> None:
    ok = {"q": "missile", "published_after": "2024-01-01T00:00:00Z"}
    assert client.get("/v1/search", params=ok).status_code == 200
    tool = {"query": "missile", "published_after": "2024-01-01", "published_before": "2024-12-31"}
    assert client.post("/v1/tools/search_news", json=tool).status_code == 200


def test_a_date_that_overflows_in_utc_is_a_422(client: TestClient) -> None:
    early = {"q": "missile", "published_after": "0001-01-01T00:00:00+05:00"}
    _named(client.get("/v1/search", params=early), "query", "published_after")
    late = {"q": "missile", "published_before": "9999-12-31T23:59:59-05:00"}
    _named(client.get("/v1/search", params=late), "query", "published_before")


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/v1/search", {"q": "x" * 5000}),
        ("/v1/search", {"q": "missile", "outlet": ["o" * 60_000]}),
        ("/v1/search", {"q": "missile", "k" * 30_000: 1}),
        ("/v1/tools/search_news", {"query": "far", "outlet": "o" * 60_000}),
    ],
)
def test_errors_echo_only_a_short_excerpt(client: TestClient, path: str, body: dict) -> None:
    response = client.post(path, json=body)
    assert response.status_code == 422
    assert len(response.content) < 2_000, len(response.content)


def test_a_body_that_is_not_json_gets_415(client: TestClient) -> None:
    response = client.post(
        "/v1/search", content=b"q=missile", headers={"content-type": "text/plain"}
    )
    assert response.status_code == 415
    assert "application/json" in response.json()["detail"]


def test_multipart_without_a_file_names_the_field(client: TestClient) -> None:
    response = client.post(
        "/v1/articles", data={"other": "x"}, files={"x": ("a", b"b")}, headers={"X-API-Key": KEY}
    )
    _named(response, "body", "file")


def test_a_broken_multipart_body_gets_400(client: TestClient) -> None:
    headers = {"X-API-Key": KEY, "content-type": "multipart/form-data; boundary=zzz"}
    response = client.post("/v1/articles", content=b"--zzz\r\n[]--zzz--\r\n", headers=headers)
    assert response.status_code == 400
    assert isinstance(response.json()["detail"], str)


def test_an_overlong_article_id_is_a_422_naming_it(client: TestClient) -> None:
    response = client.delete("/v1/articles/" + "a" * 300, headers={"X-API-Key": KEY})
    _named(response, "path", "article_id")


def test_unknown_paths_and_methods_answer_json(client: TestClient) -> None:
    missing = client.get("/v1/nothing-here")
    assert missing.status_code == 404 and missing.json()["detail"]
    wrong = client.put("/v1/search", json={"q": "missile"})
    assert wrong.status_code == 405 and wrong.json()["detail"]


def test_mcp_refuses_broken_arguments_without_a_500(client: TestClient) -> None:
    headers = {**JSON, "accept": "application/json, text/event-stream"}
    call = (
        '{"jsonrpc": "2.0", "id": 1, "method": "tools/call",'
        ' "params": {"name": "search_news", "arguments": ARGS}}'
    )
    for arguments in [
        '{"query": "\\ud800"}',
        '{"query": "m", "top_k": NaN}',
        '{"query": "m", "max_chars": 1e400}',
        '{"query": "m", "published_after": 0}',
        "[" * 1000,
    ]:
        response = client.post("/mcp", content=call.replace("ARGS", arguments), headers=headers)
        assert response.status_code in (200, 400), response.text
        answer = response.json()
        # A JSON-RPC error (unparseable message) or a tool result flagged as an error.
        assert "error" in answer or answer["result"]["isError"] is True, answer
