"""A benchmark corpus of any size from the 609 real MultiHop-RAG articles, with synthetic vectors.

Copy 0 of every article is the article itself; later copies get a new id, url and date, and a
light sentence-level variation (some sentences dropped, some swapped for a sentence of another
article), so document lengths, term frequencies and document frequencies spread the way they do in
a real archive instead of being exact multiples of the 609-article statistics. Everything is
seeded: the same arguments always produce the same passages and the same vectors, which is what
lets the baseline process rebuild exactly what the embedded store indexed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
from haystack import Document

from indexer.records import article_from_record
from indexer.splitting import split_passages
from search.analysis import analyze_query
from search.articles import Article
from search.passages import passage_document
from search.settings import SplitSettings
from search.store.protocol import IndexedArticle

DIM = 384
KEEP, SWAP = 0.85, 0.10  # per sentence of a copy: keep it, swap it for another, else drop it
# Good enough to vary text; the indexer's own sentence splitter still cuts the passages.
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


@dataclass(frozen=True)
class BenchQuery:
    question: str
    terms: list[str]
    vector: np.ndarray
    outlet: str  # the outlet of the question's first relevant article, for the filtered variant
    # That article's publication time, for the date-filtered variant (the week up to it).
    published: datetime


def load_articles(path: Path) -> list[Article]:
    with path.open(encoding="utf-8") as handle:
        return [article_from_record(json.loads(line)) for line in handle if line.strip()]


def _sentences(body: str) -> list[str]:
    return [sentence for sentence in _SENTENCE_END.split(body) if sentence]


def sentence_pool(articles: list[Article]) -> list[str]:
    return [sentence for article in articles for sentence in _sentences(article.body)]


def variant(article: Article, copy: int, rng: np.random.Generator, pool: list[str]) -> Article:
    """Copy ``copy`` of an article: unique id/url/date, lightly varied text (copy 0 is verbatim)."""
    if copy == 0:
        return article
    original = _sentences(article.body)
    sentences: list[str] = []
    for sentence, draw in zip(original, rng.random(len(original)), strict=True):
        if draw < KEEP:
            sentences.append(sentence)
        elif draw < KEEP + SWAP:
            sentences.append(pool[int(rng.integers(len(pool)))])
    body = " ".join(sentences) or article.body
    return replace(
        article,
        id=f"{article.id}-c{copy}",
        url=f"{article.url}#copy-{copy}" if article.url else None,
        published_at=article.published_at + timedelta(days=copy % 90)
        if article.published_at
        else None,
        body=body,
    )


def split_article(article: Article, split: SplitSettings) -> list[Document]:
    spans = split_passages(article.body, split.passage_words, split.overlap_words)
    return [passage_document(article, i, span.start, span.end) for i, span in enumerate(spans)]


def unit_vectors(rng: np.random.Generator, count: int) -> np.ndarray:
    vectors = rng.standard_normal((count, DIM), dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors


def _articles_with_passages(
    articles: list[Article], passages: int, seed: int, split: SplitSettings
) -> Iterator[tuple[Article, list[Document]]]:
    """Article copies in order (all of copy 0, then copy 1, ...) until ``passages`` are made."""
    pool = sentence_pool(articles)
    made, copy = 0, 0
    while True:
        for index, base in enumerate(articles):
            rng = np.random.default_rng([seed, copy, index])
            article = variant(base, copy, rng, pool)
            documents = split_article(article, split)[: passages - made]
            if documents:
                made += len(documents)
                yield article, documents
            if made >= passages:
                return
        copy += 1


def corpus_batches(
    articles: list[Article],
    passages: int,
    batch_articles: int,
    seed: int,
    split: SplitSettings | None = None,
) -> Iterator[list[IndexedArticle]]:
    """Batches of ``batch_articles`` articles ready for ``write_articles``, ``passages`` in all."""
    batch: list[tuple[Article, list[Document]]] = []
    number = 0
    for item in _articles_with_passages(articles, passages, seed, split or SplitSettings()):
        batch.append(item)
        if len(batch) >= batch_articles:
            yield _indexed(batch, seed, number)
            batch, number = [], number + 1
    if batch:
        yield _indexed(batch, seed, number)


def _indexed(
    batch: list[tuple[Article, list[Document]]], seed: int, number: int
) -> list[IndexedArticle]:
    rng = np.random.default_rng([seed, 1_000_003, number])
    vectors = unit_vectors(rng, sum(len(documents) for _, documents in batch))
    items, offset = [], 0
    for article, documents in batch:
        items.append(IndexedArticle(article, documents, vectors[offset : offset + len(documents)]))
        offset += len(documents)
    return items


def load_queries(path: Path, count: int, articles: list[Article], seed: int) -> list[BenchQuery]:
    """The first ``count`` dev questions (cycled if more are asked for), with synthetic vectors."""
    with path.open(encoding="utf-8") as handle:
        records = [json.loads(line) for line in handle if line.strip()]
    outlets = {article.id: article.outlet for article in articles}
    dates = {article.id: article.published_at for article in articles}
    # Questions without evidence (null queries) filter on an outlet and a date taken in turn
    # from the corpus.
    fallback = sorted({article.outlet for article in articles if article.outlet})
    fallback_dates = sorted({article.published_at for article in articles if article.published_at})
    vectors = unit_vectors(np.random.default_rng([seed, 2_000_003]), count)
    queries = []
    for number in range(count):
        record = records[number % len(records)]
        relevant = record.get("relevant_article_ids") or [None]
        queries.append(
            BenchQuery(
                question=record["question"],
                terms=analyze_query(record["question"]),
                vector=vectors[number],
                outlet=outlets.get(relevant[0]) or fallback[number % len(fallback)],
                published=dates.get(relevant[0]) or fallback_dates[number % len(fallback_dates)],
            )
        )
    return queries
