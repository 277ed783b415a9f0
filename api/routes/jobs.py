"""Ingest jobs: what an HTTP ingest wrote, readable after a 202 or a dropped connection."""

from __future__ import annotations

from typing import Annotated

from fastapi import HTTPException, Path, Query, status

from api.deps import IngestDep
from api.jobs import IngestJob, JobList
from api.openapi import WRITE_ERRORS, not_found
from api.routes import api_router
from api.security import WriteKeyDep

router = api_router(prefix="/v1/jobs", tags=["articles"], responses=WRITE_ERRORS)


@router.get("", response_model=JobList)
async def list_jobs(
    queue: IngestDep, _: WriteKeyDep, limit: Annotated[int, Query(ge=1, le=200)] = 20
) -> JobList:
    """The most recent ingest jobs, newest first (without their per-article results)."""
    return JobList(jobs=queue.jobs.recent(limit))


@router.get("/{job_id}", response_model=IngestJob, responses=not_found("job"))
async def get_job(
    job_id: Annotated[str, Path(pattern="^[0-9a-f]{32}$")], queue: IngestDep, _: WriteKeyDep
) -> IngestJob:
    """One ingest job: its status, counts so far, and each processed record's outcome."""
    job = queue.jobs.get(job_id)
    if job is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no job {job_id}")
    return job
