"""Two processes on one embedded store: what one writes, the other finds in both legs at once."""

from __future__ import annotations

import time
from pathlib import Path

from search.analysis import analyze_query
from search.store.embedded import EmbeddedStore
from tests.store.corpus import DIM, codeword, numbered, text_vector
from tests.store.integrity import assert_holds_exactly
from tests.store.writer_process import acknowledgements, go_on, start_writer

ARTICLES = 8


def _found_in_both_legs(reader: EmbeddedStore, number: int) -> bool:
    item = numbered(number)
    lexical = reader.bm25_search(analyze_query(codeword(number)), top_k=10)
    if {hit.id for hit in lexical} != {passage.id for passage in item.passages}:
        return False
    return all(
        [hit.id for hit in reader.dense_search(text_vector(passage.content or ""), top_k=1)]
        == [passage.id]
        for passage in item.passages
    )


def test_a_reader_process_finds_each_write_in_both_legs_on_its_next_search(
    tmp_path: Path,
) -> None:
    """The bound the store documents: a search that starts after a write returned finds it. The
    writer acknowledges each write once it has returned, so the reader's first search after an
    acknowledgement must find it; no waiting, however slow a loaded machine makes either side."""
    directory = tmp_path / "embedded"
    reader = EmbeddedStore(directory, dim=DIM)  # open, and searched, before anything is written
    assert reader.bm25_search(analyze_query(codeword(0)), top_k=10) == []
    writer, acks = start_writer(directory, ARTICLES, pause=0.3)
    delays: list[float] = []
    try:
        for number, acknowledged in acknowledgements(acks):
            assert _found_in_both_legs(reader, number), f"article {number} unseen"
            delays.append(time.time() - acknowledged)
        writer.join(timeout=60)
        assert writer.exitcode == 0
    finally:
        writer.kill()
        reader.close()
    assert len(delays) == ARTICLES
    print("visibility delays (ms):", [round(delay * 1000, 1) for delay in delays])


def _snapshot_files(directory: Path) -> dict[str, tuple[int, int, int]]:
    """Each vector snapshot file with its (inode, size, modification time)."""
    return {
        path.name: (path.stat().st_ino, path.stat().st_size, path.stat().st_mtime_ns)
        for path in directory.glob("vectors*")
    }


def test_one_article_writes_append_and_another_process_follows_them(tmp_path: Path) -> None:
    """On a store with a vector snapshot, writes and deletes of one article each leave the
    snapshot file as it was, and a reader process finds each change in both legs on its next
    search."""
    directory = tmp_path / "embedded"
    seeded = EmbeddedStore(directory, dim=DIM)
    seeded.write_articles([numbered(number) for number in range(100, 106)])
    assert seeded.compact()
    seeded.close()
    before = _snapshot_files(directory)
    assert len(before) == 3  # the snapshot, its sign codes and the record naming it
    reader = EmbeddedStore(directory, dim=DIM)
    assert_holds_exactly(reader, set(range(100, 106)))
    # In lockstep: the whole store is checked after each change, and the next change must not
    # land during the check (the reader sees it at once, and a loaded machine can stretch a
    # check past any pause between changes).
    writer, acks = start_writer(directory, 3, deletes=[100, 1], lockstep=True)
    changes = [0, 1, 2, 100, 1]  # three writes, then two deletes
    live = set(range(100, 106))
    try:
        for (number, _), expected in zip(acknowledgements(acks), changes, strict=True):
            assert number == expected
            live ^= {number}  # written, or deleted
            assert_holds_exactly(reader, live)
            go_on(acks)
        writer.join(timeout=60)
        assert writer.exitcode == 0
        assert _snapshot_files(directory) == before
        assert reader._resident.vectors.delta_size == 2 * 3  # what was written, deleted or not
    finally:
        writer.kill()
        reader.close()
