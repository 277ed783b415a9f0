"""Builds the configured store and retriever, so callers never name a backend."""

from __future__ import annotations

from search.embedding import Embedder
from search.embedding_cache import EmbeddingCache
from search.settings import Settings
from search.store.model_stamp import ModelStamp
from search.store.protocol import PassageStore


def build_embedder(settings: Settings) -> Embedder:
    cache = EmbeddingCache(settings.cache_dir / "embeddings.sqlite3")
    return Embedder(settings.embedding, cache=cache)


def build_store(settings: Settings, dim: int, model: ModelStamp | None = None) -> PassageStore:
    """``model``: the embedder whose vectors go in; the store refuses another model's vectors
    (None for callers that read counts only)."""
    if settings.store == "elasticsearch":
        from search.store.elasticsearch import ElasticsearchStore

        return ElasticsearchStore(
            settings.elasticsearch,
            dim=dim,
            bm25_include_title=settings.retrieval.bm25_include_title,
            model=model,
        )
    from search.store.embedded import EmbeddedStore

    return EmbeddedStore(
        settings.embedded_dir,
        dim=dim,
        bm25_include_title=settings.retrieval.bm25_include_title,
        model=model,
    )
