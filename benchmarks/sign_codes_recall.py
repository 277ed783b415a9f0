"""How much of the exact dense ranking sign codes keep, on real vectors: the passages of one or
more embedded stores pooled, their datasets' questions embedded with the configured model, and
for each rescoring depth the share of the exact top 10 and top 50 (cosine over every passage)
that the Hamming-nearest codes, rescored exactly, return.

    python -m benchmarks.sign_codes_recall \
        --index /work/evalcache/torch/indexes/56de0c5d56a132e7/embedded \
        --index /work/evalcache/torch/indexes/71c3e2fe14759603/embedded \
        --questions ../shared/data/multihop-rag/queries_dev.jsonl \
        --questions ../shared/data/scifact-train/queries.jsonl --count 400

Open the stores' snapshot files only (read-only): nothing is written. The questions should be
embedded with the model the stores were built with (``NEWSDESK_EMBEDDING__BACKEND``).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from search.embedding import Embedder
from search.settings import EmbeddingSettings
from search.store.embedded import signs
from search.store.embedded.snapshot import SnapshotRecord, VectorSnapshot
from search.store.embedded.state import Checkpoint


def _snapshot_vectors(directory: Path, dim: int) -> np.ndarray:
    # Any non-empty checkpoint lets an older store's single vectors.usearch be found.
    record = SnapshotRecord.load(directory, Checkpoint(1, 1))
    if record is None:
        raise SystemExit(f"{directory}: no vector snapshot")
    snapshot = VectorSnapshot.open(directory / record.file, dim, record.checkpoint)
    if snapshot.layout is None:
        raise SystemExit(f"{directory}: the snapshot's layout is not the expected one")
    present = snapshot.layout.keys != np.uint64(2**64 - 1)
    return snapshot.layout.matrix[present].astype(np.float32)


def _questions(path: Path, count: int) -> list[str]:
    texts = []
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            texts.append(record.get("question") or record.get("text") or "")
            if len(texts) == count:
                break
    return [text for text in texts if text]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", type=Path, action="append", required=True)
    parser.add_argument("--questions", type=Path, action="append", required=True)
    parser.add_argument("--count", type=int, default=400, help="questions per file")
    parser.add_argument("--depths", type=int, nargs="+", default=[250, 500, 1000])
    parser.add_argument("--dim", type=int, default=384)
    args = parser.parse_args()
    passages = np.vstack([_snapshot_vectors(directory, args.dim) for directory in args.index])
    texts = [text for path in args.questions for text in _questions(path, args.count)]
    embedder = Embedder(EmbeddingSettings())
    questions = np.stack([embedder.embed_query(text) for text in texts]).astype(np.float32)
    words = np.ascontiguousarray(signs.sign_codes(passages).T)
    print(f"{passages.shape[0]:,} passages, {len(texts)} questions")
    for depth in args.depths:
        top10, top50 = [], []
        for question in questions:
            exact = np.argsort(-(passages @ question))[:50]
            nearest = signs.nearest(words, signs.sign_codes(question[None, :])[0], depth)
            found = nearest[np.argsort(-(passages[nearest] @ question))[:50]]
            top10.append(len(set(found[:10]) & set(exact[:10])) / 10)
            top50.append(len(set(found) & set(exact)) / 50)
        print(
            f"rescoring {depth:5d} ({depth / passages.shape[0]:.1%}): exact top 10 kept"
            f" {np.mean(top10):.4f} (worst {min(top10):.1f}), top 50 kept {np.mean(top50):.4f}"
        )


if __name__ == "__main__":
    main()
