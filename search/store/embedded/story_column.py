"""Which article and story each passage belongs to, held in memory per passage rowid.

Grouping needs the (article id, story id) of every fused candidate, and most are never read whole
(~100-250 per question). Reading them took a SQL join per question (about a millisecond at a
million passages); here it is a numpy lookup. Built and kept level like the filter columns, with
which it shares the catalog's scan and the replay: a passage's story never changes while its rowid
lives (an edited article gets new passages).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

import numpy as np

from search.store.embedded.catalog import FilterTable, PassageRow

_UNKNOWN = -1


class StoryColumn:
    """Usage:
    stories = StoryColumn.of(catalog.filter_table())
    stories.apply(removed_rowids, added_rows)
    found, unknown = stories.lookup([17, 42])  # {17: ("article", "story")}, [42]
    """

    def __init__(self) -> None:
        self._owners = np.full(1024, _UNKNOWN, dtype=np.int32)  # rowid -> index into _stories
        self._stories: list[tuple[str, str]] = []  # only appended to: readers never wait
        self._write = threading.Lock()

    @classmethod
    def of(cls, table: FilterTable) -> StoryColumn:
        column = cls()
        column._stories = list(table.stories)
        if table.rowids.size:
            column._owners = np.full(int(table.rowids.max()) + 1, _UNKNOWN, dtype=np.int32)
            column._owners[table.rowids] = table.owners
        return column

    def apply(self, removed: Sequence[int], added: Sequence[PassageRow]) -> None:
        """Forget removed rowids and record added ones (replaying twice changes nothing)."""
        with self._write:
            if added:
                self._add(added)
            if removed:
                owners = self._owners
                gone = np.asarray(removed, dtype=np.int64)
                owners[gone[gone < owners.size]] = _UNKNOWN

    def _add(self, rows: Sequence[PassageRow]) -> None:
        numbers: dict[tuple[str, str], int] = {}
        codes = []
        for row in rows:
            story = row.story
            number = numbers.get(story)
            if number is None:
                number = numbers[story] = len(self._stories)
                self._stories.append(story)
            codes.append(number)
        rowids = np.fromiter((row.rowid for row in rows), dtype=np.int64, count=len(rows))
        needed = int(rowids.max()) + 1
        owners = self._owners
        if needed > owners.size:
            grown = np.full(max(needed, owners.size * 2), _UNKNOWN, dtype=np.int32)
            grown[: owners.size] = owners
            owners = grown
        owners[rowids] = codes
        self._owners = owners

    def lookup(self, rowids: Sequence[int]) -> tuple[dict[int, tuple[str, str]], list[int]]:
        """(article id, story id) of each rowid held, and the rowids not held (removed, or
        committed since the last replay)."""
        owners, stories = self._owners, self._stories
        wanted = np.asarray(rowids, dtype=np.int64)
        codes = np.full(wanted.shape, _UNKNOWN, dtype=np.int64)
        inside = (wanted >= 0) & (wanted < owners.size)
        codes[inside] = owners[wanted[inside]]
        found: dict[int, tuple[str, str]] = {}
        unknown: list[int] = []
        for rowid, code in zip(wanted.tolist(), codes.tolist(), strict=True):
            if code == _UNKNOWN:
                unknown.append(rowid)
            else:
                found[rowid] = stories[code]
        return found, unknown
