"""Liveness and readiness: says which dependency is down, if any."""

from __future__ import annotations

import os
from typing import Literal

from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from api.deps import RuntimeDep
from api.routes import api_router
from search.errors import NewsdeskError

router = api_router(tags=["health"])


class StoreState(BaseModel):
    backend: str
    status: Literal["up", "down"]
    error: str | None = None


class EmbeddingState(BaseModel):
    backend: str
    precision: str
    inference_threads: int  # as the model's runtime reports them


class ProcessState(BaseModel):
    """The server process that answered: with ``serve --workers N``, one of N."""

    pid: int
    search_slots: int


class Healthy(BaseModel):
    status: Literal["ok"]
    store: StoreState
    model: str
    articles: int
    passages: int
    embedding: EmbeddingState
    process: ProcessState


class Unavailable(BaseModel):
    status: Literal["unavailable"]
    store: StoreState


@router.get(
    "/health",
    response_model=Healthy,
    responses={503: {"model": Unavailable, "description": "the store is down; it says why"}},
)
async def health(runtime: RuntimeDep) -> JSONResponse:
    backend = runtime.settings.store
    try:
        await run_in_threadpool(runtime.store.ping)
        counts = await run_in_threadpool(runtime.store.counts)
    except NewsdeskError as error:
        down = StoreState(backend=backend, status="down", error=str(error))
        body = Unavailable(status="unavailable", store=down)
        return JSONResponse(status_code=503, content=body.model_dump())
    healthy = Healthy(
        status="ok",
        store=StoreState(backend=backend, status="up"),
        model=runtime.settings.embedding.model,
        articles=counts.articles,
        passages=counts.passages,
        embedding=EmbeddingState(
            backend=runtime.settings.embedding.backend,
            precision=runtime.embedder.precision,
            inference_threads=runtime.embedder.inference_threads,
        ),
        process=ProcessState(
            pid=os.getpid(),
            search_slots=runtime.searches.slots,
        ),
    )
    return JSONResponse(content=healthy.model_dump(exclude_none=True))
