"""Sign codes: one bit per dimension, the Hamming-nearest rescored exactly, kept beside the
snapshot they describe."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from search.store.embedded import EmbeddedStore, signs
from search.store.embedded.compaction import remove_unrecorded
from search.store.embedded.snapshot import VectorSnapshot
from tests.store.corpus import DIM, numbered


def test_a_code_holds_the_sign_of_each_value() -> None:
    vectors = np.array([[0.5, -0.1, 0.0, 2.0] * 24, [-1.0] * 96], dtype=np.float32)
    codes = signs.sign_codes(vectors)
    assert codes.shape == (2, 2)  # 96 bits, padded to two 64-bit words
    bits = np.unpackbits(codes.view(np.uint8), axis=1)
    assert bits[0, :96].tolist() == [1, 0, 0, 1] * 24
    assert not bits[1].any() and not bits[0, 96:].any()


def test_nearest_are_the_codes_fewest_bits_away() -> None:
    rng = np.random.default_rng(7)
    vectors = rng.standard_normal((200, 64)).astype(np.float32)
    query = vectors[17] + 0.05 * rng.standard_normal(64).astype(np.float32)
    codes = signs.sign_codes(vectors)
    query_code = signs.sign_codes(query[None, :])[0]
    distances = np.bitwise_count(codes ^ query_code).sum(axis=1)
    found = signs.nearest(codes.T.copy(), query_code, 5)
    assert 17 in found
    assert sorted(distances[found].tolist()) == sorted(distances.tolist())[:5]
    assert sorted(signs.nearest(codes.T.copy(), query_code, 500).tolist()) == list(range(200))


@pytest.mark.parametrize(("admitted", "top_k", "depth"), [(30, 10, 30), (5_000, 10, 200)])
def test_rescoring_reads_at_least_twenty_per_result_and_a_share_of_large_sets(
    admitted: int, top_k: int, depth: int
) -> None:
    assert signs.rescore_depth(admitted, top_k) == depth
    assert signs.rescore_depth(320_000, 10) == 10_000


def test_grouped_codes_read_a_group_as_a_block_and_any_slot_by_position() -> None:
    rng = np.random.default_rng(3)
    codes = signs.sign_codes(rng.standard_normal((8, 64)))
    slot_rowids = np.array([10, 11, -1, 13, 14, 15, 16, 17])  # slot 2 is free
    outlet = {10: 2, 11: 1, 13: 2, 14: 0, 15: 1, 16: 2, 17: 1}
    slot_groups = np.array([outlet.get(int(rowid), 0) for rowid in slot_rowids])
    grouped = signs.GroupedSigns(codes, slot_rowids, slot_groups)
    mask = np.zeros(20, dtype=bool)
    mask[[10, 11, 13, 15, 16]] = True  # 14 and 17 filtered out
    rowids, found = grouped.among_groups([2, 1, 9], mask)
    assert rowids.tolist() == [10, 13, 16, 11, 15]  # group by group, slot order within
    assert np.array_equal(found.T, codes[[0, 3, 6, 1, 5]])
    assert np.array_equal(grouped.among_slots(np.array([7, 0])).T, codes[[7, 0]])
    whole_rowids, whole = grouped.among_groups([0], mask | True)
    assert whole_rowids.tolist() == [14] and np.array_equal(whole.T, codes[[4]])
    empty_rowids, empty_codes = grouped.among_groups([9], mask)
    assert empty_rowids.size == 0 and empty_codes.shape == (1, 0)


def test_a_snapshot_keeps_its_codes_beside_it_and_recomputes_a_damaged_file(
    tmp_path: Path,
) -> None:
    directory = tmp_path / "embedded"
    store = EmbeddedStore(directory, dim=DIM)
    try:
        store.write_articles([numbered(n) for n in range(5)])
        store.compact()
        snapshot = store._resident.vectors.snapshot
        assert snapshot.path is not None and snapshot.layout is not None
        sidecar = signs.sidecar(snapshot.path)
        expected = signs.sign_codes(snapshot.layout.matrix)
        assert np.array_equal(np.fromfile(sidecar, dtype=np.uint64), expected.ravel())
        assert snapshot.signs is not None
        slots = np.arange(expected.shape[0])
        assert np.array_equal(snapshot.signs.among_slots(slots).T, expected)

        reopened = VectorSnapshot.open(snapshot.path, DIM, snapshot.checkpoint)
        assert reopened.signs is None  # not searched by sign codes until grouped by outlet
        reopened.group_signs(lambda rowids: np.zeros(rowids.size, dtype=np.int64))
        assert reopened.signs is not None
        assert np.array_equal(reopened.signs.in_slot_order(), expected)
        reopened.group_signs(lambda rowids: rowids % 2)  # again, by another key
        assert np.array_equal(reopened.signs.in_slot_order(), expected)

        sidecar.write_bytes(sidecar.read_bytes()[:-8])  # cut short
        assert np.array_equal(signs.load_or_compute(snapshot.path), expected)
        assert sidecar.stat().st_size == expected.nbytes
    finally:
        store.close()


def test_codes_of_snapshots_no_record_names_are_removed(tmp_path: Path) -> None:
    for name in ("vectors-old.signs", "vectors-kept.signs", "vectors-x.signs.tmp"):
        (tmp_path / name).write_bytes(b"")
    remove_unrecorded(tmp_path, {"vectors-kept.usearch"})
    assert sorted(path.name for path in tmp_path.iterdir()) == ["vectors-kept.signs"]
