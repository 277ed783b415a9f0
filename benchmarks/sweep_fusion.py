"""Sweep retrieval knobs on the MultiHop-RAG dev split over an index `newsdesk eval` already built.

Nothing is re-embedded: the questions are embedded once, then every configuration re-runs only
retrieval and fusion. Prints the dataset's strict Hits@4, Hits@10 and MRR@10 per configuration.

    python -m benchmarks.sweep_fusion --index-dir /tmp/nd-eval/indexes/<key> \
        --config 'default={}' --config 'bm25w4={"bm25_weight": 4}'
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from search.embedding import Embedder
from search.evaluation.datasets import EvalQuestion, load_multihop
from search.evaluation.metrics import first_hit_rank, hits_at_k, mrr_at_k
from search.retriever import HybridRetriever
from search.settings import EmbeddingSettings, RetrievalSettings
from search.store.embedded import EmbeddedStore

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "multihop-rag"


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--index-dir", type=Path, required=True, help="an eval index folder")
    parser.add_argument("--articles", type=Path, default=DATA / "articles.jsonl")
    parser.add_argument("--queries", type=Path, default=DATA / "queries_dev.jsonl")
    parser.add_argument(
        "--config", action="append", default=[], help="NAME=JSON of RetrievalSettings overrides"
    )
    return parser.parse_args()


def _score(retriever: HybridRetriever, questions: list[EvalQuestion]) -> tuple[float, ...]:
    ranks = []
    for question in questions:
        hits = retriever.run(query=question.text, top_k=10)["hits"]
        ranks.append(first_hit_rank([hit.text for hit in hits], list(question.evidence)))
    return hits_at_k(ranks, 4), hits_at_k(ranks, 10), mrr_at_k(ranks, 10)


def main() -> None:
    arguments = _arguments()
    questions = list(load_multihop(arguments.articles, arguments.queries).questions)
    embedder = Embedder(EmbeddingSettings())
    vectors = embedder.embed_passages([question.text for question in questions])
    by_text = {question.text: vector for question, vector in zip(questions, vectors, strict=True)}
    embedder.embed_query = by_text.__getitem__  # type: ignore[method-assign]
    store = EmbeddedStore(arguments.index_dir / "embedded", dim=embedder.dim)
    print(f"{'configuration':40s} {'hits@4':>7s} {'hits@10':>7s} {'mrr@10':>7s}")
    for entry in arguments.config or ["default={}"]:
        name, overrides = entry.split("=", 1)
        retriever = HybridRetriever(store, embedder, RetrievalSettings(**json.loads(overrides)))
        started = time.perf_counter()
        hits4, hits10, mrr10 = _score(retriever, questions)
        took = time.perf_counter() - started
        print(f"{name:40s} {hits4:7.4f} {hits10:7.4f} {mrr10:7.4f}  ({took:.0f} s)", flush=True)
    store.close()


if __name__ == "__main__":
    main()
