"""A server's loaded heap is frozen and young objects are collected rarely, until it stops."""

import gc

from api.server_gc import SERVER_YOUNG_THRESHOLD, long_lived_heap


def test_the_heap_is_frozen_and_young_collections_rare_until_the_block_ends() -> None:
    before = gc.get_threshold()
    loaded = [object() for _ in range(10)]  # lives as long as the "server"
    with long_lived_heap():
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold() == (SERVER_YOUNG_THRESHOLD, *before[1:])
        cycle: list[object] = []
        cycle.append(cycle)
        del cycle
        assert gc.collect() >= 1  # cyclic garbage is still collected
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0
    assert loaded
