"""The embedded store's in-memory story keys: the same answers as the catalog, kept level with
writes from this process and others."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np

from search.analysis import analyze_query
from search.store.embedded import EmbeddedStore
from search.store.embedded.catalog import FilterTable, PassageRow
from search.store.embedded.story_column import StoryColumn
from tests.store.corpus import CORPUS, DIM, MISSILE, indexed


def _row(rowid: int, article_id: str, cluster_id: str | None = None) -> PassageRow:
    return PassageRow(rowid, article_id, "", None, None, np.zeros(DIM), cluster_id=cluster_id)


def test_the_column_holds_each_rowids_article_and_story() -> None:
    table = FilterTable(
        generation=1,
        rowids=np.array([1, 2, 5]),
        owners=np.array([0, 0, 1]),
        articles=[(None, None, None, None)] * 2,
        stories=[("a", "a"), ("b", "story")],
    )
    column = StoryColumn.of(table)
    assert column.lookup([5, 1, 3]) == ({5: ("b", "story"), 1: ("a", "a")}, [3])
    column.apply([1], [_row(5000, "c", "story"), _row(5001, "c", "story"), _row(7, "d")])
    assert column.lookup([1, 2, 5000, 5001, 7, 10**9]) == (
        {2: ("a", "a"), 5000: ("c", "story"), 5001: ("c", "story"), 7: ("d", "d")},
        [1, 10**9],
    )


def test_story_keys_follow_another_process_writes(tmp_path: Path) -> None:
    directory = tmp_path / "embedded"
    reader = EmbeddedStore(directory, dim=DIM)  # open before anything is written
    writer = EmbeddedStore(directory, dim=DIM)
    try:
        writer.write_articles([indexed(item) for item in CORPUS])
        writer.flush()
        keys = [key for key, _ in writer.bm25_ranking(analyze_query("missile rates"), 50)]
        expected = writer._catalog.story_keys(keys)
        assert reader.story_keys(keys) == expected  # not replayed yet: the catalog answers
        reader.bm25_ranking(analyze_query("missile"), 1)  # a search replays the writes
        assert reader._resident.stories.lookup(keys) == (expected, [])

        # An edit that moves the article to another story replaces its passages.
        edited = replace(MISSILE, body=f"{MISSILE.body}\n\nA late paragraph.", cluster_id="other")
        writer.write_articles([indexed(edited)])
        writer.flush()
        reader.bm25_ranking(analyze_query("missile"), 1)
        after = [key for key, _ in reader.bm25_ranking(analyze_query("missile rates"), 50)]
        stories = reader.story_keys(after)
        assert stories == writer._catalog.story_keys(after)
        assert {story for article, story in stories.values() if article == MISSILE.id} == {"other"}
        assert reader.story_keys(keys) == {
            key: story for key, story in expected.items() if story[0] != MISSILE.id
        }
    finally:
        writer.close()
        reader.close()
