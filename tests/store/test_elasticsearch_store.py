"""The Elasticsearch store against a real server: the shared contract plus aliases and reindex."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator

import numpy as np
import pytest
from elasticsearch import Elasticsearch
from haystack import Document

from search.analysis import analyze_query
from search.errors import (
    EmbeddingModelMismatchError,
    InvalidArticleError,
    StoreCorruptedError,
    StoreUnavailableError,
)
from search.filters import SearchFilters
from search.passage_sentences import read_sentences
from search.sentence_layout import sentence_layout
from search.store.elasticsearch import ElasticsearchStore, reindex, schema, writes
from search.store.elasticsearch.documents import article_source, passage_source
from search.store.elasticsearch.errors import BulkRejectedError
from search.store.protocol import StoreCounts
from tests.store.conftest import StoreFactory
from tests.store.contract import (
    OPENVINO,
    TORCH,
    PassageStoreContract,
    Reopen,
    bm25,
    ids,
    sentence_shape,
)
from tests.store.corpus import (
    CORPUS,
    DIM,
    MATCH,
    MISSILE,
    QUERY,
    RATES,
    article,
    indexed,
    text_vector,
)

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
            alias: f"{alias}-v2-000001",
            f"{alias}-articles": f"{alias}-articles-v2-000001",
        }
        mapping = es_client.indices.get_mapping(index=alias).body[f"{alias}-v2-000001"]["mappings"]
        assert mapping["dynamic"] == "strict"
        assert mapping["_meta"]["template_version"] == 2
        fields = mapping["properties"]
        assert fields["terms"]["analyzer"] == "whitespace"
        assert fields["embedding"]["dims"] == 8
        assert fields["embedding"]["similarity"] == "cosine"
        assert fields["embedding"]["index_options"]["type"] == "hnsw"
        similarity = es_client.indices.get_settings(index=alias).body[f"{alias}-v2-000001"]
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
            # On a loaded machine two reindexes can finish before the searching thread has run
            # a few searches: go on reindexing (bounded) until it has.
            reindexes = 0
            while reindexes < 2 or (len(results) <= 4 and reindexes < 10):
                store.reindex()
                reindexes += 1
        finally:
            done.set()
            thread.join()
        assert errors == []
        assert len(results) > 4 and set(results) == {10}
        assert store.counts() == StoreCounts(articles=150, passages=300)

    def test_writes_during_a_reindex_wait_for_it_and_land_in_the_new_indices(
        self,
        filled: ElasticsearchStore,
        es_store_factory: StoreFactory,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        other = es_store_factory(filled.aliases.passages)  # another process's store
        extra = article("a-extra", ["A report written during the reindex."], outlet="Wire")
        errors: list[BaseException] = []

        def write() -> None:
            try:
                other.write_articles([indexed(extra)])
                other.delete_articles([MATCH.id])
            except BaseException as error:  # collected for the assertion below
                errors.append(error)

        writer = threading.Thread(target=write)
        copy = reindex._copy

        def copy_while_writing(store: ElasticsearchStore, *args: object) -> tuple[int, int]:
            writer.start()
            time.sleep(1.0)  # the writer is mid-write while the old indices are copied
            return copy(store, *args)  # type: ignore[arg-type]

        monkeypatch.setattr(reindex, "_copy", copy_while_writing)
        summary = filled.reindex()
        writer.join(timeout=60)
        assert errors == []
        assert summary.current == filled.indices()
        assert filled.get_article(extra.id) == extra
        assert filled.get_article(MATCH.id) is None
        assert filled.counts() == StoreCounts(articles=3, passages=6)
        assert ids(bm25(filled, "reindex")) == [indexed(extra).passages[0].id]

    def test_a_failed_reindex_lifts_the_write_block(
        self, filled: ElasticsearchStore, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        before = filled.indices()

        def broken_copy(*_: object) -> tuple[int, int]:
            raise StoreUnavailableError("the cluster went away mid-copy")

        monkeypatch.setattr(reindex, "_copy", broken_copy)
        with pytest.raises(StoreUnavailableError, match="mid-copy"):
            filled.reindex()
        assert filled.indices() == before
        filled.delete_articles([MATCH.id])
        assert filled.counts() == StoreCounts(articles=2, passages=5)

    def test_reindex_keeps_the_recorded_model(
        self, store: ElasticsearchStore, reopen: Reopen
    ) -> None:
        written = reopen(OPENVINO)
        written.write_articles([indexed(MISSILE)])
        assert isinstance(written, ElasticsearchStore)
        written.reindex()
        with pytest.raises(EmbeddingModelMismatchError, match="minilm@model\\+openvino"):
            reopen(TORCH).counts()

    # -- concurrent writers ---------------------------------------------------------------------

    def test_two_writers_of_one_article_leave_exactly_one_version(
        self,
        store: ElasticsearchStore,
        es_store_factory: StoreFactory,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        store.write_articles([indexed(MISSILE)])
        other = es_store_factory(store.aliases.passages)
        versions = {
            "a": indexed(article(MISSILE.id, ["Version one begins.", "Version one ends."])),
            "b": indexed(article(MISSILE.id, ["Version two, a single passage."])),
        }
        # Both writers read the article's stored passages before either writes: the
        # interleaving that used to leave the loser's passages behind.
        both_read = threading.Barrier(2, timeout=20)
        waited = threading.local()
        read_passages = writes.passage_ids_by_article

        def read_then_wait(*args: object) -> dict[str, set[str]]:
            found = read_passages(*args)  # type: ignore[arg-type]
            if not getattr(waited, "done", False):
                waited.done = True
                both_read.wait()
            return found

        monkeypatch.setattr(writes, "passage_ids_by_article", read_then_wait)
        errors: list[BaseException] = []

        def write(writer: ElasticsearchStore, version: str) -> None:
            try:
                writer.write_articles([versions[version]])
            except BaseException as error:  # collected for the assertion below
                errors.append(error)

        threads = [
            threading.Thread(target=write, args=(writer, version))
            for writer, version in ((store, "a"), (other, "b"))
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert errors == []
        stored = store.get_article(MISSILE.id)
        assert stored is not None
        [winner] = [item for item in versions.values() if item.article == stored]
        found = store.bm25_search(["version", "missil"], top_k=20)
        assert sorted(ids(found)) == sorted(passage.id for passage in winner.passages)
        assert store.counts() == StoreCounts(articles=1, passages=len(winner.passages))


def test_an_index_without_positions_answers_phrases_until_reindexed(
    es_store_factory: StoreFactory, es_client: Elasticsearch
) -> None:
    """Mapping v1 (an older newsdesk) has no term positions: a phrase requires its words, in
    any order, instead of failing; ``reindex`` moves the data to v2 and phrases keep order."""
    index = f"test-v1-{uuid.uuid4().hex[:12]}"
    aliases = schema.Aliases.for_index(index)
    for alias, kind in ((aliases.passages, "passages"), (aliases.articles, "articles")):
        body = schema.index_body(kind, DIM, version=1)
        es_client.indices.create(index=f"{alias}-v1-000001", aliases={alias: {}}, **body)
    store = es_store_factory(index)
    store.write_articles([indexed(item) for item in CORPUS])
    shuffled = SearchFilters(phrases=[tuple(analyze_query("kilometres roughly 700"))])
    assert store.count_matching(shuffled) == 1  # words, not order, on v1
    store.reindex()
    assert store.indices()[aliases.passages] == f"{aliases.passages}-v2-000002"
    assert store.count_matching(shuffled) == 0
    in_order = SearchFilters(phrases=[tuple(analyze_query("roughly 700 kilometres"))])
    assert store.count_matching(in_order) == 1


def test_an_index_made_before_sentence_layouts_takes_the_field_on_open(
    es_store_factory: StoreFactory, es_client: Elasticsearch
) -> None:
    """An index whose (strict) mapping predates the layout field gets it on first use, so new
    passages can carry layouts; its older passages have none and are split on every read as
    before, until ``reindex`` rewrites them with theirs."""
    index = f"test-old-{uuid.uuid4().hex[:12]}"
    aliases = schema.Aliases.for_index(index)
    for alias, kind in ((aliases.passages, "passages"), (aliases.articles, "articles")):
        body = schema.index_body(kind, DIM)
        body["mappings"]["properties"].pop("sentence_layout", None)
        es_client.indices.create(index=f"{alias}-v2-000001", aliases={alias: {}}, **body)
    old = indexed(MISSILE)
    for passage, vector in zip(old.passages, old.embeddings, strict=True):
        source = passage_source(MISSILE, passage, vector, include_title=True)
        del source["sentence_layout"]
        es_client.index(index=aliases.passages, id=passage.id, document=source)
    es_client.indices.refresh(index=aliases.passages)

    store = es_store_factory(index)
    store.write_articles([indexed(RATES)])  # refused by the strict mapping without the field
    hits = store.bm25_search(["missil", "rate"], top_k=20)
    layouts = {hit.meta["article_id"]: hit.meta["sentence_layout"] for hit in hits}
    assert layouts[MISSILE.id] is None and layouts[RATES.id] is not None
    for hit in hits:
        split = Document(content=hit.content, meta={**hit.meta, "sentence_layout": None})
        assert sentence_shape(read_sentences(hit)) == sentence_shape(read_sentences(split))
    mapping = es_client.indices.get_mapping(index=aliases.passages).body
    (properties,) = (found["mappings"]["properties"] for found in mapping.values())
    assert properties["sentence_layout"] == {"type": "keyword", "index": False, "doc_values": False}

    es_client.index(
        index=aliases.articles,
        id=MISSILE.id,
        document=article_source(MISSILE),
        refresh=True,
    )
    store.reindex()
    for hit in store.bm25_search(["missil", "rate"], top_k=20):
        assert hit.meta["sentence_layout"] == sentence_layout(hit.content or "")
