"""The ways in: HTTP API (FastAPI) and the ``newsdesk`` command line."""

import search  # noqa: F401 - first: Haystack's telemetry off, torch loaded when first used
