from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from indexer.stories import StoryIndex
from search.articles import Article
from search.settings import DedupSettings

BODY = "The council approved the new budget on Tuesday, adding two bus lines and a bike lane."


def _unit(seed: int) -> np.ndarray:
    vector = np.random.default_rng(seed).normal(size=8).astype(np.float32)
    return vector / np.linalg.norm(vector)


def test_a_reprint_joins_the_story_of_the_original(tmp_path: Path) -> None:
    stories = StoryIndex(tmp_path / "stories.sqlite3", DedupSettings())
    original = Article(id="a", title="Budget", body=BODY, outlet="Courier")
    reprint = Article(id="b", title="Budget passes", body=BODY + " Reuters", outlet="Ledger")
    assert stories.assign(original, _unit(1)) == "a"
    assert stories.assign(reprint, _unit(1) + 0.01) == "a"


def test_similar_words_with_a_different_meaning_or_date_stay_apart(tmp_path: Path) -> None:
    stories = StoryIndex(tmp_path / "stories.sqlite3", DedupSettings())
    day = datetime(2026, 1, 1, tzinfo=UTC)
    original = Article(id="a", title="Budget", body=BODY, published_at=day)
    assert stories.assign(original, _unit(1)) == "a"
    other_meaning = replace(original, id="b")
    assert stories.assign(other_meaning, _unit(2)) == "b"
    weeks_later = replace(original, id="c", published_at=datetime(2026, 2, 1, tzinfo=UTC))
    assert stories.assign(weeks_later, _unit(1)) == "c"


def test_clusters_survive_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "stories.sqlite3"
    first = StoryIndex(path, DedupSettings())
    first.assign(Article(id="a", title="Budget", body=BODY), _unit(1))
    first.close()
    second = StoryIndex(path, DedupSettings())
    assert second.assign(Article(id="b", title="Budget", body=BODY), _unit(1)) == "a"
