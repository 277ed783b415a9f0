"""How a server process runs: the defaults it takes where the operator has not chosen, and what
it says about them once loaded.

Usage:
    settings = serving(get_settings())  # what Runtime.start gets in a server
    log_runtime(runtime)                # one line in the server's log
"""

from __future__ import annotations

import logging
import os

from api.runtime import Runtime
from search.settings import Settings

SERVER_QUERY_BATCH = 8


def serving(settings: Settings) -> Settings:
    """``settings`` as a server runs them, where not configured: one inference thread per
    question, and questions embedded concurrently sharing a model call (up to 8; 16 padded to the
    longest cost torch more) where the backend gives the same vectors that way. A server embeds
    many questions side by side, and a model spreading one short question over every core only
    makes them wait on each other: on 2 cores, ~18% less CPU per search at 16 clients
    (benchmarks/README.md, ``bench_http.py``). With ``serve --workers N`` that already divides
    the machine: each worker's model runs on as many threads as it has questions in flight."""
    embedding = settings.embedding
    defaults = {"threads": 1, "query_batch": SERVER_QUERY_BATCH}
    unset = {name: value for name, value in defaults.items() if getattr(embedding, name) is None}
    if not unset:
        return settings
    return settings.model_copy(update={"embedding": embedding.model_copy(update=unset)})


def log_runtime(runtime: Runtime) -> None:
    """What this server process runs on, read back from its parts (also in ``/health``)."""
    embedder = runtime.embedder
    logging.getLogger("uvicorn.error").info(
        "Process %d: %d search slot(s), %s %s embeddings on %d inference thread(s)",
        os.getpid(),
        runtime.searches.slots,
        runtime.settings.embedding.backend,
        embedder.precision,
        embedder.inference_threads,
    )
