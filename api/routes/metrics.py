"""Prometheus scrape endpoint (``api.metrics``)."""

from __future__ import annotations

from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from api.deps import MetricsDep
from api.metrics import CONTENT_TYPE
from api.routes import api_router

router = api_router(tags=["health"])


@router.get(
    "/metrics",
    response_class=Response,
    responses={200: {"content": {"text/plain": {}}, "description": "Prometheus text format"}},
)
async def metrics(metrics: MetricsDep) -> Response:
    """Request counts and latencies per route and status, retrieval leg latencies, ingest
    outcomes and store size, in the Prometheus text format."""
    # Store size is read at scrape time, a store call: off the event loop.
    body = await run_in_threadpool(metrics.exposition)
    return Response(body, media_type=CONTENT_TYPE)
