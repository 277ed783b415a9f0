"""What every embedded-store test around crashes and other processes checks: each article the
store should hold is whole in both legs, and nothing is held twice."""

from __future__ import annotations

from pathlib import Path

from search.analysis import analyze_query
from search.store.embedded import EmbeddedStore
from search.store.protocol import IndexedArticle
from tests.store.corpus import DIM, codeword, numbered, text_vector


def _texts(item: IndexedArticle) -> set[str]:
    return {passage.content or "" for passage in item.passages}


def assert_whole(store: EmbeddedStore, number: int, item: IndexedArticle) -> None:
    """Every passage of ``item`` in BM25 and dense, and no other passage of that article."""
    found = store.bm25_search(analyze_query(codeword(number)), top_k=50)
    assert sorted(hit.content or "" for hit in found) == sorted(_texts(item)), number
    for passage in item.passages:
        [nearest] = store.dense_search(text_vector(passage.content or ""), top_k=1)
        assert nearest.id == passage.id, (number, passage.content)


def assert_holds_exactly(store: EmbeddedStore, numbers: set[int]) -> None:
    """The ``numbered`` articles ``numbers``, unedited, whole in both legs, and nothing else."""
    for number in numbers:
        assert_whole(store, number, numbered(number))
    every = {numbered(number).article.id for number in numbers}
    for hits in (
        store.bm25_search(analyze_query("archive"), top_k=1000),
        store.dense_search(text_vector("archive"), top_k=1000),
    ):
        assert {hit.meta["article_id"] for hit in hits} == every
        assert len(hits) == len({hit.id for hit in hits}) == 2 * len(numbers)


def check_store(directory: Path, acked: set[int], in_flight: set[int]) -> None:
    """Opened afresh: acknowledged articles whole, in-flight ones whole or absent (article 0
    possibly in its edited version), and each passage in each leg exactly once."""
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
            assert_whole(store, number, expected[number])
        passages = sum(len(item.passages) for item in expected.values())
        assert (store.counts().articles, store.counts().passages) == (len(expected), passages)
        every_bm25 = store.bm25_search(analyze_query("archive"), top_k=1000)
        every_dense = store.dense_search(text_vector("archive"), top_k=1000)
        for hits in (every_bm25, every_dense):
            assert len(hits) == passages == len({hit.id for hit in hits})
    finally:
        store.close()
