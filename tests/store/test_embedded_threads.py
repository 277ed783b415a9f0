"""Many threads on one embedded store: searches run side by side (each thread on its own SQLite
connection) while another thread writes, and each sees every write that returned before it."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from search.analysis import analyze_query
from search.filters import SearchFilters
from search.store.embedded import EmbeddedStore
from tests.store.corpus import DIM, codeword, numbered, text_vector

ARTICLES = 24
READERS = 6


def test_threads_search_while_another_writes_and_see_each_write(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "embedded", dim=DIM, compact_rows=8)
    acknowledged = [-1]  # the highest article number whose write has returned
    errors: list[BaseException] = []
    done = threading.Event()

    def read() -> None:
        try:
            while not done.is_set():
                number = acknowledged[0]
                if number < 0:
                    continue
                item = numbered(number)
                lexical = store.bm25_ranking(analyze_query(codeword(number)), 10)
                found = store.hydrate([key for key, _ in lexical])
                assert {doc.id for doc in found.values()} == {p.id for p in item.passages}
                vector = text_vector(item.passages[0].content or "")
                assert store.dense_search(vector, 1)[0].id == item.passages[0].id
                english = store.dense_ranking(vector, 1, SearchFilters(languages=["EN"]))
                assert store.hydrate([english[0][0]])[english[0][0]].id == item.passages[0].id
        except BaseException as error:  # reported below, with the thread's assertion
            errors.append(error)
            done.set()

    readers = [threading.Thread(target=read) for _ in range(READERS)]
    for reader in readers:
        reader.start()
    try:
        for number in range(ARTICLES):
            store.write_articles([numbered(number)])
            store.flush()  # every few writes a compaction starts in the background
            acknowledged[0] = number
            if errors:
                break
    finally:
        done.set()
        for reader in readers:
            reader.join(timeout=60)
        store.close()
    assert not errors, errors[0]


def test_a_thread_stuck_inside_a_query_holds_up_no_other(tmp_path: Path) -> None:
    """Nothing global is held across a query: while one thread's query is stopped inside its own
    SQLite read, other threads run every kind of read to the end, each on its own connection."""
    store = EmbeddedStore(tmp_path / "embedded", dim=DIM)
    store.write_articles([numbered(number) for number in range(4)])
    store.flush()
    inside, release = threading.Event(), threading.Event()
    connections: dict[str, int] = {}
    stuck_result: list[set[str]] = []

    def stuck() -> None:
        ranking = store.bm25_ranking(analyze_query(codeword(0)), 10)
        db = store._catalog._pool.reader()
        connections["stuck"] = id(db)

        def wait_for_release() -> int:
            inside.set()
            release.wait(timeout=60)
            return 0  # then carry on with the statement

        db.set_progress_handler(wait_for_release, 1)
        try:
            found = store.hydrate([key for key, _ in ranking])
        finally:
            db.set_progress_handler(None, 1)
        stuck_result.append({document.id for document in found.values()})

    def free() -> None:
        connections["free"] = id(store._catalog._pool.reader())
        item = numbered(1)
        terms = analyze_query(codeword(1))
        vector = text_vector(item.passages[0].content or "")
        english = SearchFilters(languages=["en"])
        lexical = store.bm25_ranking(terms, 10, english)
        assert {d.id for d in store.hydrate([k for k, _ in lexical]).values()} == {
            p.id for p in item.passages
        }
        assert store.dense_search(vector, 1, english)[0].id == item.passages[0].id
        assert {d.id for d in store.bm25_search(terms, 10)} == {p.id for p in item.passages}
        assert store.document_frequencies(terms) == (8, {terms[0]: 2})
        assert store.facets(terms, None, ["outlet"]) == {"outlet": []}
        assert store.get_article(item.article.id) == item.article
        assert store.counts().passages == 8

    blocked = threading.Thread(target=stuck)
    blocked.start()
    others = ThreadPoolExecutor(1)
    try:
        assert inside.wait(timeout=30)
        others.submit(free).result(timeout=30)  # a TimeoutError if it waited for the stuck one
        assert connections["free"] != connections["stuck"]
    finally:
        release.set()
        blocked.join(timeout=30)
        others.shutdown(wait=False)
        store.close()
    assert stuck_result == [{p.id for p in numbered(0).passages}]
