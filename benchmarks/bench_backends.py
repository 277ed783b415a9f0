"""Elasticsearch vs the embedded store on the same prepared passages: speed and agreement.

Run on demand from the repository root, with Elasticsearch up (`make es-up`):

    .venv/bin/python -m benchmarks.bench_backends \\
        --articles ../shared/data/multihop-rag/articles.jsonl \\
        --queries ../shared/data/multihop-rag/queries_dev.jsonl \\
        --cache-dir /tmp/nd-bench-cache --limit-queries 200

The articles are split and embedded ONCE (real packaged MiniLM, through the embedding cache in
``--cache-dir``), then the same IndexedArticles are written into a fresh embedded store and a fresh
uuid-named Elasticsearch index, batch by batch, each backend timed on its own. The questions then
run against both, interleaved (the order alternates per question, so load on a shared machine hits
both alike): each leg at the retriever's depth, and the full HybridRetriever with default settings.
Query vectors are computed before timing (the embedder caches them), so the latencies are the
backends' and the fusion's, not the model's. Top-10 agreement between the backends is measured on
the same calls, and again on the three seed articles. Every index it created is deleted.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sqlite3
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
from elasticsearch import Elasticsearch
from haystack import Document

from benchmarks.measure import percentiles
from indexer.pipeline import BATCH_ARTICLES, Indexer
from indexer.readers import Rejection, read_paths
from indexer.stories import StoryIndex
from search.analysis import analyze_query
from search.articles import Article
from search.embedding import Embedder
from search.embedding_cache import EmbeddingCache
from search.retriever import HybridRetriever
from search.settings import (
    DedupSettings,
    ElasticsearchSettings,
    EmbeddingSettings,
    RetrievalSettings,
)
from search.store.elasticsearch import ElasticsearchStore
from search.store.embedded import EmbeddedStore
from search.store.protocol import IndexedArticle, PassageStore

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data"
BACKENDS = ("embedded", "elasticsearch")
STEPS = ("bm25", "dense", "hybrid")
SEED_QUESTIONS = [
    "how far did the missile fly?",
    "where was the missile fired from?",
    "did Japan report any damage?",
    "what did Trump say about meeting Kim Jong Un?",
    "what did South Korea's Joint Chiefs of Staff say?",
    "North Korea ballistic missile Japan exclusive economic zone",
    "diplomatic overtures from Washington",
    "Invezz",
]

Ranked = list[tuple[str, float]]  # (passage id, score), best first
T = TypeVar("T")


@dataclass(frozen=True)
class Question:
    text: str
    terms: list[str]
    vector: np.ndarray


@dataclass
class Agreement:
    """Top-k agreement between two backends' rankings, question by question."""

    overlap: list[float] = field(default_factory=list)
    same_order: list[bool] = field(default_factory=list)
    same_order_ties: list[bool] = field(default_factory=list)
    same_top1: list[bool] = field(default_factory=list)
    rel_diffs: list[float] = field(default_factory=list)

    def add(self, a: Ranked, b: Ranked) -> None:
        shared = {pid for pid, _ in a} & {pid for pid, _ in b}
        self.overlap.append(len(shared) / max(len(a), len(b), 1))
        self.same_order.append([pid for pid, _ in a] == [pid for pid, _ in b])
        self.same_order_ties.append(_canonical(a) == _canonical(b))
        self.same_top1.append((a[0][0] if a else None) == (b[0][0] if b else None))
        scores_b = dict(b)
        self.rel_diffs += [_relative(score, scores_b[pid]) for pid, score in a if pid in shared]

    def summary(self) -> dict[str, float]:
        diffs = self.rel_diffs or [0.0]
        return {
            "questions": len(self.overlap),
            "mean_overlap": round(float(np.mean(self.overlap)), 4),
            "identical_order": round(float(np.mean(self.same_order)), 4),
            "identical_order_modulo_ties": round(float(np.mean(self.same_order_ties)), 4),
            "identical_top1": round(float(np.mean(self.same_top1)), 4),
            "mean_abs_rel_score_diff": float(f"{np.mean(diffs):.3g}"),
            "max_abs_rel_score_diff": float(f"{np.max(diffs):.3g}"),
        }


