"""Sign codes: each snapshot vector as one bit per dimension, for filtered dense search.

A filter that admits too many passages for exact search (gathering every admitted f16 row out
of the mapped snapshot costs ~0.5 ms per thousand at a million passages) and too few for HNSW
(which has to over-fetch by 1 / selectivity: ~16 ms for 800 results) is searched in two steps:
the Hamming distance between sign codes over every admitted passage (48 bytes each at 384
dimensions, all held in memory), then exact cosine over the nearest ones.

On real MiniLM vectors the sign codes keep the exact ranking: over the 16,045 MultiHop-RAG and
SciFact passages and 800 of their questions (torch), rescoring the 1,000 nearest codes returns
99.5 % of the exact top 50 and 99.9 % of the exact top 10 (rescoring 500: 98.0 % and 99.6 %),
measured with ``benchmarks/sign_codes_recall.py``.

The codes of a snapshot are kept in a file beside it (``vectors-….signs``), written when the
snapshot is, so that opening a large store does not have to read every vector again.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

SUFFIX = ".signs"
_MATRIX_OFFSET = 8  # usearch's file: u32 rows, u32 bytes per row, then the f16 matrix
_READ_ROWS = 65_536  # rows per read while computing a file's codes: ~48 MB at 384 f16 values
# How many codes, at least, are rescored per result asked for, and per admitted passage: the
# share rescored must not shrink as the admitted set grows, or recall would.
RESCORE_PER_RESULT = 20
RESCORE_SHARE = 32


def sign_codes(vectors: np.ndarray) -> np.ndarray:
    """(rows, words) uint64: bit i of a row is set when its vector's i-th value is positive."""
    bits = np.packbits(np.asarray(vectors) > 0, axis=1)
    padding = (-bits.shape[1]) % 8
    if padding:
        bits = np.pad(bits, ((0, 0), (0, padding)))
    return np.ascontiguousarray(bits).view(np.uint64)


