"""The embedded store's dense leg alone, on a store that already exists: ``dense_rankings`` per
question as the retriever calls it (the question's filters and the outlets it names), then
unfiltered, then unfiltered with the question's outlet, with the model stubbed (synthetic
vectors); wall and CPU time per call (CPU time holds up better on a loaded machine).

Self-contained like ``bench_product_path`` (it imports only what every newsdesk version has), so
one file times two versions on the same store, e.g. main's code against a branch's, at the same
time so that both see the same load, and checks that the filtered rankings are the same:

    (cd ../main && PYTHONPATH=. .venv/bin/python ../wt-dense2/benchmarks/bench_dense_leg.py \\
        --dir /work/bench-scale/store-1m-opt --save /tmp/main.pkl) &
    PYTHONPATH=. .venv/bin/python benchmarks/bench_dense_leg.py \\
        --dir /work/bench-scale/store-1m-opt --save /tmp/branch.pkl; wait
    PYTHONPATH=. .venv/bin/python benchmarks/bench_dense_leg.py \\
        --compare /tmp/main.pkl /tmp/branch.pkl
"""

from __future__ import annotations

import argparse
import os
import pickle
import time
from pathlib import Path
from typing import Any, cast

import numpy as np

from benchmarks.bench_product_path import _Vectors
from benchmarks.config import DEFAULT_DATA
from benchmarks.corpus import DIM, load_articles, load_queries
from search.embedding import Embedder
from search.filters import SearchFilters
from search.retriever import HybridRetriever
from search.settings import RetrievalSettings
from search.store.embedded import EmbeddedStore

TOP_K = 50  # the retriever's dense depth (RetrievalSettings.candidates)
_CALLS = ("asked", "unfiltered", "outlet")


def _timed(
    store: EmbeddedStore, vector: np.ndarray, searches: list[Any]
) -> tuple[Any, float, float]:
    wall, cpu = time.perf_counter(), time.thread_time()
    rankings = store.dense_rankings(vector, TOP_K, searches)
    return rankings, (time.perf_counter() - wall) * 1000, (time.thread_time() - cpu) * 1000


def _run(args: argparse.Namespace) -> None:
    articles = load_articles(DEFAULT_DATA / "articles.jsonl")
    queries = load_queries(DEFAULT_DATA / "queries_dev.jsonl", args.queries, articles, 13)
    store = EmbeddedStore(args.dir, dim=DIM)
    retriever = HybridRetriever(store, cast(Embedder, _Vectors(queries)), RetrievalSettings())
    analyse = retriever.pipeline.get_component("query")
    work = []
    for query in queries:
        analysis = analyse.run(query=query.question)["analysis"]
        asked = [analysis.filters, *analysis.focus_filters]
        work.append((query.vector, asked, [None, SearchFilters(outlets=[query.outlet])]))
    for vector, asked, _ in work[: args.warmup]:
        store.dense_rankings(vector, TOP_K, asked)
    wall: dict[str, list[float]] = {name: [] for name in _CALLS}
    cpu: dict[str, list[float]] = {name: [] for name in _CALLS}
    saved = []
    for attempt in range(args.passes):
        for vector, asked, outlet in work:
            found = []
            for name, searches in zip(_CALLS, (asked, [None], outlet), strict=True):
                rankings, elapsed, used = _timed(store, vector, searches)
                wall[name].append(elapsed)
                cpu[name].append(used)
                found.append(rankings)
            if attempt == 0:
                saved.append(found)
    print(f"{store.counts().passages:,} passages, {len(work)} questions x {args.passes}")
    for name in _CALLS:
        w50, w99 = np.percentile(wall[name], [50, 99])
        c50, c99 = np.percentile(cpu[name], [50, 99])
        print(
            f"{name:10s} wall p50 {w50:7.2f} p99 {w99:7.2f}   cpu p50 {c50:6.2f} p99 {c99:6.2f}"
            f" mean {np.mean(cpu[name]):6.2f}   load {os.getloadavg()[0]:.2f}"
        )
    store.close()
    if args.save:
        args.save.write_bytes(pickle.dumps(saved))


def _compare(before: Path, after: Path) -> None:
    """Each call's first search (unfiltered, or the question's own filters) and the searches
    under an outlet the question names, counted apart: exact and sign-code searches must not
    change with the HNSW breadth; an unfiltered one is HNSW's."""
    counts = dict.fromkeys(("first same", "first different", "outlet same", "outlet different"), 0)
    runs = pickle.loads(before.read_bytes()), pickle.loads(after.read_bytes())
    for one, other in zip(*runs, strict=True):
        for rankings, others in zip(one, other, strict=True):
            for position, (ranking, again) in enumerate(zip(rankings, others, strict=True)):
                kind = "outlet" if position else "first"
                counts[f"{kind} {'same' if ranking == again else 'different'}"] += 1
    print(", ".join(f"{name}: {count}" for name, count in counts.items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--dir", type=Path, help="an embedded store")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--passes", type=int, default=2)
    parser.add_argument("--save", type=Path, help="keep the first pass's rankings here")
    parser.add_argument("--compare", type=Path, nargs=2, help="two saved runs' rankings")
    args = parser.parse_args()
    if args.compare:
        _compare(*args.compare)
    elif args.dir:
        _run(args)
    else:
        parser.error("give --dir or --compare")


if __name__ == "__main__":
    main()
