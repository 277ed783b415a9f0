"""The embedded store after a writer process dies: every acknowledged article is whole in both
legs, nothing is duplicated, and the write in flight is all there or not there at all."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from search.analysis import analyze_query
from search.store.embedded import EmbeddedStore
from search.store.protocol import IndexedArticle
from tests.store.corpus import DIM, codeword, numbered, text_vector
from tests.store.writer_process import CRASH_POINTS, CRASHED, acknowledgements, start_writer


def _texts(item: IndexedArticle) -> set[str]:
    return {passage.content or "" for passage in item.passages}


def _assert_whole(store: EmbeddedStore, number: int, item: IndexedArticle) -> None:
    """Every passage of ``item`` in BM25 and dense, and no other passage of that article."""
    found = store.bm25_search(analyze_query(codeword(number)), top_k=50)
    assert sorted(hit.content or "" for hit in found) == sorted(_texts(item)), number
    for passage in item.passages:
        [nearest] = store.dense_search(text_vector(passage.content or ""), top_k=1)
        assert nearest.id == passage.id, (number, passage.content)


def check_store(directory: Path, acked: set[int], in_flight: set[int]) -> None:
    """Acknowledged articles whole, in-flight ones whole or absent (article 0 possibly in its
    edited version), and each passage in each leg exactly once."""
    store = EmbeddedStore(directory, dim=DIM)
    try:
        expected: dict[int, IndexedArticle] = {}
        for number in sorted(acked | in_flight):
            stored = store.get_article(numbered(number).article.id)
            if stored is None:
                assert number not in acked, f"acknowledged article {number} lost"
                continue
            edited = numbered(number, edited=True)
            expected[number] = edited if stored.body == edited.article.body else numbered(number)
            assert stored == expected[number].article
            _assert_whole(store, number, expected[number])
        passages = sum(len(item.passages) for item in expected.values())
        assert (store.counts().articles, store.counts().passages) == (len(expected), passages)
        every_bm25 = store.bm25_search(analyze_query("archive"), top_k=1000)
        every_dense = store.dense_search(text_vector("archive"), top_k=1000)
        for hits in (every_bm25, every_dense):
            assert len(hits) == passages == len({hit.id for hit in hits})
    finally:
        store.close()


@pytest.mark.parametrize("point", sorted(CRASH_POINTS))
def test_a_writer_killed_mid_write_loses_and_doubles_nothing(tmp_path: Path, point: str) -> None:
    directory = tmp_path / "embedded"
    writer, acks = start_writer(directory, 3, crash=point)
    acked = {number for number, _ in acknowledgements(acks)}
    writer.join(timeout=60)
    assert writer.exitcode == CRASHED
    assert {0, 1, 2} <= acked
    check_store(directory, acked, in_flight={3})
    check_store(directory, acked, in_flight={3})  # the repair held: a second open agrees


def test_a_writer_killed_at_a_random_moment_loses_and_doubles_nothing(tmp_path: Path) -> None:
    directory = tmp_path / "embedded"
    kill_after = random.Random().randint(2, 12)
    writer, acks = start_writer(directory, 40, flush_every=3)
    acked: set[int] = set()
    try:
        for number, _ in acknowledgements(acks):
            acked.add(number)
            if len(acked) == kill_after:
                writer.kill()  # SIGKILL, wherever the writer is
    finally:
        writer.kill()
        writer.join(timeout=60)
    assert len(acked) >= kill_after
    check_store(directory, acked, in_flight={max(acked) + 1})
