"""The query features contract on both stores, over the seed reports and the repo's samples."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from indexer.pipeline import Indexer
from indexer.readers import read_paths
from search.embedding import Embedder
from search.retriever import HybridRetriever
from search.settings import ElasticsearchSettings
from search.store.elasticsearch import ElasticsearchStore
from search.store.embedded import EmbeddedStore
from search.store.protocol import PassageStore
from tests.conftest import REPO
from tests.indexed import RememberingEmbedder
from tests.store.conftest import drop_indices
from tests.store.query_contract import QueryFeaturesContract

SAMPLES = REPO / "examples" / "sample-articles.jsonl"


@pytest.fixture(scope="module")
def remembering(embedder: Embedder) -> RememberingEmbedder:
    return RememberingEmbedder(embedder)


def _filled(store: PassageStore, seeds: Path, remembering: RememberingEmbedder) -> PassageStore:
    summary = Indexer(store, remembering).index(  # type: ignore[arg-type]
        read_paths([seeds, SAMPLES]), progress=False
    )
    assert (summary.indexed, summary.rejected) == (8, 0)
    return store


@pytest.fixture(scope="module")
def embedded_retriever(
    tmp_path_factory: pytest.TempPathFactory, seeds: Path, remembering: RememberingEmbedder
) -> Iterator[HybridRetriever]:
    store = EmbeddedStore(tmp_path_factory.mktemp("query") / "embedded", dim=remembering.dim)
    yield HybridRetriever(_filled(store, seeds, remembering), remembering)  # type: ignore[arg-type]
    store.close()


@pytest.fixture(scope="module")
def elastic_retriever(
    es_url: str, seeds: Path, remembering: RememberingEmbedder
) -> Iterator[HybridRetriever]:
    index = f"test-query-{uuid.uuid4().hex[:12]}"
    store = ElasticsearchStore(
        ElasticsearchSettings(url=es_url, index=index, timeout_s=30), dim=remembering.dim
    )
    try:
        yield HybridRetriever(_filled(store, seeds, remembering), remembering)  # type: ignore[arg-type]
    finally:
        drop_indices(store.client, index)
        store.close()


class TestQueryFeaturesEmbedded(QueryFeaturesContract):
    @pytest.fixture
    def retriever(self, embedded_retriever: HybridRetriever) -> HybridRetriever:
        return embedded_retriever


@pytest.mark.elasticsearch
class TestQueryFeaturesElasticsearch(QueryFeaturesContract):
    @pytest.fixture
    def retriever(self, elastic_retriever: HybridRetriever) -> HybridRetriever:
        return elastic_retriever


@pytest.mark.elasticsearch
def test_both_stores_answer_the_syntax_alike(
    embedded_retriever: HybridRetriever, elastic_retriever: HybridRetriever
) -> None:
    queries = ('"roughly 700 kilometres"', "missile -Japan", "after:2026-04 news", "news")
    answers = [
        [[hit.passage_id for hit in retriever.search(q, top_k=5).hits] for q in queries]
        for retriever in (embedded_retriever, elastic_retriever)
    ]
    assert answers[0] == answers[1]
