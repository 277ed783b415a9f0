"""The long-lived parts (model, store, retriever), built once per process and closed on exit."""

from __future__ import annotations

from dataclasses import dataclass, field

from indexer.pipeline import Indexer
from indexer.stories import StoryIndex
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
    _stories: list[StoryIndex] = field(default_factory=list)

    @classmethod
    def start(cls, settings: Settings) -> Runtime:
        embedder = build_embedder(settings)
        store = build_store(settings, embedder.dim)
        return cls(settings, embedder, store, HybridRetriever(store, embedder, settings.retrieval))

    def indexer(self) -> Indexer:
        """An indexer writing to this runtime's store, recognising copies of one story."""
        stories = None
        if self.settings.dedup.enabled:
            stories = StoryIndex(self.settings.data_dir / "stories.sqlite3", self.settings.dedup)
            self._stories.append(stories)
        return Indexer(self.store, self.embedder, self.settings.split, stories=stories)

    def close(self) -> None:
        for stories in self._stories:
            stories.close()
        self.store.close()
