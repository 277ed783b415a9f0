"""The chatbot tool over HTTP: its OpenAI function schema, a direct call, the archive facts."""

from __future__ import annotations

from typing import Any

from fastapi.concurrency import run_in_threadpool

from api.deps import RuntimeDep, StoreDep
from api.mcp.news import OVERVIEWS, search_news
from api.openapi import PAGE_ERRORS, STORE_ERRORS
from api.routes import api_router
from api.tool_schema import ArchiveOverview, SearchNewsArgs, SearchNewsResult, openai_tool

router = api_router(prefix="/v1", tags=["tools"])


@router.get("/tools/openai.json")
async def openai_function() -> dict[str, Any]:
    """``search_news`` as an OpenAI function definition; same parameters as the MCP tool."""
    return openai_tool()


@router.post(
    "/tools/search_news",
    response_model=SearchNewsResult,
    responses={**STORE_ERRORS, **PAGE_ERRORS},
)
async def call_search_news(runtime: RuntimeDep, args: SearchNewsArgs) -> SearchNewsResult:
    """Run ``search_news`` with the arguments a model produced (the OpenAI tool-call loop)."""
    return await runtime.searches.run(search_news, runtime, args)


@router.get("/archive", response_model=ArchiveOverview, responses=STORE_ERRORS)
async def archive(store: StoreDep) -> ArchiveOverview:
    """Outlets with article counts and the date range: the UI's filter options."""
    return await run_in_threadpool(OVERVIEWS.get, store)
