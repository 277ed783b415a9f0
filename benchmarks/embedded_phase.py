"""The embedded store's two phases, each run in a fresh process: build it, then query it cold."""

from __future__ import annotations

import gc
import os
import shutil
import sqlite3
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from datetime import timedelta
from pathlib import Path
from typing import cast

import numpy as np

from benchmarks.breakdown import BUILD_TARGETS, QUERY_TARGETS, summary, timing
from benchmarks.config import BenchConfig, profiled
from benchmarks.corpus import DIM, BenchQuery, corpus_batches, load_articles, load_queries
from benchmarks.hybrid import time_hybrid, time_ranked
from benchmarks.measure import (
    Stopwatch,
    disk_usage_mb,
    percentiles,
    read_through,
    rss_now_mb,
    rss_peak_mb,
)
from benchmarks.pipeline_stages import stage_times
from benchmarks.stub_embedder import QuestionVectors
from search.embedding import Embedder
from search.filters import SearchFilters
from search.retriever import HybridRetriever
from search.settings import RetrievalSettings
from search.store.embedded import EmbeddedStore

_STORE_MARKER = "catalog.sqlite3"


def _fresh_directory(directory: Path) -> None:
    """Empty the store folder, refusing to delete anything that is not a store (or empty)."""
    if directory.exists():
        if any(directory.iterdir()) and not (directory / _STORE_MARKER).exists():
            raise SystemExit(f"{directory} is not empty and holds no store: refusing to delete it")
        shutil.rmtree(directory)
    directory.mkdir(parents=True)


def existing_passages(directory: Path) -> int | None:
    """Passages in a store already at ``directory`` (for ``--reuse``), None when there is none."""
    catalog = directory / _STORE_MARKER
    if not catalog.exists():
        return None
    with closing(sqlite3.connect(f"file:{catalog}?mode=ro", uri=True)) as db:
        return int(db.execute("SELECT COUNT(*) FROM passages").fetchone()[0])


def build(config: BenchConfig) -> dict[str, object]:
    """Write ``config.passages`` passages in batches; time the store's work apart from ours."""
    _fresh_directory(config.directory)
    articles = load_articles(config.articles_path)
    generate, write, finish = Stopwatch(), Stopwatch(), Stopwatch()
    batch_log: list[tuple[int, float]] = []
    started = time.perf_counter()
    with profiled(config, "build"), timing(BUILD_TARGETS) as tallies:
        store = EmbeddedStore(config.directory, dim=DIM)
        batches = corpus_batches(articles, config.passages, config.batch_articles, config.seed)
        while True:
            with generate.running():
                batch = next(batches, None)
            if batch is None:
                break
            before = write.seconds
            with write.running():
                store.write_articles(batch)
            batch_log.append((sum(len(item.passages) for item in batch), write.seconds - before))
        with finish.running():
            counts = store.counts()
            store.flush()
            store.close()
    store_seconds = write.seconds + finish.seconds
    return {
        "articles": counts.articles,
        "passages": counts.passages,
        "batches": len(batch_log),
        "store_s": round(store_seconds, 2),
        "store_cpu_s": round(write.cpu_seconds + finish.cpu_seconds, 2),
        "write_s": round(write.seconds, 2),
        "flush_close_s": round(finish.seconds, 2),
        "generate_s": round(generate.seconds, 2),
        "wall_s": round(time.perf_counter() - started, 2),
        "passages_per_s": round(counts.passages / store_seconds, 1),
        "batch_passages_per_s": _batch_rates(batch_log),
        "breakdown": summary(tallies),
        "peak_rss_mb": rss_peak_mb(),
        "disk_mb": disk_usage_mb(config.directory),
    }


def optimize(config: BenchConfig) -> dict[str, object]:
    """``EmbeddedStore.optimize``: the keyword index rewritten as one segment."""
    store = EmbeddedStore(config.directory, dim=DIM)
    try:
        started = time.perf_counter()
        store.optimize()
        return {"seconds": round(time.perf_counter() - started, 2), "peak_rss_mb": rss_peak_mb()}
    finally:
        store.close()


