"""Where the store's time goes, by component, at a cost low enough to leave on for every run.

cProfile (``--profile``) slows Python-heavy code several times over and skews the picture towards
it; wrapping a handful of the store's internal functions with a timer does not. The targets are
private names of the embedded store: one that no longer exists is skipped, never an error.
"""

from __future__ import annotations

import functools
import importlib
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

# (label, module, attribute path): methods as "Class.method" (not static), functions by name.
BUILD_TARGETS = (
    ("text analysis (Python)", "search.store.embedded.store", "analyze"),
    ("sqlite inserts", "search.store.embedded.catalog", "Catalog.replace_article"),
    ("tantivy add+commit", "search.store.embedded.lexical", "LexicalIndex.apply"),
    ("tantivy merges (end of run)", "search.store.embedded.lexical", "LexicalIndex.finish"),
    ("vector delta append", "search.store.embedded.vectors", "VectorIndex.apply"),
    ("compaction (HNSW insert + save)", "search.store.embedded.resident", "write_snapshot"),
)
QUERY_TARGETS = (
    ("tantivy search + rowid fetch", "search.store.embedded.lexical", "LexicalIndex.search"),
    ("filter mask (in-memory columns)", "search.store.embedded.columns", "FilterColumns.mask"),
    ("HNSW search (mapped snapshot)", "search.store.embedded.snapshot", "VectorSnapshot.search"),
    ("exact search (gather + score)", "search.store.embedded.vectors", "VectorIndex._exact"),
    ("hydrate: sqlite + Documents", "search.store.embedded.catalog", "Catalog.hydrate"),
    ("catch-up before a search", "search.store.embedded.store", "EmbeddedStore._refresh"),
)


@dataclass
class Tally:
    calls: int = 0
    seconds: float = 0.0
    cpu_seconds: float = 0.0

    def report(self) -> dict[str, float]:
        return {
            "calls": self.calls,
            "total_s": round(self.seconds, 3),
            "cpu_s": round(self.cpu_seconds, 3),
            "mean_ms": round(self.seconds / self.calls * 1000, 3) if self.calls else 0.0,
        }


def _timed(function: Callable[..., Any], tally: Tally) -> Callable[..., Any]:
    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started, cpu_started = time.perf_counter(), time.process_time()
        try:
            return function(*args, **kwargs)
        finally:
            tally.calls += 1
            tally.seconds += time.perf_counter() - started
            tally.cpu_seconds += time.process_time() - cpu_started

    return wrapper


def _owner(module: str, path: str) -> tuple[object, str] | None:
    owner: object = importlib.import_module(module)
    *parents, name = path.split(".")
    for parent in parents:
        owner = getattr(owner, parent, None)
    return (owner, name) if owner is not None and hasattr(owner, name) else None


@contextmanager
def timing(targets: tuple[tuple[str, str, str], ...]) -> Iterator[dict[str, Tally]]:
    """Time every call to the targets inside the block; yields label -> Tally."""
    tallies: dict[str, Tally] = {}
    patched: list[tuple[object, str, object]] = []
    for label, module, path in targets:
        found = _owner(module, path)
        if found is None:
            continue
        owner, name = found
        original = getattr(owner, name)  # methods: the plain function, looked up on the class
        tallies[label] = Tally()
        setattr(owner, name, _timed(original, tallies[label]))
        patched.append((owner, name, original))
    try:
        yield tallies
    finally:
        for owner, name, original in reversed(patched):
            setattr(owner, name, original)


def summary(tallies: dict[str, Tally]) -> dict[str, dict[str, float]]:
    return {label: tally.report() for label, tally in tallies.items()}
