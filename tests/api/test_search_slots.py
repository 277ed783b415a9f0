"""At most ``search_concurrency`` searches run at once; the others wait, then all finish."""

from __future__ import annotations

import os
import threading
import time

import anyio

from api.search_slots import SearchSlots


def test_searches_beyond_the_slots_wait_their_turn() -> None:
    lock = threading.Lock()
    running, most = 0, 0

    def search(number: int) -> int:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        time.sleep(0.02)
        with lock:
            running -= 1
        return number

    slots = SearchSlots(2)
    answers: list[int] = []

    async def main() -> None:
        async def one(number: int) -> None:
            answers.append(await slots.run(search, number))

        async with anyio.create_task_group() as group:
            for number in range(8):
                group.start_soon(one, number)

    anyio.run(main)
    assert sorted(answers) == list(range(8))
    assert most == 2


def test_by_default_one_slot_per_core() -> None:
    assert SearchSlots().slots == (os.cpu_count() or 1)