def _batch_rates(batch_log: list[tuple[int, float]]) -> dict[str, object]:
    """How write throughput evolves as the store grows (first, middle and last tenth)."""
    rates = [passages / seconds for passages, seconds in batch_log if seconds > 0]
    tenth = max(len(rates) // 10, 1)
    return {
        "first_tenth": round(float(np.mean(rates[:tenth])), 1),
        "middle_tenth": round(float(np.mean(rates[len(rates) // 2 : len(rates) // 2 + tenth])), 1),
        "last_tenth": round(float(np.mean(rates[-tenth:])), 1),
        "slowest_batch_s": round(max(seconds for _, seconds in batch_log), 2),
        "per_batch": [[passages, round(seconds, 3)] for passages, seconds in batch_log],
    }


def query(config: BenchConfig) -> dict[str, object]:
    """Open the store cold in this fresh process, warm up, then time every query variant."""
    queries = load_queries(
        config.queries_path, config.queries, load_articles(config.articles_path), config.seed
    )
    page_cache_s = read_through(config.directory) if config.warm_page_cache else None
    rss_before = rss_now_mb()
    started = time.perf_counter()
    store = EmbeddedStore(config.directory, dim=DIM)
    open_ms = (time.perf_counter() - started) * 1000
    rss_open = rss_now_mb()
    _warm_up(store, queries[: config.warmup], config.candidates)
    gc.freeze()  # as the API does once started: no full collection walks what is loaded
    with profiled(config, "query"):
        result = _timed_variants(store, queries, config)
    result.update(
        passages=store.counts().passages,
        open_ms=round(open_ms, 1),
        page_cache_warm_s=None if page_cache_s is None else round(page_cache_s, 1),
        rss_before_open_mb=rss_before,
        rss_after_open_mb=rss_open,
        rss_end_mb=rss_now_mb(),
        peak_rss_mb=rss_peak_mb(),
    )
    store.close()
    gc.unfreeze()
    return result


def _warm_up(store: EmbeddedStore, queries: list[BenchQuery], candidates: int) -> None:
    for item in queries:
        store.bm25_search(item.terms, candidates)
        store.dense_search(item.vector, candidates)
        store.dense_search(item.vector, candidates, SearchFilters(outlets=[item.outlet]))


def _timed_variants(
    store: EmbeddedStore, queries: list[BenchQuery], config: BenchConfig
) -> dict[str, object]:
    depth = config.candidates

    def outlet(query: BenchQuery) -> SearchFilters:
        return SearchFilters(outlets=[query.outlet])

    with timing(QUERY_TARGETS) as unfiltered_parts:
        unfiltered = time_hybrid(
            queries,
            lambda q: store.bm25_search(q.terms, depth),
            lambda q: store.dense_search(q.vector, depth),
            config.top_k,
        )
    with timing(QUERY_TARGETS) as filtered_parts:
        filtered = time_hybrid(
            queries,
            lambda q: store.bm25_search(q.terms, depth, outlet(q)),
            lambda q: store.dense_search(q.vector, depth, outlet(q)),
            config.top_k,
        )
    ranked = {
        "unfiltered": time_ranked(
            queries,
            lambda q: store.bm25_ranking(q.terms, depth),
            lambda q: store.dense_ranking(q.vector, depth),
            store.hydrate,
            config.top_k,
        ),
        "filtered_outlet": time_ranked(
            queries,
            lambda q: store.bm25_ranking(q.terms, depth, outlet(q)),
            lambda q: store.dense_ranking(q.vector, depth, outlet(q)),
            store.hydrate,
            config.top_k,
        ),
    }
    frequencies = _time_each(queries, lambda q: store.document_frequencies(q.terms))
    throughput = _throughput_by_threads(store, queries, config)
    retriever, stages = _time_retriever(store, queries, config, lambda q: None)
    retriever_filtered, filtered_stages = _time_retriever(store, queries, config, outlet)
    retriever_dated, dated_stages = _time_retriever(store, queries, config, _week_up_to)
    return {
        "unfiltered": unfiltered.summary(),
        "filtered_outlet": filtered.summary(),
        "rankings": {name: times.summary() for name, times in ranked.items()},
        "document_frequencies": percentiles(frequencies),
        "queries_per_s_by_threads": throughput,
        "breakdown": {"unfiltered": summary(unfiltered_parts), "filtered": summary(filtered_parts)},
        "retriever_run": percentiles(retriever),
        "retriever_run_filtered": percentiles(retriever_filtered),
        "retriever_run_date_filtered": percentiles(retriever_dated),
        "retriever_stages": {
            "unfiltered": stages,
            "filtered_outlet": filtered_stages,
            "filtered_week": dated_stages,
        },
        "unfiltered_first_baseline_queries": unfiltered.summary(config.baseline_queries),
        "raw_ms": {
            "unfiltered": unfiltered.raw(),
            "filtered_outlet": filtered.raw(),
            "retriever_run": [round(value, 3) for value in retriever],
            "retriever_run_filtered": [round(value, 3) for value in retriever_filtered],
            "retriever_run_date_filtered": [round(value, 3) for value in retriever_dated],
        },
    }


def _throughput_by_threads(
    store: EmbeddedStore, queries: list[BenchQuery], config: BenchConfig
) -> dict[str, dict[str, dict[str, float]]]:
    """Queries per second from 1, 2 and 4 threads sharing the store, as the API's worker threads
    do: whole hybrid queries (both rankings, hydrate the top_k), and each leg alone. With each,
    the CPU seconds the process spent per wall second: two threads running side by side spend
    up to 2 (when two cores are free), threads that wait for each other at most 1."""

    def hybrid(query: BenchQuery) -> None:
        lexical = store.bm25_ranking(query.terms, config.candidates)
        store.dense_ranking(query.vector, config.candidates)
        store.hydrate([key for key, _ in lexical[: config.top_k]])

    kinds: dict[str, Callable[[BenchQuery], object]] = {
        "hybrid": hybrid,
        "bm25_ranking": lambda query: store.bm25_ranking(query.terms, config.candidates),
        "dense_ranking": lambda query: store.dense_ranking(query.vector, config.candidates),
    }
    rates: dict[str, dict[str, dict[str, float]]] = {}
    for kind, one in kinds.items():
        rates[kind] = {}
        for threads in (1, 2, 4):
            cpu_started, started = time.process_time(), time.perf_counter()
            with ThreadPoolExecutor(threads) as pool:
                list(pool.map(one, queries))
            wall = time.perf_counter() - started
            rates[kind][str(threads)] = {
                "queries_per_s": round(len(queries) / wall, 1),
                "cpu_per_wall": round((time.process_time() - cpu_started) / wall, 2),
                "load_average": round(os.getloadavg()[0], 2),
            }
    return rates


def _time_each(queries: list[BenchQuery], call: Callable[[BenchQuery], object]) -> list[float]:
    samples = []
    for item in queries:
        started = time.perf_counter()
        call(item)
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def _week_up_to(query: BenchQuery) -> SearchFilters:
    """The week up to the question's first relevant article (a date range a reader would set)."""
    return SearchFilters(
        published_after=query.published - timedelta(days=7), published_before=query.published
    )


def _time_retriever(
    store: EmbeddedStore,
    queries: list[BenchQuery],
    config: BenchConfig,
    filters: Callable[[BenchQuery], SearchFilters | None],
) -> tuple[list[float], dict[str, dict[str, float]]]:
    """The product's own hybrid path (query analysis, both legs with the question's focused
    legs, fusion, second stage, grouping, highlights), model stubbed out, under ``filters``;
    with the milliseconds each of its Pipeline's components took."""
    embedder = QuestionVectors({query.question: query.vector for query in queries})
    settings = RetrievalSettings(candidates=config.candidates)
    retriever = HybridRetriever(store, cast(Embedder, embedder), settings)

    def ask(item: BenchQuery) -> object:
        embedder.asking(item.question)
        return retriever.run(
            query=item.question, top_k=config.top_k, mode="hybrid", filters=filters(item)
        )

    with stage_times(retriever) as stages:
        samples = _time_each(queries, ask)
    return samples, {name: percentiles(values) for name, values in stages.items()}
