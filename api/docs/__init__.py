"""OpenAPI docs (Swagger UI at /docs, ReDoc at /redoc) served from installed packages.

FastAPI's own pages load both from a CDN and start Swagger UI with an inline script, which a
strict Content-Security-Policy refuses. The assets come from the PyPI package ``fastapi-offline``
(swagger-ui-dist and ReDoc's standalone bundle); the pages here load only same-origin files.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

DOCS_PATHS = frozenset({"/docs", "/redoc"})
ASSETS_URL = "/docs-assets"
_OWN_ASSETS = Path(__file__).resolve().parent / "static"


def _page(title: str, head: str, body: str) -> HTMLResponse:
    return HTMLResponse(
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<title>{title}</title><link rel="icon" href="data:,">{head}</head>'
        f"<body>{body}</body></html>"
    )


def mount_docs(app: FastAPI) -> None:
    """Serve /docs and /redoc; the app must be built with ``docs_url=None, redoc_url=None``."""
    assets = StaticFiles(directory=_OWN_ASSETS, packages=[("fastapi_offline", "static")])
    app.mount(ASSETS_URL, assets, name="docs-assets")
    title = app.title

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui() -> HTMLResponse:
        return _page(
            f"{title} — Swagger UI",
            f'<link rel="stylesheet" href="{ASSETS_URL}/swagger-ui.css">',
            f'<div id="swagger-ui" data-openapi-url="{app.openapi_url}"></div>'
            f'<script src="{ASSETS_URL}/swagger-ui-bundle.js"></script>'
            f'<script src="{ASSETS_URL}/swagger-init.js"></script>',
        )

    @app.get("/redoc", include_in_schema=False)
    async def redoc() -> HTMLResponse:
        return _page(
            f"{title} — ReDoc",
            "",
            f'<redoc spec-url="{app.openapi_url}"></redoc>'
            f'<script src="{ASSETS_URL}/redoc.standalone.js"></script>',
        )