def _relative(a: float, b: float) -> float:
    scale = max(abs(a), abs(b))
    return abs(a - b) / scale if scale else 0.0


def _canonical(ranked: Ranked) -> list[str]:
    """Exactly tied scores in id order: each engine breaks ties its own way."""
    return [pid for _, pid in sorted((-round(s, 5), pid) for pid, s in ranked)]


# -- setup --------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    multihop = DATA / "multihop-rag"
    parser.add_argument("--articles", type=Path, default=multihop / "articles.jsonl")
    parser.add_argument("--queries", type=Path, default=multihop / "queries_dev.jsonl")
    parser.add_argument("--seeds", type=Path, default=DATA / "seeds")
    parser.add_argument("--cache-dir", type=Path, required=True, help="embedding cache folder")
    parser.add_argument(
        "--copy-cache-from",
        type=Path,
        help="an embeddings.sqlite3 to copy (SQLite backup) when --cache-dir has none yet",
    )
    parser.add_argument("--limit-queries", type=int, default=200, help="dev questions to time")
    parser.add_argument("--warmup", type=int, default=10, help="untimed questions (not timed ones)")
    parser.add_argument("--top-k", type=int, default=10, help="depth of the agreement check")
    parser.add_argument("--es-url", default="http://127.0.0.1:9200")
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "out")
    return parser.parse_args(argv)


def open_embedder(cache_dir: Path, copy_from: Path | None) -> Embedder:
    path = cache_dir / "embeddings.sqlite3"
    if copy_from is not None and not path.exists():
        cache_dir.mkdir(parents=True, exist_ok=True)
        # The backup API copies a consistent snapshot, WAL included, while others write to it.
        with sqlite3.connect(copy_from) as source, sqlite3.connect(path) as target:
            source.backup(target)
        print(f"copied embedding cache {copy_from} -> {path}")
    return Embedder(EmbeddingSettings(), cache=EmbeddingCache(path))


def read_articles(paths: Sequence[Path]) -> list[Article]:
    items = list(read_paths(paths))
    rejected = [item for item in items if isinstance(item, Rejection)]
    if rejected:
        raise SystemExit(f"{len(rejected)} input records rejected, e.g. {rejected[0]}")
    return [item for item in items if isinstance(item, Article)]


def prepare(articles: list[Article], embedder: Embedder, scratch: Path) -> list[IndexedArticle]:
    """Split + embed (cached) + story clustering, exactly as `newsdesk index` does, once."""
    empty = EmbeddedStore(scratch / "empty", dim=embedder.dim)
    stories = StoryIndex(scratch / "stories.sqlite3", DedupSettings())
    indexer = Indexer(empty, embedder, stories=stories)
    prepared: list[IndexedArticle] = []
    started = time.perf_counter()
    try:
        for batch in _chunks(articles, BATCH_ARTICLES):
            prepared += indexer.prepare(batch)
            passages = sum(len(item.passages) for item in prepared)
            elapsed = time.perf_counter() - started
            print(
                f"\rprepared {len(prepared)} articles, {passages} passages, {elapsed:.0f} s", end=""
            )
    finally:
        print()
        stories.close()
        empty.close()
    return prepared


