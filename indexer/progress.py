"""The indexing progress bar: articles against the expected total (for the ETA), passages/s."""

from __future__ import annotations

import time
from typing import Protocol

from tqdm import tqdm


class Tally(Protocol):
    passages: int
    rejected: int


class IndexProgress:
    """Usage:
    progress = IndexProgress(total=609, enabled=True)
    progress.advance(32, summary)  # after each batch is written
    progress.close()
    """

    def __init__(self, total: int | None, *, enabled: bool) -> None:
        self._bar = tqdm(total=total, unit="article", desc="indexing", disable=not enabled)
        self._started = time.monotonic()

    def advance(self, articles: int, tally: Tally) -> None:
        elapsed = max(time.monotonic() - self._started, 1e-6)
        self._bar.set_postfix(
            {
                "passages": tally.passages,
                "passages/s": f"{tally.passages / elapsed:.1f}",
                "rejected": tally.rejected,
            },
            refresh=False,
        )
        self._bar.update(articles)

    def close(self) -> None:
        self._bar.close()
