"""Ingest jobs: what each HTTP ingest wrote, article by article, kept after the connection is gone.

A job's results are recorded as each group of articles is flushed to the store, so a caller whose
connection dropped (or who was answered 202) learns exactly what was written from
``GET /v1/jobs/{job_id}``. Jobs live in ``jobs.sqlite3`` in the data directory: a job that was
running when the server stopped reads ``interrupted`` afterwards, with its results so far. Each job
records the process that runs it, so that with several server processes (``serve --workers``)
one stopping or starting never marks another's running job interrupted.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from indexer.pipeline import IndexSummary

JobStatus = Literal["queued", "running", "done", "failed", "interrupted"]
UNFINISHED: tuple[JobStatus, ...] = ("queued", "running")
KEEP_JOBS = 200

_SUMMARY_COLUMNS = (
    "id, status, created_at, updated_at, total, read, indexed, unchanged, rejected, error"
)
_SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY,
    status TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    total INTEGER NOT NULL,
    read INTEGER NOT NULL DEFAULT 0,
    indexed INTEGER NOT NULL DEFAULT 0,
    unchanged INTEGER NOT NULL DEFAULT 0,
    rejected INTEGER NOT NULL DEFAULT 0,
    error TEXT,
    owner INTEGER  -- the process running the job
);
CREATE TABLE IF NOT EXISTS job_results (
    job_id TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    status TEXT NOT NULL,
    article_id TEXT,
    reason TEXT,
    PRIMARY KEY (job_id, seq)
);
"""


class ArticleResult(BaseModel):
    status: Literal["indexed", "unchanged", "rejected"]
    article_id: str | None = None
    reason: str | None = None


class JobSummary(BaseModel):
    job_id: str
    status: JobStatus = Field(description="queued, running, done, failed or interrupted")
    status_url: str = Field(description="where to read this job again")
    created_at: datetime
    updated_at: datetime
    total: int = Field(description="records read from the request")
    read: int = Field(description="records processed so far")
    indexed: int
    unchanged: int
    rejected: int
    error: str | None = Field(default=None, description="why a failed job stopped")


class IngestJob(JobSummary):
    results: list[ArticleResult] = Field(
        description="one per processed record, in input order; written to the store when listed"
    )


class JobList(BaseModel):
    jobs: list[JobSummary] = Field(description="newest first")


def status_url(job_id: str) -> str:
    return f"/v1/jobs/{job_id}"


def _now() -> str:
    return datetime.now(UTC).isoformat()


def _running_elsewhere(pid: int) -> bool:
    """Whether another process with this id runs now (on this host: the jobs file is local)."""
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    return True


