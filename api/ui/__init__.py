"""The search page: plain HTML/CSS/JS in ``static/``; no build step, nothing external."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

STATIC_DIR = Path(__file__).resolve().parent / "static"


def mount_ui(app: FastAPI) -> None:
    """Serve the page at ``/``. Mount it last: it answers every path no route claimed."""
    app.mount("/", StaticFiles(directory=STATIC_DIR, html=True), name="ui")
