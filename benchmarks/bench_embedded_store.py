"""Benchmark the embedded store: build time, disk, RSS and hybrid query latency, with a baseline.

Run on demand from the repository root (not part of the tests):

    .venv/bin/python -m benchmarks.bench_embedded_store --passages 100000 --queries 200 \\
        --dir /tmp/newsdesk-bench-100k --top-k 10 --candidates 50

Each phase runs in a fresh process (spawned, not forked), so the query phase opens the store cold
and every RSS figure belongs to one phase alone: build, query, ingest, baseline.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import platform
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict
from importlib import metadata
from pathlib import Path
from typing import Any

from benchmarks import baseline_phase, embedded_phase, ingest_phase
from benchmarks.config import DEFAULT_DATA, DEFAULT_OUT, REPO, BenchConfig
from benchmarks.report import json_path_for, render, write_json

Phase = Callable[[BenchConfig], dict[str, object]]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--passages", type=int, default=100_000, help="passages to index")
    parser.add_argument("--queries", type=int, default=200, help="dev questions to time")
    parser.add_argument("--dir", type=Path, required=True, help="store folder (emptied first)")
    parser.add_argument("--top-k", type=int, default=10)
    parser.add_argument("--candidates", type=int, default=50, help="depth of each leg")
    parser.add_argument("--batch-articles", type=int, default=500, help="articles per write")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--warmup", type=int, default=10, help="untimed queries after opening")
    parser.add_argument(
        "--baseline-max",
        type=int,
        default=100_000,
        help="run the in-memory baseline only up to this many passages",
    )
    parser.add_argument(
        "--baseline-queries",
        type=int,
        default=20,
        help="queries for the baseline (~20 s each at 100k here); 0 skips it",
    )
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="multihop-rag folder")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="where the JSON goes")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="skip the build when --dir already holds exactly --passages",
    )
    parser.add_argument(
        "--blas-threads",
        type=int,
        default=None,
        help="set OPENBLAS/OMP threads in the measuring processes (default: library default)",
    )
    parser.add_argument(
        "--no-warm-page-cache",
        dest="warm_page_cache",
        action="store_false",
        help="do not read the store files through the OS page cache before timing queries",
    )
    parser.add_argument(
        "--ingest-articles",
        type=int,
        default=40,
        help="one-article writes (then deletes) timed after the queries; 0 skips them",
    )
    parser.add_argument(
        "--no-optimize",
        dest="optimize",
        action="store_false",
        help="time queries without first running the store's optimize() (as after a bulk "
        "import with 'newsdesk optimize' skipped)",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="cProfile the build and query phases into --out (slows them)",
    )
    return parser


def parse_args(argv: list[str] | None = None) -> BenchConfig:
    args = build_parser().parse_args(argv)
    if args.blas_threads is not None:
        # Read by OpenBLAS when numpy loads: the spawned phases inherit it.
        for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            os.environ[name] = str(args.blas_threads)
    return BenchConfig(
        passages=args.passages,
        queries=args.queries,
        directory=args.dir.resolve(),
        top_k=args.top_k,
        candidates=args.candidates,
        batch_articles=args.batch_articles,
        seed=args.seed,
        warmup=args.warmup,
        baseline_max=args.baseline_max,
        baseline_queries=args.baseline_queries,
        data_dir=args.data,
        out_dir=args.out,
        reuse=args.reuse,
        profile=args.profile,
        warm_page_cache=args.warm_page_cache,
        ingest_articles=args.ingest_articles,
        optimize=args.optimize,
    )


def in_fresh_process(phase: Phase, config: BenchConfig) -> dict[str, object]:
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        return pool.submit(phase, config).result()


def environment() -> dict[str, object]:
    packages = ("tantivy", "usearch", "haystack-ai", "numpy")
    commit = _git("rev-parse", "--short", "HEAD")
    changed = _git("status", "--porcelain", "--", "search", "indexer").splitlines()
    return {
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "niceness": os.nice(0),
        "blas_threads": os.environ.get("OPENBLAS_NUM_THREADS", "default"),
        "commit": commit,
        "uncommitted_changes": [line[3:] for line in changed],
        "argv": sys.argv,
        **{name: metadata.version(name) for name in packages},
    }


def _git(*args: str) -> str:
    command = ["git", "-C", str(REPO), *args]
    return subprocess.run(command, capture_output=True, text=True, check=False).stdout.strip()


def main(argv: list[str] | None = None) -> int:
    config = parse_args(argv)
    result: dict[str, Any] = {
        "config": asdict(config),
        "environment": environment(),
        "loadavg_start": [round(load, 2) for load in os.getloadavg()],
        "passages": config.passages,
    }
    json_path = json_path_for(config)
    for name, phase, message in _phases(config):
        print(message, file=sys.stderr)
        result[name] = in_fresh_process(phase, config)
        result["loadavg_end"] = [round(load, 2) for load in os.getloadavg()]
        write_json(result, json_path)  # after every phase: a later failure keeps what was measured
    result["passages"] = result["query"]["passages"]
    write_json(result, json_path)
    print(render(result))
    print(f"\nJSON: {json_path}")
    return 0


def _phases(config: BenchConfig) -> list[tuple[str, Phase, str]]:
    phases: list[tuple[str, Phase, str]] = []
    if config.reuse and in_fresh_process(_count_existing, config)["passages"] == config.passages:
        print(f"reusing the store in {config.directory}", file=sys.stderr)
    else:
        message = f"building {config.passages:,} passages in {config.directory}"
        phases.append(("build", embedded_phase.build, message))
    if config.optimize:
        message = "optimizing the store, as 'newsdesk optimize' does after a bulk import"
        phases.append(("optimize", embedded_phase.optimize, message))
    phases.append(("query", embedded_phase.query, "timing queries on the cold-opened store"))
    if config.ingest_articles > 0:
        message = "timing one-article writes and their visibility in another process"
        phases.append(("ingest", ingest_phase.ingest, message))
    if config.with_baseline:
        message = "building and timing the in-memory baseline"
        phases.append(("baseline", baseline_phase.run, message))
    return phases


def _count_existing(config: BenchConfig) -> dict[str, object]:
    return {"passages": embedded_phase.existing_passages(config.directory)}


if __name__ == "__main__":
    raise SystemExit(main())
