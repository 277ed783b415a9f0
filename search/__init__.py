"""Search: analysis, stores, retrieval and fusion. Depends on neither ``indexer`` nor ``api``."""

import os

# Haystack would otherwise write a config file and try to reach its telemetry host on import.
os.environ.setdefault("HAYSTACK_TELEMETRY_ENABLED", "False")
# One query's matrix-vector products are small: a second BLAS thread only waits for a core
# (8,000 x 384 took 11.7 ms with two threads, 0.66 ms with one, on the shared 2-core machine).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

# Before anything imports Haystack, which would import torch: only the torch backend needs it.
from search.haystack_import import import_haystack

import_haystack()
