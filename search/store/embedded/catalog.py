"""The SQLite catalog: the source of truth for articles, passages, terms and vectors.

The search indexes beside it are derived from it and rebuilt from it when they fall behind, so a
crash mid-write can cost an index rebuild but never an accepted article.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from haystack import Document

from search.articles import Article
from search.filters import keyword
from search.passages import SEARCH_META, published_timestamp
from search.sentence_layout import RULES_FINGERPRINT, sentence_layout
from search.store.embedded.connections import ConnectionPool
from search.store.embedded.schema import SCHEMA

_STORY_KEYS = """
SELECT p.rowid, p.article_id, a.cluster_id
FROM passages p JOIN articles a ON a.id = p.article_id
WHERE p.rowid IN ({marks})
"""
_HYDRATE = """
SELECT p.rowid, p.id, p.text, p.article_id, p.passage_index, p.char_start, p.char_end,
       a.title, a.outlet, a.url, a.published_at, a.author, a.language, a.cluster_id, p.terms,
       p.sentence_layout
FROM passages p JOIN articles a ON a.id = p.article_id
WHERE p.rowid IN ({marks})
"""


@dataclass(frozen=True)
class PassageRow:
    """A passage as the derived indexes need it."""

    rowid: int
    article_id: str
    terms: str
    outlet_key: str | None
    published_ts: int | None
    embedding: np.ndarray
    outlet: str | None = None
    author_key: str | None = None
    language_key: str | None = None
    cluster_id: str | None = None

    @property
    def story(self) -> tuple[str, str]:
        """(article id, story id), as ``Catalog.story_keys`` reads it."""
        return self.article_id, self.cluster_id or self.article_id


@dataclass(frozen=True)
class FilterTable:
    """Every passage's filter values as of ``generation``: passage ``rowids[i]`` belongs to the
    article whose values are ``articles[owners[i]]`` (outlet, author, language keys and date)
    and whose (article id, story id) is ``stories[owners[i]]``."""

    generation: int
    rowids: np.ndarray
    owners: np.ndarray
    articles: list[tuple[str | None, str | None, str | None, int | None]]
    stories: list[tuple[str, str]]


_REMOVALS_FROM = "removals_from"
# The sentence rules every passage's layout was made under (``fill_sentence_layouts``); absent
# while some passages may lack one.
_LAYOUTS_UNDER = "sentence_layouts_under"
_MAX_ROWID = 2**63 - 1


def outlet_key(outlet: str | None) -> str | None:
    return keyword(outlet)


class Catalog:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._pool = ConnectionPool(path)
        self._pool.writer().executescript(SCHEMA)
        self._add_missing_columns()
        if self.get_meta(_REMOVALS_FROM) is None:
            # A catalog older than the removal log: it can replay nothing before today.
            with self.transaction() as db:
                self.set_meta(db, _REMOVALS_FROM, str(self.generation()))
        if self.get_meta(_LAYOUTS_UNDER) is None and self.max_passage_rowid() == 0:
            # A new catalog: every passage will be written with its layout.
            with self.transaction() as db:
                self.set_meta(db, _LAYOUTS_UNDER, RULES_FINGERPRINT)

    def _add_missing_columns(self) -> None:
        """Catalogs written by an earlier newsdesk lack later columns; add them (empty)."""
        wanted = {
            "articles": {"author_key", "language_key", "cluster_id"},
            "passages": {"sentence_layout"},
        }

        def missing(db: sqlite3.Connection) -> list[tuple[str, str]]:
            found = []
            for table, columns in wanted.items():
                present = {row[1] for row in db.execute(f"PRAGMA table_info({table})")}
                found += [(table, column) for column in sorted(columns - present)]
            return found

        if not missing(self._pool.writer()):
            return  # the usual case: no write lock taken
        # Checked again under the lock: of processes opening an older catalog at once
        # (``serve --workers``), the first adds the columns and the others find them.
        with self.transaction() as db:
            for table, column in missing(db):
                db.execute(f"ALTER TABLE {table} ADD COLUMN {column} TEXT")

    def close(self) -> None:
        self._pool.close()

    def transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        return self._pool.transaction()

    def _query(self, sql: str, params: Sequence[object] = ()) -> list[tuple]:
        return self._pool.reader().execute(sql, params).fetchall()

    # -- metadata -------------------------------------------------------------------------------

    def get_meta(self, key: str) -> str | None:
        rows = self._query("SELECT value FROM meta WHERE key = ?", (key,))
        return rows[0][0] if rows else None

    def set_meta(self, db: sqlite3.Connection, key: str, value: str) -> None:
        db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    def generation(self) -> int:
        return int(self.get_meta("generation") or 0)

    def bump_generation(self, db: sqlite3.Connection) -> int:
        row = db.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
        generation = int(row[0]) + 1 if row else 1
        self.set_meta(db, "generation", str(generation))
        return generation

    # -- writes ---------------------------------------------------------------------------------

    def replace_article(
        self,
        db: sqlite3.Connection,
        generation: int,
        article: Article,
        passages: Sequence[Document],
        terms: Sequence[str],
        layouts: Sequence[str],
        embeddings: np.ndarray,
    ) -> tuple[list[int], list[PassageRow]]:
        """Upsert the article and swap its passages, each with its terms and sentence layout;
        returns (removed rowids, added rows)."""
        removed = self._remove_passages(db, generation, article.id)
        published_ts = published_timestamp(article.published_at)
        db.execute(
            "INSERT OR REPLACE INTO articles (id, content_hash, title, body, outlet, outlet_key,"
            " url, published_at, published_ts, author, author_key, language, language_key,"
            " cluster_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                article.id,
                article.content_hash,
                article.title,
                article.body,
                article.outlet,
                outlet_key(article.outlet),
                article.url,
                article.published_at.isoformat() if article.published_at else None,
                published_ts,
                article.author,
                keyword(article.author),
                article.language,
                keyword(article.language),
                article.cluster_id,
            ),
        )
        added: list[PassageRow] = []
        vectors = np.ascontiguousarray(embeddings, dtype=np.float32)
        for document, passage_terms, layout, vector in zip(
            passages, terms, layouts, vectors, strict=True
        ):
            cursor = db.execute(
                "INSERT INTO passages (id, article_id, passage_index, char_start, char_end, text,"
                " terms, embedding, sentence_layout) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    document.id,
                    article.id,
                    document.meta["passage_index"],
                    document.meta["char_start"],
                    document.meta["char_end"],
                    document.content,
                    passage_terms,
                    vector.tobytes(),
                    layout,
                ),
            )
            added.append(
                PassageRow(
                    rowid=int(cursor.lastrowid or 0),
                    article_id=article.id,
                    terms=passage_terms,
                    outlet_key=outlet_key(article.outlet),
                    published_ts=published_ts,
                    embedding=vector,
                    outlet=article.outlet,
                    author_key=keyword(article.author),
                    language_key=keyword(article.language),
                    cluster_id=article.cluster_id,
                )
            )
        return removed, added

    def fill_sentence_layouts(self, batch: int = 2000) -> int:
        """Store the sentence layout of every passage written before layouts were, or under
        other sentence rules; returns how many were filled. Each batch is its own transaction.
        Once done (and in a catalog created with layouts) it reads no passage: it runs on every
        ``optimize``, and a scan reads the whole table."""
        if self.get_meta(_LAYOUTS_UNDER) == RULES_FINGERPRINT:
            return 0
        filled = 0
        last = 0
        stale = "sentence_layout IS NULL OR substr(sentence_layout, 1, ?) != ?"
        prefix = f"{RULES_FINGERPRINT} "
        while True:
            rows = self._query(
                f"SELECT rowid, text FROM passages WHERE rowid > ? AND ({stale})"
                " ORDER BY rowid LIMIT ?",
                (last, len(prefix), prefix, batch),
            )
            if not rows:
                with self.transaction() as db:
                    self.set_meta(db, _LAYOUTS_UNDER, RULES_FINGERPRINT)
                return filled
            with self.transaction() as db:
                db.executemany(
                    "UPDATE passages SET sentence_layout = ? WHERE rowid = ?",
                    [(sentence_layout(text), rowid) for rowid, text in rows],
                )
            filled += len(rows)
            last = rows[-1][0]

    def delete_articles(
        self, db: sqlite3.Connection, generation: int, article_ids: Sequence[str]
    ) -> list[int]:
        """Delete articles and their passages; returns the removed passage rowids."""
        removed: list[int] = []
        for article_id in article_ids:
            removed += self._remove_passages(db, generation, article_id)
            db.execute("DELETE FROM articles WHERE id = ?", (article_id,))
        return removed

    def _remove_passages(
        self, db: sqlite3.Connection, generation: int, article_id: str
    ) -> list[int]:
        removed = [
            row[0]
            for row in db.execute("SELECT rowid FROM passages WHERE article_id = ?", (article_id,))
        ]
        db.execute("DELETE FROM passages WHERE article_id = ?", (article_id,))
        db.executemany(
            "INSERT INTO removed_passages (rowid, generation) VALUES (?, ?)",
            [(rowid, generation) for rowid in removed],
        )
        return removed

    # -- the change log -------------------------------------------------------------------------

    def removals_from(self) -> int:
        """Removals are logged for every generation after this one (older ones were pruned)."""
        return int(self.get_meta(_REMOVALS_FROM) or 0)

    def removed_since(self, generation: int) -> list[int]:
        rows = self._query(
            "SELECT rowid FROM removed_passages WHERE generation > ? ORDER BY rowid", (generation,)
        )
        return [row[0] for row in rows]

    def forget_removals(self, through_generation: int) -> None:
        """Prune the log up to a generation every derived index on disk has applied."""
        if through_generation <= self.removals_from():
            return
        with self.transaction() as db:
            db.execute("DELETE FROM removed_passages WHERE generation <= ?", (through_generation,))
            self.set_meta(db, _REMOVALS_FROM, str(through_generation))

    def max_passage_rowid(self) -> int:
        return int(self._query("SELECT COALESCE(MAX(rowid), 0) FROM passages")[0][0])

    # -- reads ----------------------------------------------------------------------------------

    def article_hashes(self, article_ids: Sequence[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        for chunk in _chunks(list(article_ids), 500):
            marks = ",".join("?" * len(chunk))
            sql = f"SELECT id, content_hash FROM articles WHERE id IN ({marks})"
            found.update(dict(self._query(sql, chunk)))
        return found

    def passage_embeddings(self, passage_ids: Sequence[str], dim: int) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        for chunk in _chunks(list(passage_ids), 500):
            marks = ",".join("?" * len(chunk))
            sql = f"SELECT id, embedding FROM passages WHERE id IN ({marks})"
            for passage_id, blob in self._query(sql, chunk):
                vector = np.frombuffer(blob, dtype=np.float32)
                if vector.shape[0] == dim:
                    found[passage_id] = vector
        return found

    def get_article(self, article_id: str) -> Article | None:
        rows = self._query(
            "SELECT id, title, body, outlet, url, published_at, author, language, cluster_id"
            " FROM articles WHERE id = ?",
            (article_id,),
        )
        return _article(rows[0]) if rows else None

    def iter_articles(self) -> Iterator[Article]:
        last = ""
        while True:
            rows = self._query(
                "SELECT id, title, body, outlet, url, published_at, author, language, cluster_id"
                " FROM articles WHERE id > ? ORDER BY id LIMIT 500",
                (last,),
            )
            if not rows:
                return
            yield from (_article(row) for row in rows)
            last = rows[-1][0]

    def outlets(self) -> list[str]:
        rows = self._query("SELECT DISTINCT outlet FROM articles WHERE outlet IS NOT NULL")
        return sorted(row[0] for row in rows)

    def counts(self) -> tuple[int, int]:
        articles = self._query("SELECT COUNT(*) FROM articles")[0][0]
        passages = self._query("SELECT COUNT(*) FROM passages")[0][0]
        return int(articles), int(passages)

    def iter_passage_rows(
        self, after: int = 0, batch: int = 2000, *, through: int | None = None
    ) -> Iterator[list[PassageRow]]:
        """Every passage above rowid ``after`` (up to ``through``), in rowid order, for bringing
        an index level."""
        last = after
        highest = _MAX_ROWID if through is None else through
        while True:
            rows = self._query(
                "SELECT p.rowid, p.article_id, p.terms, a.outlet_key, a.published_ts, p.embedding,"
                " a.outlet, a.author_key, a.language_key, a.cluster_id"
                " FROM passages p JOIN articles a ON a.id = p.article_id"
                " WHERE p.rowid > ? AND p.rowid <= ? ORDER BY p.rowid LIMIT ?",
                (last, highest, batch),
            )
            if not rows:
                return
            yield [
                PassageRow(
                    *row[:5],
                    np.frombuffer(row[5], np.float32),
                    *row[6:],  # type: ignore[arg-type]
                )
                for row in rows
            ]
            last = rows[-1][0]

    def passage_rowids(self) -> np.ndarray:
        rows = self._query("SELECT rowid FROM passages")
        return np.fromiter((row[0] for row in rows), dtype=np.uint64, count=len(rows))

    def embeddings_for(self, rowids: Sequence[int]) -> dict[int, np.ndarray]:
        found: dict[int, np.ndarray] = {}
        for chunk in _chunks(list(rowids), 500):
            marks = ",".join("?" * len(chunk))
            sql = f"SELECT rowid, embedding FROM passages WHERE rowid IN ({marks})"
            for rowid, blob in self._query(sql, chunk):
                found[rowid] = np.frombuffer(blob, dtype=np.float32)
        return found

    def filter_table(self) -> FilterTable:
        """What the in-memory filter columns hold, read in one snapshot from two narrow scans:
        the articles, and the passages' (article id, rowid) index, never the passage rows
        themselves (their text and vectors are most of the file)."""
        db = self._pool.reader()
        db.execute("BEGIN")
        try:
            row = db.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
            generation = int(row[0]) if row else 0
            articles = db.execute(
                "SELECT id, outlet_key, author_key, language_key, published_ts, cluster_id"
                " FROM articles"
            ).fetchall()
            passages = db.execute(
                "SELECT rowid, article_id FROM passages INDEXED BY passages_article"
            ).fetchall()
        finally:
            db.execute("COMMIT")
        number = {row[0]: index for index, row in enumerate(articles)}
        count = len(passages)
        return FilterTable(
            generation=generation,
            rowids=np.fromiter((row[0] for row in passages), dtype=np.int64, count=count),
            owners=np.fromiter((number[row[1]] for row in passages), dtype=np.int64, count=count),
            articles=[row[1:5] for row in articles],
            stories=[(row[0], row[5] or row[0]) for row in articles],
        )

    def _hydration_rows(self, rowids: Sequence[int]) -> dict[int, tuple]:
        rows: dict[int, tuple] = {}
        for chunk in _chunks(list(rowids), 500):
            sql = _HYDRATE.format(marks=",".join("?" * len(chunk)))
            rows.update((row[0], row) for row in self._query(sql, chunk))
        return rows

    def story_keys(self, rowids: Sequence[int]) -> dict[int, tuple[str, str]]:
        """(article id, story id) by rowid; rows deleted meanwhile are absent."""
        found: dict[int, tuple[str, str]] = {}
        for chunk in _chunks(list(rowids), 500):
            sql = _STORY_KEYS.format(marks=",".join("?" * len(chunk)))
            found.update(
                (rowid, (article, cluster or article))
                for rowid, article, cluster in self._query(sql, chunk)
            )
        return found

    def documents(self, rowids: Sequence[int]) -> dict[int, Document]:
        """Unscored Documents (text and attribution) by rowid; rows deleted meanwhile are absent."""
        return {rowid: _document(row, None) for rowid, row in self._hydration_rows(rowids).items()}

    def hydrate(self, ranked: Sequence[tuple[int, float]]) -> list[Document]:
        """Scored Documents in ``ranked`` order; rows deleted meanwhile are skipped. Each
        Document is built once, with its score."""
        rows = self._hydration_rows([rowid for rowid, _ in ranked])
        return [_document(rows[rowid], score) for rowid, score in ranked if rowid in rows]


def _document(row: tuple, score: float | None) -> Document:
    return Document(
        id=row[1], content=row[2], meta=dict(zip(SEARCH_META, row[3:], strict=True)), score=score
    )


def _article(row: tuple) -> Article:
    keys = (
        "id",
        "title",
        "body",
        "outlet",
        "url",
        "published_at",
        "author",
        "language",
        "cluster_id",
    )
    return Article.from_record(dict(zip(keys, row, strict=True)))


def _chunks(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
