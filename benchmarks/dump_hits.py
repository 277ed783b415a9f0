"""Every hit the product path gives for a dataset's questions, as JSON, to compare two versions
of the code on the same index (a refactoring must not move a single hit).

Each question is asked unfiltered, under one outlet (the index's outlets in turn) and under a
10-day window; each hit keeps its passage, score, score breakdown, highlight and the copies
listed with it. Question vectors are computed once with the torch backend and kept in
``--vectors``, so both versions get the same ones. Open a *copy* of an index: opening it may
update its files.

    cp -r /work/evalcache/torch/indexes/56de0c5d56a132e7 /tmp/mh
    (cd ../main && PYTHONPATH=. .venv/bin/python ../wt-path/benchmarks/dump_hits.py \\
        --index /tmp/mh/embedded --dataset multihop --out /tmp/main.json)
    PYTHONPATH=. .venv/bin/python benchmarks/dump_hits.py --index /tmp/mh/embedded \\
        --dataset multihop --out /tmp/branch.json
    cmp /tmp/main.json /tmp/branch.json
"""

from __future__ import annotations

import argparse
import json
import pickle
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

from search.embedding import Embedder
from search.evaluation.datasets import load_beir, load_multihop
from search.filters import SearchFilters
from search.retriever import HybridRetriever
from search.settings import EmbeddingSettings, RetrievalSettings
from search.store.embedded import EmbeddedStore

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"


class _KeptVectors:
    """Question vectors from the model, computed once per text and kept on disk."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._vectors: dict[str, np.ndarray] = (
            pickle.loads(path.read_bytes()) if path.exists() else {}
        )
        self._model: Embedder | None = None

    def embed_query(self, text: str) -> np.ndarray:
        if text not in self._vectors:
            if self._model is None:
                self._model = Embedder(EmbeddingSettings(backend="torch"))
            self._vectors[text] = self._model.embed_query(text)
        return self._vectors[text]

    def save(self) -> None:
        self._path.write_bytes(pickle.dumps(self._vectors))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--index", type=Path, required=True, help="an embedded store (a copy)")
    parser.add_argument("--dataset", choices=("multihop", "scifact"), required=True)
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--vectors", type=Path, default=Path("/tmp/newsdesk-question-vectors.pkl"))
    args = parser.parse_args()
    if args.dataset == "multihop":
        folder = SHARED / "multihop-rag"
        dataset = load_multihop(folder / "articles.jsonl", folder / "queries_dev.jsonl")
    else:
        dataset = load_beir(SHARED / "scifact-train", "train")
    vectors = _KeptVectors(args.vectors)
    store = EmbeddedStore(args.index, dim=384)
    retriever = HybridRetriever(store, vectors, RetrievalSettings())  # type: ignore[arg-type]
    outlets = sorted(store.outlets())
    results = []
    for number, question in enumerate(dataset.questions[: args.count]):
        start = datetime(2023, 9, 20, tzinfo=UTC) + timedelta(days=number % 60)
        window = SearchFilters(published_after=start, published_before=start + timedelta(days=10))
        outlet = SearchFilters(outlets=[outlets[number % len(outlets)]]) if outlets else None
        for filters in (None, outlet, window):
            hits = retriever.run(query=question.text, top_k=10, filters=filters)["hits"]
            results.append([hit.model_dump(mode="json") for hit in hits])
    vectors.save()
    store.close()
    args.out.write_text(json.dumps(results, sort_keys=True))
    print(f"{len(results)} result lists, {sum(map(len, results))} hits -> {args.out}")


if __name__ == "__main__":
    main()
