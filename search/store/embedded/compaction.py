"""Folding the rows added since the vector snapshot into a new one, off the write path.

A write only appends its vectors to each process's in-memory delta; the snapshot file (~0.9 GB
at a million passages) is rewritten only here, when the delta has grown large: the old snapshot
is loaded into memory, passages removed since are dropped, the delta is inserted into the HNSW
graph, and the result is written under a new name, fsynced, and only then recorded. A crash
anywhere leaves the previous record naming the previous, complete file.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
from usearch.index import Index

from search.store.embedded import signs
from search.store.embedded.snapshot import RECORD_FILE, SnapshotRecord, VectorSnapshot
from search.store.embedded.state import Checkpoint

# Insertion is most of a build; at 64 instead of usearch's 128 it costs 40% less CPU per vector,
# with recall@10 still 1.000 on 8,145 real MiniLM passage vectors (benchmarks/README.md).
EXPANSION_ADD = 64
_DTYPE = "f16"  # half the memory of f32; cosine rankings are unchanged at this precision


def empty_index(dim: int) -> Index:
    return Index(
        ndim=dim,
        metric="cos",
        dtype=_DTYPE,
        connectivity=16,
        expansion_add=EXPANSION_ADD,
    )


def write_snapshot(
    directory: Path,
    base: VectorSnapshot,
    dead: np.ndarray,
    added: tuple[np.ndarray, np.ndarray],
    checkpoint: Checkpoint,
) -> SnapshotRecord:
    """Write ``base`` minus the ``dead`` rowids plus the ``added`` (rowids, vectors) as the
    snapshot of ``checkpoint``; returns its record (not yet saved: the caller records it)."""
    index = _loaded(base)
    if dead.size:
        index.remove(dead.astype(np.uint64))
    rowids, vectors = added
    if rowids.size:
        index.add(rowids.astype(np.uint64), np.ascontiguousarray(vectors))
    record = SnapshotRecord(SnapshotRecord.file_for(checkpoint), checkpoint)
    _save_durably(index, directory / record.file)
    signs.load_or_compute(directory / record.file)  # so that no reader has to
    return record


def _loaded(base: VectorSnapshot) -> Index:
    """A writable, in-memory copy of the base snapshot (a view cannot be changed)."""
    if base.path is None or base.index is None:
        return empty_index(base.dim)
    index = Index.restore(str(base.path))
    if index is None:
        return empty_index(base.dim)
    index.expansion_add = EXPANSION_ADD
    return index


def _save_durably(index: Index, path: Path) -> None:
    temporary = path.with_suffix(".tmp")
    index.save(str(temporary))
    with open(temporary, "rb") as handle:
        os.fsync(handle.fileno())
    os.replace(temporary, path)
    # The rename itself must reach the disk, or a power cut could lose the new name.
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def remove_unrecorded(directory: Path, keep: set[str]) -> None:
    """Delete snapshot files no record names (superseded, or left by a crash mid-save).

    A process still searching an old file keeps its mapping: on POSIX the data stays until the
    last mapping goes.
    """
    kept_signs = {signs.sidecar(Path(name)).name for name in keep}
    for path in [*directory.glob("vectors*.usearch"), *directory.glob("vectors*.tmp")]:
        if path.name not in keep and not path.name.startswith(RECORD_FILE):
            path.unlink(missing_ok=True)
    for path in directory.glob(f"vectors*{signs.SUFFIX}"):
        if path.name not in kept_signs:
            path.unlink(missing_ok=True)
