"""Elasticsearch fixtures: a real server (``make test`` starts it), one uuid-named alias per test.

An unreachable server FAILS these tests with a clear message instead of skipping them: a backend
that silently stops being tested is worse than a red build.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator

import pytest
from elasticsearch import Elasticsearch

from search.settings import ElasticsearchSettings
from search.store.elasticsearch import ElasticsearchStore
from tests.store.corpus import DIM

ES_URL_ENV = "NEWSDESK_TEST_ELASTICSEARCH_URL"
DEFAULT_ES_URL = "http://127.0.0.1:9200"

StoreFactory = Callable[..., ElasticsearchStore]


@pytest.fixture(scope="session")
def es_url() -> str:
    url = os.environ.get(ES_URL_ENV, DEFAULT_ES_URL)
    client = Elasticsearch(url, request_timeout=5, max_retries=0)
    try:
        status = client.cluster.health()["status"]
    except Exception as error:  # any failure here means the same thing: no server to test
        pytest.fail(
            f"Elasticsearch is not reachable at {url} ({type(error).__name__}: {error}). "
            f"Start it with `make es-up` (or `bash infra/elasticsearch.sh up`), or point "
            f"{ES_URL_ENV} at a running 8.19 node. These tests never skip.",
            pytrace=False,
        )
    finally:
        client.close()
    if status == "red":
        pytest.fail(f"Elasticsearch at {url} reports cluster health red", pytrace=False)
    return url


@pytest.fixture
def es_client(es_url: str) -> Iterator[Elasticsearch]:
    client = Elasticsearch(es_url, request_timeout=30)
    yield client
    client.close()


def drop_indices(client: Elasticsearch, prefix: str) -> None:
    """Delete every index a test created, by name (wildcard deletes are refused by default)."""
    names = list(client.indices.get(index=f"{prefix}*", expand_wildcards="all"))
    if names:
        client.indices.delete(index=",".join(names))


@pytest.fixture
def es_store_factory(es_url: str, es_client: Elasticsearch) -> Iterator[StoreFactory]:
    """Stores on uuid-named aliases; everything they created is deleted after the test."""
    prefixes: list[str] = []
    stores: list[ElasticsearchStore] = []

    def make(index: str | None = None, **options: object) -> ElasticsearchStore:
        index = index or f"test-{uuid.uuid4().hex[:12]}"
        prefixes.append(index)
        settings = ElasticsearchSettings(url=es_url, index=index, timeout_s=30)
        options.setdefault("dim", DIM)
        store = ElasticsearchStore(settings, **options)  # type: ignore[arg-type]
        stores.append(store)
        return store

    yield make
    for store in stores:
        store.close()
    for prefix in dict.fromkeys(prefixes):
        drop_indices(es_client, prefix)
