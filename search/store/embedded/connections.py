"""SQLite connections for the catalog: one per reading thread, one for writes.

In WAL mode readers never block each other nor the writer, but a connection object serialises
the statements issued through it; sharing one behind a lock made every search thread queue for
it. Each thread now gets its own connection on first use (closed with the pool); writes go
through a dedicated connection, one transaction at a time.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

# FULL: a commit is on disk (the WAL fsynced) before a write is acknowledged; NORMAL can lose
# the last commits on power loss. Costed in benchmarks/README.md.
_WRITE_PRAGMAS = ("PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL", "PRAGMA foreign_keys=ON")
_COMMON_PRAGMAS = ("PRAGMA busy_timeout=30000",)


class ConnectionPool:
    """Usage:
    pool = ConnectionPool(Path("catalog.sqlite3"))
    pool.reader().execute("SELECT 1").fetchall()   # this thread's own connection
    with pool.transaction() as db:                 # BEGIN IMMEDIATE ... COMMIT
        db.execute("INSERT ...")
    pool.close()
    """

    def __init__(self, path: Path) -> None:
        self._path = path
        self._local = threading.local()
        self._opened: list[sqlite3.Connection] = []
        self._opened_lock = threading.Lock()
        self._closed = False
        self._write_lock = threading.RLock()
        self._writer = self._connect()
        for pragma in _WRITE_PRAGMAS:
            self._writer.execute(pragma)

    def _connect(self) -> sqlite3.Connection:
        # check_same_thread=False only so that ``close`` may close every thread's connection.
        db = sqlite3.connect(self._path, check_same_thread=False, isolation_level=None)
        for pragma in _COMMON_PRAGMAS:
            db.execute(pragma)
        return db

    def reader(self) -> sqlite3.Connection:
        """This thread's read connection (autocommit: each statement sees the latest commit)."""
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            with self._opened_lock:
                if self._closed:
                    raise sqlite3.ProgrammingError("the catalog is closed")
                db = self._connect()
                self._opened.append(db)
            self._local.db = db
        return db

    def writer(self) -> sqlite3.Connection:
        """The write connection, for schema changes at open (use ``transaction`` otherwise)."""
        return self._writer

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        with self._write_lock:
            self._writer.execute("BEGIN IMMEDIATE")
            try:
                yield self._writer
            except BaseException:
                self._writer.execute("ROLLBACK")
                raise
            self._writer.execute("COMMIT")

    def close(self) -> None:
        with self._opened_lock:
            self._closed = True
            opened, self._opened = self._opened, []
        for db in opened:
            db.close()
        with self._write_lock:
            self._writer.close()
