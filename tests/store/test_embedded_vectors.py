"""The embedded store's vectors: writes append to a delta, compaction rewrites the snapshot, and
every search path (delta, mapped snapshot, exact, HNSW with a filter) ranks the same way."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from search.filters import SearchFilters
from search.store.embedded import EmbeddedStore, vectors
from search.store.embedded.snapshot import RECORD_FILE, VectorSnapshot
from search.store.protocol import IndexedArticle
from tests.store import test_embedded_store
from tests.store.corpus import DIM, QUERY, article, indexed, numbered, text_vector

NEVER = 10**9


class TestEmbeddedStoreSearchingItsSnapshot(test_embedded_store.TestEmbeddedStore):
    """The whole contract again, with every write folded into the snapshot at once and every
    filtered dense search answered by HNSW: the paths a large store takes."""

    @pytest.fixture
    def store(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[EmbeddedStore]:
        monkeypatch.setattr(vectors, "EXACT_SEARCH_LIMIT", 0)
        monkeypatch.setattr(vectors, "_signs_pay", lambda snapshot, search, top_k: False)
        store = EmbeddedStore(tmp_path / "embedded", dim=DIM, compact_rows=1)
        yield store
        store.close()


class TestEmbeddedStoreSearchingBySigns(test_embedded_store.TestEmbeddedStore):
    """The whole contract again, with every filtered dense search over the snapshot answered
    by its sign codes: the path a large store takes for filters between exact and HNSW."""

    @pytest.fixture
    def store(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[EmbeddedStore]:
        monkeypatch.setattr(vectors, "EXACT_SEARCH_LIMIT", 0)
        monkeypatch.setattr(
            vectors, "_signs_pay", lambda snapshot, search, top_k: snapshot.signs is not None
        )
        store = EmbeddedStore(tmp_path / "embedded", dim=DIM, compact_rows=1)
        yield store
        store.close()


def _snapshots(directory: Path) -> list[str]:
    return sorted(path.name for path in directory.glob("vectors*.usearch"))


def _nearest(store: EmbeddedStore, item: IndexedArticle) -> list[str]:
    return [
        store.dense_search(text_vector(passage.content or ""), top_k=1)[0].id
        for passage in item.passages
    ]


def test_writes_append_and_only_a_compaction_rewrites_the_snapshot(tmp_path: Path) -> None:
    directory = tmp_path / "embedded"
    writer = EmbeddedStore(directory, dim=DIM, compact_rows=NEVER)
    reader = EmbeddedStore(directory, dim=DIM, compact_rows=NEVER)
    try:
        writer.write_articles([numbered(n) for n in range(3)])
        writer.flush()
        assert _snapshots(directory) == []  # nothing saved: the catalog has it all
        assert writer.compact()
        [first] = _snapshots(directory)
        stamp = (directory / first).stat().st_mtime_ns

        writer.write_articles([numbered(3)])
        writer.delete_articles([numbered(0).article.id])
        assert _snapshots(directory) == [first]
        assert (directory / first).stat().st_mtime_ns == stamp
        for store in (writer, reader):
            assert _nearest(store, numbered(3)) == [p.id for p in numbered(3).passages]
            every = {hit.meta["article_id"] for hit in store.dense_search(QUERY, 100)}
            assert every == {numbered(n).article.id for n in (1, 2, 3)}

        assert writer.compact()
        [second] = _snapshots(directory)
        assert second != first
        assert json.loads((directory / RECORD_FILE).read_text())["file"] == second
        for store in (writer, reader):  # the reader follows the new snapshot on its next search
            assert _nearest(store, numbered(3)) == [p.id for p in numbered(3).passages]
            assert len(store.dense_search(QUERY, 100)) == 6
    finally:
        writer.close()
        reader.close()


def test_the_delta_keeps_every_row_as_it_grows(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "embedded", dim=DIM, compact_rows=NEVER)
    try:
        for first in range(0, 300, 60):  # 600 rows: the delta outgrows its first allocation
            store.write_articles([numbered(n) for n in range(first, first + 60)])
        assert len(store.dense_search(QUERY, 1000)) == 600
        for number in (0, 150, 299):
            assert _nearest(store, numbered(number)) == [p.id for p in numbered(number).passages]
    finally:
        store.close()


def test_exact_search_reads_the_mapped_snapshot_in_place(tmp_path: Path) -> None:
    directory = tmp_path / "embedded"
    store = EmbeddedStore(directory, dim=DIM)
    try:
        store.write_articles([numbered(n) for n in range(20)])
        store.compact()
        [name] = _snapshots(directory)
        snapshot = VectorSnapshot.open(directory / name, DIM, store._resident.at)
        assert snapshot.layout is not None  # this usearch writes the layout read_layout expects
        rowids = snapshot.rowids[::3]
        held, matrix = snapshot.vectors(np.append(rowids, 10**6))  # one it does not hold
        assert sorted(held.tolist()) == rowids.tolist()
        assert snapshot.index is not None
        for rowid, row in zip(held.tolist(), matrix, strict=True):
            assert np.array_equal(np.ravel(snapshot.index.get(rowid, dtype=np.float16)), row)
    finally:
        store.close()


def test_exact_and_approximate_filtered_searches_agree(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    outlets = ("Wire", "Local", "Daily")
    items = [
        indexed(
            article(f"a-{n}", [f"Report {n} part {p}." for p in range(4)], outlet=outlets[n % 3])
        )
        for n in range(30)
    ]
    store = EmbeddedStore(tmp_path / "embedded", dim=DIM)
    try:
        store.write_articles(items[:20])
        store.compact()
        store.write_articles(items[20:])  # some in the snapshot, some in the delta
        local = SearchFilters(outlets=["local"])
        exact = store.dense_search(QUERY, 12, local)
        assert len(exact) == 12 and {hit.meta["outlet"] for hit in exact} == {"Local"}
        monkeypatch.setattr(vectors, "EXACT_SEARCH_LIMIT", 0)
        for signs_pay in (False, True):  # HNSW, then sign codes
            monkeypatch.setattr(vectors, "_signs_pay", lambda *_, pay=signs_pay: pay)
            approximate = store.dense_search(QUERY, 12, local)
            assert [hit.id for hit in approximate] == [hit.id for hit in exact]
            assert [hit.score for hit in approximate] == pytest.approx([hit.score for hit in exact])
    finally:
        store.close()


def test_a_store_saved_before_snapshot_records_opens_whole(tmp_path: Path) -> None:
    """An older newsdesk kept one ``vectors.usearch`` and its checkpoint in derived.json."""
    directory = tmp_path / "embedded"
    store = EmbeddedStore(directory, dim=DIM)
    store.write_articles([numbered(n) for n in range(4)])
    store.compact()
    at = store._resident.at
    store.close()
    [name] = _snapshots(directory)
    os.replace(directory / name, directory / "vectors.usearch")
    (directory / RECORD_FILE).unlink()
    state = json.loads((directory / "derived.json").read_text())
    older = {"generation": at.generation - 1, "rowid": at.rowid - 2}  # it lagged its file a bit
    (directory / "derived.json").write_text(json.dumps({**state, "vectors": older}))

    for round_ in range(2):  # the second time after a write has rewritten derived.json
        reopened = EmbeddedStore(directory, dim=DIM, compact_rows=NEVER)
        try:
            for number in range(4):
                expected = [p.id for p in numbered(number).passages]
                assert _nearest(reopened, numbered(number)) == expected
            assert reopened._resident.vectors.snapshot.path == directory / "vectors.usearch"
            assert len(reopened.dense_search(QUERY, 100)) == 8 + 2 * round_  # each passage once
            reopened.write_articles([numbered(4)])
        finally:
            reopened.close()
    assert json.loads((directory / RECORD_FILE).read_text())["file"] == "vectors.usearch"
