"""A runtime over the seed articles, built once per test session (embedding is the slow part)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from api.runtime import Runtime
from indexer.pipeline import IndexSummary
from indexer.readers import read_paths
from search.embedding import Embedder
from search.factory import build_store
from search.retriever import HybridRetriever
from search.settings import Settings


def runtime_for(settings: Settings, embedder: Embedder) -> Runtime:
    store = build_store(settings, embedder.dim, embedder.stamp)
    return Runtime(settings, embedder, store, HybridRetriever(store, embedder, settings.retrieval))


def index_into(runtime: Runtime, *paths: Path) -> IndexSummary:
    return runtime.indexer().index(read_paths(paths), progress=False)


class RememberingEmbedder:
    """The real embedder, embedding each passage once for several stores (MiniLM is the slow
    part); questions go to the real model."""

    def __init__(self, embedder: Embedder) -> None:
        self.settings, self.dim, self._embedder = embedder.settings, embedder.dim, embedder
        self._seen: dict[str, np.ndarray] = {}

    def embed_passages(self, texts: list[str], *, progress: bool = False) -> np.ndarray:
        todo = [text for text in dict.fromkeys(texts) if text not in self._seen]
        if todo:
            self._seen.update(zip(todo, self._embedder.embed_passages(todo), strict=True))
        return np.vstack([self._seen[text] for text in texts])

    def embed_query(self, text: str) -> np.ndarray:
        return self._embedder.embed_query(text)
