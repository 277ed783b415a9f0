"""The contract every passage store fulfils: retrieval, fusion and the API never see a backend."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Protocol, TypeAlias, runtime_checkable

import numpy as np
from haystack import Document

from search.articles import Article
from search.errors import InvalidArticleError
from search.filters import SearchFilters
from search.results import FacetBucket, FacetName


@dataclass
class IndexedArticle:
    """An article with its passages (Haystack Documents) and one embedding row per passage."""

    article: Article
    passages: list[Document]
    embeddings: np.ndarray = field(repr=False)


def checked_embeddings(item: IndexedArticle, dim: int) -> np.ndarray:
    """The item's embeddings as float32, refused unless there is one ``dim``-d row per passage."""
    vectors = np.asarray(item.embeddings, dtype=np.float32)
    if vectors.shape != (len(item.passages), dim):
        raise InvalidArticleError(
            f"article {item.article.id}: {len(item.passages)} passages need a "
            f"({len(item.passages)}, {dim}) embedding array, got {vectors.shape}"
        )
    return vectors


# A passage as a ranking names it: opaque, hashable, meaningful only to the store that returned
# it (the embedded store's catalog rowid, Elasticsearch's passage id). ``hydrate`` turns keys
# into Documents; the same passage gets the same key from both legs of one store.
PassageKey: TypeAlias = int | str
Ranking: TypeAlias = list[tuple[PassageKey, float]]


@dataclass(frozen=True)
class StoreCounts:
    articles: int
    passages: int


@runtime_checkable
class PassageStore(Protocol):
    """Writes replace whole articles; searches return Documents with ``score`` set, best first.

    Each leg comes in two shapes: ``*_ranking`` returns (key, score) pairs, cheap enough to run
    several legs and fuse them before anything is read; ``hydrate`` then reads only the passages
    fusion keeps. ``*_search`` is the two composed, for callers that want Documents at once.
    """

    def article_hashes(self, article_ids: Sequence[str]) -> dict[str, str]:
        """The content hash stored for each known article id (unknown ids are absent)."""
        ...

    def passage_embeddings(self, passage_ids: Sequence[str]) -> dict[str, np.ndarray]:
        """Stored vectors by passage id, so an edited article re-embeds only what changed."""
        ...

    def write_articles(self, items: Sequence[IndexedArticle]) -> None:
        """Insert or replace each article and all of its passages."""
        ...

    def delete_articles(self, article_ids: Sequence[str]) -> int:
        """Remove articles and their passages; returns how many articles existed."""
        ...

    def get_article(self, article_id: str) -> Article | None: ...

    def iter_articles(self) -> Iterator[Article]: ...

    def counts(self) -> StoreCounts: ...

    def bm25_ranking(
        self, terms: Sequence[str], top_k: int, filters: SearchFilters | None = None
    ) -> Ranking:
        """Lucene BM25 (k1=1.2, b=0.75) over pre-analysed terms: (key, score), best first."""
        ...

    def dense_ranking(
        self, embedding: np.ndarray, top_k: int, filters: SearchFilters | None = None
    ) -> Ranking:
        """Nearest passages by cosine similarity: (key, cosine), best first."""
        ...

    def bm25_rankings(
        self, terms: Sequence[str], top_k: int, filter_sets: Sequence[SearchFilters | None]
    ) -> list[Ranking]:
        """``bm25_ranking`` under each filter set, in one call: a retrieval's main leg and its
        focused legs (each a narrower set). Each ranking is the one ``bm25_ranking`` returns."""
        ...

    def dense_rankings(
        self, embedding: np.ndarray, top_k: int, filter_sets: Sequence[SearchFilters | None]
    ) -> list[Ranking]:
        """``dense_ranking`` under each filter set, in one call (see ``bm25_rankings``)."""
        ...

    def hydrate(self, keys: Sequence[PassageKey]) -> dict[PassageKey, Document]:
        """Unscored Documents for keys a ranking returned; a passage deleted since is absent."""
        ...

    def story_keys(self, keys: Sequence[PassageKey]) -> dict[PassageKey, tuple[str, str]]:
        """(article id, story id) of each passage, the story being its article's cluster or else
        the article itself: what grouping reads, without the passages' text."""
        ...

    def bm25_search(
        self, terms: Sequence[str], top_k: int, filters: SearchFilters | None = None
    ) -> list[Document]:
        """``bm25_ranking`` hydrated, with ``score`` set."""
        ...

    def document_frequencies(self, terms: Sequence[str]) -> tuple[int, dict[str, int]]:
        """(live passages, passages containing each term), in one call, cheap at any size.

        The embedded store reads its lexical index's statistics, which count a deleted passage
        until its segment is merged (as BM25's own idf does); Elasticsearch counts exactly."""
        ...

    def count_matching(self, filters: SearchFilters) -> int:
        """Passages the filters admit, phrases and exclusions included (is a phrase anywhere?)."""
        ...

    def dense_search(
        self, embedding: np.ndarray, top_k: int, filters: SearchFilters | None = None
    ) -> list[Document]:
        """``dense_ranking`` hydrated; ``score`` is the cosine."""
        ...

    def outlets(self) -> list[str]:
        """Every outlet name in the archive (for reading questions and for filter menus)."""
        ...

    def facets(
        self, terms: Sequence[str], filters: SearchFilters | None, names: Sequence[FacetName]
    ) -> dict[str, list[FacetBucket]]:
        """Counts by outlet and/or publication day over the passages matching any term."""
        ...

    def flush(self) -> None:
        """End a run of writes: persist what they left in memory and let other processes write.

        A write is durable and visible to every reader once ``write_articles`` returns."""
        ...

    def optimize(self) -> None:
        """After a bulk import: merge the keyword index into one segment, so each search reads
        one posting list per term (Elasticsearch: a force merge). Results do not change."""
        ...

    def ping(self) -> None:
        """Raise StoreUnavailableError when the backend cannot serve."""
        ...

    def close(self) -> None: ...
