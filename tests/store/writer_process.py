"""A writer process for the embedded store's cross-process tests.

``start_writer`` runs ``write_numbered`` in a new process, forked from a server that imported the
store once (a fresh interpreter would spend seconds importing Haystack for each crash). The
writer writes ``numbered`` articles 0..count-1, one call each, without flushing in between (as an
indexing run does), and sends ``(number, unix time)`` once each call has returned. With
``crash``, it then writes article ``count`` together with an edit of article 0 and dies without
any cleanup (``os._exit``) at that point of the write, or of the compaction after it. With
``deletes``, it then deletes those ``numbered`` articles one call each, acknowledged alike. With
``lockstep``, it waits after each acknowledgement until the test calls ``go_on``, so the test
can check the store exactly as acknowledged before the next change lands.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Callable, Iterator, Sequence
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

from search.store.embedded import (
    EmbeddedStore,
    catalog,
    compaction,
    lexical,
    snapshot,
    state,
    vectors,
)
from tests.store.corpus import DIM, numbered

CRASHED = 70
_GO_ON = "go on"


def _die() -> None:
    os._exit(CRASHED)


def wrap(owner: Any, name: str, *, before: Callable[..., bool]) -> None:
    """Die when ``owner.name`` is called with arguments for which ``before`` says so."""
    original = getattr(owner, name)

    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if before(*args, **kwargs):
            _die()
        return original(*args, **kwargs)

    setattr(owner, name, wrapped)


def _nth_call(n: int) -> Callable[..., bool]:
    calls = [0]

    def due(*_: Any, **__: Any) -> bool:
        calls[0] += 1
        return calls[0] >= n

    return due


def always(*_: Any, **__: Any) -> bool:
    return True


# Where the write path can die; the hooks name today's internals, the tests only check results.
CRASH_POINTS: dict[str, Callable[[], None]] = {
    # inside the catalog transaction, the first article of the batch already inserted
    "inside-catalog-transaction": lambda: wrap(
        catalog.Catalog, "replace_article", before=_nth_call(2)
    ),
    # committed to the catalog, nothing applied to the derived indexes
    "after-catalog-commit": lambda: wrap(lexical.LexicalIndex, "apply", before=always),
    # halfway through the lexical index's batch, before its commit
    "inside-lexical-apply": lambda: wrap(lexical, "_document", before=_nth_call(2)),
    # the lexical index committed, its checkpoint not recorded yet
    "after-lexical-commit": lambda: wrap(state.DerivedState, "save", before=always),
    # the lexical index recorded, the vectors not applied
    "inside-vector-apply": lambda: wrap(vectors.VectorIndex, "apply", before=always),
    # a compaction wrote the new vector snapshot to its temporary name, not renamed yet
    "inside-vector-save": lambda: wrap(
        compaction.os, "replace", before=lambda source, target: str(target).endswith(".usearch")
    ),
    # the new vector snapshot complete under its own name, not recorded yet
    "after-vector-save": lambda: wrap(snapshot.SnapshotRecord, "save", before=always),
}
# Points that can only be reached by the compaction after the last write.
FLUSH_POINTS = {"inside-vector-save", "after-vector-save"}


def write_numbered(
    directory: Path,
    count: int,
    acks: Connection,
    *,
    pause: float = 0.0,
    flush_every: int = 0,
    crash: str | None = None,
    deletes: Sequence[int] = (),
    lockstep: bool = False,
) -> None:
    def acknowledge(number: int) -> None:
        acks.send((number, time.time()))
        if lockstep:
            assert acks.recv() == _GO_ON

    store = EmbeddedStore(directory, dim=DIM)
    for number in range(count):
        store.write_articles([numbered(number)])
        acknowledge(number)
        if flush_every and (number + 1) % flush_every == 0:
            store.flush()
        time.sleep(pause)
    for number in deletes:
        assert store.delete_articles([numbered(number).article.id]) == 1
        acknowledge(number)
        time.sleep(pause)
    if crash is None:
        store.close()
        return
    if crash not in FLUSH_POINTS:
        CRASH_POINTS[crash]()
    store.write_articles([numbered(count), numbered(0, edited=True)])
    acks.send((count, time.time()))
    CRASH_POINTS[crash]()
    store.flush()
    store.compact()
    raise SystemExit(f"the crash point {crash} was never reached")


def start_writer(directory: Path, count: int, **options: Any) -> tuple[BaseProcess, Connection]:
    """The writer process, and the end of the pipe its acknowledgements come through."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([__name__])
    receiver, sender = context.Pipe(duplex=bool(options.get("lockstep")))
    process = context.Process(
        target=write_numbered, args=(directory, count, sender), kwargs=options
    )
    process.start()
    sender.close()
    return process, receiver


def go_on(receiver: Connection) -> None:
    """Let a ``lockstep`` writer make its next change."""
    receiver.send(_GO_ON)


def acknowledgements(receiver: Connection) -> Iterator[tuple[int, float]]:
    """Each ``(number, unix time)`` the writer sent, until it exits (or dies)."""
    while True:
        try:
            yield receiver.recv()
        except EOFError:
            return
