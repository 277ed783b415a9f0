"""What a stored sentence layout costs when a passage is written and saves when it is read: per
passage of an embedded store's catalog (opened read-only), ``sentence_layout`` and
``read_sentences`` with and without the layout, best of ``--repeat``.

    PYTHONPATH=. .venv/bin/python benchmarks/bench_sentence_layout.py \\
        --catalog /tmp/eval/indexes/<key>/embedded/catalog.sqlite3
"""

from __future__ import annotations

import argparse
import sqlite3
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from haystack import Document

from search.passage_sentences import read_sentences
from search.sentence_layout import sentence_layout


def _best_us(work: Callable[[], object], count: int, repeat: int) -> float:
    """The fastest of ``repeat`` runs of ``work``, in µs per item of ``count``."""
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - started)
    return best / count * 1e6


def _read_all(documents: Sequence[Document]) -> None:
    for document in documents:
        read_sentences(document)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--catalog", type=Path, required=True, help="an embedded catalog.sqlite3")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with sqlite3.connect(f"file:{args.catalog}?mode=ro", uri=True) as db:
        rows: list[tuple[str, str]] = db.execute("SELECT text, terms FROM passages").fetchall()
    texts = [text for text, _ in rows]
    layouts = [sentence_layout(text) for text in texts]
    plain = [Document(content=text, meta={"terms": terms}) for text, terms in rows]
    kept = [
        Document(content=text, meta={"terms": terms, "sentence_layout": layout})
        for (text, terms), layout in zip(rows, layouts, strict=True)
    ]
    count = len(rows)
    write = _best_us(lambda: [sentence_layout(text) for text in texts], count, args.repeat)
    split = _best_us(lambda: _read_all(plain), count, args.repeat)
    stored = _best_us(lambda: _read_all(kept), count, args.repeat)
    print(f"{count:,} passages, µs per passage (best of {args.repeat}):")
    print(f"  sentence_layout (at write)          {write:8.1f}")
    print(f"  read_sentences, split as before     {split:8.1f}")
    print(f"  read_sentences, stored layout       {stored:8.1f}")
    print(f"  layout string, mean characters      {sum(map(len, layouts)) / max(count, 1):8.1f}")


if __name__ == "__main__":
    main()
