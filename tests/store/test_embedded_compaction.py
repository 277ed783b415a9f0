"""Compactions of the embedded store's vectors in a process of their own, as a flush starts them
on a large store: the serving process keeps answering and writing meanwhile, follows the new
snapshot once it is recorded, and a compaction that dies loses nothing."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest

from search.store.embedded import EmbeddedStore, compactor
from search.store.embedded import store as store_module
from tests.store.compactor_process import GO, HOLDING, start_compactor
from tests.store.corpus import DIM, numbered
from tests.store.integrity import assert_holds_exactly, check_store
from tests.store.writer_process import CRASHED

NEVER = 10**9
KILLED = "killed-while-holding"


def _snapshots(directory: Path) -> list[str]:
    return sorted(path.name for path in directory.glob("vectors*.usearch"))


def _leftovers(directory: Path) -> list[str]:
    return sorted(path.name for path in directory.glob("vectors*.tmp"))


def _store_with_a_snapshot_and_a_delta(directory: Path) -> EmbeddedStore:
    """Articles 0-5 in a snapshot, 6-9 in the delta, article 1 deleted since the snapshot."""
    store = EmbeddedStore(directory, dim=DIM, compact_rows=NEVER)
    store.write_articles([numbered(n) for n in range(6)])
    assert store.compact()
    store.write_articles([numbered(n) for n in range(6, 10)])
    store.delete_articles([numbered(1).article.id])
    return store


def test_a_flush_compacts_a_large_store_in_a_child_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """The serving process never loads a writable copy of a large snapshot: the child does (and
    runs this code, whatever the working folder)."""
    monkeypatch.chdir(tmp_path)
    directory = tmp_path / "embedded"
    store = EmbeddedStore(directory, dim=DIM, compact_rows=4)
    in_children: list[Path] = []
    in_this_process: list[Path] = []
    child, here = compactor.compact_in_child, compactor.compact

    def spied_child(folder: Path, dim: int) -> None:
        in_children.append(folder)
        child(folder, dim)

    def spied_here(folder: Path, *args: Any) -> bool:
        in_this_process.append(folder)
        return here(folder, *args)

    monkeypatch.setattr(compactor, "compact_in_child", spied_child)
    monkeypatch.setattr(compactor, "compact", spied_here)
    try:
        store.write_articles([numbered(n) for n in range(2)])
        store.flush()  # no snapshot yet: compacted in this process (nothing large to copy)
        store._compaction.join(timeout=60)  # type: ignore[union-attr]
        [first] = _snapshots(directory)
        monkeypatch.setattr(store_module, "_CHILD_COMPACTION_BYTES", 0)  # every snapshot large
        store.write_articles([numbered(n) for n in range(2, 5)])
        with caplog.at_level(logging.WARNING):
            store.flush()
            store._compaction.join(timeout=120)  # type: ignore[union-attr]
        assert not caplog.records, caplog.text
        assert (in_children, in_this_process) == ([directory], [directory])
        [second] = _snapshots(directory)
        assert second != first
        assert_holds_exactly(store, set(range(5)))
        assert store._resident.vectors.snapshot.path == directory / second
        assert store._resident.vectors.delta_size == 0
    finally:
        store.close()


def test_searches_and_writes_carry_on_while_another_process_compacts(tmp_path: Path) -> None:
    directory = tmp_path / "embedded"
    store = _store_with_a_snapshot_and_a_delta(directory)
    [before] = _snapshots(directory)
    compacting, control = start_compactor(directory, hold=True)
    try:
        assert control.poll(60) and control.recv() == HOLDING  # lock taken, delta chosen
        live = {0, *range(2, 10)}
        assert_holds_exactly(store, live)
        for number in range(10, 13):  # one-article writes, each flushed, as HTTP ingests do
            store.write_articles([numbered(number)])
            store.flush()
            live.add(number)
        for number in (2, 7):  # one from the snapshot, one from the delta the compactor took
            assert store.delete_articles([numbered(number).article.id]) == 1
            live.remove(number)
        assert_holds_exactly(store, live)
        assert not store.compact()  # one compaction at a time, whichever process runs it
        assert _snapshots(directory) == [before]

        control.send(GO)
        compacting.join(timeout=60)
        assert compacting.exitcode == 0
        [after] = _snapshots(directory)
        assert after != before
        assert_holds_exactly(store, live)  # the next search follows the new snapshot ...
        assert store._resident.vectors.snapshot.path == directory / after
        # ... and keeps in its delta only what was written after the compactor took its own
        assert store._resident.vectors.delta_size == 2 * 3
    finally:
        compacting.kill()
        store.close()
    check_store(directory, live, in_flight=set())


@pytest.mark.parametrize("point", ["inside-vector-save", "after-vector-save", KILLED])
def test_a_compaction_that_dies_loses_nothing(tmp_path: Path, point: str) -> None:
    directory = tmp_path / "embedded"
    store = _store_with_a_snapshot_and_a_delta(directory)
    [before] = _snapshots(directory)
    live = {0, *range(2, 10)}
    try:
        if point == KILLED:
            compacting, control = start_compactor(directory, hold=True)
            assert control.poll(60) and control.recv() == HOLDING
            compacting.kill()  # SIGKILL, halfway through
            compacting.join(timeout=60)
        else:
            compacting, _ = start_compactor(directory, crash=point)
            compacting.join(timeout=60)
            assert compacting.exitcode == CRASHED
        assert_holds_exactly(store, live)  # the serving process never noticed
        assert store._resident.vectors.snapshot.path == directory / before
        store.write_articles([numbered(10)])
        live.add(10)
        check_store(directory, live, in_flight=set())  # another process opening it now

        assert store.compact()  # the dead compactor's lock went with it
        [after] = _snapshots(directory)
        assert after != before and _leftovers(directory) == []
        assert_holds_exactly(store, live)
    finally:
        store.close()
    check_store(directory, live, in_flight=set())
