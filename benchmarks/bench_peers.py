"""newsdesk's hybrid retriever next to txtai and Haystack: same passages, same vectors, one run.

Run on demand from the repository root (txtai comes with the ``bench`` extra). Two modes:

    # the real MultiHop-RAG passages and MiniLM vectors of an existing embedded index
    nice -n 5 .venv/bin/python -m benchmarks.bench_peers \\
        --index-dir /tmp/nd-eval/indexes/56de0c5d56a132e7/embedded --limit-queries 200

    # N passages of the benchmark corpus (real text, synthetic vectors; see corpus.py), in the
    # store bench_embedded_store builds (built here first if --dir does not hold N passages)
    nice -n 5 .venv/bin/python -m benchmarks.bench_peers --passages 100000 \\
        --dir /work/bench-scale/store-100k --limit-queries 200 --haystack-queries 10

With ``--index-dir`` the index folder is copied to a temporary directory (never written) and the
questions are embedded once with the packaged model; with ``--passages`` each question gets a
seeded synthetic vector, like the passages. Either way every system gets the same passages and
the same query vectors, so the latencies are retrieval and fusion, not the model:

- **newsdesk**: ``HybridRetriever`` with default ``RetrievalSettings`` over the store;
- **newsdesk-legs**: the same store's two leg rankings, RRF on their keys with the same weights,
  the fused top 10 hydrated: what the store costs without the retriever's work around it;
- **haystack**: ``InMemoryDocumentStore`` with ``InMemoryBM25Retriever`` (BM25 over title + outlet
  + passage, as newsdesk's lexical leg) and ``InMemoryEmbeddingRetriever`` (the same vectors),
  joined by ``DocumentJoiner(join_mode="reciprocal_rank_fusion")``, in a Haystack ``Pipeline``;
  each leg fetches newsdesk's candidate depth. It scans every document in Python per query
  (seconds at 100 k), hence ``--haystack-queries``;
- **txtai**: ``Embeddings(hybrid=True, content=True)`` with ``method="external"``: its transform
  returns our precomputed vector for a passage's text or a question, so no model is loaded or
  downloaded; BM25 is txtai's own over the same title + outlet + passage text, fused by txtai's
  default (convex combination of normalised scores).

Questions are asked interleaved (system order rotates per question), so load on a shared machine
hits all systems alike. Quality uses the dataset's strict evidence rule on the passage text; with
synthetic vectors only the lexical side of it means anything.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

os.environ.setdefault("HAYSTACK_TELEMETRY_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import numpy as np

from benchmarks import embedded_phase
from benchmarks.bench_embedded_store import in_fresh_process
from benchmarks.config import BenchConfig
from benchmarks.corpus import unit_vectors
from benchmarks.measure import percentiles, rss_now_mb
from benchmarks.peers import (
    TOP_K,
    Passage,
    Search,
    haystack_search,
    newsdesk_legs_search,
    newsdesk_search,
    read_passages,
    txtai_search,
)
from benchmarks.stub_embedder import QuestionVectors
from search.embedding import Embedder
from search.evaluation.datasets import EvalQuestion, load_multihop
from search.evaluation.metrics import first_hit_rank, hits_at_k, mrr_at_k
from search.settings import EmbeddingSettings, RetrievalSettings
from search.store.embedded import EmbeddedStore

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data" / "multihop-rag"
DEFAULT_INDEX = Path("/tmp/nd-eval/indexes/56de0c5d56a132e7/embedded")
OUT = REPO / "benchmarks" / "out"


def run(
    systems: dict[str, Search],
    questions: Sequence[EvalQuestion],
    vectors: dict[str, np.ndarray],
    limits: dict[str, int],
) -> dict[str, dict[str, Any]]:
    """Every system answers every question (up to its limit), the order rotating per question."""
    names = list(systems)
    ranks: dict[str, list[int | None]] = {name: [] for name in names}
    latency: dict[str, list[float]] = {name: [] for name in names}
    for name in names:  # warm-up, untimed
        systems[name](questions[0].text, vectors[questions[0].text])
    for number, question in enumerate(questions):
        vector = vectors[question.text]
        for name in names[number % len(names) :] + names[: number % len(names)]:
            if number >= limits.get(name, len(questions)):
                continue
            started = time.perf_counter()
            texts = systems[name](question.text, vector)
            latency[name].append((time.perf_counter() - started) * 1000)
            ranks[name].append(first_hit_rank(texts, question.evidence))
    return {
        name: {
            "questions": len(ranks[name]),
            "hits@4": round(hits_at_k(ranks[name], 4), 4),
            "hits@10": round(hits_at_k(ranks[name], 10), 4),
            "mrr@10": round(mrr_at_k(ranks[name], 10), 4),
            "latency_ms": percentiles(latency[name]),
        }
        for name in names
    }


@contextmanager
def copied_index(index_dir: Path) -> Iterator[Path]:
    """The real index, copied so that nothing here writes to it."""
    with tempfile.TemporaryDirectory(prefix="nd-peers-") as scratch:
        copy = Path(scratch) / "embedded"
        shutil.copytree(index_dir, copy, ignore=shutil.ignore_patterns("writer.lock"))
        yield copy


@contextmanager
def corpus_store(passages: int, directory: Path) -> Iterator[Path]:
    """The benchmark corpus' store of ``passages`` passages, built first unless already there."""
    config = BenchConfig(passages=passages, queries=0, directory=directory.resolve())
    if embedded_phase.existing_passages(config.directory) != passages:
        print(f"building {passages:,} passages in {directory}")
        in_fresh_process(embedded_phase.build, config)
    yield config.directory


