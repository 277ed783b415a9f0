"""Many threads on one embedded store: searches run side by side (each thread on its own SQLite
connection) while another thread writes, and each sees every write that returned before it."""

from __future__ import annotations

import threading
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
