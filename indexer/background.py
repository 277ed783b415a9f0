"""A producer running ahead of its consumer in a thread: bounded memory, errors passed on."""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TypeVar

T = TypeVar("T")

_DONE = object()


class _Failure:
    def __init__(self, error: BaseException) -> None:
        self.error = error


def _put(channel: queue.Queue[object], entry: object, stop: threading.Event) -> bool:
    """Wait for room unless the consumer has gone; False when it has."""
    while not stop.is_set():
        try:
            channel.put(entry, timeout=0.1)
            return True
        except queue.Full:
            continue
    return False


@contextmanager
def prefetched(items: Iterable[T], depth: int, name: str) -> Iterator[Iterator[T]]:
    """``items`` produced by a background thread at most ``depth`` ahead of the consumer.

    An exception in the producer is raised in the consumer at the point it would have been;
    leaving the block early stops the producer after the item it is working on.

    Usage:
        with prefetched(read_and_split(paths), depth=2, name="reader") as batches:
            for batch in batches:
                embed(batch)
    """
    channel: queue.Queue[object] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def produce() -> None:
        try:
            for item in items:
                if not _put(channel, item, stop):
                    return
        except BaseException as error:  # handed to the consumer, which decides
            _put(channel, _Failure(error), stop)
            return
        _put(channel, _DONE, stop)

    def consume() -> Iterator[T]:
        while True:
            entry = channel.get()
            if entry is _DONE:
                return
            if isinstance(entry, _Failure):
                raise entry.error
            yield entry  # type: ignore[misc] - anything else is an item

    thread = threading.Thread(target=produce, name=name, daemon=True)
    thread.start()
    try:
        yield consume()
    finally:
        stop.set()
        thread.join()