class JobStore:
    """Usage:
    jobs = JobStore(data_dir / "jobs.sqlite3")
    job_id = jobs.create(total=3); jobs.start(job_id); jobs.record(job_id, summary)
    jobs.finish(job_id, "done"); jobs.get(job_id).indexed
    """

    def __init__(self, path: Path, keep: int = KEEP_JOBS) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._keep = keep
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA foreign_keys=ON")
        self._db.executescript(_SCHEMA)
        columns = {row[1] for row in self._db.execute("PRAGMA table_info(jobs)")}
        if "owner" not in columns:  # a jobs file from before jobs had owners
            self._db.execute("ALTER TABLE jobs ADD COLUMN owner INTEGER")
        self._interrupt_orphans("the server stopped before the job finished")

    def create(self, total: int) -> str:
        job_id = uuid.uuid4().hex
        now = _now()
        with self._lock, self._db:
            self._db.execute(
                "INSERT INTO jobs (id, status, created_at, updated_at, total, owner)"
                " VALUES (?,?,?,?,?,?)",
                (job_id, "queued", now, now, total, os.getpid()),
            )
            self._db.execute(
                "DELETE FROM jobs WHERE id IN (SELECT id FROM jobs WHERE status NOT IN (?, ?)"
                " ORDER BY created_at DESC, rowid DESC LIMIT -1 OFFSET ?)",
                (*UNFINISHED, self._keep),
            )
        return job_id

    def start(self, job_id: str) -> None:
        self._set_status(job_id, "running")

    def record(self, job_id: str, summary: IndexSummary) -> None:
        """Add the outcomes of one flushed group of articles, in order."""
        with self._lock, self._db:
            (done,) = self._db.execute(
                "SELECT COUNT(*) FROM job_results WHERE job_id = ?", (job_id,)
            ).fetchone()
            self._db.executemany(
                "INSERT INTO job_results (job_id, seq, status, article_id, reason)"
                " VALUES (?,?,?,?,?)",
                [
                    (job_id, done + offset, o.status, o.article_id, o.reason)
                    for offset, o in enumerate(summary.outcomes)
                ],
            )
            self._db.execute(
                "UPDATE jobs SET read = read + ?, indexed = indexed + ?,"
                " unchanged = unchanged + ?, rejected = rejected + ?, updated_at = ? WHERE id = ?",
                (
                    summary.read,
                    summary.indexed,
                    summary.unchanged,
                    summary.rejected,
                    _now(),
                    job_id,
                ),
            )

    def finish(self, job_id: str, status: JobStatus, error: str | None = None) -> None:
        self._set_status(job_id, status, error)

    def interrupt_unfinished(self, reason: str) -> None:
        """Mark this process's queued and running jobs interrupted (it is stopping)."""
        self._interrupt(reason, [os.getpid()])

    def _interrupt_orphans(self, reason: str) -> None:
        """Mark interrupted the unfinished jobs no running process owns: their server stopped.
        A job owned by this very process id is an orphan too (a restart that got the same id,
        as in a container), since this process has not created any yet."""
        with self._lock:
            owners = {
                owner
                for (owner,) in self._db.execute(
                    "SELECT DISTINCT owner FROM jobs WHERE status IN (?, ?)", UNFINISHED
                )
            }
        self._interrupt(reason, [o for o in owners if o is None or not _running_elsewhere(o)])

    def _interrupt(self, reason: str, owners: list[int | None]) -> None:
        with self._lock, self._db:
            for owner in owners:
                self._db.execute(
                    "UPDATE jobs SET status = 'interrupted', error = ?, updated_at = ?"
                    " WHERE status IN (?, ?) AND owner IS ?",
                    (reason, _now(), *UNFINISHED, owner),
                )

    def get(self, job_id: str) -> IngestJob | None:
        with self._lock:
            row = self._db.execute(
                f"SELECT {_SUMMARY_COLUMNS} FROM jobs WHERE id = ?", (job_id,)
            ).fetchone()
            if row is None:
                return None
            results = self._db.execute(
                "SELECT status, article_id, reason FROM job_results WHERE job_id = ? ORDER BY seq",
                (job_id,),
            ).fetchall()
        return IngestJob(
            **self._summary(row).model_dump(),
            results=[ArticleResult(status=s, article_id=a, reason=r) for s, a, r in results],
        )

    def recent(self, limit: int) -> list[JobSummary]:
        with self._lock:
            rows = self._db.execute(
                f"SELECT {_SUMMARY_COLUMNS} FROM jobs ORDER BY created_at DESC, rowid DESC LIMIT ?",
                (limit,),
            ).fetchall()
        return [self._summary(row) for row in rows]

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _set_status(self, job_id: str, status: JobStatus, error: str | None = None) -> None:
        with self._lock, self._db:
            self._db.execute(
                "UPDATE jobs SET status = ?, error = ?, updated_at = ? WHERE id = ?",
                (status, error, _now(), job_id),
            )

    @staticmethod
    def _summary(row: tuple) -> JobSummary:
        job_id, status, created, updated, total, read, indexed, unchanged, rejected, error = row
        return JobSummary(
            job_id=job_id,
            status=status,
            status_url=status_url(job_id),
            created_at=datetime.fromisoformat(created),
            updated_at=datetime.fromisoformat(updated),
            total=total,
            read=read,
            indexed=indexed,
            unchanged=unchanged,
            rejected=rejected,
            error=error,
        )
