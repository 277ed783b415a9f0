"""The FastAPI application: /v1 JSON API, /health, /mcp, the page, OpenAPI docs at /docs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, nullcontext

from fastapi import FastAPI
from starlette.types import ASGIApp

from api.docs import DOCS_PATHS, mount_docs
from api.errors import register_error_handlers
from api.hosts import host_check
from api.ingest import IngestQueue
from api.jobs import JobStore
from api.mcp import mount_mcp
from api.metrics import Metrics
from api.plain_errors import PlainErrorsAsJSON
from api.routes import articles, health, jobs, metrics, search, tools
from api.runtime import Runtime
from api.security_headers import SecurityHeaders
from api.server_gc import long_lived_heap
from api.serving import log_runtime, serving
from api.ui import mount_ui
from search.settings import Settings, get_settings

JOBS_FILE = "jobs.sqlite3"


class NewsdeskApp(FastAPI):
    def build_middleware_stack(self) -> ASGIApp:
        # Outside FastAPI's own error middleware, so a 500 gets the headers and a JSON body too;
        # metrics outermost, so they count what the client really got.
        stack = SecurityHeaders(PlainErrorsAsJSON(super().build_middleware_stack()), DOCS_PATHS)
        return self.state.metrics.middleware(stack)


def create_app(settings: Settings | None = None, runtime: Runtime | None = None) -> FastAPI:
    """An app serving ``runtime`` if given, else one started from ``settings`` in the lifespan."""
    settings = settings or (runtime.settings if runtime else get_settings())

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = runtime is None
        app.state.runtime = runtime or Runtime.start(serving(settings))
        if owned:
            log_runtime(app.state.runtime)
        # A process that loaded the runtime is a server's: its loaded heap is long-lived.
        with long_lived_heap() if owned else nullcontext():
            app.state.metrics.watch_store(app.state.runtime)
            app.state.ingest = IngestQueue(
                app.state.runtime,
                JobStore(settings.data_dir / JOBS_FILE),
                on_summary=app.state.metrics.ingested,
            )
            try:
                async with app.state.mcp.session_manager.run():
                    yield
            finally:
                app.state.ingest.close()
                if owned:
                    app.state.runtime.close()

    app = NewsdeskApp(
        title="newsdesk",
        version="0.1.0",
        description="Hybrid (BM25 + dense) search over news archives, with source attribution.",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        max_body_size=settings.api.max_body_bytes,
        middleware=[host_check(settings.api)],
    )
    app.state.metrics = Metrics()
    register_error_handlers(app)
    app.include_router(search.router)
    app.include_router(articles.router, max_body_size=settings.api.max_upload_bytes)
    app.include_router(jobs.router)
    app.include_router(health.router)
    app.include_router(metrics.router)
    app.include_router(tools.router)
    app.state.mcp = mount_mcp(app, settings.api)
    mount_docs(app)
    mount_ui(app)  # last: the page's static mount at "/" answers every path left over
    return app