def model_vectors(questions: Sequence[EvalQuestion]) -> tuple[dict[str, np.ndarray], Embedder]:
    embedder = Embedder(EmbeddingSettings())
    started = time.perf_counter()
    vectors = {q.text: embedder.embed_query(q.text) for q in questions}  # fills its cache
    print(f"embedded questions once in {time.perf_counter() - started:.1f} s")
    return vectors, embedder


def synthetic_vectors(questions: Sequence[EvalQuestion]) -> dict[str, np.ndarray]:
    rng = np.random.default_rng([13, 4_000_037])
    return dict(zip([q.text for q in questions], unit_vectors(rng, len(questions)), strict=True))


def build_systems(
    wanted: list[str],
    store_dir: Path,
    passages: list[Passage],
    vectors: dict[str, np.ndarray],
    embedder: Embedder,
) -> tuple[dict[str, Search], dict[str, dict[str, float]]]:
    depth = RetrievalSettings().candidates
    dim = int(passages[0].vector.size)
    stores: list[EmbeddedStore] = []

    def store() -> EmbeddedStore:
        if not stores:
            stores.append(EmbeddedStore(store_dir, dim=dim))
        return stores[0]

    builders: dict[str, Callable[[], Search]] = {
        "newsdesk": lambda: newsdesk_search(store(), embedder),
        "newsdesk-legs": lambda: newsdesk_legs_search(store()),
        "haystack": lambda: haystack_search(passages, depth),
        "txtai": lambda: txtai_search(passages, vectors),
    }
    systems: dict[str, Search] = {}
    built: dict[str, dict[str, float]] = {}
    for name in wanted:
        before, started = rss_now_mb(), time.perf_counter()
        systems[name] = builders[name]()
        seconds = round(time.perf_counter() - started, 2)
        built[name] = {"build_s": seconds, "rss_added_mb": round(rss_now_mb() - before, 1)}
        print(f"{name}: ready in {seconds} s, +{built[name]['rss_added_mb']:,.0f} MB RSS")
    return systems, built


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index-dir", type=Path, default=DEFAULT_INDEX)
    parser.add_argument("--passages", type=int, default=0, help="use the benchmark corpus")
    parser.add_argument("--dir", type=Path, help="its store folder (with --passages)")
    parser.add_argument("--articles", type=Path, default=DATA / "articles.jsonl")
    parser.add_argument("--queries", type=Path, default=DATA / "queries_dev.jsonl")
    parser.add_argument("--limit-queries", type=int, default=677)
    parser.add_argument("--haystack-queries", type=int, default=None, help="ask Haystack fewer")
    parser.add_argument(
        "--systems",
        default="newsdesk,newsdesk-legs,haystack,txtai",
        help="comma-separated subset",
    )
    parser.add_argument("--out", type=Path, default=OUT / "bench_peers.json")
    args = parser.parse_args(argv)
    if args.passages and args.dir is None:
        parser.error("--passages needs --dir (where the benchmark store is, or is built)")
    wanted = [name.strip() for name in args.systems.split(",") if name.strip()]

    questions = load_multihop(args.articles, args.queries).questions[: args.limit_queries]
    store_context = (
        corpus_store(args.passages, args.dir) if args.passages else copied_index(args.index_dir)
    )
    with store_context as store_dir:
        passages = read_passages(store_dir / "catalog.sqlite3")
        dim = int(passages[0].vector.size)
        print(f"{len(passages):,} passages (dim {dim}), {len(questions)} questions")
        if args.passages:
            vectors = synthetic_vectors(questions)
            embedder = cast(Embedder, QuestionVectors(vectors))
        else:
            vectors, embedder = model_vectors(questions)
        systems, built = build_systems(wanted, store_dir, passages, vectors, embedder)
        # Every system's indexes live as long as the run, as in a server (newsdesk's API does
        # this once started): no full garbage collection walks them during the timed questions.
        gc.freeze()
        limits = {"haystack": args.haystack_queries} if args.haystack_queries else {}
        results = run(systems, questions, vectors, limits)
        gc.unfreeze()

    print()
    columns = ("Hits@4", "Hits@10", "MRR@10", "p50 ms", "p95 ms", "p99 ms")
    print(f"{'system':<14} " + " ".join(f"{column:>8}" for column in columns))
    for name, row in results.items():
        lat = row["latency_ms"]
        print(
            f"{name:<14} {row['hits@4']:>8.4f} {row['hits@10']:>8.4f} {row['mrr@10']:>8.4f}"
            f" {lat['p50']:>8.2f} {lat['p95']:>8.2f} {lat['p99']:>8.2f}"
        )

    args.out.parent.mkdir(parents=True, exist_ok=True)
    report = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
        "loadavg": [round(load, 2) for load in os.getloadavg()],
        "vectors": "synthetic" if args.passages else "packaged MiniLM",
        "questions": len(questions),
        "passages": len(passages),
        "top_k": TOP_K,
        "leg_depth": RetrievalSettings().candidates,
        "built": built,
        "results": results,
    }
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nwrote {args.out}")


if __name__ == "__main__":
    main()
