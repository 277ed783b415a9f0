"""Search: analysis, stores, retrieval and fusion. Depends on neither ``indexer`` nor ``api``."""

import os

# Haystack would otherwise write a config file and try to reach its telemetry host on import.
os.environ.setdefault("HAYSTACK_TELEMETRY_ENABLED", "False")
