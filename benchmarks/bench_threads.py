"""Do reads scale with threads? The same hybrid queries from 1 and 2 threads in one process, and
from 2 processes of one thread each, in alternating rounds on one store.

    .venv/bin/python -m benchmarks.bench_threads --dir /work/bench-scale/store-1m --seconds 15

Each query is what the product path asks of the store: both rankings (depth 50) and the fused
top 10 hydrated. Two processes share nothing in Python, so they are the ceiling two threads
could reach on this machine under its load at that moment; the rounds alternate so that load
moves hit every mode alike. Each round reports queries/s, the CPU seconds spent per wall second
(2.0 would be two busy cores) and the load average. Model stubbed: queries carry synthetic
vectors.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import time
from concurrent.futures import ThreadPoolExecutor
from multiprocessing.synchronize import Barrier
from pathlib import Path
from typing import Any

from benchmarks.config import DEFAULT_DATA, DEFAULT_OUT
from benchmarks.corpus import DIM, BenchQuery, load_articles, load_queries
from benchmarks.hybrid import default_fusion, fuse_keys
from search.store.embedded import EmbeddedStore

_DEPTH, _TOP_K = 50, 10


def _hybrid(store: EmbeddedStore, query: BenchQuery) -> None:
    rankings = {
        "bm25": store.bm25_ranking(query.terms, _DEPTH),
        "dense": store.dense_ranking(query.vector, _DEPTH),
    }
    weights, rrf_k = default_fusion()
    store.hydrate(fuse_keys(rankings, weights, rrf_k)[:_TOP_K])


def _run(store: EmbeddedStore, queries: list[BenchQuery], threads: int, seconds: float) -> int:
    """Queries answered by ``threads`` threads in ``seconds``, each thread cycling its share."""
    deadline = time.perf_counter() + seconds

    def worker(offset: int) -> int:
        done = 0
        while time.perf_counter() < deadline:
            _hybrid(store, queries[(offset + done * threads) % len(queries)])
            done += 1
        return done

    with ThreadPoolExecutor(threads) as pool:
        return sum(pool.map(worker, range(threads)))


def _process(
    directory: Path, queries: list[BenchQuery], seconds: float, start: Barrier, rates: Any
) -> None:
    store = EmbeddedStore(directory, dim=DIM)
    _run(store, queries[:10], 1, 1.0)  # warm up
    start.wait()
    cpu, started = time.process_time(), time.perf_counter()
    done = _run(store, queries, 1, seconds)
    rates.put((done, time.perf_counter() - started, time.process_time() - cpu))
    store.close()


def _round(
    mode: str, store: EmbeddedStore, directory: Path, queries: list[BenchQuery], seconds: float
) -> dict[str, Any]:
    load = os.getloadavg()[0]
    if mode.startswith("threads"):
        threads = int(mode.split("-")[1])
        cpu, started = time.process_time(), time.perf_counter()
        done = _run(store, queries, threads, seconds)
        wall = time.perf_counter() - started
        cpu_s = time.process_time() - cpu
    else:
        # Spawned: a fork would copy this process's store and its threads' locks.
        context = multiprocessing.get_context("spawn")
        start, rates = context.Barrier(3), context.SimpleQueue()
        processes = [
            context.Process(target=_process, args=(directory, queries, seconds, start, rates))
            for _ in range(2)
        ]
        for process in processes:
            process.start()
        start.wait()
        for process in processes:
            process.join()
        measured = [rates.get() for _ in processes]
        # As if both ran the same wall time: the sum of their rates.
        wall = max(row[1] for row in measured)
        done = round(sum(row[0] / row[1] for row in measured) * wall)
        cpu_s = sum(row[2] for row in measured)
    return {"mode": mode, "queries": done, "wall_s": wall, "cpu_s": cpu_s, "load": load}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dir", type=Path, required=True, help="an existing embedded store")
    parser.add_argument("--seconds", type=float, default=15.0, help="per round")
    parser.add_argument("--rounds", type=int, default=2, help="of each mode")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()
    articles = load_articles(args.data / "articles.jsonl")
    queries = load_queries(args.data / "queries_dev.jsonl", args.queries, articles, seed=13)
    store = EmbeddedStore(args.dir, dim=DIM)
    _run(store, queries[:10], 1, 1.0)  # warm up
    results = []
    for _ in range(args.rounds):
        for mode in ("threads-1", "threads-2", "processes-2"):
            results.append(_round(mode, store, args.dir, queries, args.seconds))
            row = results[-1]
            print(
                f"{mode:<12} {row['queries'] / row['wall_s']:8.1f} q/s"
                f"  cpu/wall {row['cpu_s'] / row['wall_s']:.2f}  load {row['load']:.1f}",
                flush=True,
            )
    store.close()
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"threads-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps({"store": str(args.dir), "rounds": results}, indent=2))
    print(f"JSON: {path}")


if __name__ == "__main__":
    main()
