"""The store contract: every PassageStore backend inherits these tests and must pass them all.

A backend's test module subclasses ``PassageStoreContract`` and provides a ``store`` fixture: an
empty store of ``DIM``-d vectors with titles in the BM25 text; and ``reopen``: a function giving
another store instance on the same location, embedding with the given model (``ModelStamp``).
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime

import numpy as np
import pytest
from haystack import Document

from indexer.pipeline import Indexer
from search.analysis import analyze_query
from search.errors import EmbeddingModelMismatchError
from search.filters import SearchFilters
from search.passage_sentences import PassageSentences, read_sentences
from search.results import FacetBucket
from search.sentence_layout import read_layout, sentence_layout
from search.settings import SplitSettings
from search.store.model_stamp import ModelStamp
from search.store.protocol import PassageStore, StoreCounts
from tests.store.corpus import (
    CORPUS,
    MATCH,
    MISSILE,
    QUERY,
    RATES,
    FakeEmbedder,
    article,
    at_cosine,
    indexed,
)

META_KEYS = {
    "article_id", "passage_index", "char_start", "char_end",
    "title", "outlet", "url", "published_at", "author", "language", "cluster_id", "terms",
    "sentence_layout",
}  # fmt: skip


TORCH = ModelStamp("minilm@model", legacy_id="minilm@model")
OPENVINO = ModelStamp("minilm@model+openvino", legacy_id="minilm@model")
Reopen = Callable[[ModelStamp | None], PassageStore]


def sentence_shape(sentences: PassageSentences) -> tuple:
    """Everything the second stage and the highlight read of a passage's sentences."""
    return list(sentences.ends), sentences.firsts, list(sentences.terms), list(sentences)


def ids(documents: list) -> list[str]:
    return [document.id for document in documents]


def bm25(store: PassageStore, text: str, top_k: int = 10, **filters: object) -> list:
    return store.bm25_search(analyze_query(text), top_k, SearchFilters(**filters))


