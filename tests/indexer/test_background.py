"""The reader stage's thread: bounded look-ahead, errors handed to the consumer, clean stops."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from indexer.background import prefetched


def test_items_arrive_in_order_and_no_more_than_depth_ahead() -> None:
    produced: list[int] = []

    def numbers() -> Iterator[int]:
        for number in range(10):
            produced.append(number)
            yield number

    seen = []
    with prefetched(numbers(), depth=2, name="test-reader") as items:
        for item in items:
            # the item in hand, two queued, one waiting to be queued
            assert len(produced) <= item + 4
            seen.append(item)
    assert seen == list(range(10))


def test_an_error_in_the_producer_is_raised_in_the_consumer() -> None:
    def failing() -> Iterator[int]:
        yield 1
        raise ValueError("bad record")

    seen = []
    with pytest.raises(ValueError, match="bad record"), prefetched(failing(), 2, "t") as items:
        seen.extend(items)
    assert seen == [1]


def test_leaving_early_stops_the_producer() -> None:
    def endless() -> Iterator[int]:
        number = 0
        while True:
            yield number
            number += 1

    with prefetched(endless(), depth=2, name="test-endless") as items:
        assert next(items) == 0
    assert not any(thread.name == "test-endless" for thread in threading.enumerate())
