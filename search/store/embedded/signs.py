"""Sign codes: each snapshot vector as one bit per dimension, for filtered dense search.

A filter that admits too many passages for exact search (gathering every admitted f16 row out
of the mapped snapshot costs ~0.5 ms per thousand at a million passages) and too few for HNSW
(which has to over-fetch by 1 / selectivity: ~16 ms for 800 results) is searched in two steps:
the Hamming distance between sign codes over every admitted passage (48 bytes each at 384
dimensions, all held in memory), then exact cosine over the nearest ones.

On real MiniLM vectors the sign codes keep the exact ranking: over the 16,045 MultiHop-RAG and
SciFact passages and 798 of their questions, rescoring the 1,000 nearest codes returns 99.5 % of
the exact top 50 and 99.9 % of the exact top 10 (rescoring 500: 98.0 % and 99.6 %); see
benchmarks/README.md for the command.

The codes of a snapshot are kept in a file beside it (``vectors-….signs``), written when the
snapshot is, so that opening a large store does not have to read every vector again.
"""

from __future__ import annotations

import contextlib
import os
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


def nearest(codes: np.ndarray, query_code: np.ndarray, count: int) -> np.ndarray:
    """Positions in ``codes`` of the ``count`` codes nearest ``query_code`` (in no order)."""
    distances = np.bitwise_count(codes ^ query_code).sum(axis=1, dtype=np.uint16)
    if count >= distances.size:
        return np.arange(distances.size)
    return np.argpartition(distances, count)[:count]


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
