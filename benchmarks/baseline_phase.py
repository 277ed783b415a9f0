"""The baseline, in its own process: Haystack's InMemoryDocumentStore on the very same passages."""

from __future__ import annotations

import time

from haystack import Document
from haystack.components.retrievers.in_memory import (
    InMemoryBM25Retriever,
    InMemoryEmbeddingRetriever,
)
from haystack.document_stores.in_memory import InMemoryDocumentStore

from benchmarks.config import BenchConfig
from benchmarks.corpus import BenchQuery, corpus_batches, load_articles, load_queries
from benchmarks.hybrid import time_hybrid
from benchmarks.measure import rss_now_mb, rss_peak_mb
from search.passages import bm25_text
from search.store.protocol import IndexedArticle


def _documents(batch: list[IndexedArticle]) -> list[Document]:
    """The text the embedded store's BM25 leg sees (title and outlet included), same vectors."""
    return [
        Document(
            id=passage.id,
            content=bm25_text(passage, include_title=True),
            embedding=vector.tolist(),
            meta={"outlet": item.article.outlet},
        )
        for item in batch
        for passage, vector in zip(item.passages, item.embeddings, strict=True)
    ]


def _build(config: BenchConfig) -> tuple[InMemoryDocumentStore, float]:
    articles = load_articles(config.articles_path)
    store = InMemoryDocumentStore(embedding_similarity_function="cosine", return_embedding=False)
    seconds = 0.0
    for batch in corpus_batches(articles, config.passages, config.batch_articles, config.seed):
        documents = _documents(batch)
        started = time.perf_counter()
        store.write_documents(documents)
        seconds += time.perf_counter() - started
    return store, seconds


def run(config: BenchConfig) -> dict[str, object]:
    store, build_seconds = _build(config)
    rss_built = rss_now_mb()
    count = min(config.baseline_queries, config.queries)
    queries: list[BenchQuery] = load_queries(
        config.queries_path, count, load_articles(config.articles_path), config.seed
    )
    bm25 = InMemoryBM25Retriever(store, top_k=config.candidates)
    dense = InMemoryEmbeddingRetriever(store, top_k=config.candidates)
    bm25.run(query=queries[0].question)  # warm-up
    times = time_hybrid(
        queries,
        lambda q: bm25.run(query=q.question)["documents"],
        lambda q: dense.run(query_embedding=q.vector.tolist())["documents"],
        config.top_k,
    )
    return {
        "documents": store.count_documents(),
        "build_s": round(build_seconds, 2),
        "rss_after_build_mb": rss_built,
        "peak_rss_mb": rss_peak_mb(),
        "queries": count,
        **times.summary(),
    }
