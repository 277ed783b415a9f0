"""The indexing run: skip what is unchanged, split, embed what is new, write in batches.

Three stages overlap so that both cores stay busy: a reader thread reads, cleans and splits the
next batches and asks the store what it already holds; the calling thread embeds (the inference
runtime runs outside the GIL, on its own threads); a writer thread groups stories and writes the
previous batch (the store analyses its BM25 text as it writes). At most two batches wait between
stages, so memory stays bounded however large the input.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Literal

import numpy as np
from haystack import Document

from indexer.background import prefetched
from indexer.progress import IndexProgress
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
# Batches read ahead of the embedding stage.
READ_AHEAD = 2


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


@dataclass
class BatchPlan:
    """One batch on its way through the stages: its early outcomes, the articles to write, and
    their passages, with the vectors the store already holds and the texts still to embed."""

    read: int = 0
    # Rejections and the ids of unchanged articles, in input order.
    early: list[Rejection | str] = field(default_factory=list)
    articles: list[Article] = field(default_factory=list)
    passages: dict[str, list[Document]] = field(default_factory=dict)
    vectors: dict[str, np.ndarray] = field(default_factory=dict)
    todo: list[Document] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)


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
        batch_articles: int = BATCH_ARTICLES,
    ) -> None:
        self.stories = stories
        self.store = store
        self.embedder = embedder
        self.split = split or SplitSettings()
        self.include_title = (embedding or embedder.settings).include_title
        self.batch_articles = batch_articles

    # -- stage 1 (reader thread): what must be embedded ----------------------------------------

    def _plan(self, articles: list[Article], plan: BatchPlan | None = None) -> BatchPlan:
        """Split each article; reuse the vectors the store holds for unchanged passages."""
        plan = plan or BatchPlan()
        plan.articles = articles
        plan.passages = {
            article.id: [
                passage_document(article, index, span.start, span.end)
                for index, span in enumerate(
                    split_passages(article.body, self.split.passage_words, self.split.overlap_words)
                )
            ]
            for article in articles
        }
        ids = [passage.id for group in plan.passages.values() for passage in group]
        plan.vectors = self.store.passage_embeddings(ids)
        plan.todo = [p for g in plan.passages.values() for p in g if p.id not in plan.vectors]
        plan.texts = [embedding_text(p, include_title=self.include_title) for p in plan.todo]
        return plan

    def _plans(self, items: Iterable[ReadResult]) -> Iterator[BatchPlan]:
        # Content hashes of the batches planned but maybe not written yet (the queue, the batch
        # being embedded, the one being written, the one waiting for it): a later copy of one
        # of their articles is unchanged against it, as it would be against the store.
        in_flight: deque[dict[str, str]] = deque(maxlen=READ_AHEAD + 4)
        for batch in _batches(items, self.batch_articles):
            plan = BatchPlan(read=len(batch))
            articles: dict[str, Article] = {}
            for item in batch:
                if isinstance(item, Rejection):
                    plan.early.append(item)
                else:
                    if item.id in articles:
                        # the same id twice in one batch: the last one wins
                        plan.early.append(item.id)
                    articles[item.id] = item
            stored = self.store.article_hashes(list(articles))
            for hashes in in_flight:  # oldest first: the latest plan wins
                stored |= {key: hashes[key] for key in articles if key in hashes}
            changed = []
            for article in articles.values():
                if stored.get(article.id) == article.content_hash:
                    plan.early.append(article.id)
                else:
                    changed.append(article)
            in_flight.append({article.id: article.content_hash for article in changed})
            yield self._plan(changed, plan)

    # -- stage 2 (calling thread): embedding ---------------------------------------------------

    def _embed(self, plan: BatchPlan) -> None:
        fresh = self.embedder.embed_passages(plan.texts)
        plan.vectors.update({p.id: vector for p, vector in zip(plan.todo, fresh, strict=True)})

    # -- stage 3 (writer thread): stories and the store ----------------------------------------

    def _prepared(self, plan: BatchPlan) -> list[IndexedArticle]:
        prepared = []
        for article in plan.articles:
            passages = plan.passages[article.id]
            embeddings = np.vstack([plan.vectors[passage.id] for passage in passages])
            prepared.append(self._with_story(article, passages, embeddings))
        return prepared

    def _finish(self, plan: BatchPlan, summary: IndexSummary, progress: IndexProgress) -> None:
        summary.read += plan.read
        for what in plan.early:
            if isinstance(what, Rejection):
                summary.reject(what)
            else:
                summary.unchanged_article(what)
        self._write(self._prepared(plan), summary)
        progress.advance(plan.read, summary)

    def prepare(self, articles: list[Article]) -> list[IndexedArticle]:
        """Split each article and embed, in one batch, only passages the store does not hold."""
        plan = self._plan(articles)
        self._embed(plan)
        return self._prepared(plan)

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

    def index(
        self, items: Iterable[ReadResult], *, progress: bool = True, total: int | None = None
    ) -> IndexSummary:
        """Index ``items`` (``total``: how many are expected, for the progress bar's ETA)."""
        summary = IndexSummary()
        bar = IndexProgress(total, enabled=progress)
        writing: Future[None] | None = None
        try:
            with (
                ThreadPoolExecutor(1, thread_name_prefix="newsdesk-writer") as writer,
                prefetched(self._plans(items), READ_AHEAD, "newsdesk-reader") as plans,
            ):
                for plan in plans:
                    self._embed(plan)
                    if writing is not None:
                        writing.result()
                    writing = writer.submit(self._finish, plan, summary, bar)
                if writing is not None:
                    writing.result()
        finally:
            bar.close()
            self.store.flush()
        return summary

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
