"""Body caps: small on the search and tool routes (and MCP), large on ingest; 413 before parsing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from api.app import create_app
from search.embedding import Embedder
from search.settings import ApiSettings, Settings
from tests.api.client import local_client
from tests.indexed import runtime_for
from tests.indexer.fixtures.bombs import zeros_bomb

KEY = "limits-key"
SMALL_CAP = 4_096


@pytest.fixture
def client(tmp_path: Path, embedder: Embedder) -> Iterator[TestClient]:
    api = ApiSettings(
        write_key=SecretStr(KEY),
        max_body_bytes=SMALL_CAP,
        max_upload_bytes=200_000,
        max_decompressed_bytes=8_000_000,
    )
    runtime = runtime_for(Settings(data_dir=tmp_path / "var", api=api), embedder)
    with local_client(create_app(runtime=runtime)) as test_client:
        yield test_client
    runtime.close()


def _search_body(size: int) -> bytes:
    return json.dumps({"q": "missile", "outlet": ["x" * size]}).encode()


def _chunks(body: bytes) -> Iterator[bytes]:
    """A body sent chunked, without Content-Length."""
    for start in range(0, len(body), 1000):
        yield body[start : start + 1000]


@pytest.mark.parametrize("path", ["/v1/search", "/v1/tools/search_news", "/mcp"])
@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_bodies_over_the_small_cap_get_413(client: TestClient, path: str, chunked: bool) -> None:
    body = _search_body(SMALL_CAP)
    headers = {"content-type": "application/json", "accept": "application/json"}
    response = client.post(path, content=_chunks(body) if chunked else body, headers=headers)
    assert response.status_code == 413, response.text
    assert response.headers["content-type"] == "application/json"
    assert len(response.content) < 200 and response.json()["detail"]


def test_a_body_under_the_cap_is_read(client: TestClient) -> None:
    response = client.post(
        "/v1/search", content=_search_body(1000), headers={"content-type": "application/json"}
    )
    assert response.status_code == 422  # read, parsed, and refused for its 1000-character outlet


def test_a_get_with_a_declared_huge_body_gets_413(client: TestClient) -> None:
    response = client.request("GET", "/health", content=b"x" * (SMALL_CAP + 1))
    assert response.status_code == 413
    assert response.json()["detail"]


def test_ingest_keeps_its_larger_cap(client: TestClient) -> None:
    records = [{"title": "t" * 20_000} for _ in range(5)]  # no body: rejected, nothing embedded
    headers = {"X-API-Key": KEY}
    accepted = client.post("/v1/articles", json={"articles": records}, headers=headers)
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["rejected"] == 5
    too_big = client.post("/v1/articles", json={"articles": records * 3}, headers=headers)
    assert too_big.status_code == 413


def test_an_uploaded_gzip_bomb_is_rejected_with_its_reason(
    client: TestClient, tmp_path: Path
) -> None:
    bomb = zeros_bomb(tmp_path / "crawl.warc.gz", 64_000_000).read_bytes()
    files = {"file": ("crawl.warc.gz", bomb, "application/gzip")}
    response = client.post("/v1/articles", files=files, headers={"X-API-Key": KEY})
    assert response.status_code == 200, response.text
    (result,) = response.json()["results"]
    assert result["status"] == "rejected"
    assert "decompresses to more than 8,000,000 bytes" in result["reason"]
