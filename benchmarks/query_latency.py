"""Hybrid query latency of ``HybridRetriever.run`` over a real eval index, the model kept out.

The questions are embedded once (kept in ``--vectors``) and handed to the retriever, so the
figure is the product path around the model: question analysis, both legs (focused legs
included), fusion, second stage, grouping and highlights. Runs against whichever ``search``
package is first on the path, so two versions compare on one index in one session:

    python -m benchmarks.query_latency --index-dir /work/evalcache/torch/indexes/<key>
    PYTHONPATH=/tmp/newsdesk-main python /work/wt/benchmarks/query_latency.py --index-dir ...

Prints one JSON line: p50 / p95 / mean milliseconds per question and the code's location.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"


class _Vectors:
    """Stands in for the embedder at query time: each question's precomputed vector. A text
    not precomputed (a version may embed a cleaned question) is embedded by the real model
    during the untimed first pass."""

    def __init__(self, texts: list[str], vectors: np.ndarray, dim: int) -> None:
        self._by_text = dict(zip(texts, vectors, strict=True))
        self.dim = dim
        self._model = None

    def embed_query(self, text: str) -> np.ndarray:
        if text not in self._by_text:
            if self._model is None:
                from search.embedding import Embedder
                from search.settings import EmbeddingSettings

                self._model = Embedder(EmbeddingSettings())
            self._by_text[text] = self._model.embed_query(text)
        return self._by_text[text]


def _questions(path: Path) -> list[str]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line)["question"] for line in handle if line.strip()]


def _vectors(path: Path, questions: list[str]) -> np.ndarray:
    if path.exists():
        return np.load(path)
    from search.embedding import Embedder
    from search.settings import EmbeddingSettings

    vectors = Embedder(EmbeddingSettings()).embed_passages(questions)
    np.save(path, vectors)
    return vectors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--index-dir", type=Path, required=True, help="an eval index folder")
    parser.add_argument(
        "--queries", type=Path, default=SHARED / "multihop-rag" / "queries_dev.jsonl"
    )
    parser.add_argument("--vectors", type=Path, default=Path("/tmp/newsdesk-query-vectors.npy"))
    parser.add_argument("--top-k", type=int, default=10)
    arguments = parser.parse_args()

    import search
    from search.retriever import HybridRetriever
    from search.settings import RetrievalSettings
    from search.store.embedded import EmbeddedStore

    questions = _questions(arguments.queries)
    vectors = _vectors(arguments.vectors, questions)
    store = EmbeddedStore(arguments.index_dir / "embedded", dim=vectors.shape[1])
    embedder = _Vectors(questions, vectors, int(vectors.shape[1]))
    retriever = HybridRetriever(store, embedder, RetrievalSettings())  # type: ignore[arg-type]
    for question in questions:  # untimed: fills the vector cache, warms the store
        retriever.run(query=question, top_k=arguments.top_k)
    took = []
    for question in questions:
        started = time.perf_counter()
        retriever.run(query=question, top_k=arguments.top_k)
        took.append((time.perf_counter() - started) * 1000)
    store.close()
    print(
        json.dumps(
            {
                "code": str(Path(search.__file__).parent.parent),
                "questions": len(took),
                "p50_ms": round(float(np.percentile(took, 50)), 2),
                "p95_ms": round(float(np.percentile(took, 95)), 2),
                "mean_ms": round(float(np.mean(took)), 2),
            }
        )
    )


if __name__ == "__main__":
    main()
