"""Recognising copies of one story at ingest: syndicated reprints and rewrites of a wire report.

Candidates come from MinHash/LSH band keys over each article's BM25 terms; the mean of its
passage embeddings confirms them, and dated copies must appear within a few days of each other.
A story's cluster id is the id of its earliest-written article. Where the signatures live
follows the store: a SQLite file beside the embedded store, or an index in Elasticsearch, shared
by every process on every host.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from search.articles import Article
from search.settings import Settings


class StoryIndex(Protocol):
    def assign(self, article: Article, centroid: np.ndarray) -> str:
        """The cluster id for ``article`` (recorded, so later copies join it)."""
        ...

    def forget(self, article_id: str) -> None: ...

    def close(self) -> None: ...


def open_story_index(settings: Settings) -> StoryIndex | None:
    """The story index for the configured store, or None when grouping is off."""
    if not settings.dedup.enabled:
        return None
    if settings.store == "elasticsearch":
        from indexer.stories.elasticsearch import ElasticsearchStoryIndex

        return ElasticsearchStoryIndex(settings.elasticsearch, settings.dedup)
    from indexer.stories.sqlite import SqliteStoryIndex

    return SqliteStoryIndex(settings.data_dir / "stories.sqlite3", settings.dedup)


__all__ = ["StoryIndex", "open_story_index"]
