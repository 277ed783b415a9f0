"""The long-lived parts (model, store, retriever), built once per process and closed on exit."""

from __future__ import annotations

from dataclasses import dataclass

from search.embedding import Embedder
from search.factory import build_embedder, build_store
from search.retriever import HybridRetriever
from search.settings import Settings
from search.store.protocol import PassageStore


@dataclass
class Runtime:
    settings: Settings
    embedder: Embedder
    store: PassageStore
    retriever: HybridRetriever

    @classmethod
    def start(cls, settings: Settings) -> Runtime:
        embedder = build_embedder(settings)
        store = build_store(settings, embedder.dim)
        return cls(settings, embedder, store, HybridRetriever(store, embedder, settings.retrieval))

    def close(self) -> None:
        self.store.close()
