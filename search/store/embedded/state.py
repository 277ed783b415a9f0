"""How far each derived index has applied the catalog, and the lock that admits one writer."""

from __future__ import annotations

import fcntl
import json
import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO


@dataclass(frozen=True)
class Checkpoint:
    """A derived index holds every catalog change up to ``generation`` and every passage up to
    ``rowid`` (rowids only grow, so rows above it are what came later).

    ``generation`` -1 means the index is empty; ``rowid`` -1 that the highest rowid is unknown
    (a state file written before rowids were recorded).
    """

    generation: int = -1
    rowid: int = 0

    @property
    def empty(self) -> bool:
        return self.generation < 0

    def after(self, generation: int, rowids: list[int]) -> Checkpoint:
        """Where the index stands once it has applied ``generation``, which added ``rowids``."""
        return Checkpoint(generation, max([self.rowid, *rowids]))


@dataclass
class DerivedState:
    """What the lexical index on disk holds, as committed. Written only by the process holding
    the writer lock, after the index itself.

    ``vectors`` is only read: stores before the vector snapshot got its own record
    (``snapshot.SnapshotRecord``) kept the saved vector file's checkpoint here.
    """

    lexical: Checkpoint = field(default_factory=Checkpoint)
    vectors: Checkpoint = field(default_factory=Checkpoint)

    @classmethod
    def load(cls, path: Path) -> DerivedState:
        try:
            data = json.loads(path.read_text())
            vectors = _checkpoint(data["vectors"]) if "vectors" in data else Checkpoint()
            return cls(lexical=_checkpoint(data["lexical"]), vectors=vectors)
        except (FileNotFoundError, ValueError, TypeError, KeyError):
            return cls()

    def save(self, path: Path) -> None:
        temporary = path.with_suffix(".tmp")
        temporary.write_text(json.dumps({"lexical": asdict(self.lexical)}))
        os.replace(temporary, path)


def _checkpoint(value: object) -> Checkpoint:
    if isinstance(value, int):  # newsdesk before issue 9 recorded a bare generation
        return Checkpoint(value, -1)
    if isinstance(value, dict):
        return Checkpoint(int(value["generation"]), int(value["rowid"]))
    raise TypeError(f"not a checkpoint: {value!r}")


class WriterLock:
    """An advisory file lock: one process writes at a time; readers never take it."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._handle: IO[str] | None = None

    @property
    def held(self) -> bool:
        return self._handle is not None

    def try_acquire(self) -> bool:
        if self._handle is not None:
            return True
        handle = open(self._path, "a")  # noqa: SIM115 - held open for the lock's lifetime
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        self._handle = handle
        return True

    def acquire(self, timeout_s: float) -> bool:
        """Wait up to ``timeout_s`` for the lock; False if another process still holds it."""
        deadline = time.monotonic() + timeout_s
        while not self.try_acquire():
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.05)
        return True

    def release(self) -> None:
        if self._handle is not None:
            fcntl.flock(self._handle, fcntl.LOCK_UN)
            self._handle.close()
            self._handle = None
