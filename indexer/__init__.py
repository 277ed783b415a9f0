"""Indexer: read articles, clean, split into passages with offsets, embed, write to the store."""

import search  # noqa: F401 - first: Haystack's telemetry off, torch loaded when first used
