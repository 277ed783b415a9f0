"""With Elasticsearch down, the API answers 503 quickly and says what is down."""

import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from api.app import create_app
from api.runtime import Runtime
from search.embedding import Embedder
from search.retriever import HybridRetriever
from search.settings import ApiSettings, ElasticsearchSettings, Settings
from search.store.elasticsearch import ElasticsearchStore
from tests.api.client import local_client

DEAD_URL = "http://127.0.0.1:9"
KEY = "key"


@pytest.fixture
def client(tmp_path, embedder: Embedder) -> Iterator[TestClient]:
    settings = Settings(
        data_dir=tmp_path / "var",
        store="elasticsearch",
        elasticsearch=ElasticsearchSettings(url=DEAD_URL, timeout_s=2),
        api=ApiSettings(write_key=SecretStr(KEY)),
    )
    store = ElasticsearchStore(settings.elasticsearch, dim=embedder.dim)
    runtime = Runtime(settings, embedder, store, HybridRetriever(store, embedder))
    with local_client(create_app(runtime=runtime)) as test_client:
        yield test_client


def test_search_answers_503_naming_elasticsearch(client: TestClient) -> None:
    started = time.monotonic()
    response = client.get("/v1/search", params={"q": "missile"})
    assert response.status_code == 503
    assert DEAD_URL in response.json()["detail"]
    assert time.monotonic() - started < 10


def test_health_says_the_store_is_down(client: TestClient) -> None:
    response = client.get("/health")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["store"]["backend"] == "elasticsearch"
    assert body["store"]["status"] == "down"


def test_an_ingest_answers_503_and_its_job_says_it_failed(client: TestClient) -> None:
    article = {"title": "Ferry fares", "body": "The ferry operator froze fares for a year."}
    headers = {"X-API-Key": KEY}
    response = client.post("/v1/articles", json={"articles": [article]}, headers=headers)
    assert response.status_code == 503
    assert DEAD_URL in response.json()["detail"]
    (job,) = client.get("/v1/jobs", headers=headers).json()["jobs"]
    assert job["status"] == "failed" and DEAD_URL in job["error"]
