"""Indexer processes for the story tests: each indexes some reports into one Elasticsearch index.

Forked from a server that imported the indexer once. The passages' vectors come from the real
model, computed once in the test process and handed over (``PassageVectors``), so a process
costs a second, not a model load.
"""

from __future__ import annotations

import multiprocessing
from multiprocessing.synchronize import Barrier
from pathlib import Path

import numpy as np

from indexer.pipeline import Indexer
from indexer.readers import read_paths
from indexer.stories.elasticsearch import ElasticsearchStoryIndex
from search.settings import DedupSettings, ElasticsearchSettings, EmbeddingSettings
from search.store.elasticsearch import ElasticsearchStore


class PassageVectors:
    """The Embedder interface the indexer uses, answered from vectors the model already made."""

    def __init__(self, vectors: dict[str, np.ndarray], settings: EmbeddingSettings) -> None:
        self.vectors = vectors
        self.settings = settings
        self.dim = next(iter(vectors.values())).shape[0]

    def embed_passages(self, texts: list[str], *, progress: bool = False) -> np.ndarray:
        return np.vstack([self.vectors[text] for text in texts])


def index_reports(
    es_url: str, index: str, paths: list[Path], vectors: PassageVectors, start: Barrier | None
) -> None:
    settings = ElasticsearchSettings(url=es_url, index=index, timeout_s=30)
    store = ElasticsearchStore(settings, dim=vectors.dim)
    stories = ElasticsearchStoryIndex(settings, DedupSettings())
    indexer = Indexer(store, vectors, stories=stories)  # type: ignore[arg-type]
    articles = list(read_paths(paths))
    if start is not None:
        start.wait(timeout=60)  # every process is ready: now they write at the same moment
    try:
        summary = indexer.index(articles, progress=False)
        assert summary.indexed == len(paths), summary
    finally:
        stories.close()
        store.close()


def run_indexers_together(
    es_url: str, index: str, shares: list[list[Path]], vectors: PassageVectors
) -> None:
    """One indexer process per share of the reports, all released at once, run to their end."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([__name__])
    start = context.Barrier(len(shares))
    processes = [
        context.Process(target=index_reports, args=(es_url, index, share, vectors, start))
        for share in shares
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=120)
    assert [process.exitcode for process in processes] == [0] * len(processes)


def run_indexer(es_url: str, index: str, paths: list[Path], vectors: PassageVectors) -> None:
    """One indexer process, to its end."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([__name__])
    process = context.Process(target=index_reports, args=(es_url, index, paths, vectors, None))
    process.start()
    process.join(timeout=120)
    assert process.exitcode == 0
