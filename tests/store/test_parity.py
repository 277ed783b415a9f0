"""Ranking parity: the seed articles, indexed by the real pipeline into both stores, rank alike.

Both stores index the same analysed terms with Lucene's BM25 (k1=1.2, b=0.75, the same one-byte
length norms), so BM25 scores agree to float precision; the dense legs search the same MiniLM
vectors (usearch f16 HNSW vs Lucene float HNSW), so cosines agree to about 1e-4.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from haystack import Document

from indexer.pipeline import Indexer
from indexer.readers import read_paths
from search.analysis import analyze_query
from search.embedding import Embedder
from search.retriever import HybridRetriever
from search.settings import ElasticsearchSettings
from search.store.elasticsearch import ElasticsearchStore
from search.store.embedded import EmbeddedStore
from search.store.protocol import PassageStore
from tests.conftest import MISSILE_QUESTION
from tests.indexed import RememberingEmbedder
from tests.store.conftest import drop_indices

pytestmark = pytest.mark.elasticsearch

QUESTIONS = [
    MISSILE_QUESTION,
    "North Korea ballistic missile Japan exclusive economic zone",
    "diplomatic overtures from Washington",
    "what did South Korea's Joint Chiefs of Staff say?",
    "Invezz",
]


@pytest.fixture(scope="module")
def both(
    tmp_path_factory: pytest.TempPathFactory, embedder: Embedder, seeds: Path, es_url: str
) -> Iterator[tuple[PassageStore, PassageStore]]:
    """Both stores hold the seeds, indexed once for the module by the real pipeline."""
    embedded = EmbeddedStore(tmp_path_factory.mktemp("parity") / "embedded", dim=embedder.dim)
    index = f"test-parity-{uuid.uuid4().hex[:12]}"
    settings = ElasticsearchSettings(url=es_url, index=index, timeout_s=30)
    elastic = ElasticsearchStore(settings, dim=embedder.dim)
    remembering = RememberingEmbedder(embedder)
    try:
        for store in (embedded, elastic):
            summary = Indexer(store, remembering).index(read_paths([seeds]), progress=False)  # type: ignore[arg-type]
            assert (summary.indexed, summary.rejected) == (3, 0)
        assert embedded.counts() == elastic.counts()
        yield embedded, elastic
    finally:
        embedded.close()
        drop_indices(elastic.client, index)
        elastic.close()


def _canonical(hits: list[Document]) -> list[tuple[float, str]]:
    """Equal scores in id order: each engine breaks exact ties its own way."""
    pairs = [(round(float(hit.score or 0.0), 5), hit.id) for hit in hits]
    return sorted(pairs, key=lambda pair: (-pair[0], pair[1]))


def test_bm25_legs_agree_in_order_and_score(both: tuple[PassageStore, PassageStore]) -> None:
    embedded, elastic = both
    for question in QUESTIONS:
        terms = analyze_query(question)
        ours, theirs = embedded.bm25_search(terms, 20), elastic.bm25_search(terms, 20)
        assert [hit_id for _, hit_id in _canonical(ours)] == [
            hit_id for _, hit_id in _canonical(theirs)
        ], question
        for mine, other in zip(_canonical(ours), _canonical(theirs), strict=True):
            assert mine[0] == pytest.approx(other[0], rel=1e-4), question
        assert embedded.document_frequencies(terms) == elastic.document_frequencies(terms)


def test_dense_legs_agree_on_the_top_passages(
    both: tuple[PassageStore, PassageStore], embedder: Embedder
) -> None:
    embedded, elastic = both
    for question in QUESTIONS:
        vector = embedder.embed_query(question)
        ours, theirs = embedded.dense_search(vector, 5), elastic.dense_search(vector, 5)
        assert [hit.id for hit in ours] == [hit.id for hit in theirs], question
        for mine, other in zip(ours, theirs, strict=True):
            assert mine.score == pytest.approx(other.score, abs=1e-3), question


def test_hybrid_answers_the_missile_question_alike(
    both: tuple[PassageStore, PassageStore], embedder: Embedder
) -> None:
    hits = [
        HybridRetriever(store, embedder).run(query=MISSILE_QUESTION, top_k=3)["hits"]
        for store in both
    ]
    assert [hit.passage_id for hit in hits[0]] == [hit.passage_id for hit in hits[1]]
    assert "700" in hits[0][0].text
    assert hits[0][0].source == hits[1][0].source
