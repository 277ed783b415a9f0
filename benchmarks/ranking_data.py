"""Both legs' answers to every labelled question, computed once and kept, so that fusion and
second-stage settings can be swept and fitted without touching a store or the model again.

The stores are the ones ``newsdesk eval --index-dir DIR`` built (any backend's vectors); each
question is read by the product's own ``QueryReader`` and answered by its ``BM25Leg`` and
``DenseLeg`` at the depth ``newsdesk eval`` asks for, with up to ``--focus-legs`` focused legs
(sweeps may use fewer: the first ones named). Written to ``--out`` as a pickle.

    python -m benchmarks.ranking_data --index-dir /work/evalcache/torch \
        --out /work/evalcache/legs.pickle [--only multihop-rag]
"""

from __future__ import annotations

import argparse
import json
import pickle
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
from haystack import Document

from search.embedding import Embedder
from search.evaluation.datasets import EvalDataset, EvalQuestion, load_beir, load_multihop
from search.evaluation.runner import PLANS
from search.evaluation.workspace import index_key
from search.query_analysis import QueryAnalysis
from search.retrieval.legs import BM25Leg, DenseLeg
from search.retrieval.query import QueryReader
from search.retrieval.types import LegRankings
from search.settings import EmbeddingSettings, Settings
from search.store.embedded import EmbeddedStore
from search.store.protocol import PassageStore

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
_GROUPING_DEPTH_FACTOR = 3  # as HybridRetriever asks the legs


@dataclass
class QuestionLegs:
    question: EvalQuestion
    analysis: QueryAnalysis
    bm25: LegRankings
    dense: LegRankings


@dataclass
class DatasetLegs:
    name: str
    kind: str
    top_k: int  # stories newsdesk eval asks for
    questions: list[QuestionLegs] = field(default_factory=list)


def datasets(shared: Path = SHARED) -> dict[str, EvalDataset]:
    """The two tuning sets: MultiHop-RAG dev and SciFact train."""
    multihop = shared / "multihop-rag"
    return {
        "multihop-rag": load_multihop(multihop / "articles.jsonl", multihop / "queries_dev.jsonl"),
        "scifact-train": load_beir(shared / "scifact-train", "train"),
    }


def store_for(root: Path, dataset: EvalDataset, dim: int) -> EmbeddedStore:
    key = index_key(Settings(), dataset.fingerprint())
    directory = root / "indexes" / key / "embedded"
    if not directory.is_dir():
        raise SystemExit(f"no index for {dataset.corpus} under {root} (run newsdesk eval first)")
    return EmbeddedStore(directory, dim=dim)


class _Precomputed:
    """Question vectors computed in one batch; the dense leg asks for them one by one."""

    def __init__(self, embedder: Embedder, texts: list[str]) -> None:
        vectors = embedder.embed_passages(texts) if texts else np.zeros((0, embedder.dim))
        self._vectors = dict(zip(texts, vectors, strict=True))

    def embed_query(self, text: str) -> np.ndarray:
        return self._vectors[text]


def collect(
    name: str, dataset: EvalDataset, store: EmbeddedStore, embedder: Embedder, focus_legs: int
) -> DatasetLegs:
    top_k = PLANS[dataset.kind].depth(10)
    depth = max(top_k * _GROUPING_DEPTH_FACTOR, 50)
    reader = QueryReader(store, max_focus_legs=focus_legs)
    analyses = [reader.run(query=question.text)["analysis"] for question in dataset.questions]
    vectors = _Precomputed(embedder, sorted({a.dense_text or a.question for a in analyses}))
    bm25, dense = BM25Leg(store, depth), DenseLeg(store, vectors, depth)  # type: ignore[arg-type]
    result = DatasetLegs(name, dataset.kind, top_k)
    for question, analysis in zip(dataset.questions, analyses, strict=True):
        result.questions.append(
            QuestionLegs(
                question,
                analysis,
                read(store, bm25.run(analysis=analysis)["rankings"]),
                read(store, dense.run(analysis=analysis)["rankings"]),
            )
        )
    return result


def read(store: PassageStore, rankings: LegRankings) -> LegRankings:
    """The legs rank store keys; sweeps and fits run without the store, so every ranked
    passage is kept as a scored Document (which fusion takes as well as keys)."""
    every = [key for ranking in (rankings.main, *rankings.focused) for key, _ in ranking]
    found = store.hydrate(every)

    def documents(ranking: tuple) -> tuple[Document, ...]:
        return tuple(replace(found[key], score=score) for key, score in ranking if key in found)

    focused = tuple(documents(ranking) for ranking in rankings.focused)
    return LegRankings(rankings.leg, documents(rankings.main), focused, rankings.best)


class _Unpickler(pickle.Unpickler):
    """Classes pickled by ``python -m benchmarks.ranking_data`` live in ``__main__`` there."""

    def find_class(self, module: str, name: str) -> Any:
        return super().find_class(__name__ if module == "__main__" else module, name)


def load(paths: Sequence[Path]) -> dict[str, DatasetLegs]:
    """The collected legs of every dataset in ``paths`` (one file may hold several)."""
    merged: dict[str, DatasetLegs] = {}
    for path in paths:
        with path.open("rb") as handle:
            merged.update(_Unpickler(handle).load())
    return merged


def iter_questions(data: dict[str, DatasetLegs]) -> Iterator[tuple[str, QuestionLegs]]:
    for name, legs in data.items():
        for question in legs.questions:
            yield name, question


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--index-dir", type=Path, required=True, help="newsdesk eval --index-dir")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--focus-legs", type=int, default=8)
    parser.add_argument("--only", action="append", help="collect only this dataset (repeatable)")
    arguments = parser.parse_args()
    embedder = Embedder(EmbeddingSettings())
    collected: dict[str, DatasetLegs] = {}
    for name, dataset in datasets().items():
        if arguments.only and name not in arguments.only:
            continue
        started = time.perf_counter()
        store = store_for(arguments.index_dir, dataset, embedder.dim)
        try:
            collected[name] = collect(name, dataset, store, embedder, arguments.focus_legs)
        finally:
            store.close()
        took = time.perf_counter() - started
        print(json.dumps({"dataset": name, "questions": len(dataset.questions), "s": round(took)}))
    with arguments.out.open("wb") as handle:
        pickle.dump(collected, handle)


if __name__ == "__main__":
    main()