def _chunks(items: Sequence[T], size: int) -> Iterator[list[T]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


def read_questions(path: Path, skip: int, count: int, embedder: Embedder) -> list[Question]:
    with path.open(encoding="utf-8") as handle:
        records = [json.loads(line) for line in handle if line.strip()]
    texts = [record["question"] for record in records[skip : skip + count]]
    return make_questions(texts, embedder)


def make_questions(texts: Sequence[str], embedder: Embedder) -> list[Question]:
    # embed_query caches by text: the retriever's own call below is then a cache hit.
    return [Question(text, analyze_query(text), embedder.embed_query(text)) for text in texts]


@contextmanager
def backends(es_url: str, dim: int, scratch: Path, label: str) -> Iterator[dict[str, PassageStore]]:
    """A fresh embedded store and a fresh uuid-named ES alias; the ES indices are dropped after."""
    index = f"bench-{label}-{uuid.uuid4().hex[:12]}"
    settings = ElasticsearchSettings(url=es_url, index=index, timeout_s=60)
    stores: dict[str, PassageStore] = {
        "embedded": EmbeddedStore(scratch / f"embedded-{label}", dim=dim),
        "elasticsearch": ElasticsearchStore(settings, dim=dim),
    }
    try:
        stores["elasticsearch"].counts()  # creates the indices: not part of the timed writes
        yield stores
    finally:
        for store in stores.values():
            store.close()
        drop_indices(es_url, index)


def drop_indices(es_url: str, prefix: str) -> None:
    client = Elasticsearch(es_url, request_timeout=60)
    try:
        names = list(client.indices.get(index=f"{prefix}*", expand_wildcards="all"))
        if names:
            client.indices.delete(index=",".join(names))
        print(f"deleted Elasticsearch indices: {', '.join(names) or '(none)'}")
    finally:
        client.close()


# -- measuring ----------------------------------------------------------------------------------


def time_writes(store: PassageStore, prepared: list[IndexedArticle]) -> dict[str, float]:
    """Batches of BATCH_ARTICLES articles, then flush (ES also refreshes after each batch)."""
    started = time.perf_counter()
    for batch in _chunks(prepared, BATCH_ARTICLES):
        store.write_articles(batch)
    store.flush()
    seconds = time.perf_counter() - started
    passages = sum(len(item.passages) for item in prepared)
    counts = store.counts()
    return {
        "seconds": round(seconds, 3),
        "articles": counts.articles,
        "passages": counts.passages,
        "passages_per_s": round(passages / seconds, 1),
        "articles_per_s": round(len(prepared) / seconds, 1),
    }


def time_pings(store: PassageStore, count: int) -> dict[str, float]:
    """The floor under every query: for Elasticsearch one HTTP round trip (cluster health)."""
    samples = []
    for _ in range(count):
        started = time.perf_counter()
        store.ping()
        samples.append((time.perf_counter() - started) * 1000.0)
    return percentiles(samples)


def _timed(call: Callable[[], Ranked]) -> tuple[float, Ranked]:
    started = time.perf_counter()
    ranked = call()
    return (time.perf_counter() - started) * 1000.0, ranked


def one_question(
    store: PassageStore, retriever: HybridRetriever, question: Question, depth: int, top_k: int
) -> dict[str, tuple[float, Ranked]]:
    """Each leg at the retriever's depth, then the whole hybrid query; (ms, ranking) per step."""

    def bm25() -> Ranked:
        return _ranked(store.bm25_search(question.terms, depth))

    def dense() -> Ranked:
        return _ranked(store.dense_search(question.vector, depth))

    def hybrid() -> Ranked:
        hits = retriever.run(query=question.text, top_k=top_k)["hits"]
        return [(hit.passage_id, hit.score) for hit in hits]

    return {"bm25": _timed(bm25), "dense": _timed(dense), "hybrid": _timed(hybrid)}


def _ranked(documents: Sequence[Document]) -> Ranked:
    return [(doc.id, float(doc.score or 0.0)) for doc in documents]


class ExactCosine:
    """Brute-force cosine over the prepared vectors: the truth both dense legs approximate."""

    def __init__(self, prepared: list[IndexedArticle]) -> None:
        self.ids = [passage.id for item in prepared for passage in item.passages]
        self.vectors = np.vstack([item.embeddings for item in prepared])

    def recall(self, vector: np.ndarray, ranked: Ranked) -> float:
        """Share of the exact top-len(ranked) passages that ``ranked`` holds."""
        if not ranked:
            return 1.0
        best = np.argsort(-(self.vectors @ vector), kind="stable")[: len(ranked)]
        return len({self.ids[i] for i in best} & {pid for pid, _ in ranked}) / len(ranked)


@dataclass
class QueryRun:
    latencies: dict[str, dict[str, list[float]]]
    agreement: dict[str, Agreement]
    # backend -> "top_k" / "depth" -> dense recall against exact cosine, per question
    dense_recall: dict[str, dict[str, list[float]]]

    def recall_summary(self) -> dict[str, dict[str, float]]:
        return {
            f"{name}@{cut}": {
                "mean": round(float(np.mean(values)), 4),
                "questions_below_1": sum(value < 1.0 for value in values),
            }
            for name, cuts in self.dense_recall.items()
            for cut, values in cuts.items()
            if values
        }


def run_questions(
    stores: dict[str, PassageStore],
    embedder: Embedder,
    questions: list[Question],
    top_k: int,
    exact: ExactCosine | None = None,
) -> QueryRun:
    """Both backends per question, alternating which goes first."""
    settings = RetrievalSettings()
    depth = max(top_k * 3, settings.candidates)  # what the retriever asks each leg for
    retrievers = {
        name: HybridRetriever(store, embedder, settings) for name, store in stores.items()
    }
    run = QueryRun(
        latencies={name: {step: [] for step in STEPS} for name in stores},
        agreement={step: Agreement() for step in STEPS},
        dense_recall={name: {"top_k": [], "depth": []} for name in stores},
    )
    for number, question in enumerate(questions):
        order = list(stores) if number % 2 == 0 else list(reversed(stores))
        results = {
            name: one_question(stores[name], retrievers[name], question, depth, top_k)
            for name in order
        }
        _record(run, results, top_k)
        if exact is not None:
            _record_recall(run, results, question.vector, exact, top_k)
    return run


Results = dict[str, dict[str, tuple[float, Ranked]]]  # backend -> step -> (ms, ranking)


def _record(run: QueryRun, results: Results, top_k: int) -> None:
    for step in STEPS:
        for name, steps in results.items():
            run.latencies[name][step].append(steps[step][0])
        embedded, elastic = results["embedded"][step][1], results["elasticsearch"][step][1]
        run.agreement[step].add(embedded[:top_k], elastic[:top_k])


def _record_recall(
    run: QueryRun, results: Results, vector: np.ndarray, exact: ExactCosine, top_k: int
) -> None:
    for name, steps in results.items():
        dense = steps["dense"][1]
        run.dense_recall[name]["top_k"].append(exact.recall(vector, dense[:top_k]))
        run.dense_recall[name]["depth"].append(exact.recall(vector, dense))


def latency_report(run: QueryRun) -> dict[str, object]:
    report: dict[str, object] = {
        name: {step: percentiles(run.latencies[name][step]) for step in STEPS} for name in BACKENDS
    }
    report["ratio_es_over_embedded"] = {
        step: {
            p: round(
                percentiles(run.latencies["elasticsearch"][step])[p]
                / percentiles(run.latencies["embedded"][step])[p],
                2,
            )
            for p in ("p50", "p95", "p99")
        }
        for step in STEPS
    }
    return report


# -- the run ------------------------------------------------------------------------------------


def multihop(args: argparse.Namespace, embedder: Embedder, scratch: Path) -> dict[str, object]:
    articles = read_articles([args.articles])
    prepared = prepare(articles, embedder, scratch / "prepare-multihop")
    warmup = read_questions(args.queries, args.limit_queries, args.warmup, embedder)
    started = time.perf_counter()
    questions = read_questions(args.queries, 0, args.limit_queries, embedder)
    embed_ms = (time.perf_counter() - started) * 1000.0 / max(len(questions), 1)
    with backends(args.es_url, embedder.dim, scratch, "multihop") as stores:
        writes = {name: time_writes(store, prepared) for name, store in stores.items()}
        run_questions(stores, embedder, warmup, args.top_k)
        run = run_questions(stores, embedder, questions, args.top_k, ExactCosine(prepared))
        pings = {name: time_pings(store, 100) for name, store in stores.items()}
    ratio = writes["elasticsearch"]["passages_per_s"] / writes["embedded"]["passages_per_s"]
    return {
        "articles": len(articles),
        "passages": sum(len(item.passages) for item in prepared),
        "questions": len(questions),
        "warmup_questions": len(warmup),
        "query_embedding_ms_mean": round(embed_ms, 2),
        "writes": writes,
        "write_ratio_es_over_embedded": round(ratio, 3),
        "latency_ms": latency_report(run),
        "agreement": {step: run.agreement[step].summary() for step in STEPS},
        "dense_recall_vs_exact": run.recall_summary(),
        "ping_ms": pings,
    }


def seeds(args: argparse.Namespace, embedder: Embedder, scratch: Path) -> dict[str, object]:
    prepared = prepare(read_articles([args.seeds]), embedder, scratch / "prepare-seeds")
    questions = make_questions(SEED_QUESTIONS, embedder)
    with backends(args.es_url, embedder.dim, scratch, "seeds") as stores:
        for store in stores.values():
            store.write_articles(prepared)
            store.flush()
        run = run_questions(stores, embedder, questions, args.top_k)
    return {
        "articles": len(prepared),
        "passages": sum(len(item.passages) for item in prepared),
        "questions": SEED_QUESTIONS,
        "agreement": {step: run.agreement[step].summary() for step in STEPS},
    }


def environment(es_url: str) -> dict[str, object]:
    client = Elasticsearch(es_url, request_timeout=30)
    try:
        # `GET /` is not served by the integ-test build; the nodes API is.
        nodes = client.nodes.info(filter_path="nodes.*.version")["nodes"]
        version = sorted({node["version"] for node in nodes.values()})
    finally:
        client.close()
    return {
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "load_avg_start": [round(value, 2) for value in os.getloadavg()],
        "elasticsearch": version,
        "es_url": es_url,
    }


def render(result: dict[str, Any]) -> str:
    mh = result["multihop"]
    lines = [
        f"MultiHop-RAG: {mh['articles']} articles, {mh['passages']} passages, "
        f"{mh['questions']} questions (+{mh['warmup_questions']} warm-up)",
        "",
        f"{'write':<14}{'seconds':>9}{'passages/s':>12}",
    ]
    for name in BACKENDS:
        w = mh["writes"][name]
        lines.append(f"{name:<14}{w['seconds']:>9.2f}{w['passages_per_s']:>12.1f}")
    lines += [f"{'ES/embedded':<14}{'':>9}{mh['write_ratio_es_over_embedded']:>12.2f}", ""]
    lines.append(f"{'latency ms':<24}{'p50':>9}{'p95':>9}{'p99':>9}")
    lat = mh["latency_ms"]
    for step in STEPS:
        for name in BACKENDS:
            p = lat[name][step]
            lines.append(f"{step + ' ' + name:<24}{p['p50']:>9.2f}{p['p95']:>9.2f}{p['p99']:>9.2f}")
        r = lat["ratio_es_over_embedded"][step]
        lines.append(f"{step + ' ES/embedded':<24}{r['p50']:>9.2f}{r['p95']:>9.2f}{r['p99']:>9.2f}")
    lines += ["", "dense recall vs exact cosine (multihop)"]
    for key, value in mh["dense_recall_vs_exact"].items():
        lines.append(f"{key:<24}{value['mean']:>9.4f}  ({value['questions_below_1']} below 1)")
    ping = {name: mh["ping_ms"][name]["p50"] for name in BACKENDS}
    lines.append(f"ping p50 ms: embedded {ping['embedded']:.3f}, ES {ping['elasticsearch']:.2f}")
    for corpus in ("multihop", "seeds"):
        lines += ["", f"agreement @top-k ({corpus})"]
        lines.append(
            f"{'':<8}{'overlap':>9}{'order':>8}{'order~':>8}{'top1':>8}{'relΔ mean':>11}{'max':>10}"
        )
        for step, a in result[corpus]["agreement"].items():
            lines.append(
                f"{step:<8}{a['mean_overlap']:>9.3f}{a['identical_order']:>8.3f}"
                f"{a['identical_order_modulo_ties']:>8.3f}{a['identical_top1']:>8.3f}"
                f"{a['mean_abs_rel_score_diff']:>11.2g}{a['max_abs_rel_score_diff']:>10.2g}"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    embedder = open_embedder(args.cache_dir, args.copy_cache_from)
    result: dict[str, Any] = {
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "config": {k: str(v) for k, v in vars(args).items()},
        "environment": environment(args.es_url),
    }
    with tempfile.TemporaryDirectory(prefix="nd-bench-backends-") as scratch:
        result["multihop"] = multihop(args, embedder, Path(scratch))
        result["seeds"] = seeds(args, embedder, Path(scratch))
    result["load_avg_end"] = [round(value, 2) for value in os.getloadavg()]
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"backends-{datetime.now(UTC):%Y%m%d-%H%M%S}.json"
    path.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(render(result))
    print(f"\nJSON: {path}")


if __name__ == "__main__":
    main()
