"""How many searches one server process runs at once; the others wait their turn.

A search is mostly Python under one interpreter lock. Sixteen at once take turns on it every few
milliseconds: each runs slower, the last finishes long after the first, and the switching itself
costs CPU, for no more throughput. A few at a time (by default one per core, so the model's and
the store's native work for one search overlaps the Python of another) answer at the same rate
with less CPU per search and a shorter tail (benchmarks/README.md, ``bench_http.py``). Waiting
searches cost nothing but a place in the event loop.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import partial
from typing import ParamSpec, TypeVar

import anyio.to_thread

Params = ParamSpec("Params")
Result = TypeVar("Result")


class SearchSlots:
    """Usage:
    slots = SearchSlots(ApiSettings().search_concurrency)
    response = await slots.run(retriever.search, "who won?", top_k=10)
    """

    def __init__(self, slots: int | None = None) -> None:
        self.slots = slots or os.cpu_count() or 1
        self._limiter = anyio.CapacityLimiter(self.slots)

    async def run(
        self, function: Callable[Params, Result], *args: Params.args, **kwargs: Params.kwargs
    ) -> Result:
        """``function(*args, **kwargs)`` on a worker thread once a slot is free."""
        return await anyio.to_thread.run_sync(
            partial(function, *args, **kwargs), limiter=self._limiter
        )
