"""The systems ``bench_peers`` compares, each behind one ``Search`` callable: same passages, same
vectors, a question and its vector in, the top passages' texts out."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import numpy as np
from haystack import Document, Pipeline
from haystack.components.joiners import DocumentJoiner
from haystack.components.retrievers.in_memory import (
    InMemoryBM25Retriever,
    InMemoryEmbeddingRetriever,
)
from haystack.document_stores.in_memory import InMemoryDocumentStore

from benchmarks.hybrid import default_fusion, fuse_keys
from benchmarks.stub_embedder import QuestionVectors
from search.analysis import analyze_query
from search.embedding import Embedder
from search.retriever import HybridRetriever
from search.settings import RetrievalSettings
from search.store.embedded import EmbeddedStore

TOP_K = 10

Search = Callable[[str, np.ndarray], list[str]]  # (question, its vector) -> passage texts


@dataclass(frozen=True)
class Passage:
    id: str
    text: str
    bm25_text: str
    vector: np.ndarray


def read_passages(catalog: Path) -> list[Passage]:
    """Every passage with its stored vector, and the lexical text newsdesk indexes for it."""
    connection = sqlite3.connect(f"file:{catalog}?mode=ro", uri=True)
    try:
        rows = connection.execute(
            "SELECT p.id, p.text, p.embedding, a.title, a.outlet, a.id"
            " FROM passages p JOIN articles a ON a.id = p.article_id ORDER BY p.rowid"
        ).fetchall()
    finally:
        connection.close()
    passages = []
    for passage_id, text, blob, title, outlet, article_id in rows:
        real_title = title if title and title != article_id else None
        header = " ".join(part for part in (real_title, outlet) if part)
        passages.append(
            Passage(
                id=passage_id,
                text=text,
                bm25_text=f"{header}\n{text}" if header else text,
                vector=np.frombuffer(blob, dtype=np.float32).copy(),
            )
        )
    return passages


def newsdesk_search(store: EmbeddedStore, embedder: Embedder | QuestionVectors) -> Search:
    retriever = HybridRetriever(store, cast(Embedder, embedder), RetrievalSettings())

    def search(query: str, _vector: np.ndarray) -> list[str]:
        if isinstance(embedder, QuestionVectors):
            embedder.asking(query)  # the same vector as every system, whatever text it embeds
        hits = retriever.run(query=query, top_k=TOP_K, mode="hybrid")["hits"]
        return [hit.text for hit in hits]

    return search


def newsdesk_legs_search(store: EmbeddedStore) -> Search:
    """The store alone: both leg rankings, RRF on their keys with the product's weights, the
    fused top 10 hydrated (no question-aware legs, grouping or highlights)."""
    settings = RetrievalSettings()
    weights, rrf_k = default_fusion()

    def search(query: str, vector: np.ndarray) -> list[str]:
        rankings = {
            "bm25": store.bm25_ranking(analyze_query(query), settings.candidates),
            "dense": store.dense_ranking(vector, settings.candidates),
        }
        kept = fuse_keys(rankings, weights, rrf_k)[:TOP_K]
        documents = store.hydrate(kept)
        return [documents[key].content or "" for key in kept if key in documents]

    return search


def haystack_search(passages: Sequence[Passage], depth: int) -> Search:
    store = InMemoryDocumentStore()
    store.write_documents(
        [
            Document(
                id=p.id,
                content=p.bm25_text,
                embedding=p.vector.tolist(),
                meta={"passage": p.text},
            )
            for p in passages
        ]
    )
    pipeline = Pipeline()
    pipeline.add_component("bm25", InMemoryBM25Retriever(store, top_k=depth))
    pipeline.add_component("dense", InMemoryEmbeddingRetriever(store, top_k=depth))
    pipeline.add_component(
        "joiner", DocumentJoiner(join_mode="reciprocal_rank_fusion", top_k=TOP_K)
    )
    pipeline.connect("bm25.documents", "joiner.documents")
    pipeline.connect("dense.documents", "joiner.documents")

    def search(query: str, vector: np.ndarray) -> list[str]:
        result = pipeline.run(
            {"bm25": {"query": query}, "dense": {"query_embedding": vector.tolist()}}
        )
        return [doc.meta["passage"] for doc in result["joiner"]["documents"]]

    return search


def txtai_search(passages: Sequence[Passage], questions: dict[str, np.ndarray]) -> Search:
    from txtai import Embeddings

    vectors = {p.bm25_text: p.vector for p in passages} | questions

    def transform(texts: list[str]) -> np.ndarray:
        return np.vstack([vectors[text] for text in texts])

    embeddings = Embeddings(
        hybrid=True, content=True, method="external", transform=transform, backend="numpy"
    )
    embeddings.index((p.id, p.bm25_text, None) for p in passages)
    text_by_id = {p.id: p.text for p in passages}

    def search(query: str, _vector: np.ndarray) -> list[str]:
        rows = embeddings.search(query, limit=TOP_K)
        return [text_by_id[row["id"]] for row in rows]

    return search
