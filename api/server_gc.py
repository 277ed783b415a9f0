"""Garbage collection in a server process: the loaded heap left alone, young objects rarely.

What a server has loaded by the time it answers (modules, model, store, pipeline) lives as long
as it does, so it is frozen: no full collection walks those ~260 k objects again (each one held
the query it fell on up by up to ~150 ms; benchmarks/README.md, the product path's p99). Each
search then allocates thousands of short-lived containers, almost all freed by reference
counting; with Python's default threshold (700) a young collection ran every few allocations'
worth of them, and every tenth of those an older one, together ~2 ms of CPU per search under
the interpreter lock (``bench_http.py`` at 16 clients, measured with ``gc.callbacks``). A young
threshold of 20,000 leaves ~0.3 ms. Cyclic garbage is still collected, in larger and rarer
rounds; memory does not grow (the server's resident size was unchanged).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

SERVER_YOUNG_THRESHOLD = 20_000


@contextmanager
def long_lived_heap(young_threshold: int = SERVER_YOUNG_THRESHOLD) -> Iterator[None]:
    """Freezes what is loaded now and collects young objects every ``young_threshold``
    allocations, until the block ends; then collection is as before."""
    before = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(young_threshold, *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)
        gc.unfreeze()  # what was loaded is freed at exit as usual
