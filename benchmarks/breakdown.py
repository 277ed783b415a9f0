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
    ("writer lock + catch-up", "search.store.embedded.store", "EmbeddedStore._begin_write"),
    ("text analysis (Python)", "search.store.embedded.store", "analyze"),
    ("sqlite inserts", "search.store.embedded.catalog", "Catalog.replace_article"),
    ("tantivy add+commit+merge", "search.store.embedded.lexical", "LexicalIndex.apply"),
    ("usearch add", "search.store.embedded.vectors", "VectorIndex.apply"),
    ("usearch save (periodic)", "search.store.embedded.vectors", "VectorIndex.save"),
)
QUERY_TARGETS = (
    ("tantivy search + rowid fetch", "search.store.embedded.lexical", "LexicalIndex.search"),
    ("usearch search", "search.store.embedded.vectors", "VectorIndex.search"),
    ("sqlite filtered rowids", "search.store.embedded.catalog", "Catalog.filtered_rowids"),
    ("exact search among admitted", "search.store.embedded.vectors", "VectorIndex.search_among"),
    ("hydrate: sqlite + Documents", "search.store.embedded.catalog", "Catalog.hydrate"),
    ("hydrate: all (incl. score copies)", "search.store.embedded.store", "EmbeddedStore._hydrate"),
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
