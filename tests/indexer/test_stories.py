import sqlite3
import uuid
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from datasketch import MinHash
from elasticsearch import Elasticsearch

from indexer.pipeline import Indexer
from indexer.readers import read_paths
from indexer.stories.signatures import StoryMember
from indexer.stories.sqlite import SqliteStoryIndex
from search.analysis import analyze
from search.articles import Article
from search.embedding import Embedder
from search.settings import DedupSettings, ElasticsearchSettings
from search.store.elasticsearch import ElasticsearchStore
from search.store.embedded import EmbeddedStore
from tests.indexer.story_writers import PassageVectors, run_indexer, run_indexers_together
from tests.store.conftest import drop_indices

BODY = "The council approved the new budget on Tuesday, adding two bus lines and a bike lane."


def _unit(seed: int) -> np.ndarray:
    vector = np.random.default_rng(seed).normal(size=8).astype(np.float32)
    return vector / np.linalg.norm(vector)


def test_a_reprint_joins_the_story_of_the_original(tmp_path: Path) -> None:
    stories = SqliteStoryIndex(tmp_path / "stories.sqlite3", DedupSettings())
    original = Article(id="a", title="Budget", body=BODY, outlet="Courier")
    reprint = Article(id="b", title="Budget passes", body=BODY + " Reuters", outlet="Ledger")
    assert stories.assign(original, _unit(1)) == "a"
    assert stories.assign(reprint, _unit(1) + 0.01) == "a"


def test_similar_words_with_a_different_meaning_or_date_stay_apart(tmp_path: Path) -> None:
    stories = SqliteStoryIndex(tmp_path / "stories.sqlite3", DedupSettings())
    day = datetime(2026, 1, 1, tzinfo=UTC)
    original = Article(id="a", title="Budget", body=BODY, published_at=day)
    assert stories.assign(original, _unit(1)) == "a"
    other_meaning = replace(original, id="b")
    assert stories.assign(other_meaning, _unit(2)) == "b"
    weeks_later = replace(original, id="c", published_at=datetime(2026, 2, 1, tzinfo=UTC))
    assert stories.assign(weeks_later, _unit(1)) == "c"


def test_clusters_survive_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "stories.sqlite3"
    first = SqliteStoryIndex(path, DedupSettings())
    first.assign(Article(id="a", title="Budget", body=BODY), _unit(1))
    first.close()
    second = SqliteStoryIndex(path, DedupSettings())
    assert second.assign(Article(id="b", title="Budget", body=BODY), _unit(1)) == "a"


def test_signatures_from_before_band_keys_are_carried_over(tmp_path: Path) -> None:
    path = tmp_path / "stories.sqlite3"
    with sqlite3.connect(path) as db:  # the table an earlier newsdesk wrote
        db.execute(
            "CREATE TABLE stories (article_id TEXT PRIMARY KEY, cluster_id TEXT,"
            " signature BLOB, centroid BLOB, published_ts INTEGER)"
        )
        signature = StoryMember.of(Article(id="a", title="t", body=BODY), _unit(1), DedupSettings())
        minhash = MinHash(num_perm=DedupSettings().num_perm, scheme="affine64")
        minhash.update_batch([term.encode() for term in set(analyze(BODY))])
        db.execute(
            "INSERT INTO stories VALUES (?, ?, ?, ?, ?)",
            (
                "a",
                "a",
                minhash.hashvalues.astype(np.uint64).tobytes(),
                signature.centroid.tobytes(),
                None,
            ),
        )
    db.close()
    stories = SqliteStoryIndex(path, DedupSettings())
    assert stories.assign(Article(id="b", title="Budget", body=BODY), _unit(1)) == "a"


# -- Elasticsearch: any number of processes share one story index ---------------------------------


@pytest.fixture(scope="module")
def seed_vectors(
    embedder: Embedder, seeds: Path, tmp_path_factory: pytest.TempPathFactory
) -> PassageVectors:
    """The seed reports' passage vectors from the real model, computed once."""
    remembered: dict[str, np.ndarray] = {}

    class Remembering:
        settings, dim = embedder.settings, embedder.dim

        def embed_passages(self, texts: list[str], *, progress: bool = False) -> np.ndarray:
            vectors = embedder.embed_passages(texts)
            remembered.update(zip(texts, vectors, strict=True))
            return vectors

    store = EmbeddedStore(tmp_path_factory.mktemp("vectors") / "embedded", dim=embedder.dim)
    articles = [item for item in read_paths([seeds]) if isinstance(item, Article)]
    Indexer(store, Remembering()).prepare(articles)  # type: ignore[arg-type]
    store.close()
    return PassageVectors(remembered, embedder.settings)


def _clusters(es_url: str, index: str, seeds: Path) -> dict[str, str | None]:
    store = ElasticsearchStore(ElasticsearchSettings(url=es_url, index=index), dim=384)
    try:
        return {
            path.name: article.cluster_id
            for path in _reports(seeds)
            if (article := store.get_article(_article_id(path))) is not None
        }
    finally:
        store.close()


def _reports(seeds: Path) -> list[Path]:
    return sorted(seeds.glob("*.txt"))


def _article_id(path: Path) -> str:
    [item] = list(read_paths([path]))
    assert isinstance(item, Article)
    return item.id


@pytest.mark.elasticsearch
@pytest.mark.parametrize("round_", range(3))
def test_two_indexers_writing_copies_at_once_group_them_into_one_story(
    es_url: str, es_client: Elasticsearch, seeds: Path, seed_vectors: PassageVectors, round_: int
) -> None:
    index = f"test-stories-{uuid.uuid4().hex[:12]}"
    reports = _reports(seeds)
    # Each round splits the three copies differently between the two processes.
    shares = [[reports[round_]], [report for report in reports if report != reports[round_]]]
    try:
        run_indexers_together(es_url, index, shares, seed_vectors)
        clusters = _clusters(es_url, index, seeds)
        assert len(clusters) == 3 and len(set(clusters.values())) == 1, clusters
        assert next(iter(clusters.values())) in {_article_id(path) for path in reports}
    finally:
        drop_indices(es_client, index)


@pytest.mark.elasticsearch
def test_an_indexer_after_another_joins_the_story_it_started(
    es_url: str, es_client: Elasticsearch, seeds: Path, seed_vectors: PassageVectors
) -> None:
    index = f"test-stories-{uuid.uuid4().hex[:12]}"
    first, *later = _reports(seeds)
    try:
        run_indexer(es_url, index, [first], seed_vectors)
        run_indexer(es_url, index, later, seed_vectors)
        clusters = _clusters(es_url, index, seeds)
        assert set(clusters.values()) == {_article_id(first)}, clusters
    finally:
        drop_indices(es_client, index)
