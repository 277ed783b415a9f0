"""One-article writes into the built store, and how soon another process sees each one.

Run in a fresh process after the query phase: it adds ``ingest_articles`` new articles one
``write_articles`` + ``flush`` at a time (what an HTTP ingest of one article does to the store),
while a second process, opened on the same folder beforehand, searches for each in both legs as
soon as the write has returned. Then it deletes them one at a time, so the store is back to its
size for ``--reuse``.
"""

from __future__ import annotations

import multiprocessing
import time
from dataclasses import replace
from multiprocessing.connection import Connection
from pathlib import Path

import numpy as np

from benchmarks.config import BenchConfig
from benchmarks.corpus import (
    DIM,
    load_articles,
    sentence_pool,
    split_article,
    unit_vectors,
    variant,
)
from benchmarks.measure import percentiles
from search.analysis import analyze_query
from search.settings import SplitSettings
from search.store.embedded import EmbeddedStore
from search.store.protocol import IndexedArticle

_COPY = 1_000_000  # copy numbers no corpus size reaches
_VISIBLE_WITHIN_S = 10.0


def probe_word(number: int) -> str:
    """A made-up word only probe article ``number`` contains, to find it by BM25."""
    return "zqx" + "".join(chr(ord("a") + int(digit)) for digit in f"{number:05d}")


def probe_articles(config: BenchConfig) -> list[IndexedArticle]:
    articles = load_articles(config.articles_path)
    pool = sentence_pool(articles)
    rng = np.random.default_rng([config.seed, 3_000_017])
    items = []
    for number in range(config.ingest_articles):
        article = variant(articles[number % len(articles)], _COPY + number, rng, pool)
        article = replace(article, body=f"{probe_word(number)} {article.body}")
        passages = split_article(article, SplitSettings())
        items.append(IndexedArticle(article, passages, unit_vectors(rng, len(passages))))
    return items


def ingest(config: BenchConfig) -> dict[str, object]:
    items = probe_articles(config)
    snapshots_before = _snapshot_files(config.directory)
    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe()
    reader = context.Process(target=_reader, args=(config.directory, theirs))
    reader.start()
    assert ours.recv() == "ready"
    store = EmbeddedStore(config.directory, dim=DIM)
    writes, visible, deletes = [], [], []
    try:
        for number, item in enumerate(items):
            started = time.perf_counter()
            store.write_articles([item])
            store.flush()
            writes.append((time.perf_counter() - started) * 1000)
            ours.send((number, time.time(), item.embeddings[0], item.passages[0].id))
            delay = ours.recv()
            visible.append(float("nan") if delay is None else delay * 1000)
        unchanged = _snapshot_files(config.directory) == snapshots_before
        for item in items:
            started = time.perf_counter()
            store.delete_articles([item.article.id])
            deletes.append((time.perf_counter() - started) * 1000)
        unchanged_by_deletes = _snapshot_files(config.directory) == snapshots_before
    finally:
        ours.send(None)
        reader.join(timeout=60)
        store.close()
    return {
        "articles": len(items),
        "mean_passages_per_article": round(float(np.mean([len(i.passages) for i in items])), 1),
        "write_and_flush_ms": percentiles(writes),
        "visible_in_both_legs_ms": percentiles([v for v in visible if v == v]),
        "never_visible": sum(1 for v in visible if v != v),
        "delete_ms": percentiles(deletes),
        "vector_snapshot_untouched_by_writes": unchanged,
        "vector_snapshot_untouched_by_deletes": unchanged_by_deletes,
    }


def _snapshot_files(directory: Path) -> dict[str, tuple[int, int, int]]:
    """Each snapshot file with its inode, size and modification time."""
    return {
        path.name: (path.stat().st_ino, path.stat().st_size, path.stat().st_mtime_ns)
        for path in directory.glob("vectors*.usearch")
    }


def _reader(directory: Path, connection: Connection) -> None:
    """Another process on the same store: told of each write once it has returned, it searches
    both legs until the article is there, and answers the delay in seconds (None: never)."""
    store = EmbeddedStore(directory, dim=DIM)
    connection.send("ready")
    try:
        while (message := connection.recv()) is not None:
            # The probe word opens the article: its first passage has it, and that passage's own
            # vector finds it first.
            number, acknowledged, vector, first_passage = message
            terms = analyze_query(probe_word(number))
            deadline = time.monotonic() + _VISIBLE_WITHIN_S
            while True:
                lexical = [document.id for document in store.bm25_search(terms, 1)]
                dense = [document.id for document in store.dense_search(vector, 1)]
                if lexical == dense == [first_passage]:
                    connection.send(time.time() - acknowledged)
                    break
                if time.monotonic() > deadline:
                    connection.send(None)
                    break
                time.sleep(0.002)
    finally:
        store.close()
