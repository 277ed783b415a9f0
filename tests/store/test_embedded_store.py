"""The embedded store (SQLite + Tantivy + usearch) against the shared store contract."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from search.store.embedded import EmbeddedStore
from search.store.model_stamp import ModelStamp
from tests.store.contract import PassageStoreContract, Reopen
from tests.store.corpus import DIM


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
