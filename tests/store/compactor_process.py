"""A compaction in a process of its own, for the tests of what happens around one.

``start_compactor`` runs the store's compactor (what a flush starts in the background on a large
store) in a new process, forked from a server that imported it once. It can die at one of the
crash points of ``writer_process`` (those a compaction reaches), or hold just before it writes
its new snapshot, with its lock taken and the vectors it folds in already chosen, until the
test lets it go.
"""

from __future__ import annotations

import multiprocessing
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

from search.store.embedded import compaction, compactor
from tests.store.corpus import DIM
from tests.store.writer_process import CRASH_POINTS, FLUSH_POINTS, wrap

HOLDING = "holding"
GO = "go"


def _compact(directory: Path, control: Connection, crash: str | None, hold: bool) -> None:
    if crash is not None:
        assert crash in FLUSH_POINTS, f"a compaction never reaches {crash}"
        CRASH_POINTS[crash]()
    if hold:

        def held(*_: Any) -> bool:
            control.send(HOLDING)
            assert control.recv() == GO
            return False  # then write the snapshot as usual

        wrap(compaction, "_save_durably", before=held)
    compactor.main([str(directory), str(DIM)])


def start_compactor(
    directory: Path, *, crash: str | None = None, hold: bool = False
) -> tuple[BaseProcess, Connection]:
    """The compactor process, and the test's end of its control pipe."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([__name__])
    ours, theirs = context.Pipe()
    process = context.Process(target=_compact, args=(directory, theirs, crash, hold))
    process.start()
    theirs.close()
    return process, ours
