"""The ways in: HTTP API (FastAPI) and the ``newsdesk`` command line."""