def rescore_depth(admitted: int, top_k: int) -> int:
    """How many of the nearest codes to score exactly."""
    return min(admitted, max(RESCORE_PER_RESULT * top_k, admitted // RESCORE_SHARE))


def nearest(words: np.ndarray, query_code: np.ndarray, count: int) -> np.ndarray:
    """Positions of the ``count`` codes nearest ``query_code`` (in no order), among codes
    given word by word: ``words[w]`` holds every code's w-th word, so each step below runs
    over contiguous memory (three times faster than over (codes, words) rows)."""
    distances = np.bitwise_count(words[0] ^ query_code[0]).astype(np.uint16)
    for word, query_word in zip(words[1:], query_code[1:], strict=True):
        distances += np.bitwise_count(word ^ query_word)
    if count >= distances.size:
        return np.arange(distances.size)
    # A distance is a small integer: count each value and cut where the count is reached,
    # ties at the cut taken in position order (4x faster than ``argpartition``, and stable).
    reached = np.cumsum(np.bincount(distances))
    cut = int(np.searchsorted(reached, count))
    below = np.flatnonzero(distances < cut)
    at_cut = np.flatnonzero(distances == cut)[: count - below.size]
    return np.concatenate((below, at_cut))


def sidecar(snapshot: Path) -> Path:
    return snapshot.with_suffix(SUFFIX)


def load_or_compute(snapshot: Path) -> np.ndarray:
    """The codes of a usearch file's f16 vectors, one row per slot: from its sidecar when that
    is whole, else computed (and the sidecar written, if possible)."""
    with open(snapshot, "rb") as handle:
        rows, row_bytes = (int(value) for value in np.frombuffer(handle.read(8), dtype="<u4"))
    dim = row_bytes // 2
    words = (dim + 63) // 64
    try:
        codes = np.fromfile(sidecar(snapshot), dtype=np.uint64)
        if codes.size == rows * words:
            return codes.reshape(rows, words)
    except (OSError, ValueError):
        pass
    codes = _computed(snapshot, rows, dim)
    with contextlib.suppress(OSError):  # a read-only store: compute again next time
        save(snapshot, codes)
    return codes


def save(snapshot: Path, codes: np.ndarray) -> None:
    """Write ``snapshot``'s sidecar; a reader sees either no file or a whole one."""
    target = sidecar(snapshot)
    temporary = target.with_suffix(f"{SUFFIX}.tmp")
    codes.tofile(temporary)
    os.replace(temporary, target)


def _computed(snapshot: Path, rows: int, dim: int) -> np.ndarray:
    """Read with ``pread`` rather than through the snapshot's memory map: the pages read stay
    in the page cache and never count in this process's resident memory."""
    words = (dim + 63) // 64
    codes = np.empty((rows, words), dtype=np.uint64)
    row_bytes = dim * 2
    with open(snapshot, "rb") as handle:
        for start in range(0, rows, _READ_ROWS):
            count = min(_READ_ROWS, rows - start)
            data = os.pread(handle.fileno(), count * row_bytes, _MATRIX_OFFSET + start * row_bytes)
            block = np.frombuffer(data, dtype=np.float16).reshape(count, dim)
            codes[start : start + count] = sign_codes(block)
    return codes


class GroupedSigns:
    """A snapshot's sign codes ordered by a key per passage (its outlet), so that the codes of
    a filter naming outlets are read as contiguous blocks instead of gathered one by one
    (~2 ms for 130,000 codes scattered over 48 MB). Held word by word (see ``nearest``).

    Usage:
        grouped = GroupedSigns(codes, slot_rowids, outlet_of_slot)
        rowids, words = grouped.among_groups([3], mask)
        words = grouped.among_slots(slots)
    """

    def __init__(self, codes: np.ndarray, slot_rowids: np.ndarray, slot_groups: np.ndarray) -> None:
        present = np.flatnonzero(slot_rowids >= 0)
        order = present[np.argsort(slot_groups[present], kind="stable")]
        self.words = np.ascontiguousarray(codes[order].T)
        self.rowids = slot_rowids[order]
        self.position_of_slot = np.full(slot_rowids.size, -1, dtype=np.int64)
        self.position_of_slot[order] = np.arange(order.size)
        groups = slot_groups[order]
        edges = np.flatnonzero(np.diff(groups)) + 1
        starts = np.concatenate(([0], edges)).astype(np.int64)
        ends = np.concatenate((edges, [groups.size])).astype(np.int64)
        self._blocks = {
            int(groups[start]): (int(start), int(end))
            for start, end in zip(starts, ends, strict=True)
            if end > start
        }

    def in_slot_order(self) -> np.ndarray:
        """(slots, words) codes as the snapshot file orders them (zeros for a free slot)."""
        codes = np.zeros((self.position_of_slot.size, self.words.shape[0]), dtype=np.uint64)
        placed = np.flatnonzero(self.position_of_slot >= 0)
        codes[placed] = self.words[:, self.position_of_slot[placed]].T
        return codes

    def among_slots(self, slots: np.ndarray) -> np.ndarray:
        """The codes of these slots, in their order, word by word."""
        return np.take(self.words, self.position_of_slot[slots], axis=1)

    def among_groups(
        self, groups: Sequence[int], mask: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """(rowids, codes word by word) of the passages in ``groups`` that ``mask`` admits."""
        rowids, words = [], []
        for group in groups:
            if group not in self._blocks:
                continue
            start, end = self._blocks[group]
            block = self.rowids[start:end]
            keep = np.zeros(block.size, dtype=bool)
            inside = block < mask.size
            keep[inside] = mask[block[inside]]
            if keep.all():  # the usual case, an outlet and nothing narrower: no copy
                rowids.append(block)
                words.append(self.words[:, start:end])
            else:
                kept = np.flatnonzero(keep)
                rowids.append(block[kept])
                words.append(np.take(self.words[:, start:end], kept, axis=1))
        if not rowids:
            return np.zeros(0, dtype=np.int64), np.zeros((self.words.shape[0], 0), np.uint64)
        if len(rowids) == 1:
            return rowids[0], words[0]
        return np.concatenate(rowids), np.concatenate(words, axis=1)
