"""The embedded store (SQLite + Tantivy + usearch) against the shared store contract."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from search.store.embedded import EmbeddedStore
from tests.store.contract import PassageStoreContract
from tests.store.corpus import DIM


class TestEmbeddedStore(PassageStoreContract):
    @pytest.fixture
    def store(self, tmp_path: Path) -> Iterator[EmbeddedStore]:
        store = EmbeddedStore(tmp_path / "embedded", dim=DIM, bm25_include_title=True)
        yield store
        store.close()
