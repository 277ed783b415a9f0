"""Dense vectors in a usearch HNSW index, keyed by catalog rowid, saved atomically to one file.

Every process holds its own copy in memory and keeps it level with the catalog itself (see
``changes``); the file only spares a process that opens the store from replaying everything.
"""

from __future__ import annotations

import os
import threading
import warnings
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
from usearch.index import Index

from search.store.embedded.catalog import PassageRow

# Below this many admitted passages a filtered query is answered exactly, by brute force.
EXACT_SEARCH_LIMIT = 50_000
_DTYPE = "f16"
# usearch's default search breadth (64) missed ~1% of the exact top 10 on MultiHop-RAG; at 256
# the HNSW results match exact cosine far more closely, for well under a millisecond more.
_EXPANSION_SEARCH = 256
# Insertion is most of a build; at 64 instead of 128 it costs 40% less CPU per vector, with
# recall@10 still 1.000 on 8,145 real MiniLM passage vectors (benchmarks/README.md).
_EXPANSION_ADD = 64  # half the memory of f32; cosine rankings are unchanged at this precision


class VectorIndex:
    def __init__(self, path: Path, dim: int) -> None:
        self._path = path
        self._dim = dim
        self._lock = threading.RLock()
        self._dirty = False
        self._index = self._load()

    def _empty(self) -> Index:
        return Index(
            ndim=self._dim,
            metric="cos",
            dtype=_DTYPE,
            connectivity=16,
            expansion_add=_EXPANSION_ADD,
            expansion_search=_EXPANSION_SEARCH,
        )

    def _load(self) -> Index:
        if self._path.exists():
            index = Index.restore(str(self._path))
            if index is not None and index.ndim == self._dim:
                index.expansion_search = _EXPANSION_SEARCH
                return index
        return self._empty()

    def __len__(self) -> int:
        return len(self._index)

    def keys(self) -> np.ndarray:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            return np.asarray(self._index.keys, dtype=np.uint64)

    def apply(self, removed: Sequence[int], added: Sequence[PassageRow]) -> None:
        """Remove and add passages by rowid. Rows already held are skipped (a rowid is never
        reused, so its vector never changes): replaying changes twice is harmless."""
        with self._lock:
            if removed:
                self._index.remove(np.asarray(removed, dtype=np.uint64))
            if added:
                keys = np.asarray([row.rowid for row in added], dtype=np.uint64)
                new = ~np.asarray(self._index.contains(keys), dtype=bool).reshape(-1)
                if new.any():
                    vectors = np.vstack([row.embedding for row in added])
                    self._index.add(keys[new], vectors[new])
            self._dirty = self._dirty or bool(removed or added)

    def add_rows(self, batches: Iterable[Sequence[PassageRow]]) -> None:
        for batch in batches:
            self.apply((), batch)

    def reset(self) -> None:
        with self._lock:
            self._index = self._empty()
            self._dirty = True

    def reload(self) -> None:
        with self._lock:
            self._index = self._load()
            self._dirty = False

    def save(self) -> None:
        """Write to a temporary file and rename, so readers never see half an index."""
        with self._lock:
            if not self._dirty:
                return
            temporary = self._path.with_suffix(".tmp")
            self._index.save(str(temporary))
            with open(temporary, "rb") as handle:
                os.fsync(handle.fileno())
            os.replace(temporary, self._path)
            # The rename itself must reach the disk, or a power cut could bring back the old file.
            directory = os.open(self._path.parent, os.O_RDONLY)
            try:
                os.fsync(directory)
            finally:
                os.close(directory)
            self._dirty = False

    def search(self, query: np.ndarray, top_k: int) -> list[tuple[int, float]]:
        """(rowid, cosine similarity) pairs, best first."""
        if len(self._index) == 0:
            return []
        matches = self._index.search(np.asarray(query, dtype=np.float32), top_k)
        return [
            (int(key), 1.0 - float(distance))
            for key, distance in zip(matches.keys, matches.distances, strict=True)
        ]

    def search_among(
        self, query: np.ndarray, rowids: np.ndarray, top_k: int
    ) -> list[tuple[int, float]]:
        """Exact cosine over a subset (a filter's admitted passages)."""
        if rowids.size == 0:
            return []
        with self._lock:
            present = rowids[self._index.contains(rowids)]
            if present.size == 0:
                return []
            vectors = np.vstack(self._index.get(present)).astype(np.float32)
        similarities = vectors @ (np.asarray(query, dtype=np.float32) / np.linalg.norm(query))
        similarities /= np.maximum(np.linalg.norm(vectors, axis=1), 1e-12)
        best = np.argsort(-similarities)[:top_k]
        return [(int(present[i]), float(similarities[i])) for i in best]
