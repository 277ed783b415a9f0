"""Dependencies for the routes, as Annotated aliases."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from api.ingest import IngestQueue
from api.metrics import Metrics
from api.runtime import Runtime
from search.settings import Settings
from search.store.protocol import PassageStore


def get_runtime(request: Request) -> Runtime:
    return request.app.state.runtime


def get_ingest(request: Request) -> IngestQueue:
    return request.app.state.ingest


def get_metrics(request: Request) -> Metrics:
    return request.app.state.metrics


def get_store(runtime: Annotated[Runtime, Depends(get_runtime)]) -> PassageStore:
    return runtime.store


def get_app_settings(runtime: Annotated[Runtime, Depends(get_runtime)]) -> Settings:
    return runtime.settings


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
StoreDep = Annotated[PassageStore, Depends(get_store)]
SettingsDep = Annotated[Settings, Depends(get_app_settings)]
IngestDep = Annotated[IngestQueue, Depends(get_ingest)]
MetricsDep = Annotated[Metrics, Depends(get_metrics)]
