"""newsdesk's hybrid retriever next to txtai and Haystack: same passages, same vectors, one run.

Run on demand from the repository root (txtai comes with the ``bench`` extra):

    nice -n 5 .venv/bin/python -m benchmarks.bench_peers \\
        --index-dir /tmp/nd-eval/indexes/56de0c5d56a132e7/embedded \\
        --articles ../shared/data/multihop-rag/articles.jsonl \\
        --queries ../shared/data/multihop-rag/queries_dev.jsonl --limit-queries 200

The passages and their MiniLM vectors are read straight from an existing embedded index's SQLite
catalog (the index folder is copied to a temporary directory first, so it is never written). The
questions are embedded once with the packaged model and the same query vectors go to every
system, so the latencies are retrieval and fusion, not the model:

- **newsdesk**: ``HybridRetriever`` with default ``RetrievalSettings`` over the copied store (its
  query-vector cache is filled before timing);
- **haystack**: ``InMemoryDocumentStore`` with ``InMemoryBM25Retriever`` (BM25 over title + outlet
  + passage, as newsdesk's lexical leg) and ``InMemoryEmbeddingRetriever`` (the same vectors),
  joined by ``DocumentJoiner(join_mode="reciprocal_rank_fusion")``, in a Haystack ``Pipeline``;
  each leg fetches newsdesk's candidate depth;
- **txtai**: ``Embeddings(hybrid=True, content=True)`` with ``method="external"``: its transform
  returns our precomputed vector for a passage's text or a question, so no model is loaded or
  downloaded; BM25 is txtai's own over the same title + outlet + passage text, fused by txtai's
  default (convex combination of normalised scores).

Questions are asked interleaved (system order rotates per question), so load on a shared machine
hits all systems alike. Quality uses the dataset's strict evidence rule on the passage text.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

os.environ.setdefault("HAYSTACK_TELEMETRY_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import numpy as np
from haystack import Document, Pipeline
from haystack.components.joiners import DocumentJoiner
from haystack.components.retrievers.in_memory import (
    InMemoryBM25Retriever,
    InMemoryEmbeddingRetriever,
)
from haystack.document_stores.in_memory import InMemoryDocumentStore

from benchmarks.measure import percentiles
from search.embedding import Embedder
from search.evaluation.datasets import EvalQuestion, load_multihop
from search.evaluation.metrics import first_hit_rank, hits_at_k, mrr_at_k
from search.retriever import HybridRetriever
from search.settings import EmbeddingSettings, RetrievalSettings
from search.store.embedded import EmbeddedStore

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data" / "multihop-rag"
DEFAULT_INDEX = Path("/tmp/nd-eval/indexes/56de0c5d56a132e7/embedded")
OUT = REPO / "benchmarks" / "out"
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


def newsdesk_search(store: EmbeddedStore, embedder: Embedder) -> Search:
    retriever = HybridRetriever(store, embedder, RetrievalSettings())

    def search(query: str, _vector: np.ndarray) -> list[str]:
        hits = retriever.run(query=query, top_k=TOP_K, mode="hybrid")["hits"]
        return [hit.text for hit in hits]

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


def run(
    systems: dict[str, Search],
    questions: Sequence[EvalQuestion],
    vectors: dict[str, np.ndarray],
) -> dict[str, dict[str, Any]]:
    names = list(systems)
    ranks: dict[str, list[int | None]] = {name: [] for name in names}
    latency: dict[str, list[float]] = {name: [] for name in names}
    for name in names:  # warm-up, untimed
        systems[name](questions[0].text, vectors[questions[0].text])
    for number, question in enumerate(questions):
        vector = vectors[question.text]
        for name in names[number % len(names) :] + names[: number % len(names)]:
            started = time.perf_counter()
            texts = systems[name](question.text, vector)
            latency[name].append((time.perf_counter() - started) * 1000)
            ranks[name].append(first_hit_rank(texts, question.evidence))
    return {
        name: {
            "hits@4": round(hits_at_k(ranks[name], 4), 4),
            "hits@10": round(hits_at_k(ranks[name], 10), 4),
            "mrr@10": round(mrr_at_k(ranks[name], 10), 4),
            "latency_ms": percentiles(latency[name]),
        }
        for name in names
    }


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index-dir", type=Path, default=DEFAULT_INDEX)
    parser.add_argument("--articles", type=Path, default=DATA / "articles.jsonl")
    parser.add_argument("--queries", type=Path, default=DATA / "queries_dev.jsonl")
    parser.add_argument("--limit-queries", type=int, default=677)
    parser.add_argument(
        "--systems", default="newsdesk,haystack,txtai", help="comma-separated subset"
    )
    parser.add_argument("--out", type=Path, default=OUT / "bench_peers.json")
    args = parser.parse_args(argv)
    wanted = [name.strip() for name in args.systems.split(",") if name.strip()]

    questions = load_multihop(args.articles, args.queries).questions[: args.limit_queries]
    with tempfile.TemporaryDirectory(prefix="nd-peers-") as scratch:
        copy = Path(scratch) / "embedded"
        shutil.copytree(args.index_dir, copy, ignore=shutil.ignore_patterns("writer.lock"))
        passages = read_passages(copy / "catalog.sqlite3")
        dim = int(passages[0].vector.size)
        print(f"{len(passages)} passages (dim {dim}), {len(questions)} questions")

        embedder = Embedder(EmbeddingSettings())
        started = time.perf_counter()
        vectors = {q.text: embedder.embed_query(q.text) for q in questions}  # fills its cache
        print(f"embedded questions once in {time.perf_counter() - started:.1f} s")

        depth = RetrievalSettings().candidates
        builders: dict[str, Callable[[], Search]] = {
            "newsdesk": lambda: newsdesk_search(EmbeddedStore(copy, dim=dim), embedder),
            "haystack": lambda: haystack_search(passages, depth),
            "txtai": lambda: txtai_search(passages, vectors),
        }
        systems: dict[str, Search] = {}
        build_s: dict[str, float] = {}
        for name in wanted:
            started = time.perf_counter()
            systems[name] = builders[name]()
            build_s[name] = round(time.perf_counter() - started, 2)
            print(f"{name}: ready in {build_s[name]} s")

        results = run(systems, questions, vectors)

    print()
    print(f"{'system':<10} {'Hits@4':>7} {'Hits@10':>8} {'MRR@10':>7} {'p50 ms':>8} {'p95 ms':>8}")
    for name, row in results.items():
        lat = row["latency_ms"]
        print(
            f"{name:<10} {row['hits@4']:>7.4f} {row['hits@10']:>8.4f} {row['mrr@10']:>7.4f}"
            f" {lat['p50']:>8.2f} {lat['p95']:>8.2f}"
        )

    args.out.parent.mkdir(parents=True, exist_ok=True)
    report = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
        "questions": len(questions),
        "passages": len(passages),
        "top_k": TOP_K,
        "leg_depth": depth,
        "build_s": build_s,
        "results": results,
    }
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nwrote {args.out}")


if __name__ == "__main__":
    main()
