"""Search: GET for links and quick use, POST for filters and structured clients."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from api.deps import MetricsDep, RuntimeDep
from api.openapi import PAGE_ERRORS, STORE_ERRORS
from api.routes import api_router
from api.schemas import SearchQuery, SearchRequest
from search.results import SearchResponse

router = api_router(prefix="/v1", tags=["search"], responses={**STORE_ERRORS, **PAGE_ERRORS})


async def _search(
    runtime: RuntimeDep, metrics: MetricsDep, request: SearchQuery | SearchRequest
) -> SearchResponse:
    # Embedding and the store calls block: keep them off the event loop.
    return await runtime.searches.run(
        runtime.retriever.search, request.q, on_leg=metrics.leg, **request.retriever_options()
    )


@router.get("/search", response_model=SearchResponse)
async def search_get(
    runtime: RuntimeDep, metrics: MetricsDep, request: Annotated[SearchQuery, Query()]
) -> SearchResponse:
    return await _search(runtime, metrics, request)


@router.post("/search", response_model=SearchResponse)
async def search_post(
    runtime: RuntimeDep, metrics: MetricsDep, request: SearchRequest
) -> SearchResponse:
    return await _search(runtime, metrics, request)
