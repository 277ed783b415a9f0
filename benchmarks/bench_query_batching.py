"""What sharing one model call saves per question, and what it does to the vectors, per backend.

    .venv/bin/python -m benchmarks.bench_query_batching --backends openvino torch --questions 64

The real model, one inference thread (as a server runs it), on the benchmark questions of
``bench_http.py`` in their fixed order. For each batch size: the CPU milliseconds per question
(the whole process, so the runtime's own threads count) when the questions are embedded that
many at a time, and the largest difference from the vector each gets alone (max |a - b| over
the components, and the least cosine). A server shares calls only where the backend says the
vectors do not move (``Encoder.exact_in_batches``; search/encoders/query_batcher.py).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from benchmarks.bench_http import questions
from benchmarks.config import DEFAULT_OUT
from benchmarks.report import write_json
from search.encoders import Encoder, load_encoder
from search.settings import EmbeddingSettings


def _embed(encoder: Encoder, texts: list[str], batch: int) -> np.ndarray:
    starts = range(0, len(texts), batch)
    return np.vstack([encoder.encode(texts[start : start + batch], batch) for start in starts])


def measure(encoder: Encoder, texts: list[str], batches: list[int], rounds: int) -> list[dict]:
    alone = _embed(encoder, texts, 1)
    rows = []
    for batch in batches:
        vectors = _embed(encoder, texts, batch)  # also the warm-up for this shape mix
        started = time.process_time()
        for _ in range(rounds):
            _embed(encoder, texts, batch)
        cpu_ms = (time.process_time() - started) * 1000 / (rounds * len(texts))
        rows.append(
            {
                "batch": batch,
                "cpu_ms_per_question": round(cpu_ms, 2),
                "max_abs_diff": float(np.abs(vectors - alone).max()),
                "min_cosine": round(float((vectors * alone).sum(axis=1).min()), 8),
            }
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backends", nargs="+", default=["openvino", "torch"])
    parser.add_argument("--questions", type=int, default=64)
    parser.add_argument("--batches", type=int, nargs="+", default=[1, 2, 4, 8, 16])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT / "bench_query_batching.json")
    args = parser.parse_args(argv)
    texts = questions()[: args.questions]
    report = {}
    for backend in args.backends:
        encoder = load_encoder(EmbeddingSettings(backend=backend, threads=1))
        rows = measure(encoder, texts, args.batches, args.rounds)
        report[backend] = {
            "precision": encoder.precision,
            "exact_in_batches": encoder.exact_in_batches,
            "batches": rows,
        }
        for row in rows:
            print(
                f"{backend} ({encoder.precision}), {row['batch']:>2} a call:"
                f" {row['cpu_ms_per_question']} CPU ms per question; vectors differ from alone by"
                f" {row['max_abs_diff']:.1e} at most (least cosine {row['min_cosine']})"
            )
    write_json(report, args.out)
    print(f"JSON: {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
