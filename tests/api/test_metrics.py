"""/metrics, scraped and read with Prometheus' own text parser."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr

from api.app import create_app
from search.embedding import Embedder
from search.settings import ApiSettings, Settings
from tests.api.client import local_client
from tests.api.test_articles import ARTICLES, KEY
from tests.indexed import runtime_for

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


@pytest.fixture
def client(tmp_path: Path, embedder: Embedder) -> Iterator[TestClient]:
    settings = Settings(data_dir=tmp_path / "var", api=ApiSettings(write_key=SecretStr(KEY)))
    runtime = runtime_for(settings, embedder)
    with local_client(create_app(runtime=runtime)) as client:
        yield client
    runtime.close()


def _scrape(client: TestClient) -> Samples:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def test_metrics_count_requests_legs_ingest_and_store_size(client: TestClient) -> None:
    headers = {"X-API-Key": KEY}
    articles = [*ARTICLES, {"id": "empty", "title": "No body", "body": ""}]
    assert client.post("/v1/articles", json={"articles": articles}, headers=headers).is_success
    assert client.post("/v1/articles", json={"articles": ARTICLES[:1]}, headers=headers)
    assert client.get("/v1/search", params={"q": "bridge repairs"}).status_code == 200
    assert client.get("/v1/search", params={"q": "bridge", "top_k": 0}).status_code == 422
    assert client.delete("/v1/articles/nope", headers=headers).status_code == 404

    samples = _scrape(client)
    route = (("method", "GET"), ("route", "/v1/search"))
    assert samples[("newsdesk_http_requests_total", (*route, ("status", "200")))] == 1
    assert samples[("newsdesk_http_requests_total", (*route, ("status", "422")))] == 1
    assert (
        samples[("newsdesk_http_request_duration_seconds_count", (*route, ("status", "200")))] == 1
    )
    for leg in ("bm25", "dense"):
        assert samples[("newsdesk_retrieval_leg_duration_seconds_count", (("leg", leg),))] == 1
    ingest = {
        outcome: samples[("newsdesk_ingest_articles_total", (("outcome", outcome),))]
        for outcome in ("indexed", "unchanged", "rejected")
    }
    assert ingest == {"indexed": 2, "unchanged": 1, "rejected": 1}
    assert samples[("newsdesk_store_articles", ())] == 2
    assert samples[("newsdesk_store_passages", ())] >= 2
    # Raw paths never become labels: the id is in the route's template, not in a label.
    deleted = (("method", "DELETE"), ("route", "/v1/articles/{article_id}"), ("status", "404"))
    assert samples[("newsdesk_http_requests_total", deleted)] == 1
    assert not any("nope" in dict(labels).get("route", "") for _, labels in samples)
