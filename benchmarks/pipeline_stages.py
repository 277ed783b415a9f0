"""Where the product path's time goes: each component of the retrieval Pipeline, timed per query."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


@contextmanager
def stage_times(retriever: Any) -> Iterator[dict[str, list[float]]]:
    """Milliseconds per call of each component of ``retriever.pipeline`` while inside the block
    (nothing for a retriever without one)."""
    times: dict[str, list[float]] = {}
    pipeline = getattr(retriever, "pipeline", None)
    timed: list[Any] = []
    for name, instance in pipeline.walk() if pipeline is not None else ():
        run = instance.run

        def timed_run(*args: Any, _run: Any = run, _name: str = name, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return _run(*args, **kwargs)
            finally:
                times.setdefault(_name, []).append((time.perf_counter() - started) * 1000)

        instance.run = timed_run  # the instance attribute shadows the class's method
        timed.append(instance)
    try:
        yield times
    finally:
        for instance in timed:
            del instance.run
