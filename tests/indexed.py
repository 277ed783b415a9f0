"""A runtime over the seed articles, built once per test session (embedding is the slow part)."""

from __future__ import annotations

from pathlib import Path

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
