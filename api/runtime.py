"""The long-lived parts (model, store, retriever), built once per process and closed on exit."""

from __future__ import annotations

from dataclasses import dataclass, field

from api.search_slots import SearchSlots
from indexer.pipeline import Indexer
from indexer.stories import StoryIndex, open_story_index
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
    _stories: StoryIndex | None = field(default=None, repr=False)
    searches: SearchSlots = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.searches = SearchSlots(self.settings.api.search_concurrency)

    @classmethod
    def start(cls, settings: Settings) -> Runtime:
        embedder = build_embedder(settings)
        store = build_store(settings, embedder.dim, embedder.stamp)
        return cls(settings, embedder, store, HybridRetriever(store, embedder, settings.retrieval))

    def stories(self) -> StoryIndex | None:
        if self._stories is None:
            self._stories = open_story_index(self.settings)
        return self._stories

    def indexer(self) -> Indexer:
        """An indexer writing to this runtime's store, recognising copies of one story."""
        return Indexer(self.store, self.embedder, self.settings.split, stories=self.stories())

    def delete_articles(self, article_ids: list[str]) -> int:
        deleted = self.store.delete_articles(article_ids)
        stories = self.stories()
        if stories is not None:
            for article_id in article_ids:
                stories.forget(article_id)
        return deleted

    def close(self) -> None:
        if self._stories is not None:
            self._stories.close()
        self.store.close()
