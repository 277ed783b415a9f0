"""The Elasticsearch store against a real server: the shared contract plus aliases and reindex."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import numpy as np
import pytest
from elasticsearch import Elasticsearch

from search.errors import (
    EmbeddingModelMismatchError,
    InvalidArticleError,
    StoreCorruptedError,
    StoreUnavailableError,
)
from search.store.elasticsearch import ElasticsearchStore, reindex
from search.store.elasticsearch.errors import BulkRejectedError
from search.store.protocol import StoreCounts
from tests.store.conftest import StoreFactory
from tests.store.contract import OPENVINO, TORCH, PassageStoreContract, Reopen, bm25, ids
from tests.store.corpus import CORPUS, MISSILE, QUERY, RATES, article, indexed, text_vector

pytestmark = pytest.mark.elasticsearch


class TestElasticsearchStore(PassageStoreContract):
    @pytest.fixture
    def store(self, es_store_factory: StoreFactory) -> Iterator[ElasticsearchStore]:
        yield es_store_factory(bm25_include_title=True)

    @pytest.fixture
    def reopen(self, store: ElasticsearchStore, es_store_factory: StoreFactory) -> Reopen:
        return lambda model: es_store_factory(store.aliases.passages, model=model)

    # -- indices and mapping --------------------------------------------------------------------

    def test_aliases_hide_versioned_indices_with_a_strict_mapping(
        self, store: ElasticsearchStore, es_client: Elasticsearch
    ) -> None:
        alias = store.aliases.passages
        assert store.indices() == {
            alias: f"{alias}-v1-000001",
            f"{alias}-articles": f"{alias}-articles-v1-000001",
        }
        mapping = es_client.indices.get_mapping(index=alias).body[f"{alias}-v1-000001"]["mappings"]
        assert mapping["dynamic"] == "strict"
        assert mapping["_meta"]["template_version"] == 1
        fields = mapping["properties"]
        assert fields["terms"]["analyzer"] == "whitespace"
        assert fields["embedding"]["dims"] == 8
        assert fields["embedding"]["similarity"] == "cosine"
        assert fields["embedding"]["index_options"]["type"] == "hnsw"
        similarity = es_client.indices.get_settings(index=alias).body[f"{alias}-v1-000001"]
        assert similarity["settings"]["index"]["similarity"]["newsdesk_bm25"] == {
            "type": "BM25", "k1": "1.2", "b": "0.75"
        }  # fmt: skip

    def test_a_second_store_on_the_same_alias_reuses_the_indices(
        self, store: ElasticsearchStore, es_store_factory: StoreFactory
    ) -> None:
        store.write_articles([indexed(MISSILE)])
        other = es_store_factory(store.aliases.passages)
        assert other.counts() == StoreCounts(articles=1, passages=3)
        assert other.indices() == store.indices()

    def test_a_model_of_another_size_is_refused(
        self, store: ElasticsearchStore, es_store_factory: StoreFactory
    ) -> None:
        store.ping()
        store.counts()
        mismatch = "8-d vectors but the embedding model gives 16"
        with pytest.raises(StoreCorruptedError, match=mismatch):
            es_store_factory(store.aliases.passages, dim=16).counts()

    # -- writes the server refuses --------------------------------------------------------------

    def test_refused_passages_are_reported_and_their_article_rolled_back(
        self, store: ElasticsearchStore
    ) -> None:
        good = indexed(RATES)
        bad = indexed(MISSILE)
        bad.embeddings[1] = 0.0  # cosine similarity refuses a zero vector
        with pytest.raises(BulkRejectedError) as caught:
            store.write_articles([bad, good])
        assert isinstance(caught.value, InvalidArticleError)
        [failure] = caught.value.failures
        assert failure.doc_id == bad.passages[1].id
        assert failure.status == 400 and "zero" in failure.reason
        assert bad.passages[1].id in str(caught.value)
        # The refused article left nothing behind; the good one in the same call was written.
        assert store.counts() == StoreCounts(articles=1, passages=2)
        assert store.get_article(MISSILE.id) is None
        assert store.get_article(RATES.id) == RATES

    def test_a_refused_edit_keeps_the_previous_version(self, store: ElasticsearchStore) -> None:
        store.write_articles([indexed(MISSILE)])
        before = ids(bm25(store, "missile"))
        edited = indexed(article(MISSILE.id, ["Edited text about a missile.", "More."]))
        edited.embeddings[0] = 0.0
        with pytest.raises(BulkRejectedError):
            store.write_articles([edited])
        assert store.get_article(MISSILE.id) == MISSILE
        assert ids(bm25(store, "missile")) == before

    def test_embeddings_of_the_wrong_shape_are_refused_before_sending(
        self, store: ElasticsearchStore
    ) -> None:
        item = indexed(MISSILE)
        item.embeddings = np.zeros((3, 4), dtype=np.float32)
        with pytest.raises(InvalidArticleError, match=r"\(3, 8\)"):
            store.write_articles([item])

    # -- reindex --------------------------------------------------------------------------------

    def test_reindex_swaps_aliases_and_keeps_every_result(
        self, filled: ElasticsearchStore, es_client: Elasticsearch
    ) -> None:
        before = filled.indices()
        bm25_before = [(hit.id, hit.score) for hit in bm25(filled, "missile rates cup")]
        dense_before = [(hit.id, hit.score) for hit in filled.dense_search(QUERY, 10)]
        summary = filled.reindex()
        assert (summary.articles, summary.passages) == (3, 7)
        assert summary.previous == before
        after = filled.indices()
        assert after == {
            alias: name.replace("-000001", "-000002") for alias, name in before.items()
        }
        assert not es_client.indices.exists(index=",".join(before.values()))
        assert filled.counts() == StoreCounts(articles=3, passages=7)
        assert [(hit.id, hit.score) for hit in bm25(filled, "missile rates cup")] == bm25_before
        assert [(hit.id, hit.score) for hit in filled.dense_search(QUERY, 10)] == dense_before
        assert filled.get_article(MISSILE.id) == MISSILE
        filled.write_articles([indexed(MISSILE)])  # writes go to the new generation
        assert filled.counts() == StoreCounts(articles=3, passages=7)

    def test_searches_keep_working_during_reindex(self, store: ElasticsearchStore) -> None:
        many = [
            article(f"a-{i:03d}", [f"Report {i} on the storm.", f"Damage estimate {i}."])
            for i in range(150)
        ]
        store.write_articles([indexed(item) for item in many])
        results: list[int] = []
        errors: list[BaseException] = []
        done = threading.Event()

        def search_loop() -> None:
            while not done.is_set():
                try:
                    results.append(len(store.bm25_search(["storm"], 10)))
                    results.append(len(store.dense_search(text_vector("storm"), 10)))
                except BaseException as error:  # collected for the assertion below
                    errors.append(error)

        thread = threading.Thread(target=search_loop)
        thread.start()
        try:
            for _ in range(2):
                store.reindex()
        finally:
            done.set()
            thread.join()
        assert errors == []
        assert len(results) > 4 and set(results) == {10}
        assert store.counts() == StoreCounts(articles=150, passages=300)

    def test_reindex_gives_up_when_articles_are_written_meanwhile(
        self, filled: ElasticsearchStore, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        before = filled.indices()
        copy = reindex._copy

        def copy_then_write(store: ElasticsearchStore, *args: object) -> tuple[int, int]:
            copied = copy(store, *args)  # type: ignore[arg-type]
            filled.delete_articles([CORPUS[0].id])  # an indexer running beside the reindex
            return copied

        monkeypatch.setattr(reindex, "_copy", copy_then_write)
        with pytest.raises(StoreUnavailableError, match="written during the reindex"):
            filled.reindex()
        assert filled.indices() == before
        assert filled.counts() == StoreCounts(articles=2, passages=4)

    def test_reindex_keeps_the_recorded_model(
        self, store: ElasticsearchStore, reopen: Reopen
    ) -> None:
        written = reopen(OPENVINO)
        written.write_articles([indexed(MISSILE)])
        assert isinstance(written, ElasticsearchStore)
        written.reindex()
        with pytest.raises(EmbeddingModelMismatchError, match="minilm@model\\+openvino"):
            reopen(TORCH).counts()
