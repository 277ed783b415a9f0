"""Story signatures in a SQLite file beside the embedded store (one machine, any processes).

Each assignment runs in one ``BEGIN IMMEDIATE`` transaction, so processes sharing the file take
turns: none can miss a copy another is writing at the same moment.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from indexer.stories.signatures import (
    MAX_CANDIDATES,
    Candidate,
    StoryMember,
    band_keys,
    earliest_copy,
)
from search.articles import Article
from search.settings import DedupSettings

_SCHEMA = """
CREATE TABLE IF NOT EXISTS story_members (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    article_id TEXT NOT NULL UNIQUE,
    cluster_id TEXT NOT NULL,
    centroid BLOB NOT NULL,
    published_ts INTEGER
);
CREATE TABLE IF NOT EXISTS story_bands (
    band TEXT NOT NULL,
    seq INTEGER NOT NULL REFERENCES story_members (seq) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS story_bands_band ON story_bands (band);
CREATE INDEX IF NOT EXISTS story_bands_seq ON story_bands (seq);
"""
# Shared band keys per candidate: the more (of 24 or so), the likelier a copy.
_CANDIDATES = """
SELECT m.seq, m.article_id, m.cluster_id, m.centroid, m.published_ts
FROM story_members m JOIN (
    SELECT seq, COUNT(*) AS shared FROM story_bands WHERE band IN ({marks})
    GROUP BY seq ORDER BY shared DESC, seq LIMIT ?
) c ON c.seq = m.seq
"""


class SqliteStoryIndex:
    """Usage:
    stories = SqliteStoryIndex(Path("var/stories.sqlite3"), DedupSettings())
    cluster_id = stories.assign(article, centroid)
    """

    def __init__(self, path: Path, settings: DedupSettings) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.settings = settings
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA foreign_keys=ON")
        self._db.execute("PRAGMA busy_timeout=30000")
        self._db.executescript(_SCHEMA)
        self._migrate()

    def _migrate(self) -> None:
        """Files from before band keys held a ``stories`` table of whole signatures."""
        tables = {row[0] for row in self._db.execute("SELECT name FROM sqlite_master")}
        if "stories" not in tables:
            return
        with self._transaction():
            rows = self._db.execute(
                "SELECT article_id, cluster_id, signature, centroid, published_ts FROM stories"
                " ORDER BY rowid"
            ).fetchall()
            for article_id, cluster_id, signature, centroid, published_ts in rows:
                bands = band_keys(np.frombuffer(signature, dtype=np.uint64), self.settings)
                self._insert(article_id, cluster_id, bands, centroid, published_ts)
            self._db.execute("DROP TABLE stories")

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def _insert(
        self,
        article_id: str,
        cluster_id: str,
        bands: tuple[str, ...],
        centroid: bytes,
        published_ts: int | None,
    ) -> None:
        self._db.execute("DELETE FROM story_members WHERE article_id = ?", (article_id,))
        seq = self._db.execute(
            "INSERT INTO story_members (article_id, cluster_id, centroid, published_ts)"
            " VALUES (?, ?, ?, ?)",
            (article_id, cluster_id, centroid, published_ts),
        ).lastrowid
        self._db.executemany(
            "INSERT INTO story_bands (band, seq) VALUES (?, ?)", [(band, seq) for band in bands]
        )

    def assign(self, article: Article, centroid: np.ndarray) -> str:
        """The cluster id for ``article``: its earliest confirmed copy's, else its own id."""
        member = StoryMember.of(article, centroid, self.settings)
        with self._lock, self._transaction():
            self._db.execute("DELETE FROM story_members WHERE article_id = ?", (article.id,))
            sql = _CANDIDATES.format(marks=",".join("?" * len(member.bands)))
            candidates = [
                Candidate(
                    article_id=row[1],
                    cluster_id=row[2],
                    centroid=np.frombuffer(row[3], dtype=np.float32),
                    published_ts=row[4],
                    order=(row[0],),
                )
                for row in self._db.execute(sql, (*member.bands, MAX_CANDIDATES))
            ]
            # Everything stored was written before this article: it takes its turn last.
            copy = earliest_copy(member, (2**63,), candidates, self.settings)
            cluster_id = copy.cluster_id if copy and copy.cluster_id else article.id
            self._insert(
                article.id, cluster_id, member.bands, member.centroid.tobytes(), member.published_ts
            )
        return cluster_id

    def forget(self, article_id: str) -> None:
        with self._lock, self._transaction():
            self._db.execute("DELETE FROM story_members WHERE article_id = ?", (article_id,))

    def close(self) -> None:
        with self._lock:
            self._db.close()
