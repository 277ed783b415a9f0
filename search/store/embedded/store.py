"""The embedded store: nothing to start, one folder on disk, safe against a crash mid-write."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from haystack import Document, default_to_dict

from search.analysis import analyze, join_terms
from search.articles import Article
from search.errors import StoreCorruptedError, StoreUnavailableError
from search.filters import SearchFilters
from search.passages import bm25_text
from search.results import FacetBucket, FacetName
from search.store.embedded.catalog import Catalog, PassageRow
from search.store.embedded.lexical import LexicalIndex
from search.store.embedded.state import DerivedState, WriterLock
from search.store.embedded.vectors import EXACT_SEARCH_LIMIT, VectorIndex
from search.store.protocol import IndexedArticle, StoreCounts

_VECTOR_SAVE_INTERVAL_S = 60.0
_WRITER_WAIT_S = 30.0


class EmbeddedStore:
    """SQLite (WAL) holds the truth; Tantivy (BM25) and usearch (HNSW) are derived from it.

    Usage:
        store = EmbeddedStore(Path("var/embedded"), dim=384)
        store.write_articles([IndexedArticle(article, passages, embeddings)])
        store.bm25_search(["missil"], top_k=5)
        store.close()
    """

    def __init__(self, directory: Path, *, dim: int, bm25_include_title: bool = True) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self._directory = directory
        self._dim = dim
        self._bm25_include_title = bm25_include_title
        self._state_path = directory / "derived.json"
        self._lock = threading.RLock()
        self._writer = WriterLock(directory / "writer.lock")
        self._catalog = Catalog(directory / "catalog.sqlite3")
        self._lexical = LexicalIndex(directory / "bm25")
        self._vectors_path = directory / "vectors.usearch"
        self._vectors = VectorIndex(self._vectors_path, dim)
        self._last_vector_save = time.monotonic()
        self._last_save_seconds = 0.0
        self._outlets_cache: tuple[int, list[str]] | None = None
        self._repair_if_stale()
        self._seen_generation = self._catalog.generation()
        self._seen_vectors_mtime = self._vectors_mtime(self._vectors_path)

    def to_dict(self) -> dict[str, Any]:
        """Haystack's serialisation shape, so a retrieval Pipeline holding this store dumps."""
        return default_to_dict(
            self,
            directory=str(self._directory),
            dim=self._dim,
            bm25_include_title=self._bm25_include_title,
        )

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> EmbeddedStore:
        parameters = dict(data.get("init_parameters", {}))
        return cls(
            Path(parameters.pop("directory")),
            dim=parameters.pop("dim"),
            **parameters,
        )

    # -- consistency ----------------------------------------------------------------------------

    def _repair_if_stale(self) -> None:
        """After a crash the derived indexes may lag the catalog: bring them level.

        Only a process that can take the writer lock repairs; while another process is writing,
        its indexes are legitimately behind and catch up when it flushes.
        """
        generation = self._catalog.generation()
        state = DerivedState.load(self._state_path)
        if self._lexical.recreated:
            state.lexical = -1
        if state.lexical == generation and state.vectors == generation:
            return
        already_held = self._writer.held
        if not self._writer.try_acquire():
            return
        try:
            if state.lexical != generation:
                self._lexical.rebuild(self._catalog.iter_passage_rows())
                self._lexical.recreated = False
            if state.vectors != generation:
                self._reconcile_vectors()
            DerivedState(lexical=generation, vectors=generation).save(self._state_path)
        finally:
            if not already_held:
                self._writer.release()

    def _reconcile_vectors(self) -> None:
        catalog_rowids = self._catalog.passage_rowids()
        indexed = self._vectors.keys()
        stale = np.setdiff1d(indexed, catalog_rowids)
        missing = set(np.setdiff1d(catalog_rowids, indexed).tolist())
        self._vectors.apply(stale.tolist(), [])
        if missing:
            self._vectors.add_rows(
                [row for row in batch if row.rowid in missing]
                for batch in self._catalog.iter_passage_rows()
            )
        if len(self._vectors) != catalog_rowids.size:
            raise StoreCorruptedError("vector index does not match the catalog after repair")
        self._vectors.save()

    @staticmethod
    def _vectors_mtime(path: Path) -> float:
        return path.stat().st_mtime if path.exists() else 0.0

    def _refresh(self) -> None:
        """Pick up what another process committed since this one last looked."""
        generation = self._catalog.generation()
        if generation == self._seen_generation:
            return
        with self._lock:
            self._lexical.reload()
            mtime = self._vectors_mtime(self._vectors_path)
            if not self._writer.held and mtime != self._seen_vectors_mtime:
                self._vectors.reload()
                self._seen_vectors_mtime = mtime
            self._seen_generation = generation

    # -- writes ---------------------------------------------------------------------------------

    def _begin_write(self) -> None:
        """Take the writer lock and catch up with what other writers committed meanwhile."""
        if self._writer.held:
            return
        if not self._writer.acquire(_WRITER_WAIT_S):
            raise StoreUnavailableError(
                "another process is writing to the embedded store; try again when it is done"
            )
        self._repair_if_stale()
        self._lexical.reload()
        mtime = self._vectors_mtime(self._vectors_path)
        if mtime != self._seen_vectors_mtime:
            self._vectors.reload()
            self._seen_vectors_mtime = mtime

    def write_articles(self, items: Sequence[IndexedArticle]) -> None:
        if not items:
            return
        with self._lock:
            self._begin_write()
            removed: list[int] = []
            added: list[PassageRow] = []
            with self._catalog.transaction() as db:
                for item in items:
                    terms = [
                        join_terms(analyze(bm25_text(p, include_title=self._bm25_include_title)))
                        for p in item.passages
                    ]
                    gone, new = self._catalog.replace_article(
                        db, item.article, item.passages, terms, item.embeddings
                    )
                    removed += gone
                    added += new
                generation = self._catalog.bump_generation(db)
            self._apply(generation, [item.article.id for item in items], removed, added)

    def delete_articles(self, article_ids: Sequence[str]) -> int:
        with self._lock:
            self._begin_write()
            existing = self._catalog.article_hashes(article_ids)
            if not existing:
                return 0
            with self._catalog.transaction() as db:
                removed = self._catalog.delete_articles(db, list(existing))
                generation = self._catalog.bump_generation(db)
            self._apply(generation, list(existing), removed, [])
            self.flush()
            return len(existing)

    def _apply(
        self, generation: int, articles: list[str], removed: list[int], added: list[PassageRow]
    ) -> None:
        self._lexical.apply(articles, added)
        self._vectors.apply(removed, added)
        state = DerivedState.load(self._state_path)
        state.lexical = generation
        state.save(self._state_path)
        self._seen_generation = generation
        # Each save rewrites the whole vector file: space them out as it grows.
        interval = max(_VECTOR_SAVE_INTERVAL_S, 20 * self._last_save_seconds)
        if time.monotonic() - self._last_vector_save > interval:
            self.flush()

    def flush(self) -> None:
        with self._lock:
            if not self._writer.held:
                return
            started = time.monotonic()
            self._vectors.save()
            self._last_save_seconds = time.monotonic() - started
            self._last_vector_save = time.monotonic()
            self._seen_vectors_mtime = self._vectors_mtime(self._vectors_path)
            DerivedState(
                lexical=self._catalog.generation(), vectors=self._catalog.generation()
            ).save(self._state_path)
            # Everything is on disk: let other processes (the CLI, the API) write in turn.
            self._writer.release()

    # -- reads ----------------------------------------------------------------------------------

    def article_hashes(self, article_ids: Sequence[str]) -> dict[str, str]:
        return self._catalog.article_hashes(article_ids)

    def passage_embeddings(self, passage_ids: Sequence[str]) -> dict[str, np.ndarray]:
        return self._catalog.passage_embeddings(passage_ids, self._dim)

    def get_article(self, article_id: str) -> Article | None:
        return self._catalog.get_article(article_id)

    def iter_articles(self) -> Iterator[Article]:
        return self._catalog.iter_articles()

    def outlets(self) -> list[str]:
        generation = self._catalog.generation()
        if self._outlets_cache is None or self._outlets_cache[0] != generation:
            self._outlets_cache = (generation, self._catalog.outlets())
        return self._outlets_cache[1]

    def counts(self) -> StoreCounts:
        articles, passages = self._catalog.counts()
        return StoreCounts(articles=articles, passages=passages)

    def bm25_search(
        self, terms: Sequence[str], top_k: int, filters: SearchFilters | None = None
    ) -> list[Document]:
        self._refresh()
        return self._hydrate(self._lexical.search(terms, top_k, filters))

    def facets(
        self, terms: Sequence[str], filters: SearchFilters | None, names: Sequence[FacetName]
    ) -> dict[str, list[FacetBucket]]:
        self._refresh()
        return {
            name: [FacetBucket(value=value, count=count) for value, count in buckets]
            for name, buckets in self._lexical.facets(terms, filters, names).items()
        }

    def document_frequencies(self, terms: Sequence[str]) -> tuple[int, dict[str, int]]:
        self._refresh()
        return self._lexical.document_frequencies(terms)

    def dense_search(
        self, embedding: np.ndarray, top_k: int, filters: SearchFilters | None = None
    ) -> list[Document]:
        self._refresh()
        if filters is None or filters.is_empty():
            return self._hydrate(self._vectors.search(embedding, top_k))
        admitted = self._catalog.filtered_rowids(filters)
        if admitted.size <= EXACT_SEARCH_LIMIT:
            return self._hydrate(self._vectors.search_among(embedding, admitted, top_k))
        return self._hydrate(self._filtered_ann(embedding, admitted, top_k))

    def _filtered_ann(
        self, embedding: np.ndarray, admitted: np.ndarray, top_k: int
    ) -> list[tuple[int, float]]:
        # A broad filter: widen the ANN search until enough admitted passages come back.
        fetch = top_k * 8
        while True:
            matches = self._vectors.search(embedding, fetch)
            keys = np.asarray([key for key, _ in matches], dtype=np.uint64)
            keep = np.isin(keys, admitted)
            kept = [match for match, ok in zip(matches, keep, strict=True) if ok]
            if len(kept) >= top_k or fetch >= len(self._vectors):
                return kept[:top_k]
            fetch *= 4

    def _hydrate(self, ranked: list[tuple[int, float]]) -> list[Document]:
        return self._catalog.hydrate(ranked)

    def ping(self) -> None:
        self._catalog.generation()

    def close(self) -> None:
        with self._lock:
            self.flush()
            self._lexical.close()
            self._writer.release()
            self._catalog.close()
