"""The derived indexes each process holds itself: filter columns and vectors, kept level with the
catalog by replaying its changes (see ``changes``) before each search.

Building them on open reads the catalog's filter values (about a second per million passages)
and maps the recorded vector snapshot; the rows added since that snapshot are read into the
in-memory delta. Nothing here is ever written by a search, and a write only appends.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from search.errors import StoreUnavailableError
from search.filters import SearchFilters
from search.store.embedded.catalog import Catalog, PassageRow
from search.store.embedded.changes import replay
from search.store.embedded.columns import FilterColumns
from search.store.embedded.compaction import remove_unrecorded, write_snapshot
from search.store.embedded.snapshot import RECORD_FILE, SnapshotRecord, VectorSnapshot
from search.store.embedded.state import Checkpoint, WriterLock
from search.store.embedded.story_column import StoryColumn
from search.store.embedded.vectors import Admitted, VectorIndex

# Filters with the rowids their phrases admit and their exclusions reject (None: no such text).
TextConstrained = tuple[SearchFilters | None, np.ndarray | None, np.ndarray | None]
_OPEN_ATTEMPTS = 3
_log = logging.getLogger(__name__)


class ResidentIndexes:
    """Usage:
    resident = ResidentIndexes(directory, 384, catalog)
    resident.sync()                              # before a search
    resident.dense_ranking(query, 50, filters)   # [(rowid, cosine), ...]
    """

    def __init__(
        self, directory: Path, dim: int, catalog: Catalog, legacy: Checkpoint | None = None
    ) -> None:
        self._directory = directory
        self._dim = dim
        self._catalog = catalog
        # The vector file's checkpoint, as a store from before snapshot records kept it.
        self._legacy = legacy or Checkpoint()
        self._compaction_lock = WriterLock(directory / "compaction.lock")
        self._lock = threading.RLock()  # one applier at a time; searches never take it
        self._record_stamp: int | None = None
        self._dead_in_snapshot = 0  # snapshot rows removed since it was written
        self.columns = FilterColumns()
        self.stories = StoryColumn()
        self.vectors = VectorIndex(dim)
        self.at = Checkpoint()
        self.load()

    # -- building and keeping level -------------------------------------------------------------

    def load(self) -> None:
        """Build both from the catalog and the recorded snapshot."""
        with self._lock:
            table = self._catalog.filter_table()
            columns, stories = FilterColumns.of(table), StoryColumn.of(table)
            highest = int(table.rowids.max()) if table.rowids.size else 0
            vectors = VectorIndex(self._dim)
            vectors.use(self._recorded_snapshot())
            after = max(vectors.snapshot.checkpoint.rowid, 0)
            for rows in self._catalog.iter_passage_rows(after=after, through=highest):
                vectors.apply((), rows)
            self.columns, self.stories, self.vectors = columns, stories, vectors
            self._add_missing_vectors()
            self._use(vectors.snapshot)
            self.at = Checkpoint(table.generation, highest)

    def _recorded_snapshot(self) -> VectorSnapshot:
        for _ in range(_OPEN_ATTEMPTS):
            stamp = self._stamp()
            record = SnapshotRecord.load(self._directory, self._legacy)
            if record is None:
                self._record_stamp = stamp
                return VectorSnapshot.empty(self._dim)
            try:
                snapshot = VectorSnapshot.open(
                    self._directory / record.file, self._dim, record.checkpoint
                )
            except FileNotFoundError:
                continue  # a compaction replaced it between the two reads: read the record again
            if stamp is None:
                self._adopt(record)
            self._record_stamp = self._stamp()
            return snapshot
        raise StoreUnavailableError("the vector snapshot keeps changing while it is opened")

    def _adopt(self, record: SnapshotRecord) -> None:
        """Record the snapshot an older newsdesk left (its checkpoint was kept in derived.json,
        which the lexical index's records now overwrite)."""
        if self._compaction_lock.try_acquire():  # else a compaction is writing a record anyway
            try:
                if self._stamp() is None:
                    record.save(self._directory)
            finally:
                self._compaction_lock.release()

    def _stamp(self) -> int | None:
        try:
            return (self._directory / RECORD_FILE).stat().st_mtime_ns
        except FileNotFoundError:
            return None

    def _add_missing_vectors(self) -> None:
        """Live passages neither the snapshot nor the delta holds: a snapshot older than its
        record (a save lost to a power cut, or an older newsdesk's file) is completed here."""
        live = self.columns.live_rowids()
        held, _ = self.vectors.delta()
        missing = live[~(self.vectors.snapshot.contains(live) | np.isin(live, held))]
        if missing.size:
            found = self._catalog.embeddings_for(missing.tolist())
            rowids = np.asarray(sorted(found), dtype=np.int64)
            if rowids.size:
                self.vectors.add_missing(rowids, np.vstack([found[r] for r in rowids.tolist()]))

    def sync(self) -> None:
        """Apply what any process committed since ``at``; then follow a newer snapshot."""
        with self._lock:
            at = replay(self._catalog, self.at, self._apply)
            if at is None:  # behind the pruned removal log: start over
                self.load()
            else:
                self.at = at
        self.follow_snapshot()

    def _apply(self, removed: Sequence[int], added: Sequence[PassageRow]) -> None:
        if removed:
            gone = np.asarray(removed, dtype=np.int64)
            gone = gone[self.columns.is_live(gone)]
            self._dead_in_snapshot += int(np.count_nonzero(self.vectors.snapshot.contains(gone)))
        self.columns.apply(removed, added)
        self.stories.apply(removed, added)
        self.vectors.apply(removed, added)

    def _use(self, snapshot: VectorSnapshot) -> None:
        """Search ``snapshot`` from now on (the caller holds the lock)."""
        snapshot.group_signs(self.columns.outlet_codes)  # before any search can see it
        self.vectors.use(snapshot)
        live = np.count_nonzero(self.columns.is_live(snapshot.rowids))
        self._dead_in_snapshot = len(snapshot) - int(live)

    def apply_write(self, generation: int, removed: list[int], added: list[PassageRow]) -> None:
        """This process's own committed write (the indexes were level before it)."""
        with self._lock:
            self._apply(removed, added)
            self.at = self.at.after(generation, [row.rowid for row in added])

    def follow_snapshot(self) -> None:
        """Search the newest recorded snapshot (another process may have compacted)."""
        stamp = self._stamp()
        if stamp == self._record_stamp:
            return
        with self._lock:
            record = SnapshotRecord.load(self._directory, self._legacy)
            current = self.vectors.snapshot.path
            if record is not None and (current is None or record.file != current.name):
                try:
                    snapshot = VectorSnapshot.open(
                        self._directory / record.file, self._dim, record.checkpoint
                    )
                except FileNotFoundError:
                    return  # replaced again meanwhile: the next search looks again
                self._use(snapshot)
            self._record_stamp = stamp

    # -- compaction -----------------------------------------------------------------------------

    def needs_compaction(self, rows: int) -> bool:
        """Enough rows in the delta, or enough dead rows in the snapshot, to rewrite it."""
        if self.vectors.delta_size >= rows:
            return True
        return self._dead_in_snapshot >= max(rows, len(self.vectors.snapshot) // 10)

    def compact(self) -> Checkpoint | None:
        """Fold the delta into a new snapshot file and record it. Returns the checkpoint the
        previous snapshot held (what may be pruned), or None when another process is
        compacting or there was nothing to do."""
        if not self._compaction_lock.try_acquire():
            return None
        try:
            self.follow_snapshot()  # start from the newest recorded file
            with self._lock:
                at, base = self.at, self.vectors.snapshot
                added = self.vectors.delta()
                dead = base.rowids[~self.columns.is_live(base.rowids)]
            if added[0].size == 0 and dead.size == 0:
                return None
            record = write_snapshot(self._directory, base, dead, added, at)
            record.save(self._directory)
            snapshot = VectorSnapshot.open(self._directory / record.file, self._dim, at)
            with self._lock:
                self._use(snapshot)
                self._record_stamp = self._stamp()
            remove_unrecorded(self._directory, {record.file})
            return base.checkpoint
        finally:
            self._compaction_lock.release()

    # -- reads ----------------------------------------------------------------------------------

    def dense_ranking(
        self,
        embedding: np.ndarray,
        top_k: int,
        filters: SearchFilters | None,
        *,
        admitted: np.ndarray | None = None,
        rejected: np.ndarray | None = None,
    ) -> list[tuple[int, float]]:
        """``admitted``/``rejected``: rowids the query's phrases admit and its exclusions reject
        (read from the lexical index; the filter columns know no text)."""
        return self.dense_rankings(embedding, top_k, [(filters, admitted, rejected)])[0]

    def dense_rankings(
        self, embedding: np.ndarray, top_k: int, searches: Sequence[TextConstrained]
    ) -> list[list[tuple[int, float]]]:
        """One ranking per (filters, admitted, rejected), as ``dense_ranking`` gives it (see
        ``VectorIndex.search_many``)."""
        columns, vectors = self.columns, self.vectors  # ``load`` may replace both meanwhile
        admitted_sets: list[Admitted] = []
        for filters, admitted, rejected in searches:
            if filters is None or filters.is_empty():
                admitted_sets.append(Admitted(columns.live_mask()))
                continue
            mask = columns.mask(filters)
            if admitted is not None:
                mask &= _rowid_mask(admitted, mask.size)
            if rejected is not None:
                mask &= ~_rowid_mask(rejected, mask.size)
            count = int(np.count_nonzero(mask))
            admitted_sets.append(Admitted(mask, count, columns.outlets_named(filters)))
        return vectors.search_many(embedding, top_k, admitted_sets)

    def passages(self) -> int:
        return self.columns.live_count()


def _rowid_mask(rowids: np.ndarray, size: int) -> np.ndarray:
    mask = np.zeros(size, dtype=bool)
    rowids = np.asarray(rowids, dtype=np.int64)
    mask[rowids[rowids < size]] = True
    return mask
