"""Liveness and readiness: says which dependency is down, if any."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from api.deps import RuntimeDep
from search.errors import NewsdeskError

router = APIRouter(tags=["health"])


@router.get("/health")
async def health(runtime: RuntimeDep) -> JSONResponse:
    backend = runtime.settings.store
    try:
        await run_in_threadpool(runtime.store.ping)
        counts = await run_in_threadpool(runtime.store.counts)
    except NewsdeskError as error:
        return JSONResponse(
            status_code=503,
            content={
                "status": "unavailable",
                "store": {"backend": backend, "status": "down", "error": str(error)},
            },
        )
    return JSONResponse(
        content={
            "status": "ok",
            "store": {"backend": backend, "status": "up"},
            "model": runtime.settings.embedding.model,
            "articles": counts.articles,
            "passages": counts.passages,
        }
    )
