"""Both stores look equally wide for the same k: Elasticsearch's kNN ``num_candidates`` and the
embedded HNSW's search breadth both come from ``search_breadth``."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from usearch.index import Matches
from usearch.index import search as exact_search

from search.store.elasticsearch.queries import MAX_RESULTS, knn_clause
from search.store.embedded.compaction import empty_index
from search.store.embedded.snapshot import VectorSnapshot
from search.store.embedded.state import Checkpoint
from search.store.embedded.vectors import VectorIndex
from search.store.search_breadth import candidates

DIM = 64
PASSAGES = 300


def test_the_breadth_grows_with_k_above_a_floor() -> None:
    assert [candidates(k) for k in (1, 10, 25, 50, 1000)] == [100, 100, 100, 200, 4000]


def test_elasticsearch_gathers_that_many_candidates() -> None:
    for k in (1, 10, 50, 5000):
        clause = knn_clause(np.ones(DIM, dtype=np.float32), k, None)
        assert clause["num_candidates"] == min(MAX_RESULTS, candidates(k))


def test_the_embedded_hnsw_searches_that_wide(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """usearch searches max(expansion_search, count) deep: the store asks for as many results
    as Elasticsearch gathers candidates, and keeps the best k of them."""
    rng = np.random.default_rng(7)
    passages = rng.normal(size=(PASSAGES, DIM)).astype(np.float16)
    rowids = np.arange(1, PASSAGES + 1, dtype=np.uint64)
    graph = empty_index(DIM)
    graph.add(rowids, passages, threads=1)  # one thread: the same graph every run
    graph.save(str(tmp_path / "vectors.usearch"))
    snapshot = VectorSnapshot.open(tmp_path / "vectors.usearch", DIM, Checkpoint(1, PASSAGES))
    assert snapshot.index is not None
    usearch_index = snapshot.index
    asked: list[int] = []

    def search(query: np.ndarray, count: int) -> Matches:
        asked.append(count)
        return usearch_index.__class__.search(usearch_index, query, count)

    monkeypatch.setattr(usearch_index, "search", search)
    index = VectorIndex(DIM)
    index.use(snapshot)
    live = np.ones(PASSAGES + 1, dtype=bool)
    for top_k, query in zip((1, 10, 50), rng.normal(size=(3, DIM)).astype(np.float32), strict=True):
        found = index.search(query, top_k, mask=live)
        assert asked.pop() == candidates(top_k) >= usearch_index.expansion_search
        # HNSW is approximate even this wide: nearly all of the exact top k, best first.
        exact = exact_search(passages, query.astype(np.float16), top_k, "cos", exact=True)
        truth = set(rowids[exact.keys].tolist())
        assert len(found) == top_k
        assert len(truth & {rowid for rowid, _ in found}) >= max(1, int(0.9 * top_k))
        scores = [score for _, score in found]
        assert scores == sorted(scores, reverse=True)
