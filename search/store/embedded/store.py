"""The embedded store: nothing to start, one folder on disk, safe against a crash mid-write."""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
from haystack import Document, default_to_dict

from search.analysis import analyze, join_terms
from search.articles import Article
from search.errors import StoreUnavailableError
from search.filters import SearchFilters
from search.passages import bm25_text
from search.results import FacetBucket, FacetName
from search.sentence_layout import sentence_layout
from search.store.embedded import compactor
from search.store.embedded.bm25_sets import bm25_rankings
from search.store.embedded.catalog import Catalog, PassageRow
from search.store.embedded.changes import replay
from search.store.embedded.lexical import LexicalIndex
from search.store.embedded.resident import ResidentIndexes, TextConstrained
from search.store.embedded.state import Checkpoint, DerivedState, WriterLock
from search.store.model_stamp import META_KEY, ModelStamp, stamp_from_dict, stamp_to_dict
from search.store.protocol import (
    IndexedArticle,
    PassageKey,
    Ranking,
    StoreCounts,
    checked_embeddings,
)

WRITER_WAIT_S = 30.0
# Rows added since the vector snapshot before it is rewritten with them (off the write path).
# Until then every process searches them exactly: ~1.6 ms for 10,000 rows.
COMPACT_ROWS = 10_000
# Below this snapshot size a background compaction's copy of it costs less than a process start.
_CHILD_COMPACTION_BYTES = 64 << 20
# A run of writes that never flushes (a bulk import) compacts in line past this many times.
_BULK_FACTOR = 4
_log = logging.getLogger(__name__)


