"""The OpenAPI document tells the truth: statuses, error schemas, the write key, strict types,
and OPTIONS / 405 name exactly the methods a path serves."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.runtime import Runtime
from tests.api.client import local_client

ERROR_SCHEMA = "#/components/schemas/ErrorMessage"


@pytest.fixture(scope="module")
def document(seeded_settings, embedder) -> dict:
    from tests.indexed import runtime_for

    runtime = runtime_for(seeded_settings, embedder)
    try:
        with local_client(create_app(runtime=runtime)) as client:
            return client.get("/openapi.json").json()
    finally:
        runtime.close()


@pytest.fixture
def client(seeded_runtime: Runtime) -> Iterator[TestClient]:
    with local_client(create_app(runtime=seeded_runtime)) as test_client:
        yield test_client


def _operations(document: dict) -> Iterator[tuple[str, str, dict]]:
    for path, item in document["paths"].items():
        for method, operation in item.items():
            yield path, method, operation


def test_the_write_key_is_a_security_scheme(document: dict) -> None:
    schemes = document["components"]["securitySchemes"]
    assert schemes["ApiKey"] == {
        "type": "apiKey",
        "in": "header",
        "name": "X-API-Key",
        "description": "the write key",
    }
    assert schemes["Bearer"]["type"] == "http" and schemes["Bearer"]["scheme"] == "bearer"
    writes = [
        document["paths"]["/v1/articles"]["post"],
        document["paths"]["/v1/articles/{article_id}"]["delete"],
        document["paths"]["/v1/jobs/{job_id}"]["get"],
    ]
    for operation in writes:
        assert {"ApiKey": []} in operation["security"] and {"Bearer": []} in operation["security"]
        assert {"401", "403"} <= set(operation["responses"])
    assert "security" not in document["paths"]["/v1/search"]["get"]


def test_every_status_a_route_can_answer_is_documented_with_a_schema(document: dict) -> None:
    for path, method, operation in _operations(document):
        responses = operation["responses"]
        assert {"400", "413"} <= set(responses), (path, method)
        for code, response in responses.items():
            if code.startswith(("4", "5")):
                schema = response["content"]["application/json"]["schema"]
                assert "$ref" in schema, (path, method, code)
    expected = {
        ("/v1/search", "get"): {"422", "503"},
        ("/v1/search", "post"): {"415", "422", "503"},
        ("/v1/tools/search_news", "post"): {"415", "422", "503"},
        ("/v1/archive", "get"): {"503"},
        ("/v1/articles", "post"): {"202", "401", "403", "422", "503"},
        ("/v1/articles/{article_id}", "delete"): {"401", "403", "404", "422", "503"},
        ("/v1/jobs/{job_id}", "get"): {"401", "403", "404", "422"},
        ("/health", "get"): {"503"},
    }
    for (path, method), codes in expected.items():
        assert codes <= set(document["paths"][path][method]["responses"]), (path, method)


def test_dates_are_strings_in_the_document(document: dict) -> None:
    parameters = {p["name"]: p for p in document["paths"]["/v1/search"]["get"]["parameters"]}
    after = parameters["published_after"]["schema"]["anyOf"]
    assert {"type": "string", "format": "date-time"} in after
    assert all(option.get("type") in ("string", "null") for option in after)
    tool = document["components"]["schemas"]["SearchNewsArgs"]["properties"]["published_after"]
    assert {"type": "string", "format": "date"} in tool["anyOf"]


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        ("/v1/search", "GET, POST"),
        ("/v1/articles", "POST"),
        ("/v1/articles/some-id", "DELETE"),
        ("/health", "GET"),
        ("/", "GET, HEAD"),
    ],
)
def test_options_and_405_name_the_methods_the_path_serves(
    client: TestClient, path: str, allowed: str
) -> None:
    options = client.options(path)
    assert options.status_code == 204 and options.headers["allow"] == allowed
    wrong = client.request("PATCH", path)
    assert wrong.status_code == 405 and wrong.headers["allow"] == allowed
    assert wrong.json()["detail"]
