"""Host headers from NEWSDESK_API__ALLOWED_HOSTS only (REST, page and MCP alike), and the
security headers on every response."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from search.embedding import Embedder
from search.settings import ApiSettings, Settings
from tests.indexed import runtime_for

MCP_HEADERS = {"content-type": "application/json", "accept": "application/json, text/event-stream"}
LIST_TOOLS = b'{"jsonrpc": "2.0", "id": 1, "method": "tools/list"}'
PATHS = ["/health", "/v1/search?q=missile", "/", "/docs", "/openapi.json"]


@pytest.fixture
def client_for(tmp_path: Path, embedder: Embedder) -> Iterator:
    """A started app with the given API settings; requests choose their Host header."""
    opened = []

    def build(**api: object) -> TestClient:
        settings = Settings(data_dir=tmp_path / f"var{len(opened)}", api=ApiSettings(**api))
        runtime = runtime_for(settings, embedder)
        client = TestClient(create_app(runtime=runtime), base_url="http://localhost")
        client.__enter__()
        opened.append((client, runtime))
        return client

    yield build
    for client, runtime in opened:
        client.__exit__(None, None, None)
        runtime.close()


def _get(client: TestClient, host: str, path: str):
    return client.get(path, headers={"host": host})


def _mcp(client: TestClient, host: str, **headers: str):
    return client.post("/mcp", content=LIST_TOOLS, headers={**MCP_HEADERS, "host": host, **headers})


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1:8000", "[::1]:9000", "LocalHost:1"])
def test_local_names_are_served_on_any_port(client_for, host: str) -> None:
    client = client_for()
    for path in PATHS:
        assert _get(client, host, path).status_code == 200, path
    if host != "LocalHost:1":  # the MCP SDK compares Host case-sensitively
        assert _mcp(client, host).status_code == 200


@pytest.mark.parametrize("host", ["evil.example", "localhost.evil.example:8000", ""])
def test_other_hosts_are_refused_everywhere(client_for, host: str) -> None:
    client = client_for()
    for path in PATHS:
        response = _get(client, host, path)
        assert response.status_code == 400, path
        assert "host" in response.json()["detail"].lower()
    assert _mcp(client, host).status_code == 400


def test_one_setting_serves_rest_and_mcp_under_a_public_name(client_for) -> None:
    client = client_for(allowed_hosts=["news.example.org"])
    assert _get(client, "news.example.org:8443", "/health").status_code == 200
    assert _mcp(client, "news.example.org:8443").status_code == 200
    assert _get(client, "localhost", "/health").status_code == 400
    assert _mcp(client, "localhost").status_code == 400


def test_any_host_when_configured_so(client_for) -> None:
    client = client_for(allowed_hosts=["*"])
    assert _get(client, "anything.example", "/health").status_code == 200
    assert _mcp(client, "anything.example").status_code == 200


def test_mcp_refuses_a_page_from_another_origin(client_for) -> None:
    response = _mcp(client_for(), "localhost:8000", origin="http://evil.example")
    assert response.status_code == 403


def _assert_security_headers(response) -> None:
    policy = response.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy and "default-src 'self'" in policy
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"


def test_every_response_carries_the_security_headers(client_for) -> None:
    client = client_for()
    responses = [
        client.get("/"),
        client.get("/app.js"),
        client.get("/v1/search", params={"q": "missile"}),
        client.get("/v1/search"),  # 422
        client.get("/nothing-here"),  # 404
        client.post("/v1/search", content=b"x" * 70_000),  # 413
        client.post("/mcp", content=LIST_TOOLS, headers=MCP_HEADERS),
        client.get("/docs"),
        client.get("/redoc"),
        client.get("/openapi.json"),
        _get(client, "evil.example", "/"),  # 400
    ]
    for response in responses:
        _assert_security_headers(response)
    page_policy = responses[0].headers["content-security-policy"]
    assert "unsafe-inline" not in page_policy


def test_docs_load_nothing_from_outside(client_for) -> None:
    client = client_for()
    for page in ("/docs", "/redoc"):
        html = client.get(page).text
        assert "http://" not in html and "https://" not in html and "<script>" not in html
    for asset in ("swagger-ui-bundle.js", "swagger-init.js", "redoc.standalone.js"):
        response = client.get(f"/docs-assets/{asset}")
        assert response.status_code == 200, asset
        assert "javascript" in response.headers["content-type"]
    assert client.get("/docs-assets/swagger-ui.css").status_code == 200
