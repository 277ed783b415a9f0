"""The indexing run: skip what is unchanged, split, embed what is new, write in batches."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import Literal

import numpy as np
from haystack import Document
from tqdm import tqdm

from indexer.readers import ReadResult, Rejection
from indexer.splitting import split_passages
from indexer.stories import StoryIndex
from search.articles import Article
from search.embedding import Embedder
from search.errors import InvalidArticleError
from search.passages import embedding_text, passage_document
from search.settings import EmbeddingSettings, SplitSettings
from search.store.protocol import IndexedArticle, PassageStore

BATCH_ARTICLES = 32


Status = Literal["indexed", "unchanged", "rejected"]


@dataclass(frozen=True)
class ArticleOutcome:
    """What happened to one input record, in input order."""

    status: Status
    article_id: str | None = None
    reason: str | None = None


@dataclass
class IndexSummary:
    read: int = 0
    indexed: int = 0
    unchanged: int = 0
    rejected: int = 0
    passages: int = 0
    rejections: list[Rejection] = field(default_factory=list)
    outcomes: list[ArticleOutcome] = field(default_factory=list)

    def reject(self, rejection: Rejection, article_id: str | None = None) -> None:
        self.rejected += 1
        self.rejections.append(rejection)
        self.outcomes.append(ArticleOutcome("rejected", article_id, str(rejection)))

    def unchanged_article(self, article_id: str) -> None:
        self.unchanged += 1
        self.outcomes.append(ArticleOutcome("unchanged", article_id))

    def indexed_article(self, article_id: str, passages: int) -> None:
        self.indexed += 1
        self.passages += passages
        self.outcomes.append(ArticleOutcome("indexed", article_id))


def _batches(items: Iterable[ReadResult], size: int) -> Iterator[list[ReadResult]]:
    batch: list[ReadResult] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


class Indexer:
    """Usage:
    summary = Indexer(store, embedder).index(read_paths([Path("articles.jsonl")]))
    """

    def __init__(
        self,
        store: PassageStore,
        embedder: Embedder,
        split: SplitSettings | None = None,
        embedding: EmbeddingSettings | None = None,
        stories: StoryIndex | None = None,
    ) -> None:
        self.stories = stories
        self.store = store
        self.embedder = embedder
        self.split = split or SplitSettings()
        self.include_title = (embedding or embedder.settings).include_title

    def prepare(self, articles: list[Article]) -> list[IndexedArticle]:
        """Split each article and embed, in one batch, only passages the store does not hold."""
        split = {
            article.id: [
                passage_document(article, index, span.start, span.end)
                for index, span in enumerate(
                    split_passages(article.body, self.split.passage_words, self.split.overlap_words)
                )
            ]
            for article in articles
        }
        passages = [passage for group in split.values() for passage in group]
        known = self.store.passage_embeddings([passage.id for passage in passages])
        todo = [passage for passage in passages if passage.id not in known]
        fresh = self.embedder.embed_passages(
            [embedding_text(passage, include_title=self.include_title) for passage in todo]
        )
        known.update({passage.id: vector for passage, vector in zip(todo, fresh, strict=True)})
        prepared = []
        for article in articles:
            embeddings = np.vstack([known[passage.id] for passage in split[article.id]])
            prepared.append(self._with_story(article, split[article.id], embeddings))
        return prepared

    def _with_story(
        self, article: Article, passages: list[Document], embeddings: np.ndarray
    ) -> IndexedArticle:
        """Tag the article (and its passages) with the story it belongs to."""
        if self.stories is not None:
            cluster_id = self.stories.assign(article, embeddings.mean(axis=0))
            article = replace(article, cluster_id=cluster_id)
            for passage in passages:
                passage.meta["cluster_id"] = cluster_id
        return IndexedArticle(article=article, passages=passages, embeddings=embeddings)

    def index(self, items: Iterable[ReadResult], *, progress: bool = True) -> IndexSummary:
        summary = IndexSummary()
        bar = tqdm(unit="article", desc="indexing", disable=not progress)
        try:
            for batch in _batches(items, BATCH_ARTICLES):
                self._index_batch(batch, summary)
                bar.update(len(batch))
                bar.set_postfix(passages=summary.passages, rejected=summary.rejected)
        finally:
            bar.close()
            self.store.flush()
        return summary

    def _index_batch(self, batch: list[ReadResult], summary: IndexSummary) -> None:
        articles: dict[str, Article] = {}
        for item in batch:
            summary.read += 1
            if isinstance(item, Rejection):
                summary.reject(item)
            else:
                if item.id in articles:
                    # the same id twice in one batch: the last one wins
                    summary.unchanged_article(item.id)
                articles[item.id] = item
        stored = self.store.article_hashes(list(articles))
        changed = [a for a in articles.values() if stored.get(a.id) != a.content_hash]
        for article in articles.values():
            if stored.get(article.id) == article.content_hash:
                summary.unchanged_article(article.id)
        self._write(self.prepare(changed), summary)

    def _write(self, prepared: list[IndexedArticle], summary: IndexSummary) -> None:
        try:
            self.store.write_articles(prepared)
        except InvalidArticleError:
            # One bad article must not sink its batch: retry one by one to find it. Any other
            # error (store down, another writer) would fail each article alike: it ends the run.
            for item in prepared:
                try:
                    self.store.write_articles([item])
                except InvalidArticleError as error:
                    rejection = Rejection(item.article.id, None, f"write failed: {error}")
                    summary.reject(rejection, item.article.id)
                    continue
                summary.indexed_article(item.article.id, len(item.passages))
            return
        for item in prepared:
            summary.indexed_article(item.article.id, len(item.passages))
