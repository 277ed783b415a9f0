"""What a durable catalog commit costs: embedded-store writes with SQLite ``synchronous=FULL``
(what the store uses: the WAL is fsynced before a write returns) against ``NORMAL`` (what it used
before: fast, but the last commits can vanish on power loss).

Run on demand from the repository root (not part of the tests):

    .venv/bin/python -m benchmarks.bench_write_durability --articles 320 --rounds 3 \\
        --dir /tmp/newsdesk-durability

Vectors are random (the model is irrelevant to the store's write path); each article has
``--passages`` passages of ~180 words. Both settings write into fresh stores in alternating
rounds, so machine load hits them alike; the ratio is the figure to read.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import time
from pathlib import Path

import numpy as np

from search.articles import Article
from search.passages import passage_document
from search.store.embedded import EmbeddedStore
from search.store.protocol import IndexedArticle

DIM = 384
WORDS = "harbour bridge council vote storm missile rates budget court election".split()


def _articles(count: int, passages: int, seed: int) -> list[IndexedArticle]:
    rng = np.random.default_rng(seed)
    items = []
    for number in range(count):
        paragraphs = [" ".join(rng.choice(WORDS, size=180)) for _ in range(passages)]
        body = "\n\n".join(paragraphs)
        article = Article(id=f"d-{seed}-{number}", title=f"Report {number}", body=body)
        documents, start = [], 0
        for index, paragraph in enumerate(paragraphs):
            documents.append(passage_document(article, index, start, start + len(paragraph)))
            start += len(paragraph) + 2
        vectors = rng.normal(size=(passages, DIM)).astype(np.float32)
        items.append(IndexedArticle(article, documents, vectors))
    return items


def _timed_writes(directory: Path, items: list[IndexedArticle], batch: int, mode: str) -> float:
    shutil.rmtree(directory, ignore_errors=True)
    store = EmbeddedStore(directory, dim=DIM)
    # The one place this reaches inside the store: the benchmark's point is this pragma.
    store._catalog._db.execute(f"PRAGMA synchronous={mode}")
    started = time.perf_counter()
    for start in range(0, len(items), batch):
        store.write_articles(items[start : start + batch])
    elapsed = time.perf_counter() - started
    store.close()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=320)
    parser.add_argument("--passages", type=int, default=8, help="passages per article")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--dir", type=Path, required=True, help="scratch folder (emptied)")
    options = parser.parse_args()

    items = _articles(options.articles, options.passages, seed=7)
    results: dict[str, dict[str, float]] = {}
    for label, batch in (("batches of 32 articles", 32), ("one article per write", 1)):
        times: dict[str, list[float]] = {"FULL": [], "NORMAL": []}
        for _ in range(options.rounds):
            for mode in times:
                times[mode].append(_timed_writes(options.dir, items, batch, mode))
        full, normal = (statistics.median(times[mode]) for mode in ("FULL", "NORMAL"))
        commits = -(-len(items) // batch)
        results[label] = {
            "commits": commits,
            "full_s": round(full, 3),
            "normal_s": round(normal, 3),
            "ratio": round(full / normal, 3),
            "extra_ms_per_commit": round((full - normal) / commits * 1000, 2),
        }
    shutil.rmtree(options.dir, ignore_errors=True)
    print(
        json.dumps(
            {"articles": options.articles, "passages": options.passages, **results}, indent=2
        )
    )


if __name__ == "__main__":
    main()
