"""The embedded store (SQLite + Tantivy + usearch) against the shared store contract."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from search.store.embedded import EmbeddedStore
from search.store.model_stamp import ModelStamp
from tests.store.contract import PassageStoreContract, Reopen
from tests.store.corpus import CORPUS, DIM, indexed


class TestEmbeddedStore(PassageStoreContract):
    exact_frequencies = False  # Tantivy's statistics, as its BM25 uses them

    @pytest.fixture
    def store(self, tmp_path: Path) -> Iterator[EmbeddedStore]:
        store = EmbeddedStore(tmp_path / "embedded", dim=DIM, bm25_include_title=True)
        yield store
        store.close()

    @pytest.fixture
    def reopen(self, store: EmbeddedStore, tmp_path: Path) -> Iterator[Reopen]:
        opened: list[EmbeddedStore] = []

        def make(model: ModelStamp | None) -> EmbeddedStore:
            # Each write is flushed at once: the writer lock passes to the next instance.
            if opened:
                opened[-1].flush()
            opened.append(EmbeddedStore(tmp_path / "embedded", dim=DIM, model=model))
            return opened[-1]

        yield make
        for other in opened:
            other.close()


def test_a_lexical_index_without_positions_is_rebuilt_on_open(tmp_path: Path) -> None:
    """An index an older newsdesk wrote (term frequencies, no positions) cannot run phrase
    queries: opening the store rebuilds it from the catalog."""
    import shutil

    import tantivy

    from search.analysis import analyze_query
    from search.filters import SearchFilters
    from tests.store.corpus import CORPUS, indexed

    directory = tmp_path / "embedded"
    store = EmbeddedStore(directory, dim=DIM)
    store.write_articles([indexed(item) for item in CORPUS])
    store.close()
    shutil.rmtree(directory / "bm25")
    (directory / "bm25").mkdir()
    builder = tantivy.SchemaBuilder()
    builder.add_integer_field("rowid", stored=True, indexed=True, fast=True)
    builder.add_text_field("terms", index_option="freq")
    tantivy.Index(builder.build(), path=str(directory / "bm25"))

    reopened = EmbeddedStore(directory, dim=DIM)
    phrase = SearchFilters(phrases=[tuple(analyze_query("roughly 700 kilometres"))])
    assert reopened.count_matching(phrase) == 1
    assert len(reopened.bm25_search(["missil"], 10)) == 3
    reopened.close()


def test_optimize_leaves_one_keyword_segment(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "embedded", dim=DIM)
    try:
        for item in CORPUS:
            store.write_articles([indexed(item)])
            store.flush()
        assert store._lexical.num_segments() > 1
        store.optimize()
        assert store._lexical.num_segments() == 1
    finally:
        store.close()


def test_passages_stored_before_sentence_layouts_are_split_and_filled_by_optimize(
    tmp_path: Path,
) -> None:
    """A catalog an older newsdesk wrote has no layout column: opening adds it (empty), its
    passages are split on every read as before, new writes carry layouts, and ``optimize``
    fills in the old rows."""
    import sqlite3

    from haystack import Document

    from search.passage_sentences import read_sentences
    from search.sentence_layout import sentence_layout
    from search.store.embedded.compactor import CATALOG_FILE
    from tests.store.contract import QUERY, sentence_shape
    from tests.store.corpus import MISSILE, RATES

    directory = tmp_path / "embedded"
    store = EmbeddedStore(directory, dim=DIM)
    store.write_articles([indexed(MISSILE)])
    assert store._catalog.fill_sentence_layouts() == 0  # a new catalog: all written with theirs
    fresh = {hit.id: hit for hit in store.dense_search(QUERY, 20)}
    store.close()
    with sqlite3.connect(directory / CATALOG_FILE) as db:
        db.execute("ALTER TABLE passages DROP COLUMN sentence_layout")
        db.execute("DELETE FROM meta WHERE key = 'sentence_layouts_under'")
    db.close()

    reopened = EmbeddedStore(directory, dim=DIM)
    try:
        old = {hit.id: hit for hit in reopened.dense_search(QUERY, 20)}
        assert set(old) == set(fresh)
        for passage_id, hit in old.items():
            assert hit.meta["sentence_layout"] is None
            assert sentence_shape(read_sentences(hit)) == sentence_shape(
                read_sentences(fresh[passage_id])
            )
        reopened.write_articles([indexed(RATES)])
        layouts = {
            hit.meta["article_id"]: hit.meta["sentence_layout"]
            for hit in reopened.dense_search(QUERY, 20)
        }
        assert layouts[MISSILE.id] is None and layouts[RATES.id] is not None
        assert reopened._catalog.fill_sentence_layouts() == len(indexed(MISSILE).passages)
        assert reopened._catalog.fill_sentence_layouts() == 0  # done: no scan on later runs
        reopened.optimize()
        for hit in reopened.dense_search(QUERY, 20):
            assert hit.meta["sentence_layout"] == sentence_layout(hit.content or "")
            split = Document(content=hit.content, meta={**hit.meta, "sentence_layout": None})
            assert sentence_shape(read_sentences(hit)) == sentence_shape(read_sentences(split))
    finally:
        reopened.close()
