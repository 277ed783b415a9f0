"""A writer process for the embedded store's cross-process tests.

    python -m tests.store.writer_process DIR COUNT [--pause S] [--flush-every N] [--crash POINT]

Writes ``numbered`` articles 0..COUNT-1, one call each, without flushing in between (as an
indexing run does), and prints ``ack N <unix time>`` once each call has returned. With
``--crash``, it then writes article COUNT together with an edit of article 0 and dies without any
cleanup (``os._exit``) at POINT of that write, or of the flush after it.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from search.store.embedded import EmbeddedStore, catalog, lexical, state, vectors
from tests.store.corpus import DIM, numbered

CRASHED = 70


def _die() -> None:
    sys.stdout.flush()
    os._exit(CRASHED)


def _wrap(owner: Any, name: str, *, before: Callable[..., bool]) -> None:
    """Die when ``owner.name`` is called with arguments for which ``before`` says so."""
    original = getattr(owner, name)

    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if before(*args, **kwargs):
            _die()
        return original(*args, **kwargs)

    setattr(owner, name, wrapped)


def _nth_call(n: int) -> Callable[..., bool]:
    calls = [0]

    def due(*_: Any, **__: Any) -> bool:
        calls[0] += 1
        return calls[0] >= n

    return due


def always(*_: Any, **__: Any) -> bool:
    return True


# Where the write path can die; the hooks name today's internals, the tests only check results.
CRASH_POINTS: dict[str, Callable[[], None]] = {
    # inside the catalog transaction, the first article of the batch already inserted
    "inside-catalog-transaction": lambda: _wrap(
        catalog.Catalog, "replace_article", before=_nth_call(2)
    ),
    # committed to the catalog, nothing applied to the derived indexes
    "after-catalog-commit": lambda: _wrap(lexical.LexicalIndex, "apply", before=always),
    # halfway through the lexical index's batch, before its commit
    "inside-lexical-apply": lambda: _wrap(lexical, "_document", before=_nth_call(2)),
    # the lexical index committed, its checkpoint not recorded yet
    "after-lexical-commit": lambda: _wrap(state.DerivedState, "save", before=always),
    # the lexical index recorded, the vectors not applied
    "inside-vector-apply": lambda: _wrap(vectors.VectorIndex, "apply", before=always),
    # the vector file written to its temporary name, not renamed over the old one
    "inside-vector-save": lambda: _wrap(
        vectors.os, "replace", before=lambda source, target: str(target).endswith(".usearch")
    ),
    # the vector file renamed into place, its checkpoint not recorded yet
    "after-vector-save": lambda: _wrap(
        state.DerivedState,
        "save",
        before=lambda saved, path: saved.vectors.generation > 0,
    ),
}
# Points that can only be reached by the flush after the last write.
FLUSH_POINTS = {"inside-vector-save", "after-vector-save"}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("directory", type=Path)
    parser.add_argument("count", type=int)
    parser.add_argument("--pause", type=float, default=0.0)
    parser.add_argument("--flush-every", type=int, default=0)
    parser.add_argument("--crash", choices=sorted(CRASH_POINTS))
    options = parser.parse_args()

    store = EmbeddedStore(options.directory, dim=DIM)
    for number in range(options.count):
        store.write_articles([numbered(number)])
        print(f"ack {number} {time.time():.6f}", flush=True)
        if options.flush_every and (number + 1) % options.flush_every == 0:
            store.flush()
        time.sleep(options.pause)
    if options.crash:
        if options.crash not in FLUSH_POINTS:
            CRASH_POINTS[options.crash]()
        store.write_articles([numbered(options.count), numbered(0, edited=True)])
        print(f"ack {options.count} {time.time():.6f}", flush=True)
        CRASH_POINTS[options.crash]()
        store.flush()
        print("survived", flush=True)  # the crash point was never reached: a broken test
        sys.exit(1)
    store.close()


if __name__ == "__main__":
    main()
