"""The FastAPI application: /v1 JSON API, /health, OpenAPI at /docs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from api.errors import register_error_handlers
from api.routes import health, search
from api.runtime import Runtime
from search.settings import Settings, get_settings


def create_app(settings: Settings | None = None, runtime: Runtime | None = None) -> FastAPI:
    """An app serving ``runtime`` if given, else one started from ``settings`` in the lifespan."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = runtime is None
        app.state.runtime = runtime or Runtime.start(settings or get_settings())
        try:
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
    app.include_router(health.router)
    return app
