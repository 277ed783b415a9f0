"""The embedded store: nothing to start, one folder on disk, safe against a crash mid-write."""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
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
from search.store.embedded.changes import replay
from search.store.embedded.lexical import LexicalIndex
from search.store.embedded.state import Checkpoint, DerivedState, WriterLock
from search.store.embedded.vectors import EXACT_SEARCH_LIMIT, VectorIndex
from search.store.protocol import IndexedArticle, StoreCounts, checked_embeddings

_VECTOR_SAVE_INTERVAL_S = 60.0
WRITER_WAIT_S = 30.0
_log = logging.getLogger(__name__)


class EmbeddedStore:
    """SQLite (WAL) holds the truth; Tantivy (BM25) and usearch (HNSW) are derived from it.

    Visibility: a write returns once the catalog commit is on disk and the lexical index has
    committed it; every process replays the catalog's changes into its own in-memory vector index
    before each search. So a search that starts after a write returned sees it in both legs, in
    this process or any other. The vector file is a snapshot that spares a replay on open.

    Usage:
        store = EmbeddedStore(Path("var/embedded"), dim=384)
        store.write_articles([IndexedArticle(article, passages, embeddings)])
        store.bm25_search(["missil"], top_k=5)
        store.close()
    """

    def __init__(
        self,
        directory: Path,
        *,
        dim: int,
        bm25_include_title: bool = True,
        writer_wait_s: float = WRITER_WAIT_S,
    ) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self._directory = directory
        self._dim = dim
        self._bm25_include_title = bm25_include_title
        self._writer_wait_s = writer_wait_s
        self._state_path = directory / "derived.json"
        self._lock = threading.RLock()
        self._writer = WriterLock(directory / "writer.lock")
        self._catalog = Catalog(directory / "catalog.sqlite3")
        self._lexical = LexicalIndex(directory / "bm25")
        # The state first: the vector file loaded next is at least as new as it says.
        state = self._recorded()
        self._vectors = VectorIndex(directory / "vectors.usearch", dim)
        self._vectors_at = state.vectors if len(self._vectors) else Checkpoint()
        self._vectors_saved = self._vectors_at
        self._lexical_at = state.lexical
        self._lexical_seen = state.lexical.generation
        self._last_vector_save = time.monotonic()
        self._last_save_seconds = 0.0
        self._outlets_cache: tuple[int, list[str]] | None = None
        self._open()

    def to_dict(self) -> dict[str, Any]:
        """Haystack's serialisation shape, so a retrieval Pipeline holding this store dumps."""
        return default_to_dict(
            self,
            directory=str(self._directory),
            dim=self._dim,
            bm25_include_title=self._bm25_include_title,
            writer_wait_s=self._writer_wait_s,
        )

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> EmbeddedStore:
        parameters = dict(data.get("init_parameters", {}))
        return cls(
            Path(parameters.pop("directory")),
            dim=parameters.pop("dim"),
            **parameters,
        )

    # -- keeping the derived indexes level ------------------------------------------------------

    def _recorded(self) -> DerivedState:
        """The on-disk indexes' checkpoints, with those of an older newsdesk made exact."""
        state = DerivedState.load(self._state_path)
        generation = self._catalog.generation()
        for name in ("lexical", "vectors"):
            checkpoint: Checkpoint = getattr(state, name)
            if checkpoint.rowid < 0 and checkpoint.generation == generation:
                setattr(state, name, Checkpoint(generation, self._catalog.max_passage_rowid()))
        if self._lexical.recreated:
            state.lexical = Checkpoint()
        return state

    def _open(self) -> None:
        """Catch up; when no other process is writing, also check each index against the
        catalog's passage count and rebuild one that disagrees (a file that lost a save)."""
        self._sync_vectors()
        if not self._writer.try_acquire():
            return
        try:
            self._catch_up()
            passages = self._catalog.counts()[1]
            if self._lexical.num_docs() != passages:
                self._sync_lexical(Checkpoint(), reset=True)
            repaired = len(self._vectors) != passages
            if repaired:
                self._reconcile_vectors()
            if repaired or self._vectors_saved != self._vectors_at:
                self._save_vectors()
        finally:
            self._writer.release()

    def _catch_up(self) -> None:
        """With the writer lock: bring the shared lexical index and this process's vectors level
        with every commit, including another writer's that did not finish applying them."""
        recorded = self._recorded().lexical
        if recorded.generation != self._catalog.generation() or recorded != self._lexical_at:
            self._sync_lexical(recorded)
        self._sync_vectors()

    def _sync_lexical(self, start: Checkpoint, *, reset: bool = False) -> None:
        if reset or start.empty:
            self._lexical.reset()
            start = Checkpoint()

        def apply(removed: Sequence[int], added: Sequence[PassageRow]) -> None:
            self._lexical.apply(removed, added, replace=not start.empty)

        at = replay(self._catalog, start, apply)
        if at is None:
            self._lexical.reset()
            start = Checkpoint()
            at = replay(self._catalog, start, apply)
        assert at is not None  # from empty there is always a way
        self._lexical_at = at
        self._lexical_seen = at.generation
        self._record()

    def _sync_vectors(self) -> None:
        """Bring this process's in-memory vector index level (no lock: nothing is written)."""
        at = replay(self._catalog, self._vectors_at, self._vectors.apply)
        if at is None:
            # Too far behind the removal log: start from the newest saved file instead.
            saved = self._recorded().vectors
            self._vectors.reload()
            at = replay(
                self._catalog, saved if len(self._vectors) else Checkpoint(), self._vectors.apply
            )
        if at is None:
            self._vectors.reset()
            at = replay(self._catalog, Checkpoint(), self._vectors.apply)
        assert at is not None
        self._vectors_at = at

    def _reconcile_vectors(self) -> None:
        generation = self._catalog.generation()
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
        self._vectors_at = Checkpoint(generation, self._catalog.max_passage_rowid())

    def _record(self) -> None:
        """Only the writer records, and only what each index on disk really holds."""
        DerivedState(lexical=self._lexical_at, vectors=self._vectors_saved).save(self._state_path)

    def _refresh(self) -> None:
        """Before a search: pick up what any process committed since this one last looked."""
        generation = self._catalog.generation()
        if generation == self._vectors_at.generation == self._lexical_seen:
            return
        with self._lock:
            committed = DerivedState.load(self._state_path).lexical.generation
            if committed != self._lexical_seen:
                self._lexical.reload()
                self._lexical_seen = committed
            if committed < generation:
                self._repair_abandoned_writes()
            self._sync_vectors()

    def _repair_abandoned_writes(self) -> None:
        """The catalog is ahead of the lexical index: when no process holds the writer lock,
        the writer that committed died (or failed) before applying; apply it for them."""
        already_held = self._writer.held
        if not self._writer.try_acquire():
            return  # a live writer applies its own commits
        try:
            self._catch_up()
        except Exception as error:  # a search must not fail because a repair did
            _log.warning("the embedded store could not catch up with the catalog: %s", error)
        finally:
            if not already_held:
                self._writer.release()

    # -- writes ---------------------------------------------------------------------------------

    @contextmanager
    def _writing(self) -> Iterator[None]:
        """Hold the writer lock for a write (taken if not held yet, and kept for the next write
        until ``flush``), the indexes level first. A failed write records what the indexes hold
        and releases the lock, so no error path leaves other writers waiting."""
        with self._lock:
            if not self._writer.acquire(self._writer_wait_s):
                raise StoreUnavailableError(
                    "another process is writing to the embedded store; try again when it is done"
                )
            try:
                self._catch_up()
            except Exception as error:
                with contextlib.suppress(Exception):
                    self.flush()
                raise StoreUnavailableError(
                    f"the embedded store's search indexes cannot catch up with its catalog: {error}"
                ) from error
            try:
                yield
            except BaseException:
                with contextlib.suppress(Exception):  # the lock is released whatever happens
                    self.flush()
                raise

    def write_articles(self, items: Sequence[IndexedArticle]) -> None:
        if not items:
            return
        for item in items:
            checked_embeddings(item, self._dim)
        with self._writing():
            removed: list[int] = []
            added: list[PassageRow] = []
            with self._catalog.transaction() as db:
                generation = self._catalog.bump_generation(db)
                for item in items:
                    terms = [
                        join_terms(analyze(bm25_text(p, include_title=self._bm25_include_title)))
                        for p in item.passages
                    ]
                    gone, new = self._catalog.replace_article(
                        db, generation, item.article, item.passages, terms, item.embeddings
                    )
                    removed += gone
                    added += new
            self._apply(generation, removed, added)

    def delete_articles(self, article_ids: Sequence[str]) -> int:
        if not self._catalog.article_hashes(article_ids):
            return 0  # nothing to delete: no reason to wait for the writer lock
        with self._writing():
            existing = list(self._catalog.article_hashes(article_ids))
            if existing:
                with self._catalog.transaction() as db:
                    generation = self._catalog.bump_generation(db)
                    removed = self._catalog.delete_articles(db, generation, existing)
                self._apply(generation, removed, [])
        self.flush()
        return len(existing)

    def _apply(self, generation: int, removed: list[int], added: list[PassageRow]) -> None:
        """Apply a committed write to both indexes; each checkpoint moves once its index holds it.

        The catalog already holds the write, so a failure here loses nothing: the indexes are
        brought level from the catalog now, or by the next write or open.
        """
        rowids = [row.rowid for row in added]
        try:
            self._lexical.apply(removed, added)
            self._lexical_at = self._lexical_at.after(generation, rowids)
            self._lexical_seen = generation
            self._record()
            self._vectors.apply(removed, added)
            self._vectors_at = self._vectors_at.after(generation, rowids)
        except Exception as error:
            try:
                self._catch_up()
            except Exception:
                raise StoreUnavailableError(
                    f"the articles are saved, but the search indexes could not be updated "
                    f"({error}); they are brought level on the next write, or when the store "
                    f"is next opened"
                ) from error
        # Each save rewrites the whole vector file: space them out as it grows.
        interval = max(_VECTOR_SAVE_INTERVAL_S, 20 * self._last_save_seconds)
        if time.monotonic() - self._last_vector_save > interval:
            self.flush()

    def _save_vectors(self) -> None:
        started = time.monotonic()
        self._vectors.save()
        self._last_save_seconds = time.monotonic() - started
        self._last_vector_save = time.monotonic()
        previous = self._vectors_saved
        self._vectors_saved = self._vectors_at
        self._record()
        # Readers replay removals from the log; keep a whole save interval of them, so a reader
        # that searched since the previous save never has to reload the file.
        self._catalog.forget_removals(min(previous.generation, self._lexical_at.generation))

    def flush(self) -> None:
        """Save the vector file, record it, and let other processes write in turn."""
        with self._lock:
            if not self._writer.held:
                return
            try:
                self._save_vectors()
            finally:
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

    def count_matching(self, filters: SearchFilters) -> int:
        self._refresh()
        return self._lexical.count(filters)

    def dense_search(
        self, embedding: np.ndarray, top_k: int, filters: SearchFilters | None = None
    ) -> list[Document]:
        self._refresh()
        if filters is None or filters.is_empty():
            return self._hydrate(self._vectors.search(embedding, top_k))
        if filters.phrases:
            return self._among(embedding, self._lexical.matching_rowids(filters), top_k)
        # Few passages hold an excluded word: reject those rather than list all the others.
        rejected = np.zeros(0, dtype=np.uint64)
        for sequence in filters.excluded or ():
            found = self._lexical.matching_rowids(SearchFilters(phrases=[sequence]))
            rejected = np.union1d(rejected, found)
        rest = filters.model_copy(update={"excluded": None})
        if rest.is_empty():
            return self._hydrate(
                self._filtered_ann(embedding, lambda keys: ~np.isin(keys, rejected), top_k)
            )
        admitted = self._catalog.filtered_rowids(rest)
        return self._among(embedding, np.setdiff1d(admitted, rejected), top_k)

    def _among(self, embedding: np.ndarray, admitted: np.ndarray, top_k: int) -> list[Document]:
        if admitted.size <= EXACT_SEARCH_LIMIT:
            return self._hydrate(self._vectors.search_among(embedding, admitted, top_k))
        return self._hydrate(
            self._filtered_ann(embedding, lambda keys: np.isin(keys, admitted), top_k)
        )

    def _filtered_ann(
        self, embedding: np.ndarray, admits: Callable[[np.ndarray], np.ndarray], top_k: int
    ) -> list[tuple[int, float]]:
        # A broad filter: widen the ANN search until enough admitted passages come back.
        fetch = top_k * 8
        while True:
            matches = self._vectors.search(embedding, fetch)
            keys = np.asarray([key for key, _ in matches], dtype=np.uint64)
            keep = admits(keys)
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
            try:
                self.flush()
            finally:
                self._writer.release()
                self._catalog.close()
