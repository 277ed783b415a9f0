"""What the keyword index's segment count costs a search: the embedded store's Tantivy search for
each dev question's terms, at several depths, on one or more stores (e.g. one as a bulk import
left it and a copy after ``newsdesk optimize``), read-only.

    python -m benchmarks.bench_keyword_segments --dir /work/bench-scale/store-1m \\
        --dir /work/bench-scale/store-1m-opt --rounds 2

Stores are timed in turn, ``--rounds`` times, so that a change in the machine's load shows.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import numpy as np

from benchmarks.config import DEFAULT_DATA
from search.analysis import analyze_query
from search.store.embedded.lexical import LexicalIndex


def _questions(path: Path, count: int) -> list[list[str]]:
    with path.open(encoding="utf-8") as lines:
        texts = [json.loads(line)["question"] for line in lines][:count]
    return [terms for terms in map(analyze_query, texts) if terms]


def _timed(lexical: LexicalIndex, questions: list[list[str]], depth: int) -> str:
    times = []
    for terms in questions:
        started = time.perf_counter()
        lexical.search(terms, depth, None)
        times.append((time.perf_counter() - started) * 1000)
    p50, p95 = np.percentile(times, [50, 95])
    return f"depth {depth:5d}: p50 {p50:6.2f} ms, p95 {p95:6.2f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dir", type=Path, action="append", required=True, help="a store")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--depths", type=int, nargs="+", default=[50, 500, 2000])
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    questions = _questions(DEFAULT_DATA / "queries_dev.jsonl", args.queries)
    for round_ in range(1, args.rounds + 1):
        for directory in args.dir:
            lexical = LexicalIndex(directory / "bm25")
            segments = lexical.num_segments()
            print(
                f"round {round_}, {directory} ({segments} segments, load {os.getloadavg()[0]:.2f})"
            )
            for depth in args.depths:
                print("  " + _timed(lexical, questions, depth))


if __name__ == "__main__":
    main()
