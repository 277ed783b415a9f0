import json
import time
from pathlib import Path

import numpy as np
import pytest

from indexer.pipeline import Indexer
from indexer.readers import read_paths
from search.embedding import Embedder
from search.embedding_cache import EmbeddingCache
from search.errors import StoreUnavailableError
from search.settings import EmbeddingSettings, Settings, SplitSettings
from search.store.embedded import EmbeddedStore
from search.store.protocol import IndexedArticle
from tests.indexed import index_into, runtime_for
from tests.store.corpus import numbered

ARTICLE = {
    "id": "edit-me",
    "title": "Council votes on budget",
    "source": "Courier",
    "body": "The council approved the budget on Tuesday. It adds two bus lines. "
    "The vote was seven to two.",
}


def _jsonl(path: Path, *records: dict) -> Path:
    path.write_text("".join(json.dumps(record) + "\n" for record in records))
    return path


def test_indexing_the_same_input_twice_writes_nothing_new(
    settings: Settings, embedder: Embedder, seeds: Path
) -> None:
    runtime = runtime_for(settings, embedder)
    first = index_into(runtime, seeds)
    counts = runtime.store.counts()
    embedded = embedder.embedded_texts
    second = index_into(runtime, seeds)
    assert (first.indexed, first.unchanged) == (3, 0)
    assert (second.read, second.indexed, second.unchanged, second.rejected) == (3, 0, 3, 0)
    assert (second.passages, embedder.embedded_texts) == (0, embedded)
    assert runtime.store.counts() == counts
    runtime.close()


def test_an_edited_article_replaces_its_passages(
    settings: Settings, embedder: Embedder, tmp_path: Path
) -> None:
    runtime = runtime_for(settings, embedder)
    index_into(runtime, _jsonl(tmp_path / "v1.jsonl", ARTICLE))
    edited = dict(ARTICLE, body=ARTICLE["body"].replace("seven to two", "eight to one"))
    summary = index_into(runtime, _jsonl(tmp_path / "v2.jsonl", edited))
    assert summary.indexed == 1
    assert runtime.store.counts().articles == 1
    texts = [hit.text for hit in runtime.retriever.run(query="vote", top_k=10)["hits"]]
    assert any("eight to one" in text for text in texts)
    assert not any("seven to two" in text for text in texts)
    runtime.close()


def test_one_bad_record_never_stops_the_others(
    settings: Settings, embedder: Embedder, tmp_path: Path
) -> None:
    path = tmp_path / "mixed.jsonl"
    good = [dict(ARTICLE, id=f"good-{i}") for i in range(3)]
    path.write_text(
        json.dumps(good[0])
        + "\n{broken\n"
        + json.dumps(good[1])
        + "\n"
        + json.dumps({"id": "no-body"})
        + "\n"
        + json.dumps(good[2])
        + "\n"
    )
    runtime = runtime_for(settings, embedder)
    summary = Indexer(runtime.store, embedder, settings.split).index(
        read_paths([path]), progress=False
    )
    assert (summary.read, summary.indexed, summary.rejected) == (5, 3, 2)
    assert [rejection.line for rejection in summary.rejections] == [2, 4]
    assert runtime.store.counts().articles == 3
    runtime.close()


def test_a_second_process_sees_what_the_first_wrote(
    settings: Settings, embedder: Embedder, seeds: Path
) -> None:
    writer = runtime_for(settings, embedder)
    index_into(writer, seeds)
    reader = runtime_for(settings, embedder)  # a separate store instance on the same folder
    hits = reader.retriever.run(query="missile", top_k=3)["hits"]
    assert len(hits) == 3
    writer.close()
    reader.close()


WIRE = {
    "title": "Storm closes the coast road",
    "body": "The coast road closed on Monday after the storm. Crews cleared fallen trees "
    "through the night near the harbour. The council said the road would reopen on Wednesday "
    "morning. Buses will follow a detour through the hills meanwhile. Shops on the seafront "
    "stayed open despite the wind. Residents were told to avoid the cliffs until further notice.",
}
SMALL_PASSAGES = SplitSettings(passage_words=20, overlap_words=0)


@pytest.mark.parametrize("batch_articles", [4, 1], ids=["one batch", "a batch each"])
def test_syndicated_copies_are_embedded_once(
    settings: Settings, embedder: Embedder, tmp_path: Path, batch_articles: int
) -> None:
    copies = [
        dict(WIRE, id=f"copy-{n}", source=f"Outlet {n}", url=f"https://outlet{n}.example/storm")
        for n in range(4)
    ]
    cached = Embedder(EmbeddingSettings(), cache=EmbeddingCache(tmp_path / "cache.sqlite3"))
    runtime = runtime_for(settings, cached)
    indexer = Indexer(runtime.store, cached, SMALL_PASSAGES, batch_articles=batch_articles)
    summary = indexer.index(
        read_paths([_jsonl(tmp_path / "copies.jsonl", *copies)]), progress=False
    )
    per_copy = summary.passages // 4
    assert (summary.indexed, per_copy > 1) == (4, True)
    assert cached.embedded_texts == per_copy
    runtime.close()


def test_a_later_copy_of_one_article_in_the_same_run_is_unchanged(
    settings: Settings, embedder: Embedder, tmp_path: Path
) -> None:
    runtime = runtime_for(settings, embedder)
    other = dict(ARTICLE, id="other", body="A different story about trains.")
    path = _jsonl(tmp_path / "twice.jsonl", ARTICLE, other, ARTICLE)
    indexer = Indexer(runtime.store, embedder, settings.split, batch_articles=1)
    summary = indexer.index(read_paths([path]), progress=False)
    assert [(o.status, o.article_id) for o in summary.outcomes] == [
        ("indexed", "edit-me"),
        ("indexed", "other"),
        ("unchanged", "edit-me"),
    ]
    assert runtime.store.counts().articles == 2
    runtime.close()


def test_a_busy_store_ends_the_run_with_its_reason_instead_of_rejecting_each_article(
    tmp_path: Path, embedder: Embedder, seeds: Path
) -> None:
    directory = tmp_path / "embedded"
    running = EmbeddedStore(directory, dim=embedder.dim)
    running.write_articles([_random_vectors(numbered(0), embedder.dim)])  # holds the lock
    store = EmbeddedStore(directory, dim=embedder.dim, writer_wait_s=0.5)
    started = time.monotonic()
    with pytest.raises(StoreUnavailableError, match="another process is writing"):
        Indexer(store, embedder).index(read_paths([seeds]), progress=False)
    # one wait for the lock, not one per article
    assert time.monotonic() - started < 20
    running.close()
    summary = Indexer(store, embedder).index(read_paths([seeds]), progress=False)
    assert summary.indexed == 3
    store.close()


def _random_vectors(item: IndexedArticle, dim: int) -> IndexedArticle:
    vectors = np.random.default_rng(0).normal(size=(len(item.passages), dim)).astype(np.float32)
    return IndexedArticle(item.article, item.passages, vectors)