class EmbeddedStore:
    """SQLite (WAL) holds the truth. Derived from it: Tantivy (BM25) on disk, shared by every
    process; and in each process's memory the filter columns and the vectors (a memory-mapped
    usearch snapshot plus the rows added since, see ``resident``).

    Visibility: a write returns once the catalog commit is on disk and the lexical index has
    committed it; every process replays the catalog's changes into its resident indexes before
    each search. So a search that starts after a write returned sees it in both legs, in this
    process or any other. A write never rewrites the vector snapshot; a compaction does, when
    enough rows have accumulated (in the background after a flush, or on close).

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
        compact_rows: int = COMPACT_ROWS,
        model: ModelStamp | None = None,
    ) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self._directory = directory
        self._dim = dim
        self._model = model
        self._model_recorded = False
        self._bm25_include_title = bm25_include_title
        self._writer_wait_s = writer_wait_s
        self._compact_rows = compact_rows
        self._state_path = directory / compactor.DERIVED_FILE
        self._write_mutex = threading.RLock()  # one write at a time within this process
        self._refresh_lock = threading.Lock()
        self._compacting = threading.Lock()
        self._compaction: threading.Thread | None = None
        self._writer = WriterLock(directory / "writer.lock")
        self._catalog = Catalog(directory / compactor.CATALOG_FILE)
        self._check_model()  # before anything is loaded: another model's vectors are refused
        self._lexical = LexicalIndex(directory / "bm25")
        state = self._recorded()
        self._lexical_at = state.lexical
        self._lexical_seen = state.lexical.generation
        self._resident = ResidentIndexes(directory, dim, self._catalog, state.vectors)
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
            compact_rows=self._compact_rows,
            model=stamp_to_dict(self._model),
        )

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> EmbeddedStore:
        parameters = dict(data.get("init_parameters", {}))
        parameters["model"] = stamp_from_dict(parameters.get("model"))
        return cls(
            Path(parameters.pop("directory")),
            dim=parameters.pop("dim"),
            **parameters,
        )

    def _check_model(self, db: sqlite3.Connection | None = None) -> None:
        """Refuse another model's vectors; inside a write transaction, record ours if none is."""
        if self._model is None or self._model_recorded:
            return
        recorded = self._catalog.get_meta(META_KEY)
        has_vectors = recorded is None and self._catalog.counts()[1] > 0
        self._model.check(recorded, has_vectors, f"the embedded store at {self._state_path.parent}")
        # Once recorded, an id never changes: nothing left to check in this process.
        self._model_recorded = recorded is not None
        if db is not None and recorded is None:
            self._catalog.set_meta(db, META_KEY, self._model.model_id)

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
        """When no other process is writing: catch up, check the lexical index against the
        catalog's passage count (rebuilding it if it lost a commit), and compact the vectors if
        they need it."""
        if not self._writer.try_acquire():
            return
        try:
            self._catch_up()
            if self._lexical.num_docs() != self._catalog.counts()[1]:
                self._sync_lexical(Checkpoint(), reset=True)
        finally:
            self._release_writer()
        if self._resident.needs_compaction(self._compact_rows):
            self._compact_in_background()  # opening is not held up by it

    def _catch_up(self) -> None:
        """With the writer lock: bring the shared lexical index and this process's resident
        indexes level with every commit, including another writer's that did not finish
        applying them."""
        recorded = DerivedState.load(self._state_path).lexical
        if self._lexical.recreated:
            recorded = Checkpoint()
        if recorded.generation != self._catalog.generation() or recorded != self._lexical_at:
            self._sync_lexical(recorded)
        self._resident.sync()

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

    def _record(self) -> None:
        """Only the writer records, and only what the lexical index on disk really holds."""
        DerivedState(lexical=self._lexical_at).save(self._state_path)

    def _refresh(self) -> None:
        """Before a search: pick up what any process committed since this one last looked."""
        generation = self._catalog.generation()
        if generation == self._resident.at.generation == self._lexical_seen:
            self._resident.follow_snapshot()
            return
        with self._refresh_lock:
            committed = DerivedState.load(self._state_path).lexical.generation
            if committed != self._lexical_seen:
                self._lexical.reload()
                self._lexical_seen = committed
            if committed < generation:
                self._repair_abandoned_writes()
            self._resident.sync()

    def _repair_abandoned_writes(self) -> None:
        """The catalog is ahead of the lexical index: when no process holds the writer lock,
        the writer that committed died (or failed) before applying; apply it for them."""
        with self._write_mutex:  # a write in this process applies its own commit first
            already_held = self._writer.held
            if not self._writer.try_acquire():
                return  # a live writer applies its own commits
            try:
                self._catch_up()
            except Exception as error:  # a search must not fail because a repair did
                _log.warning("the embedded store could not catch up with the catalog: %s", error)
            finally:
                if not already_held:
                    self._release_writer()

    # -- writes ---------------------------------------------------------------------------------

    @contextmanager
    def _writing(self) -> Iterator[None]:
        """Hold the writer lock for a write (taken if not held yet, and kept for the next write
        until ``flush``), the indexes level first. A failed write releases the lock, so no error
        path leaves other writers waiting."""
        with self._write_mutex:
            if not self._writer.acquire(self._writer_wait_s):
                raise StoreUnavailableError(
                    "another process is writing to the embedded store; try again when it is done"
                )
            try:
                self._catch_up()
            except Exception as error:
                with contextlib.suppress(Exception):
                    self._release_writer()
                raise StoreUnavailableError(
                    f"the embedded store's search indexes cannot catch up with its catalog: {error}"
                ) from error
            try:
                yield
            except BaseException:
                with contextlib.suppress(Exception):  # the lock is released whatever happens
                    self._release_writer()
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
                self._check_model(db)
                generation = self._catalog.bump_generation(db)
                for item in items:
                    terms = [
                        join_terms(analyze(bm25_text(p, include_title=self._bm25_include_title)))
                        for p in item.passages
                    ]
                    layouts = [sentence_layout(p.content or "") for p in item.passages]
                    gone, new = self._catalog.replace_article(
                        db, generation, item.article, item.passages, terms, layouts, item.embeddings
                    )
                    removed += gone
                    added += new
            self._apply(generation, removed, added)
        if self._resident.vectors.delta_size >= _BULK_FACTOR * self._compact_rows:
            self.compact()  # a long run of writes without a flush: nobody else will

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
        """Apply a committed write to the indexes; each checkpoint moves once its index holds it.

        The catalog already holds the write, so a failure here loses nothing: the indexes are
        brought level from the catalog now, or by the next write or open.
        """
        rowids = [row.rowid for row in added]
        try:
            self._lexical.apply(removed, added)
            self._lexical_at = self._lexical_at.after(generation, rowids)
            self._lexical_seen = generation
            self._record()
            self._resident.apply_write(generation, removed, added)
        except Exception as error:
            try:
                self._catch_up()
            except Exception:
                raise StoreUnavailableError(
                    f"the articles are saved, but the search indexes could not be updated "
                    f"({error}); they are brought level on the next write, or when the store "
                    f"is next opened"
                ) from error

    def _release_writer(self) -> None:
        try:
            self._lexical.finish()
        finally:
            self._writer.release()

    def flush(self) -> None:
        """End a run of writes: let other processes write, and compact the vectors in the
        background if enough have accumulated."""
        with self._write_mutex:
            if self._writer.held:
                self._release_writer()
        if self._resident.needs_compaction(self._compact_rows):
            self._compact_in_background()

    def optimize(self) -> None:
        """Rewrite the keyword index as one segment (see ``LexicalIndex.rewrite``); it holds
        the same passages before and after, so its checkpoint does not move. Passages stored
        before sentence layouts were get theirs (``search.sentence_layout``)."""
        with self._writing():
            self._catalog.fill_sentence_layouts()
            self._lexical.rewrite(self._catalog.iter_passage_rows(batch=5_000))
        self.flush()

    def compact(self) -> bool:
        """Fold the vectors added since the snapshot into a new snapshot file, now, in this
        process. Writes, flushes and ``close`` call it when it is due; False when there was
        nothing to do or another thread or process is compacting."""
        if not self._compacting.acquire(blocking=False):
            return False
        try:
            return compactor.compact(self._directory, self._resident, self._catalog)
        finally:
            self._compacting.release()

    def _compact_in_background(self) -> None:
        running = self._compaction
        if running is not None and running.is_alive():
            return
        self._compaction = threading.Thread(
            target=self._compact_logged, name="newsdesk-vector-compaction", daemon=True
        )
        self._compaction.start()

    def _compact_logged(self) -> None:
        """Compact a large snapshot in a child process, a small one here; never raise."""
        try:
            snapshot = self._resident.vectors.snapshot.path
            if snapshot is not None and snapshot.stat().st_size >= _CHILD_COMPACTION_BYTES:
                compactor.compact_in_child(self._directory, self._dim)
                self._resident.follow_snapshot()
            else:
                self.compact()
        except Exception as error:  # the delta stays searchable; the next flush tries again
            _log.warning("the embedded store could not compact its vectors: %s", error)

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
        cached = self._outlets_cache
        if cached is None or cached[0] != generation:
            cached = self._outlets_cache = (generation, self._catalog.outlets())
        return cached[1]

    def counts(self) -> StoreCounts:
        articles, passages = self._catalog.counts()
        return StoreCounts(articles=articles, passages=passages)

    def bm25_ranking(
        self, terms: Sequence[str], top_k: int, filters: SearchFilters | None = None
    ) -> Ranking:
        """(catalog rowid, BM25 score) pairs, best first."""
        self._refresh()
        return list(self._lexical.search(terms, top_k, filters))

    def dense_ranking(
        self, embedding: np.ndarray, top_k: int, filters: SearchFilters | None = None
    ) -> Ranking:
        """(catalog rowid, cosine) pairs, best first."""
        self._refresh()
        return self._dense(embedding, top_k, filters)

    def bm25_rankings(
        self,
        terms: Sequence[str],
        top_k: int,
        filter_sets: Sequence[SearchFilters | None],
    ) -> list[Ranking]:
        """One BM25 ranking per filter set, from one deep search where they allow it."""
        self._refresh()
        return bm25_rankings(self._lexical, self._resident.columns, terms, top_k, filter_sets)

    def dense_rankings(
        self,
        embedding: np.ndarray,
        top_k: int,
        filter_sets: Sequence[SearchFilters | None],
    ) -> list[Ranking]:
        """One dense ranking per filter set; the large filtered ones share one HNSW search."""
        self._refresh()
        searches: list[TextConstrained] = []
        for filters in filter_sets:
            # The focused sets repeat the main one's phrases and exclusions: look them up once.
            same = next((s for s in searches if _same_text(s[0], filters)), None)
            searches.append(self._with_text(filters) if same is None else (filters, *same[1:]))
        return list(self._resident.dense_rankings(embedding, top_k, searches))

    def story_keys(self, keys: Sequence[PassageKey]) -> dict[PassageKey, tuple[str, str]]:
        """From memory (``StoryColumn``); the catalog answers for rowids committed or removed
        since the last search looked (a passage another process deleted since then may still be
        answered: it is dropped when read, as one deleted after this call would be)."""
        found, unknown = self._resident.stories.lookup([int(key) for key in keys])
        if unknown:
            found.update(self._catalog.story_keys(unknown))
        return dict(found)

    def hydrate(self, keys: Sequence[PassageKey]) -> dict[PassageKey, Document]:
        return dict(self._catalog.documents([int(key) for key in keys]))

    def bm25_search(
        self, terms: Sequence[str], top_k: int, filters: SearchFilters | None = None
    ) -> list[Document]:
        self._refresh()
        return self._catalog.hydrate(self._lexical.search(terms, top_k, filters))

    def dense_search(
        self, embedding: np.ndarray, top_k: int, filters: SearchFilters | None = None
    ) -> list[Document]:
        self._refresh()
        return self._catalog.hydrate(self._dense(embedding, top_k, filters))

    def _dense(
        self, embedding: np.ndarray, top_k: int, filters: SearchFilters | None
    ) -> list[tuple[int, float]]:
        return self._resident.dense_rankings(embedding, top_k, [self._with_text(filters)])[0]

    def _with_text(self, filters: SearchFilters | None) -> TextConstrained:
        """``filters`` with the rowids its phrases admit and its exclusions reject: those live in
        the lexical index (term positions), not in the filter columns."""
        admitted = rejected = None
        if filters is not None and filters.phrases:
            admitted = self._lexical.matching_rowids(SearchFilters(phrases=filters.phrases))
        if filters is not None and filters.excluded:
            # Few passages hold an excluded word: list those rather than all the others.
            rejected = np.unique(
                np.concatenate(
                    [
                        self._lexical.matching_rowids(SearchFilters(phrases=[sequence]))
                        for sequence in filters.excluded
                    ]
                )
            )
        return filters, admitted, rejected

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

    def ping(self) -> None:
        self._catalog.generation()

    def close(self) -> None:
        try:
            with self._write_mutex:
                if self._writer.held:
                    self._release_writer()
            running = self._compaction
            if running is not None:
                running.join()
            if self._resident.needs_compaction(self._compact_rows):
                self._compact_logged()
        finally:
            self._catalog.close()


def _same_text(one: SearchFilters | None, other: SearchFilters | None) -> bool:
    def text(filters: SearchFilters | None) -> tuple:
        return (None, None) if filters is None else (filters.phrases, filters.excluded)

    return text(one) == text(other)
