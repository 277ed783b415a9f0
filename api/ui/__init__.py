"""The search page: plain HTML/CSS/JS in ``static/``; no build step, nothing external."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

STATIC_DIR = Path(__file__).resolve().parent / "static"


def mount_ui(app: FastAPI) -> None:
    """Serve the page at ``/`` as FastAPI's low-priority frontend: only paths no route claims
    reach it, so a wrong method on an API path still answers 405, and an unknown path 404."""
    app.frontend("/", directory=STATIC_DIR, fallback=None)
