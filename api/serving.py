"""How a server process sizes itself: its share of the machine's cores, and the defaults a
server runs with where the operator has not chosen.

Usage:
    settings = serving(get_settings())  # what Runtime.start gets in a server
    log_share(runtime)                  # says what it got, in the server's log
"""

from __future__ import annotations

import logging
import os
from typing import TypeVar

from pydantic import BaseModel

from api.runtime import Runtime
from search.settings import Settings

SERVER_QUERY_BATCH = 8
Model = TypeVar("Model", bound=BaseModel)


def available_cores() -> int:
    """The cores this process may run on (``taskset`` and container cpusets included)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def cores_per_worker(workers: int) -> int:
    """One server process's equal share of the available cores among ``workers``; at least one."""
    return max(1, available_cores() // workers)


def _unset(model: Model, defaults: dict[str, object]) -> Model:
    unset = {name: value for name, value in defaults.items() if getattr(model, name) is None}
    return model.model_copy(update=unset) if unset else model


def serving(settings: Settings) -> Settings:
    """``settings`` as a server runs them, where not configured:

    - one inference thread per question. A server embeds many questions side by side, and a
      model spreading one short question over every core only makes them wait on each other: on
      2 cores, ~18% less CPU per search at 16 clients (benchmarks/README.md, ``bench_http.py``);
    - questions embedded concurrently sharing a model call (up to 8; 16 padded to the longest
      cost torch more) where the backend gives the same vectors that way;
    - one search slot per core of this process's share of the machine: with ``serve --workers
      N`` each worker runs searches on its 1/N of the cores, not on all of them at once
      (``api.workers`` says what that bought).
    """
    share = cores_per_worker(settings.api.workers)
    embedding = _unset(settings.embedding, {"threads": 1, "query_batch": SERVER_QUERY_BATCH})
    api = _unset(settings.api, {"search_concurrency": share})
    return settings.model_copy(update={"embedding": embedding, "api": api})


def log_share(runtime: Runtime) -> None:
    """What this server process runs on, in the server's log (also in ``/health``)."""
    embedder, api = runtime.embedder, runtime.settings.api
    logging.getLogger("uvicorn.error").info(
        "Process %d: %d search slot(s), %s %s embeddings on %d inference thread(s);"
        " %d worker(s) sharing %d cores",
        os.getpid(),
        runtime.searches.slots,
        runtime.settings.embedding.backend,
        embedder.precision,
        embedder.inference_threads,
        api.workers,
        available_cores(),
    )
