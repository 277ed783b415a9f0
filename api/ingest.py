"""HTTP ingests run as jobs, one at a time, on one writer thread beside the event loop.

Articles go through the same ``Indexer`` as ``newsdesk index``, in groups of ``BATCH_ARTICLES``:
each group is flushed to the store, then its outcomes are recorded on the job, so the job never
reports an article the store does not hold. Stopping the server lets the running group finish and
marks the job ``interrupted``; resubmitting is safe (written articles come back ``unchanged``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

from api.jobs import JobStore
from api.runtime import Runtime
from indexer.pipeline import BATCH_ARTICLES, IndexSummary
from indexer.readers import ReadResult


class IngestQueue:
    """Usage:
    queue = IngestQueue(runtime, JobStore(path))
    job_id, done = queue.submit(items)   # done: a Future, set when the job ends
    """

    def __init__(
        self,
        runtime: Runtime,
        jobs: JobStore,
        group_size: int = BATCH_ARTICLES,
        on_summary: Callable[[IndexSummary], None] | None = None,
    ) -> None:
        self.runtime = runtime
        self.on_summary = on_summary
        self.jobs = jobs
        self.group_size = group_size
        self._stopping = threading.Event()
        # One writer: jobs queue up instead of contending for the store's writer lock.
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ingest")

    def submit(self, items: list[ReadResult]) -> tuple[str, Future[None]]:
        job_id = self.jobs.create(total=len(items))
        return job_id, self._writer.submit(self._run, job_id, items)

    def _run(self, job_id: str, items: list[ReadResult]) -> None:
        self.jobs.start(job_id)
        indexer = self.runtime.indexer()
        try:
            for start in range(0, len(items), self.group_size):
                if self._stopping.is_set():
                    self.jobs.finish(job_id, "interrupted", "the server stopped during the job")
                    return
                summary = indexer.index(items[start : start + self.group_size], progress=False)
                self.jobs.record(job_id, summary)
                if self.on_summary is not None:
                    self.on_summary(summary)
        except Exception as error:
            self.jobs.finish(job_id, "failed", f"{error}" or type(error).__name__)
            raise
        self.jobs.finish(job_id, "done")

    def close(self) -> None:
        """Finish the running group, drop queued jobs (marked interrupted), close the job store."""
        self._stopping.set()
        self._writer.shutdown(wait=True, cancel_futures=True)
        self.jobs.interrupt_unfinished("the server stopped before the job started")
        self.jobs.close()
