"""The embedded store after a writer process dies: every acknowledged article is whole in both
legs, nothing is duplicated, and the write in flight is all there or not there at all."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from tests.store.integrity import check_store
from tests.store.writer_process import CRASH_POINTS, CRASHED, acknowledgements, start_writer


@pytest.mark.parametrize("point", sorted(CRASH_POINTS))
def test_a_writer_killed_mid_write_loses_and_doubles_nothing(tmp_path: Path, point: str) -> None:
    directory = tmp_path / "embedded"
    writer, acks = start_writer(directory, 3, crash=point)
    acked = {number for number, _ in acknowledgements(acks)}
    writer.join(timeout=60)
    assert writer.exitcode == CRASHED
    assert {0, 1, 2} <= acked
    check_store(directory, acked, in_flight={3})
    check_store(directory, acked, in_flight={3})  # the repair held: a second open agrees


def test_a_writer_killed_at_a_random_moment_loses_and_doubles_nothing(tmp_path: Path) -> None:
    directory = tmp_path / "embedded"
    kill_after = random.Random().randint(2, 12)
    print(f"killed after {kill_after} acknowledgements")  # shown if it fails
    writer, acks = start_writer(directory, 40, flush_every=3)
    acked: set[int] = set()
    try:
        for number, _ in acknowledgements(acks):
            acked.add(number)
            if len(acked) == kill_after:
                writer.kill()  # SIGKILL, wherever the writer is
    finally:
        writer.kill()
        writer.join(timeout=60)
    assert len(acked) >= kill_after
    check_store(directory, acked, in_flight={max(acked) + 1})
