"""How much of the exact dense ranking HNSW keeps at each search breadth, on real vectors: for
each embedded store, its dataset's questions embedded with the configured model, and for each
breadth (usearch's ``expansion_search``, the ``num_candidates`` of Elasticsearch's kNN) the share
of the exact top 10 and top 50 (every passage of the store scored as its exact search scores
them) that the store's own HNSW graph returns, and what one search costs.

    NEWSDESK_EMBEDDING__BACKEND=torch python -m benchmarks.hnsw_breadth_recall \
        --index /work/evalcache/torch/indexes/56de0c5d56a132e7/embedded \
        --questions ../shared/data/multihop-rag/queries_dev.jsonl \
        --index /work/evalcache/torch/indexes/71c3e2fe14759603/embedded \
        --questions ../shared/data/scifact-train/queries.jsonl

Each ``--index`` is paired with the ``--questions`` in the same position. Only the snapshot files
are read (mapped read-only): nothing is written.
"""

from __future__ import annotations

import argparse
import hashlib
import time
from pathlib import Path

import numpy as np
from usearch.index import Index
from usearch.index import search as exact_search

from benchmarks.sign_codes_recall import _questions
from search.embedding import Embedder
from search.settings import Settings
from search.store.embedded.snapshot import SnapshotRecord, read_layout
from search.store.embedded.state import Checkpoint
from search.store.search_breadth import candidates

_FREE_KEY = np.uint64(2**64 - 1)


def _graph(directory: Path, dim: int) -> tuple[Index, np.ndarray, np.ndarray, np.ndarray]:
    """The store's HNSW index, its passages' rowids and f16 vectors, and the mapped file (the
    index reads it in place: it must outlive the index)."""
    record = SnapshotRecord.load(directory, Checkpoint(1, 1))
    if record is None:
        raise SystemExit(f"{directory}: no vector snapshot")
    mapping = np.memmap(directory / record.file, dtype=np.uint8, mode="r")
    index = Index.restore(mapping, view=True)
    if index is None:
        raise SystemExit(f"{directory}: not a usearch file")
    layout = read_layout(mapping, dim)
    present = layout.keys != _FREE_KEY
    vectors = np.ascontiguousarray(layout.matrix[present])
    return index, layout.keys[present].astype(np.int64), vectors, mapping


def _embedded(embedder: Embedder, texts: list[str], cache: Path | None) -> np.ndarray:
    """The questions' vectors, kept in ``cache`` (a folder) between runs: embedding them is
    most of a run's time."""
    digest = hashlib.sha256("\n".join(texts).encode()).hexdigest()[:16]
    path = cache / f"questions-{digest}.npy" if cache is not None else None
    if path is not None and path.exists():
        return np.load(path)
    vectors = np.stack([embedder.embed_query(text) for text in texts]).astype(np.float32)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.save(path, vectors)
    return vectors


def _kept(found: np.ndarray, exact: np.ndarray) -> float:
    return len(set(found.tolist()) & set(exact.tolist())) / max(exact.size, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", type=Path, action="append", required=True)
    parser.add_argument("--questions", type=Path, action="append", required=True)
    parser.add_argument("--count", type=int, default=1000, help="questions per file, at most")
    parser.add_argument("--top-k", type=int, default=50)
    parser.add_argument("--breadths", type=int, nargs="+", default=[50, 64, 100, 150, 200, 256])
    parser.add_argument("--dim", type=int, default=384)
    parser.add_argument("--cache", type=Path, help="a folder keeping the questions' vectors")
    args = parser.parse_args()
    if len(args.index) != len(args.questions):
        raise SystemExit("give one --questions per --index")
    embedder = Embedder(Settings().embedding)
    print(f"top_k {args.top_k}: the product's breadth is {candidates(args.top_k)}")
    for directory, path in zip(args.index, args.questions, strict=True):
        index, rowids, passages, _mapping = _graph(directory, args.dim)
        texts = _questions(path, args.count)
        questions = _embedded(embedder, texts, args.cache)
        print(f"{directory}: {rowids.size:,} passages, {len(texts)} questions")
        # The truth is what the store's exact search returns: the same f16 vectors and cosine.
        exact = [
            rowids[
                exact_search(
                    passages, question.astype(np.float16), args.top_k, "cos", exact=True
                ).keys
            ]
            for question in questions
        ]
        for breadth in args.breadths:
            # usearch searches max(expansion_search, count) deep: asking for ``breadth`` results
            # with the smallest expansion is a search of exactly that breadth.
            index.expansion_search = 1
            top10, top_k, elapsed = [], [], 0.0
            for question, truth in zip(questions, exact, strict=True):
                started = time.perf_counter()
                matches = index.search(question, max(breadth, args.top_k))
                elapsed += time.perf_counter() - started
                found = np.asarray(matches.keys, dtype=np.int64)[: args.top_k]
                top10.append(_kept(found[:10], truth[:10]))
                top_k.append(_kept(found, truth))
            print(
                f"  breadth {breadth:4d}: exact top 10 kept {np.mean(top10):.4f}"
                f" (worst {min(top10):.1f}), top {args.top_k} kept {np.mean(top_k):.4f}"
                f" (worst {min(top_k):.2f}), {elapsed / len(questions) * 1000:.3f} ms a search"
            )


if __name__ == "__main__":
    main()