class PassageStoreContract:
    """Write, overwrite, unchanged re-index, delete, filters, counts, reads, ranking."""

    # Whether document frequencies drop a deleted passage at once (else: once merged away).
    exact_frequencies = True

    @pytest.fixture
    def filled(self, store: PassageStore) -> PassageStore:
        store.write_articles([indexed(item) for item in CORPUS])
        return store

    # -- empty store ----------------------------------------------------------------------------

    def test_empty_store_answers_empty(self, store: PassageStore) -> None:
        assert isinstance(store, PassageStore)
        store.ping()
        assert store.counts() == StoreCounts(articles=0, passages=0)
        assert store.outlets() == []
        assert store.bm25_search(["missil"], 5) == []
        assert store.dense_search(QUERY, 5) == []
        assert store.get_article("nope") is None
        assert list(store.iter_articles()) == []
        assert store.article_hashes(["nope"]) == {}
        assert store.passage_embeddings(["nope"]) == {}
        assert store.document_frequencies(["missil"]) == (0, {"missil": 0})
        assert store.delete_articles(["nope"]) == 0

    # -- writes and reads -----------------------------------------------------------------------

    def test_write_then_read_back(self, filled: PassageStore) -> None:
        assert filled.counts() == StoreCounts(articles=3, passages=7)
        assert filled.get_article(MISSILE.id) == MISSILE
        assert list(filled.iter_articles()) == sorted(CORPUS, key=lambda item: item.id)
        hashes = filled.article_hashes([MISSILE.id, RATES.id, "unknown"])
        assert hashes == {MISSILE.id: MISSILE.content_hash, RATES.id: RATES.content_hash}

    def test_metadata_comes_back_as_written(self, store: PassageStore) -> None:
        # Filters fold case on their own keys; what a reader sees keeps the writer's spelling.
        shouting = replace(MISSILE, language="EN", outlet="REUTERS ")
        store.write_articles([indexed(shouting)])
        assert store.get_article(MISSILE.id) == shouting
        hit = store.bm25_search(["missil"], 1, SearchFilters(languages=["en"]))[0]
        assert (hit.meta["language"], hit.meta["outlet"]) == ("EN", "REUTERS ")

    def test_outlets_lists_every_outlet_once(self, filled: PassageStore) -> None:
        assert filled.outlets() == ["BBC Sport", "Bloomberg", "Reuters"]
        filled.write_articles([indexed(article("a-other", ["Another report."], outlet="AP"))])
        assert filled.outlets() == ["AP", "BBC Sport", "Bloomberg", "Reuters"]
        filled.delete_articles([MATCH.id])
        assert filled.outlets() == ["AP", "Bloomberg", "Reuters"]

    def test_hits_are_attributed_documents(self, filled: PassageStore) -> None:
        hit = bm25(filled, "700 kilometres", top_k=1)[0]
        assert set(hit.meta) == META_KEYS
        assert hit.meta["article_id"] == MISSILE.id
        assert hit.meta["passage_index"] == 1
        assert MISSILE.body[hit.meta["char_start"] : hit.meta["char_end"]] == hit.content
        assert hit.meta["outlet"] == "Reuters"
        assert hit.meta["published_at"] == MISSILE.published_at.isoformat()
        assert hit.meta["author"] == "Jane Doe"
        assert hit.meta["cluster_id"] == "story-missile"
        # the terms the lexical leg indexed, so ranking features need no re-analysis
        assert hit.meta["terms"].split()[-4:] == ["land", "outsid", "japan", "water"]
        assert isinstance(hit.score, float) and hit.score > 0

    def test_hits_carry_their_sentence_layout(self, filled: PassageStore) -> None:
        """Where each sentence ends and how many terms it holds, stored at index time: the
        second stage reads it instead of splitting every candidate, and gets the same sentences."""
        hits = filled.dense_search(QUERY, 10)
        assert len(hits) > 3
        for hit in hits:
            assert hit.meta["sentence_layout"] == sentence_layout(hit.content or "")
            assert read_layout(hit.meta["sentence_layout"], hit.content or "") is not None
            split = Document(content=hit.content, meta={**hit.meta, "sentence_layout": None})
            assert sentence_shape(read_sentences(hit)) == sentence_shape(read_sentences(split))

    def test_passage_embeddings_round_trip_exactly(self, store: PassageStore) -> None:
        item = indexed(MISSILE)
        store.write_articles([item])
        found = store.passage_embeddings([*ids(item.passages), "unknown"])
        assert set(found) == set(ids(item.passages))
        for passage, vector in zip(item.passages, item.embeddings, strict=True):
            assert np.array_equal(found[passage.id], vector)

    def test_rewriting_unchanged_articles_changes_nothing(self, filled: PassageStore) -> None:
        before = (filled.counts(), ids(bm25(filled, "missile")))
        filled.write_articles([indexed(item) for item in CORPUS])
        assert (filled.counts(), ids(bm25(filled, "missile"))) == before

    def test_edited_article_replaces_its_passages(self, filled: PassageStore) -> None:
        old = indexed(MISSILE)
        paragraphs = MISSILE.body.split("\n\n")
        edited = replace(MISSILE, body="\n\n".join([paragraphs[0], "It flew 900 kilometres."]))
        new = indexed(edited)
        filled.write_articles([new])
        assert filled.counts() == StoreCounts(articles=3, passages=6)
        assert filled.get_article(MISSILE.id) == edited
        assert filled.article_hashes([MISSILE.id]) == {MISSILE.id: edited.content_hash}
        assert ids(bm25(filled, "700")) == []
        assert ids(bm25(filled, "condemned provocation")) == []
        assert ids(bm25(filled, "900")) == [new.passages[1].id]
        # The untouched first paragraph keeps its id, so its vector is reused, not re-embedded.
        assert new.passages[0].id == old.passages[0].id
        assert set(filled.passage_embeddings(ids(old.passages))) == {old.passages[0].id}

    def test_same_article_twice_in_one_write_keeps_the_last(self, store: PassageStore) -> None:
        edited = replace(MISSILE, body="A short note on the missile.")
        store.write_articles([indexed(MISSILE), indexed(edited)])
        assert store.counts() == StoreCounts(articles=1, passages=1)
        assert store.get_article(MISSILE.id) == edited

    def test_delete_removes_articles_and_passages(self, filled: PassageStore) -> None:
        assert filled.delete_articles([MISSILE.id, "unknown"]) == 1
        assert filled.counts() == StoreCounts(articles=2, passages=4)
        assert filled.get_article(MISSILE.id) is None
        assert bm25(filled, "missile korea") == []
        assert MISSILE.id not in {hit.meta["article_id"] for hit in filled.dense_search(QUERY, 10)}
        assert filled.delete_articles([MISSILE.id]) == 0
        filled.write_articles([indexed(MISSILE)])
        assert filled.counts() == StoreCounts(articles=3, passages=7)

    def test_optimize_keeps_every_result(self, store: PassageStore) -> None:
        for item in CORPUS:  # one write each: several segments
            store.write_articles([indexed(item)])
        store.flush()
        terms = analyze_query("missile rates korea")
        before = (store.bm25_ranking(terms, 10), store.dense_ranking(QUERY, 10), store.counts())
        store.optimize()
        after = (store.bm25_ranking(terms, 10), store.dense_ranking(QUERY, 10), store.counts())
        assert after == before and before[0]
        store.write_articles([indexed(replace(MISSILE, id="missile-copy"))])
        assert store.counts().articles == before[2].articles + 1

    # -- rankings, then hydration ---------------------------------------------------------------

    def test_rankings_hydrate_to_what_the_searches_return(self, filled: PassageStore) -> None:
        terms = analyze_query("missile rates")
        only_reuters = SearchFilters(outlets=["reuters"])
        for ranking, documents in (
            (filled.bm25_ranking(terms, 10), filled.bm25_search(terms, 10)),
            (
                filled.dense_ranking(QUERY, 5, only_reuters),
                filled.dense_search(QUERY, 5, only_reuters),
            ),
        ):
            hydrated = filled.hydrate([key for key, _ in ranking])
            assert [hydrated[key].id for key, _ in ranking] == ids(documents)
            assert [score for _, score in ranking] == [hit.score for hit in documents]
            assert all(set(hit.meta) == META_KEYS for hit in hydrated.values())
        assert filled.bm25_ranking([], 10) == [] and filled.hydrate([]) == {}

    def test_story_keys_name_each_passages_article_and_story(self, filled: PassageStore) -> None:
        ranking = filled.bm25_ranking(analyze_query("missile rates"), 10)
        hydrated = filled.hydrate([key for key, _ in ranking])
        found = filled.story_keys([key for key, _ in ranking])
        assert found == {
            key: (hit.meta["article_id"], hit.meta["cluster_id"] or hit.meta["article_id"])
            for key, hit in hydrated.items()
        }
        assert {story for _, story in found.values()} == {"story-missile", RATES.id}
        filled.delete_articles([MISSILE.id])
        assert {article for article, _ in filled.story_keys(list(found)).values()} == {RATES.id}
        assert filled.story_keys([]) == {}

    def test_rankings_under_several_filter_sets_are_one_call_each(
        self, store: PassageStore
    ) -> None:
        """A retrieval's main leg and its focused legs in one call: the same rankings as one
        call per filter set, also where a set's passages rank too low for a shared search."""

        def text(number: int) -> str:
            if number < 55:
                return f"{'archive ' * (1 + number % 7)}note {number}."
            return f"An archive note {number} {'with many more words than the others ' * 9}."

        store.write_articles(
            [
                indexed(
                    article(
                        f"a-{number:02d}",
                        [text(number), "Another archive."],
                        outlet=["Reuters", "Bloomberg"][number % 2] if number < 55 else "Rare",
                        published=f"2024-03-{1 + number % 9:02d}T08:00:00",
                    )
                )
                for number in range(60)
            ]
        )
        day = SearchFilters(
            published_after=datetime(2024, 3, 2, tzinfo=UTC),
            published_before=datetime(2024, 3, 2, 23, 59, 59, tzinfo=UTC),
        )
        reuters = SearchFilters(outlets=["reuters"])
        rare, nobody = SearchFilters(outlets=["Rare"]), SearchFilters(outlets=["x"])
        narrowing = [None, reuters, rare, day, nobody]
        reuters_that_day = reuters.model_copy(update=day.model_dump(exclude_none=True))
        crossing = [reuters, reuters_that_day, SearchFilters(outlets=["bloomberg"])]
        terms = analyze_query("archive note")
        # Phrases and exclusions, which only the lexical index checks: shared by every set, or not
        wordy = [tuple(analyze_query("many more words"))]
        shared_text = [
            (f or SearchFilters()).model_copy(update={"excluded": wordy}) for f in narrowing
        ]
        mixed_text = [None, reuters.model_copy(update={"phrases": [tuple(analyze_query("note"))]})]
        for sets in (narrowing, crossing, [day], [], shared_text, mixed_text):
            for top_k in (1, 3, 50):
                assert store.bm25_rankings(terms, top_k, sets) == [
                    store.bm25_ranking(terms, top_k, filters) for filters in sets
                ]
                assert store.dense_rankings(QUERY, top_k, sets) == [
                    store.dense_ranking(QUERY, top_k, filters) for filters in sets
                ]
        assert store.bm25_rankings([], 5, narrowing) == [[] for _ in narrowing]

    def test_hydrate_skips_passages_deleted_since_they_were_ranked(
        self, filled: PassageStore
    ) -> None:
        missile = filled.bm25_ranking(["missil"], 10)
        rates = filled.bm25_ranking(["rate"], 10)
        assert len(missile) == 3 and len(rates) == 2
        filled.delete_articles([MISSILE.id])
        hydrated = filled.hydrate([key for key, _ in missile + rates])
        assert {hit.meta["article_id"] for hit in hydrated.values()} == {RATES.id}
        assert len(hydrated) == 2

    def test_threads_reading_at_once_get_what_one_thread_gets(self, filled: PassageStore) -> None:
        """The API answers from a pool of threads sharing one store: reads run side by side."""
        questions = [
            (analyze_query("missile launch"), QUERY, None),
            (analyze_query("rates cut"), at_cosine(0.5, 2), SearchFilters(outlets=["bloomberg"])),
            (analyze_query("cup final fans"), at_cosine(0.2, 3), SearchFilters(languages=["en"])),
        ]

        def ask(question: tuple) -> tuple:
            terms, vector, filters = question
            lexical = filled.bm25_ranking(terms, 10, filters)
            dense = filled.dense_ranking(vector, 5, filters)
            hydrated = filled.hydrate([key for key, _ in lexical + dense])
            return (
                [hydrated[key].id for key, _ in lexical],
                [hydrated[key].id for key, _ in dense],
                filled.document_frequencies(terms),
            )

        alone = [ask(question) for question in questions]
        with ThreadPoolExecutor(4) as pool:
            together = list(pool.map(ask, questions * 8))
        assert together == alone * 8
        assert all(lexical and dense for lexical, dense, _ in alone)

    # -- filters --------------------------------------------------------------------------------

    def test_outlet_filter_is_case_insensitive(self, filled: PassageStore) -> None:
        hits = bm25(filled, "missile rates cup", outlets=["  reuters ", "BLOOMBERG"])
        assert {hit.meta["article_id"] for hit in hits} == {MISSILE.id, RATES.id}
        dense = filled.dense_search(QUERY, 10, SearchFilters(outlets=["bbc sport"]))
        assert {hit.meta["article_id"] for hit in dense} == {MATCH.id}

    def test_author_and_language_filters_fold_case(self, filled: PassageStore) -> None:
        query = "missile rates cup"
        by_author = bm25(filled, query, authors=["JANE DOE", "nobody"])
        assert {hit.meta["article_id"] for hit in by_author} == {MISSILE.id}
        by_language = bm25(filled, query, languages=[" DE "])
        assert {hit.meta["article_id"] for hit in by_language} == {RATES.id}
        english = SearchFilters(languages=["en"], outlets=["bbc sport", "reuters"])
        assert {hit.meta["article_id"] for hit in filled.dense_search(QUERY, 10, english)} == {
            MISSILE.id,
            MATCH.id,
        }

    def test_date_range_is_inclusive_and_excludes_undated(self, filled: PassageStore) -> None:
        query = "missile rates cup"
        exactly = datetime(2024, 3, 1, 8, 0, tzinfo=UTC)
        after = bm25(filled, query, published_after=exactly)
        assert {hit.meta["article_id"] for hit in after} == {MISSILE.id, RATES.id}
        before = bm25(filled, query, published_before=exactly)
        assert {hit.meta["article_id"] for hit in before} == {MISSILE.id}
        window = SearchFilters(published_after=datetime(2024, 3, 2, tzinfo=UTC))
        assert {hit.meta["article_id"] for hit in filled.dense_search(QUERY, 10, window)} == {
            RATES.id
        }

    def test_filtered_search_still_returns_top_k(self, store: PassageStore) -> None:
        near = [f"Storm warning number {i} for the coast." for i in range(30)]
        far = [f"Storm damage report {i} from the valley." for i in range(8)]
        wire = article("a-wire", near, outlet="Wire", published="2024-01-01T00:00:00")
        local = article("a-local", far, outlet="Local", published="2024-02-01T00:00:00")
        store.write_articles(
            [
                indexed(wire, [at_cosine(0.99 - i * 0.001, 1 + i % 7) for i in range(30)]),
                indexed(local, [at_cosine(0.1, 1 + i % 7) for i in range(8)]),
            ]
        )
        only_local = SearchFilters(outlets=["local"])
        for hits in (
            store.bm25_search(["storm"], 5, only_local),
            store.dense_search(QUERY, 5, only_local),
        ):
            assert len(hits) == 5
            assert {hit.meta["article_id"] for hit in hits} == {local.id}
        february = SearchFilters(published_after=datetime(2024, 1, 15, tzinfo=UTC))
        assert len(store.dense_search(QUERY, 8, february)) == 8

    # -- ranking --------------------------------------------------------------------------------

    def test_bm25_ranks_by_term_weight_frequency_and_length(self, store: PassageStore) -> None:
        paragraphs = [
            "Volcano volcano volcano erupted.",
            "The volcano erupted.",
            "Reports said that after a quiet week the old volcano on the island far to the "
            "south erupted again, sending ash over several villages and the airport.",
            "Ash fell on the airport.",
        ]
        item = indexed(article("a-volcano", paragraphs, title="Eruption"))
        store.write_articles([item])
        order = ids(store.bm25_search(analyze_query("volcano"), 10))
        assert order == ids(item.passages[:3])
        # "airport" (2 of 4 passages) weighs more than "volcano" (3 of 4); short passages win.
        hits = store.bm25_search(analyze_query("volcano airport"), 10)
        assert ids(hits) == [item.passages[i].id for i in (3, 2, 0, 1)]
        scores = [hit.score for hit in hits]
        assert scores == sorted(scores, reverse=True)

    def test_dense_ranks_by_cosine_and_reports_it(self, store: PassageStore) -> None:
        cosines = [0.2, 0.95, -0.3, 0.7, 0.5]
        item = indexed(
            article("a-dense", [f"Paragraph {i}." for i in range(5)]),
            [at_cosine(cosine, 1 + i) for i, cosine in enumerate(cosines)],
        )
        store.write_articles([item])
        hits = store.dense_search(QUERY, 5)
        assert ids(hits) == [item.passages[i].id for i in (1, 3, 4, 0, 2)]
        for hit, expected in zip(hits, sorted(cosines, reverse=True), strict=True):
            assert hit.score == pytest.approx(expected, abs=2e-3)
        assert ids(store.dense_search(QUERY, 2)) == [item.passages[1].id, item.passages[3].id]

    def test_document_frequencies_count_live_passages(self, filled: PassageStore) -> None:
        terms = analyze_query("missile rates sea unknownword")
        assert filled.document_frequencies(terms) == (
            7,
            {"missil": 3, "rate": 2, "sea": 1, "unknownword": 0},
        )

    def test_document_frequencies_forget_deleted_passages(self, filled: PassageStore) -> None:
        filled.delete_articles([RATES.id])
        documents, frequencies = filled.document_frequencies(["rate", "missil"])
        assert (documents, frequencies["missil"]) == (5, 3)
        # Index statistics may count a deleted passage until its segment is merged away.
        assert frequencies["rate"] in ((0,) if self.exact_frequencies else (0, 1, 2))

    def test_facets_count_matching_passages(self, filled: PassageStore) -> None:
        terms = analyze_query("missile rates")
        assert filled.facets(terms, None, ["outlet", "day"]) == {
            "outlet": [
                FacetBucket(value="Reuters", count=3),
                FacetBucket(value="Bloomberg", count=2),
            ],
            "day": [
                FacetBucket(value="2024-03-01", count=3),
                FacetBucket(value="2024-03-05", count=2),
            ],
        }
        only_reuters = filled.facets(terms, SearchFilters(outlets=["reuters"]), ["outlet"])
        assert only_reuters == {"outlet": [FacetBucket(value="Reuters", count=3)]}
        # The undated football report is counted by outlet but has no day.
        assert filled.facets(["cup"], None, ["day", "outlet"]) == {
            "day": [],
            "outlet": [FacetBucket(value="BBC Sport", count=2)],
        }
        assert filled.facets([], None, ["outlet"]) == {"outlet": []}

    def test_empty_query_and_large_top_k(self, filled: PassageStore) -> None:
        assert filled.bm25_search([], 10) == []
        assert len(filled.dense_search(QUERY, 100)) == 7
        assert len(filled.bm25_search(["missil"], 100)) == 3

    # -- the indexer on top ---------------------------------------------------------------------

    def test_indexer_skips_unchanged_and_reembeds_only_edits(self, store: PassageStore) -> None:
        embedder = FakeEmbedder()
        indexer = Indexer(store, embedder, SplitSettings(passage_words=20, overlap_words=0))  # type: ignore[arg-type]
        sentences = [
            f"Sentence {word} of the long report says something about the storm and its damage."
            for word in ("one", "two", "three", "four")
        ]
        report = article("a-report", [" ".join(sentences)], outlet="Wire")
        first = indexer.index([*CORPUS, report], progress=False)
        assert (first.indexed, first.unchanged) == (4, 0)
        counts = store.counts()
        assert counts.articles == 4
        embedder.embedded.clear()
        again = indexer.index([*CORPUS, report], progress=False)
        assert (again.indexed, again.unchanged, embedder.embedded) == (0, 4, [])
        assert store.counts() == counts
        edited = replace(report, body=report.body.replace("four of", "4 of"))
        assert indexer.index([edited], progress=False).indexed == 1
        assert len(embedder.embedded) == 1 and "4 of" in embedder.embedded[0]
        assert store.counts() == counts
        assert [hit.meta["article_id"] for hit in bm25(store, "4 report")][:1] == [report.id]

    # -- the embedding model the vectors come from ----------------------------------------------

    def test_the_first_write_records_the_model_and_another_is_refused(
        self, store: PassageStore, reopen: Reopen
    ) -> None:
        reopen(OPENVINO).write_articles([indexed(MISSILE)])
        assert reopen(OPENVINO).counts().articles == 1
        refused = r"minilm@model\+openvino.*minilm@model'.*NEWSDESK_EMBEDDING__BACKEND=openvino"
        with pytest.raises(EmbeddingModelMismatchError, match=refused):
            reopen(TORCH).counts()

    def test_an_empty_store_takes_the_model_that_writes_first(
        self, store: PassageStore, reopen: Reopen
    ) -> None:
        assert reopen(TORCH).counts().passages == 0
        reopen(OPENVINO).write_articles([indexed(MISSILE)])
        with pytest.raises(EmbeddingModelMismatchError):
            reopen(TORCH).counts()

    def test_vectors_written_before_models_were_recorded_count_as_torch(
        self, store: PassageStore, reopen: Reopen
    ) -> None:
        store.write_articles([indexed(MISSILE)])  # a store that records no model
        store.flush()
        with pytest.raises(EmbeddingModelMismatchError, match="NEWSDESK_EMBEDDING__BACKEND=torch"):
            reopen(OPENVINO).counts()
        legacy = reopen(TORCH)
        legacy.write_articles([indexed(CORPUS[1])])
        assert legacy.counts().articles == 2

    # -- phrases and exclusions (the query syntax) ----------------------------------------------

    def test_a_phrase_admits_only_passages_holding_it_in_both_legs(
        self, filled: PassageStore
    ) -> None:
        phrase = SearchFilters(phrases=[tuple(analyze_query("roughly 700 kilometres"))])
        for hits in (
            bm25(filled, "missile", phrases=phrase.phrases),
            filled.dense_search(QUERY, 10, phrase),
        ):
            assert [hit.meta["passage_index"] for hit in hits] == [1]
        assert filled.count_matching(phrase) == 1
        shuffled = SearchFilters(phrases=[tuple(analyze_query("kilometres roughly 700"))])
        assert filled.count_matching(shuffled) == 0

    def test_an_exclusion_removes_passages_from_both_legs(self, filled: PassageStore) -> None:
        japan = SearchFilters(excluded=[tuple(analyze_query("Japan"))])
        lexical = bm25(filled, "missile", excluded=japan.excluded)
        dense = filled.dense_search(QUERY, 10, japan)
        assert {hit.meta["passage_index"] for hit in lexical} == {0, 2}
        assert len(dense) == 6 and all("Japan" not in (hit.content or "") for hit in dense)
        assert filled.count_matching(japan) == 6
