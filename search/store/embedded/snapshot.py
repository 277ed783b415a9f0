"""A saved vector index, opened read-only through a memory map and shared by every process.

The file is usearch's own (f16 vectors, then the HNSW graph). Opened as a *view*, it costs no
load time and no private memory: the pages live in the OS page cache, once for all processes on
the machine. The same file also gives exact search over any subset of passages: its vectors are
one contiguous (slots x dim) f16 matrix at the start of the file, and each graph node records its
key, so ``read_layout`` maps rowid -> slot -> row without copying a vector. The layout is checked
against usearch itself on open; a file that does not match is still searched through usearch,
only more slowly (``SnapshotLayoutError`` says why).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from usearch.index import Index

from search.store.embedded import signs
from search.store.embedded.state import Checkpoint

RECORD_FILE = "vectors.json"
LEGACY_FILE = "vectors.usearch"
_FREE_KEY = np.uint64(2**64 - 1)  # usearch's key for a slot freed by a removal
_MAGIC = b"usearch"
_HEAD_BYTES = 64  # usearch's index_dense_head_buffer_t
_GRAPH_HEADER = np.dtype(
    [(name, "<u8") for name in ("size", "connectivity", "base", "max_level", "entry")]
)
_LAYOUT_SAMPLES = 16
# usearch searches max(expansion_search, count) deep: at 1 the breadth of a search is the count
# it asks for, chosen per search (``search_breadth``) without touching the shared index.
_EXPANSION_BY_COUNT = 1


class SnapshotLayoutError(ValueError):
    """The file is a usearch index, but not laid out as ``read_layout`` expects."""


@dataclass(frozen=True)
class SnapshotRecord:
    """Which file holds the saved vectors, and the catalog checkpoint it holds exactly.

    Each save goes to a new file name, recorded only once the file is complete on disk, so the
    record never names a file newer or older than it says. A record from before this scheme
    names the single ``vectors.usearch`` with the checkpoint ``derived.json`` held for it; that
    file may be a little newer or older than it says, which opening reconciles (see the store).
    """

    file: str
    checkpoint: Checkpoint

    @classmethod
    def load(cls, directory: Path, legacy: Checkpoint) -> SnapshotRecord | None:
        try:
            data = json.loads((directory / RECORD_FILE).read_text())
            checkpoint = Checkpoint(int(data["generation"]), int(data["rowid"]))
            return cls(str(data["file"]), checkpoint)
        except FileNotFoundError:
            if (directory / LEGACY_FILE).exists() and not legacy.empty:
                return cls(LEGACY_FILE, legacy)
            return None
        except (ValueError, TypeError, KeyError):
            return None

    def save(self, directory: Path) -> None:
        data = {"file": self.file, **vars(self.checkpoint)}
        temporary = directory / f"{RECORD_FILE}.tmp"
        temporary.write_text(json.dumps(data))
        os.replace(temporary, directory / RECORD_FILE)

    @staticmethod
    def file_for(checkpoint: Checkpoint) -> str:
        return f"vectors-{checkpoint.generation:010d}-{checkpoint.rowid:012d}.usearch"


@dataclass(frozen=True)
class Layout:
    matrix: np.ndarray  # (slots, dim) float16, a view of the mapped file
    keys: np.ndarray  # (slots,) uint64: the rowid in each slot, _FREE_KEY where none


def read_layout(data: np.ndarray, dim: int) -> Layout:
    """Locate the vector matrix and each slot's key in a usearch file's bytes (format 2.x)."""
    rows, row_bytes = (int(value) for value in data[:8].view("<u4"))
    if row_bytes != dim * 2:
        raise SnapshotLayoutError(f"{row_bytes} bytes per vector, expected {dim} f16 values")
    offset = 8 + rows * row_bytes
    # A plain ndarray over the mapping (which it keeps alive), not a memmap: numpy's memmap
    # subclass makes every gather of rows out of it slower.
    matrix = np.asarray(data[8:offset]).view(np.float16).reshape(rows, dim)
    head = bytes(data[offset : offset + _HEAD_BYTES])
    if not head.startswith(_MAGIC) or head[len(_MAGIC)] != 2:
        raise SnapshotLayoutError("not a usearch 2.x file")
    offset += _HEAD_BYTES
    header = data[offset : offset + _GRAPH_HEADER.itemsize].view(_GRAPH_HEADER)[0]
    offset += _GRAPH_HEADER.itemsize
    if int(header["size"]) != rows:
        raise SnapshotLayoutError(f"{rows} vectors but {int(header['size'])} graph nodes")
    levels = data[offset : offset + 2 * rows].view("<i2").astype(np.int64)
    offset += 2 * rows
    # A node: its key (u64) and level (i16), then per level a u32 count and u32 neighbour slots.
    base = 4 + 4 * int(header["base"])
    upper = 4 + 4 * int(header["connectivity"])
    node_bytes = 10 + base + levels * upper
    starts = offset + np.concatenate(([0], np.cumsum(node_bytes)[:-1])).astype(np.int64)
    if rows and int(starts[-1] + node_bytes[-1]) != data.size:
        raise SnapshotLayoutError("node sizes do not add up to the file's length")
    keys = data[starts[:, None] + np.arange(8)].copy().view("<u8").reshape(-1)
    return Layout(matrix=matrix, keys=keys)


class VectorSnapshot:
    """The saved vectors: HNSW search, and exact search over any of its rows.

    Usage:
        snapshot = VectorSnapshot.open(Path("vectors-…usearch"), dim=384, checkpoint=at)
        rowids, similarities = snapshot.search(query, 50)
    """

    def __init__(
        self,
        dim: int,
        checkpoint: Checkpoint,
        path: Path | None = None,
        mapping: np.ndarray | None = None,
    ) -> None:
        self.dim = dim
        self.checkpoint = checkpoint
        self.path = path
        # One mapping of the file serves usearch and exact search alike (two would be counted
        # twice in the process's resident memory); usearch reads it in place, so it must live
        # as long as the index does.
        self._mapping = mapping
        self.index: Index | None = None
        self.layout: Layout | None = None
        self.slot_of = np.full(0, -1, dtype=np.int64)
        self.rowids = np.zeros(0, dtype=np.int64)
        # Sign codes, for filtered searches between exact and HNSW (``signs``): read with the
        # layout, searchable once grouped by outlet (``group_signs``)
        self._slot_signs: np.ndarray | None = None
        self.signs: signs.GroupedSigns | None = None
        if mapping is not None:
            index = Index.restore(mapping, view=True)
            if index is not None and index.ndim == dim and len(index):
                index.expansion_search = _EXPANSION_BY_COUNT
                self.index = index
                self.rowids = np.sort(np.asarray(index.keys, dtype=np.uint64).astype(np.int64))
                self._map_slots(mapping)

    @classmethod
    def empty(cls, dim: int) -> VectorSnapshot:
        return cls(dim, Checkpoint())

    @classmethod
    def open(cls, path: Path, dim: int, checkpoint: Checkpoint) -> VectorSnapshot:
        """Raises FileNotFoundError when a compaction replaced the file meanwhile."""
        return cls(dim, checkpoint, path, np.memmap(path, dtype=np.uint8, mode="r"))

    def _map_slots(self, mapping: np.ndarray) -> None:
        try:
            layout = read_layout(mapping, self.dim)
            self._check(layout)
        except SnapshotLayoutError:
            return  # exact search goes through usearch's own lookups instead
        present = layout.keys != _FREE_KEY
        slots = np.flatnonzero(present)
        keys = layout.keys[present].astype(np.int64)
        slot_of = np.full(int(keys.max()) + 1 if keys.size else 0, -1, dtype=np.int64)
        slot_of[keys] = slots
        self.layout, self.slot_of = layout, slot_of
        if self.path is not None:
            self._slot_signs = signs.load_or_compute(self.path)

    def group_signs(self, group_of: Callable[[np.ndarray], np.ndarray]) -> None:
        """Make the sign codes searchable, ordered by ``group_of(rowids)`` (the outlet's code)
        so that a filter naming outlets reads its codes as blocks. Before this, searches that
        would use them take HNSW or exact search instead."""
        if self.layout is None:
            return
        if self._slot_signs is not None:
            codes = self._slot_signs
        elif self.signs is not None:
            codes = self.signs.in_slot_order()
        else:
            return
        slot_rowids = self.layout.keys.astype(np.int64)  # a free slot's key reads as -1
        groups = np.zeros(slot_rowids.size, dtype=np.int64)
        present = slot_rowids >= 0
        groups[present] = group_of(slot_rowids[present])
        self.signs = signs.GroupedSigns(codes, slot_rowids, groups)
        self._slot_signs = None  # held once, grouped

    def _check(self, layout: Layout) -> None:
        """A sample of slots must hold exactly what usearch returns for their keys."""
        assert self.index is not None
        present = np.flatnonzero(layout.keys != _FREE_KEY)
        if present.size != len(self.index):
            raise SnapshotLayoutError("the file's keys disagree with the index's size")
        sample = present[:: max(1, present.size // _LAYOUT_SAMPLES)][:_LAYOUT_SAMPLES]
        for slot in sample:
            stored = self.index.get(int(layout.keys[slot]), dtype=np.float16)
            if stored is None or not np.array_equal(np.ravel(stored), layout.matrix[slot]):
                raise SnapshotLayoutError("a slot's vector differs from usearch's for its key")

    def __len__(self) -> int:
        return int(self.rowids.size)

    def contains(self, rowids: np.ndarray) -> np.ndarray:
        if self.rowids.size == 0:
            return np.zeros(rowids.shape, dtype=bool)
        found = np.searchsorted(self.rowids, rowids)
        found[found >= self.rowids.size] = 0
        return self.rowids[found] == rowids

    def search(self, query: np.ndarray, count: int) -> tuple[np.ndarray, np.ndarray]:
        """(rowids, cosine similarities) of the ``count`` nearest by an HNSW search ``count``
        wide, best first."""
        if self.index is None or not len(self):
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        matches = self.index.search(query, min(count, len(self)))
        return matches.keys.astype(np.int64), 1.0 - matches.distances

    def slots(self, rowids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(the rowids held here, their slots) among ``rowids``; needs the layout."""
        slots = np.full(rowids.shape, -1, dtype=np.int64)
        inside = rowids < self.slot_of.size
        slots[inside] = self.slot_of[rowids[inside]]
        found = slots >= 0
        return rowids[found], slots[found]

    def vectors(self, rowids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(the rowids held here, their f16 vectors) among ``rowids``, for exact search."""
        if self.layout is not None:
            held, slots = self.slots(rowids)
            # In file order: neighbouring rows share pages. ``take`` copies whole rows, ~1.5x
            # faster than fancy indexing.
            order = np.argsort(slots, kind="stable")
            return held[order], np.take(self.layout.matrix, slots[order], axis=0)
        held = rowids[self.contains(rowids)]
        if held.size == 0 or self.index is None:
            return held, np.zeros((0, self.dim), dtype=np.float16)
        stored = self.index.get(held.astype(np.uint64), dtype=np.float16)
        return held, np.vstack(stored).astype(np.float16)
