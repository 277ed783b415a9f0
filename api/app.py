"""The FastAPI application: /v1 JSON API, /health, OpenAPI at /docs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from api.errors import register_error_handlers
from api.mcp import mount_mcp
from api.routes import articles, health, search, tools
from api.runtime import Runtime
from api.ui import mount_ui
from search.settings import Settings, get_settings


def create_app(settings: Settings | None = None, runtime: Runtime | None = None) -> FastAPI:
    """An app serving ``runtime`` if given, else one started from ``settings`` in the lifespan."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = runtime is None
        app.state.runtime = runtime or Runtime.start(settings or get_settings())
        try:
            async with app.state.mcp.session_manager.run():
                yield
        finally:
            if owned:
                app.state.runtime.close()

    app = FastAPI(
        title="newsdesk",
        version="0.1.0",
        description="Hybrid (BM25 + dense) search over news archives, with source attribution.",
        lifespan=lifespan,
    )
    register_error_handlers(app)
    app.include_router(search.router)
    app.include_router(articles.router)
    app.include_router(health.router)
    app.include_router(tools.router)
    app.state.mcp = mount_mcp(app)
    mount_ui(app)  # last: the page's static mount at "/" answers every path left over
    return app
