"""Writes to the embedded store are never blocked by an earlier call, nor hidden by an index that
failed to apply them: whatever the catalog holds, both legs find."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from search.analysis import analyze_query
from search.errors import InvalidArticleError, StoreUnavailableError
from search.store.embedded import EmbeddedStore
from search.store.embedded.lexical import LexicalIndex
from search.store.protocol import IndexedArticle
from tests.store.corpus import DIM, codeword, numbered, text_vector

IMPATIENT_S = 0.5


@pytest.fixture
def directory(tmp_path: Path) -> Path:
    return tmp_path / "embedded"


@pytest.fixture
def store(directory: Path) -> Iterator[EmbeddedStore]:
    store = EmbeddedStore(directory, dim=DIM)
    yield store
    store.close()


def _other_writer(directory: Path) -> EmbeddedStore:
    """A second store on the same folder: its own lock handle, as another process would have."""
    return EmbeddedStore(directory, dim=DIM, writer_wait_s=IMPATIENT_S)


def _found(store: EmbeddedStore, number: int) -> tuple[int, int]:
    """(passages of article ``number`` found by BM25, passages found by their own vector)."""
    item = numbered(number)
    lexical = store.bm25_search(analyze_query(codeword(number)), top_k=10)
    dense = sum(
        [hit.id for hit in store.dense_search(text_vector(passage.content or ""), top_k=1)]
        == [passage.id]
        for passage in item.passages
    )
    return len(lexical), dense


def test_deleting_an_unknown_id_leaves_the_store_open_to_other_writers(
    store: EmbeddedStore, directory: Path
) -> None:
    store.write_articles([numbered(0)])
    store.flush()
    assert store.delete_articles(["nope"]) == 0
    other = _other_writer(directory)
    try:
        other.write_articles([numbered(1)])  # would wait, then fail, if "nope" kept the lock
        other.flush()
    finally:
        other.close()
    assert store.delete_articles([numbered(0).article.id, "nope"]) == 1
    assert _found(store, 1) == (2, 2) and _found(store, 0) == (0, 0)


def test_a_refused_write_leaves_the_store_open_to_other_writers(
    store: EmbeddedStore, directory: Path
) -> None:
    bad = numbered(0)
    bad = IndexedArticle(bad.article, bad.passages, np.zeros((1, DIM), dtype=np.float32))
    with pytest.raises(InvalidArticleError, match=r"\(2, 8\)"):
        store.write_articles([bad])
    other = _other_writer(directory)
    try:
        other.write_articles([numbered(1)])
    finally:
        other.close()


def test_a_writer_waits_for_the_lock_then_says_why_it_gave_up(
    store: EmbeddedStore, directory: Path
) -> None:
    store.write_articles([numbered(0)])  # an indexing run holds the lock until it flushes
    other = _other_writer(directory)
    try:
        with pytest.raises(StoreUnavailableError, match="another process is writing"):
            other.write_articles([numbered(1)])
        store.flush()
        other.write_articles([numbered(1)])
    finally:
        other.close()


def test_an_index_that_failed_to_apply_a_write_catches_up_instead_of_hiding_it(
    store: EmbeddedStore, directory: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.write_articles([numbered(0)])

    def disk_full(*_: object, **__: object) -> None:
        raise OSError(28, "No space left on device")

    with monkeypatch.context() as patched:
        patched.setattr(LexicalIndex, "apply", disk_full)
        with pytest.raises(StoreUnavailableError, match="saved"):
            store.write_articles([numbered(1)])
        store.flush()  # the write failed half-way: this must not record the index as current
    assert store.get_article(numbered(1).article.id) is not None  # the catalog kept it

    reader = EmbeddedStore(directory, dim=DIM)
    try:
        assert _found(reader, 1) == (2, 2)
    finally:
        reader.close()
    store.write_articles([numbered(2)])  # the writer catches up before its next write
    assert _found(store, 1) == (2, 2) and _found(store, 2) == (2, 2)


def test_derived_files_older_than_their_record_are_rebuilt_on_open(
    store: EmbeddedStore, directory: Path, tmp_path: Path
) -> None:
    store.write_articles([numbered(0)])
    store.close()
    older = tmp_path / "older"
    shutil.copytree(directory, older)
    store = EmbeddedStore(directory, dim=DIM)
    store.write_articles([numbered(1)])
    store.close()
    # A power cut lost the last save of each derived index, but not the record of it.
    for derived in older.iterdir():
        if derived.name.startswith(("catalog.sqlite3", "derived.json")):
            continue
        target = directory / derived.name
        if derived.is_dir():
            shutil.rmtree(target)
            shutil.copytree(derived, target)
        else:
            shutil.copy2(derived, target)

    reopened = EmbeddedStore(directory, dim=DIM)
    try:
        assert _found(reopened, 0) == (2, 2)
        assert _found(reopened, 1) == (2, 2)
    finally:
        reopened.close()
