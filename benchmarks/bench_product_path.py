"""The product path alone, on a store that already exists: ``HybridRetriever.run`` per question,
unfiltered and under the question's outlet, with the model stubbed (synthetic vectors), and the
time of each retrieval Pipeline component where the retriever has one.

Self-contained on purpose (it imports only what every newsdesk version has), so one file times
two versions in turn on the same store, e.g. main's code against a branch's:

    (cd ../main && PYTHONPATH=. .venv/bin/python ../wt-path/benchmarks/bench_product_path.py \\
        --dir /work/bench-scale/store-1m)
    PYTHONPATH=. .venv/bin/python benchmarks/bench_product_path.py --dir /work/bench-scale/store-1m
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import numpy as np

from benchmarks.config import DEFAULT_DATA
from benchmarks.corpus import DIM, BenchQuery, load_articles, load_queries
from search.embedding import Embedder
from search.filters import SearchFilters
from search.retriever import HybridRetriever
from search.settings import RetrievalSettings
from search.store.embedded import EmbeddedStore


class _Vectors:
    """The asked question's synthetic vector, whatever text of it the retriever embeds."""

    def __init__(self, queries: list[BenchQuery]) -> None:
        self._vectors = {query.question: query.vector for query in queries}
        self.asked = queries[0].vector

    def embed_query(self, text: str) -> np.ndarray:
        return self._vectors.get(text, self.asked)


def _timed_components(retriever: Any, times: dict[str, list[float]]) -> None:
    pipeline = getattr(retriever, "pipeline", None)
    for name, instance in pipeline.walk() if pipeline is not None else ():
        run = instance.run

        def timed(*args: Any, _run: Any = run, _name: str = name, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return _run(*args, **kwargs)
            finally:
                times.setdefault(_name, []).append((time.perf_counter() - started) * 1000)

        instance.run = timed


def _ms(values: list[float]) -> str:
    p50, p95, p99 = np.percentile(values, [50, 95, 99])
    return f"p50 {p50:7.2f}  p95 {p95:7.2f}  p99 {p99:7.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--dir", type=Path, required=True, help="an embedded store")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument(
        "--no-gc-freeze",
        dest="gc_freeze",
        action="store_false",
        help="leave what is loaded to full garbage collections (as before the API froze it)",
    )
    args = parser.parse_args()
    articles = load_articles(DEFAULT_DATA / "articles.jsonl")
    queries = load_queries(DEFAULT_DATA / "queries_dev.jsonl", args.queries, articles, 13)
    store = EmbeddedStore(args.dir, dim=DIM)
    vectors = _Vectors(queries)
    retriever = HybridRetriever(store, cast(Embedder, vectors), RetrievalSettings())
    variants: dict[str, Callable[[BenchQuery], SearchFilters | None]] = {
        "unfiltered": lambda query: None,
        "outlet": lambda query: SearchFilters(outlets=[query.outlet]),
    }
    for query in queries[: args.warmup]:
        vectors.asked = query.vector
        retriever.run(query=query.question, top_k=10)
    if args.gc_freeze:
        gc.freeze()  # as the API does once started
    print(f"{store.counts().passages:,} passages, {len(queries)} questions")
    for name, filters in variants.items():
        components: dict[str, list[float]] = {}
        _timed_components(retriever, components)
        samples = []
        for query in queries:
            vectors.asked = query.vector
            started = time.perf_counter()
            retriever.run(query=query.question, top_k=10, filters=filters(query))
            samples.append((time.perf_counter() - started) * 1000)
        for instance in (i for _, i in retriever.pipeline.walk()) if components else ():
            del instance.run
        print(f"{name:12s} {_ms(samples)}   load {os.getloadavg()[0]:.2f}")
        for component, values in components.items():
            print(f"  {component:14s} {_ms(values)}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {peak:,.0f} MB")
    store.close()
    gc.unfreeze()


if __name__ == "__main__":
    main()
