"""Recognising copies of one story at ingest: syndicated reprints and rewrites of a wire report.

MinHash/LSH over each article's BM25 terms proposes candidates cheaply; the mean of the article's
passage embeddings confirms them (rewrites keep the meaning, not the words), and dated copies must
appear within a few days of each other. A story's cluster id is the id of its first article.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import numpy as np
from datasketch import MinHash, MinHashLSH

from search.analysis import analyze
from search.articles import Article
from search.passages import published_timestamp
from search.settings import DedupSettings

_SECONDS_PER_DAY = 86_400
# Stored signatures are only comparable with ones made by the same hashing scheme.
_SCHEME = "affine64"
_LSH_WEIGHTS = (0.2, 0.8)  # (false positives, false negatives)


class StoryIndex:
    """Usage:
    stories = StoryIndex(Path("var/stories.sqlite3"), DedupSettings())
    cluster_id = stories.assign(article, centroid)
    """

    def __init__(self, path: Path, settings: DedupSettings) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.settings = settings
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS stories (article_id TEXT PRIMARY KEY, cluster_id TEXT,"
            " signature BLOB, centroid BLOB, published_ts INTEGER)"
        )
        # Weighted towards recall: a missed candidate is a missed copy, while a false candidate
        # costs one vector comparison before the embeddings reject it.
        self._data_version = -1
        self._lsh = self._load()

    def _load(self) -> MinHashLSH:
        lsh = MinHashLSH(
            threshold=self.settings.jaccard_threshold,
            num_perm=self.settings.num_perm,
            weights=_LSH_WEIGHTS,
        )
        for article_id, signature in self._db.execute("SELECT article_id, signature FROM stories"):
            lsh.insert(article_id, self._restore(signature))
        self._data_version = self._db.execute("PRAGMA data_version").fetchone()[0]
        return lsh

    def _sync(self) -> None:
        """Another process (the CLI beside the API) may have added stories: reload then."""
        if self._db.execute("PRAGMA data_version").fetchone()[0] != self._data_version:
            self._lsh = self._load()

    def _signature(self, article: Article) -> MinHash:
        minhash = MinHash(num_perm=self.settings.num_perm, scheme=_SCHEME)
        minhash.update_batch([term.encode() for term in set(analyze(article.body))])
        return minhash

    def _restore(self, blob: bytes) -> MinHash:
        return MinHash(
            num_perm=self.settings.num_perm,
            hashvalues=np.frombuffer(blob, dtype=np.uint64),
            scheme=_SCHEME,
        )

    def _is_copy(self, row: tuple, centroid: np.ndarray, published: int | None) -> float | None:
        _, other_centroid, other_published = row
        similarity = float(np.frombuffer(other_centroid, dtype=np.float32) @ centroid)
        if similarity < self.settings.min_cosine:
            return None
        if published is not None and other_published is not None:
            days_apart = abs(published - other_published) / _SECONDS_PER_DAY
            if days_apart > self.settings.max_days_apart:
                return None
        return similarity

    def assign(self, article: Article, centroid: np.ndarray) -> str:
        """The cluster id for ``article``: that of its closest confirmed copy, else its own id."""
        centroid = np.asarray(centroid, dtype=np.float32)
        centroid = centroid / max(float(np.linalg.norm(centroid)), 1e-12)
        published = published_timestamp(article.published_at)
        signature = self._signature(article)
        with self._lock:
            self._sync()
            if article.id in self._lsh:
                self._lsh.remove(article.id)
            best: tuple[float, str] | None = None
            for candidate in self._lsh.query(signature):
                row = self._db.execute(
                    "SELECT cluster_id, centroid, published_ts FROM stories WHERE article_id = ?",
                    (candidate,),
                ).fetchone()
                similarity = self._is_copy(row, centroid, published) if row else None
                if similarity is not None and (best is None or similarity > best[0]):
                    best = (similarity, row[0])
            cluster_id = best[1] if best else article.id
            with self._db:
                self._db.execute(
                    "INSERT OR REPLACE INTO stories VALUES (?, ?, ?, ?, ?)",
                    (
                        article.id,
                        cluster_id,
                        signature.hashvalues.astype(np.uint64).tobytes(),
                        centroid.tobytes(),
                        published,
                    ),
                )
            self._lsh.insert(article.id, signature)
        return cluster_id

    def forget(self, article_id: str) -> None:
        with self._lock:
            self._sync()
            if article_id in self._lsh:
                self._lsh.remove(article_id)
            with self._db:
                self._db.execute("DELETE FROM stories WHERE article_id = ?", (article_id,))

    def close(self) -> None:
        with self._lock:
            self._db.close()
