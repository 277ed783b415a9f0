"""The dense leg in one process: the saved snapshot (mapped, HNSW) plus the rows added since.

Rows added after the snapshot's checkpoint live in a small in-memory matrix searched exactly,
so a write never touches the snapshot file: a compaction folds them in when there are enough
(see ``compaction``). Removed passages are not taken out of either part; every search is given
the filter columns' mask, in which they are dead.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from usearch.index import search as exact_search

from search.store.embedded import signs
from search.store.embedded.catalog import PassageRow
from search.store.embedded.snapshot import VectorSnapshot
from search.store.search_breadth import candidates

# Up to this many admitted passages a filtered search is exact: gathering their rows out of the
# mapped snapshot and scoring them all costs ~0.5 ms per thousand at a million passages.
EXACT_SEARCH_LIMIT = 10_000
# Above it, a filtered search compares sign codes (``signs``) or asks HNSW for top_k /
# selectivity results, whichever costs less. Measured at a million passages: per admitted
# passage the codes cost ~0.02 us read as outlet blocks, ~0.04 us gathered one by one; HNSW
# ~0.02 ms per result beyond its search breadth.
_SIGNS_MS_PER_ADMITTED = {True: 0.02e-3, False: 0.04e-3}  # by outlet blocks?
_HNSW_MS_PER_RESULT = 0.02
# HNSW over-fetch for a filtered search: ask for top_k / selectivity, times this margin.
_OVERFETCH = 1.5
_WIDEN = 4


@dataclass(frozen=True)
class Delta:
    """Rows added since the snapshot, rowids ascending; replaced whole when it grows."""

    rowids: np.ndarray  # int64, first ``size`` entries valid
    matrix: np.ndarray  # float16, (capacity, dim)
    size: int

    @classmethod
    def empty(cls, dim: int, capacity: int = 256) -> Delta:
        return cls(
            np.zeros(capacity, dtype=np.int64), np.zeros((capacity, dim), dtype=np.float16), 0
        )

    def valid(self) -> tuple[np.ndarray, np.ndarray]:
        return self.rowids[: self.size], self.matrix[: self.size]

    def appended(self, rowids: np.ndarray, vectors: np.ndarray) -> Delta:
        size = self.size + rowids.size
        if size <= self.rowids.size:
            # In place: a reader holding this Delta only looks at its first ``self.size`` rows.
            self.rowids[self.size : size] = rowids
            self.matrix[self.size : size] = vectors
            return Delta(self.rowids, self.matrix, size)
        capacity = max(size, 2 * self.rowids.size)
        grown = Delta.empty(self.matrix.shape[1], capacity)
        grown.rowids[: self.size] = self.rowids[: self.size]
        grown.matrix[: self.size] = self.matrix[: self.size]
        return Delta(grown.rowids, grown.matrix, self.size).appended(rowids, vectors)

    def after(self, rowid: int) -> Delta:
        """Only the rows above ``rowid`` (a new snapshot holds the others)."""
        held, matrix = self.valid()
        keep = held > rowid
        fresh = Delta.empty(self.matrix.shape[1], max(256, int(keep.sum())))
        return fresh.appended(held[keep], matrix[keep])


@dataclass(frozen=True)
class Admitted:
    """The passages one search may return: ``mask`` (index = rowid); how many it admits when
    it narrows more than liveness does (a filter; None when unfiltered); and the outlet codes
    it is limited to, when its filter names outlets (which lets sign codes be read by block).
    """

    mask: np.ndarray
    admitted: int | None = None
    outlets: Sequence[int] | None = None

    @property
    def selectivity(self) -> float:
        return 1.0 if self.admitted is None else self.admitted / max(int(self.mask.size), 1)


class VectorIndex:
    """Usage:
    vectors = VectorIndex(dim=384)
    vectors.apply([], rows)
    vectors.search(query, 10, mask=columns.mask(None))  # [(rowid, cosine), ...]
    """

    def __init__(self, dim: int) -> None:
        self.dim = dim
        self.snapshot = VectorSnapshot.empty(dim)
        self._delta = Delta.empty(dim)
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self.snapshot) + self._delta.size

    @property
    def delta_size(self) -> int:
        return self._delta.size

    def delta(self) -> tuple[np.ndarray, np.ndarray]:
        """(rowids, f16 vectors) added since the snapshot, as of now."""
        return self._delta.valid()

    def use(self, snapshot: VectorSnapshot) -> VectorSnapshot:
        """Search ``snapshot`` from now on; rows it holds leave the delta. Returns the old one."""
        with self._lock:
            previous, self.snapshot = self.snapshot, snapshot
            self._delta = self._delta.after(snapshot.checkpoint.rowid)
            return previous

    def apply(self, removed: Sequence[int], added: Sequence[PassageRow]) -> None:
        """Add rows not held yet (replaying twice is harmless: a rowid's vector never changes).
        Removals are the filter columns' business: a dead rowid is masked out of every search."""
        if not added:
            return
        with self._lock:
            rowids = np.fromiter((row.rowid for row in added), dtype=np.int64, count=len(added))
            held, _ = self._delta.valid()
            new = ~self.snapshot.contains(rowids)
            if held.size:
                new &= rowids > held[-1]
            if new.any():
                vectors = np.vstack([row.embedding for row in added]).astype(np.float16)
                self._delta = self._delta.appended(rowids[new], vectors[new])

    def add_missing(self, rowids: np.ndarray, vectors: np.ndarray) -> None:
        """Repair: rows the snapshot lacks although it should hold them (a lost save)."""
        with self._lock:
            held, matrix = self._delta.valid()
            merged = np.concatenate([held, rowids])
            order = np.argsort(merged, kind="stable")
            fresh = Delta.empty(self.dim, max(256, merged.size))
            self._delta = fresh.appended(
                merged[order], np.vstack([matrix, vectors.astype(np.float16)])[order]
            )

    # -- search ---------------------------------------------------------------------------------

    def search(
        self, query: np.ndarray, top_k: int, *, mask: np.ndarray, admitted: int | None = None
    ) -> list[tuple[int, float]]:
        """(rowid, cosine) pairs, best first, among the rowids ``mask`` admits.

        ``admitted``: how many rowids the mask admits when it narrows more than liveness does
        (a filter); None for an unfiltered search.
        """
        return self.search_many(query, top_k, [Admitted(mask, admitted)])[0]

    def search_many(
        self, query: np.ndarray, top_k: int, searches: Sequence[Admitted]
    ) -> list[list[tuple[int, float]]]:
        """``search`` for each set of admitted passages, all against one snapshot. A filtered
        search is exact up to ``EXACT_SEARCH_LIMIT`` admitted passages; above it, by sign codes
        where they cost less than HNSW. The filtered searches left to HNSW share one, deep
        enough for the narrowest of them (an unfiltered one keeps its own: its depth is top_k).
        """
        query = np.asarray(query, dtype=np.float32)
        snapshot, delta = self.snapshot, self._delta  # one consistent pair for these searches
        results: list[list[tuple[int, float]] | None] = [None] * len(searches)
        for index, search in enumerate(searches):
            admitted = search.admitted
            if admitted == 0:
                results[index] = []
            elif admitted is not None and admitted <= EXACT_SEARCH_LIMIT:
                results[index] = self._exact(query, top_k, search.mask, snapshot, delta)
            elif admitted is not None and _signs_pay(snapshot, search, top_k):
                results[index] = self._by_signs(query, top_k, search, snapshot, delta)
        shared = [
            index
            for index, search in enumerate(searches)
            if results[index] is None and search.admitted is not None
        ]
        if len(shared) > 1:
            masks = [searches[index].mask for index in shared]
            narrowest = min(searches[index].admitted or 0 for index in shared)
            approximate = self._approximate_many(
                query, top_k, masks, snapshot, narrowest / max(int(masks[0].size), 1)
            )
            for index, mask, found in zip(shared, masks, approximate, strict=True):
                results[index] = _best([self._in_delta(query, top_k, mask, delta), found], top_k)
        for index, search in enumerate(searches):
            if results[index] is not None:
                continue
            mask = search.mask
            selectivity = search.selectivity
            found = self._approximate_many(query, top_k, [mask], snapshot, selectivity)[0]
            results[index] = _best([self._in_delta(query, top_k, mask, delta), found], top_k)
        return [found or [] for found in results]

    @staticmethod
    def _in_delta(
        query: np.ndarray, top_k: int, mask: np.ndarray, delta: Delta
    ) -> list[tuple[int, float]]:
        held, matrix = delta.valid()
        keep = within(mask, held)
        return _exact_among(query, held[keep], matrix[keep], top_k)

    def _exact(
        self,
        query: np.ndarray,
        top_k: int,
        mask: np.ndarray,
        snapshot: VectorSnapshot,
        delta: Delta,
    ) -> list[tuple[int, float]]:
        base_rowids, base_vectors = snapshot.vectors(np.flatnonzero(mask))
        return _best(
            [
                _exact_among(query, base_rowids, base_vectors, top_k),
                self._in_delta(query, top_k, mask, delta),
            ],
            top_k,
        )

    def _by_signs(
        self,
        query: np.ndarray,
        top_k: int,
        search: Admitted,
        snapshot: VectorSnapshot,
        delta: Delta,
    ) -> list[tuple[int, float]]:
        """The admitted snapshot rows nearest by sign codes, scored exactly, with the delta's."""
        grouped = snapshot.signs
        assert grouped is not None and search.admitted is not None
        if search.outlets is not None:
            rowids, codes = grouped.among_groups(search.outlets, search.mask)
        else:
            rowids, slots = snapshot.slots(np.flatnonzero(search.mask))
            codes = grouped.among_slots(slots)
        depth = signs.rescore_depth(search.admitted, top_k)
        candidates = rowids[signs.nearest(codes, signs.sign_codes(query[None, :])[0], depth)]
        base_rowids, base_vectors = snapshot.vectors(candidates)
        return _best(
            [
                _exact_among(query, base_rowids, base_vectors, top_k),
                self._in_delta(query, top_k, search.mask, delta),
            ],
            top_k,
        )

    def _approximate_many(
        self,
        query: np.ndarray,
        top_k: int,
        masks: Sequence[np.ndarray],
        snapshot: VectorSnapshot,
        selectivity: float,
    ) -> list[list[tuple[int, float]]]:
        """HNSW over the snapshot, asking deep enough that top_k rows each mask admits come
        back (``selectivity``: the narrowest mask's share of the rowids), and never narrower
        than Elasticsearch's kNN looks for top_k."""
        size = len(snapshot)
        deep_enough = int(top_k / max(selectivity, 1e-6) * _OVERFETCH) + 16
        count = min(size, max(candidates(top_k), deep_enough))
        found: list[list[tuple[int, float]] | None] = [None] * len(masks)
        while count < size:
            rowids, similarities = snapshot.search(query, count)
            for index, mask in enumerate(masks):
                if found[index] is not None:
                    continue
                keep = within(mask, rowids)
                if keep.sum() >= top_k:
                    kept, scores = rowids[keep][:top_k], similarities[keep][:top_k]
                    found[index] = list(zip(kept.tolist(), scores.tolist(), strict=True))
            if all(ranking is not None for ranking in found):
                break
            count = min(size, count * _WIDEN)
        # A search as deep as the snapshot reads every row: exactly, since HNSW may not reach
        # them all (near-duplicate passages can leave a node no other links to).
        return [
            ranking
            if ranking is not None
            else _exact_among(query, *snapshot.vectors(np.flatnonzero(mask)), top_k)
            for ranking, mask in zip(found, masks, strict=True)
        ]


def _signs_pay(snapshot: VectorSnapshot, search: Admitted, top_k: int) -> bool:
    """Sign codes cost less than HNSW for this filtered search."""
    admitted = search.admitted
    if snapshot.signs is None or not len(snapshot) or not admitted:
        return False
    results = max(candidates(top_k), top_k * len(snapshot) / admitted * _OVERFETCH)
    per_admitted = _SIGNS_MS_PER_ADMITTED[search.outlets is not None]
    return admitted * per_admitted < results * _HNSW_MS_PER_RESULT


def within(mask: np.ndarray, rowids: np.ndarray) -> np.ndarray:
    inside = rowids < mask.size
    keep = np.zeros(rowids.shape, dtype=bool)
    keep[inside] = mask[rowids[inside]]
    return keep


def _exact_among(
    query: np.ndarray, rowids: np.ndarray, vectors: np.ndarray, top_k: int
) -> list[tuple[int, float]]:
    if rowids.size == 0:
        return []
    matches = exact_search(
        np.ascontiguousarray(vectors),
        query.astype(np.float16),
        min(top_k, rowids.size),
        "cos",
        exact=True,
        threads=1,
    )
    keys = np.asarray(matches.keys, dtype=np.int64)
    return list(zip(rowids[keys].tolist(), (1.0 - matches.distances).tolist(), strict=True))


def _best(parts: list[list[tuple[int, float]]], top_k: int) -> list[tuple[int, float]]:
    """Merge rankings, best first; a rowid in two parts (a snapshot newer than its record)
    counts once."""
    merged: dict[int, float] = {}
    for part in parts:
        for rowid, similarity in part:
            merged.setdefault(rowid, similarity)
    return sorted(merged.items(), key=lambda pair: -pair[1])[:top_k]
