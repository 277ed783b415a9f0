from datetime import UTC, datetime
from pathlib import Path

import pytest

from api.runtime import Runtime
from search.embedding import Embedder
from search.filters import SearchFilters
from search.settings import Settings
from tests.conftest import MISSILE_QUESTION, REPO
from tests.indexed import index_into, runtime_for


def test_the_missile_question_finds_the_700_km_passage_first(seeded_runtime: Runtime) -> None:
    hits = seeded_runtime.retriever.run(query=MISSILE_QUESTION, top_k=3)["hits"]
    best = hits[0]
    assert "700" in best.text
    assert best.source.title in ("000_7e857b61716c692e", "002_1062b9361ec377fa")
    article = seeded_runtime.store.get_article(best.source.article_id)
    assert article is not None
    assert article.body[best.source.char_start : best.source.char_end] == best.text


@pytest.mark.parametrize("mode", ["bm25", "dense", "hybrid"])
def test_every_hit_carries_its_score_breakdown(seeded_runtime: Runtime, mode: str) -> None:
    hits = seeded_runtime.retriever.run(query=MISSILE_QUESTION, top_k=5, mode=mode, group=False)[
        "hits"
    ]
    assert len(hits) == 5
    assert [hit.score for hit in hits] == sorted((hit.score for hit in hits), reverse=True)
    for rank, hit in enumerate(hits, start=1):
        if mode != "hybrid":
            assert hit.scores.fused == hit.score
            assert hit.scores.weights is None and hit.scores.second_stage is None
            leg = getattr(hit.scores, mode)
            assert leg.rank == rank and leg.score == pytest.approx(hit.score, abs=1e-5)
        else:
            # the second stage orders hybrid hits; its score is the hit's score
            assert hit.scores.second_stage == hit.score and 0 < hit.score < 1
            weights = hit.scores.weights
            assert weights is not None and weights.adaptive and weights.method == "rrf"
            assert weights.bm25 > 0 and weights.dense == 1.0
    if mode == "hybrid":
        assert any(hit.scores.bm25 and hit.scores.dense for hit in hits)


def test_fusion_weights_can_be_set_per_request(seeded_runtime: Runtime) -> None:
    retriever = seeded_runtime.retriever
    bm25_only = retriever.run(query=MISSILE_QUESTION, top_k=9, mode="bm25", group=False)["hits"]
    dense_silenced = retriever.run(
        query=MISSILE_QUESTION, top_k=9, dense_weight=0.0, fusion="weighted", group=False
    )["hits"]
    # The caller's fusion is the ranking: honoured as given, no second stage on top.
    assert [h.passage_id for h in dense_silenced[: len(bm25_only)]] == [
        h.passage_id for h in bm25_only
    ]
    # Passages only the dense leg found trail with a fused score of zero.
    assert all(h.score == 0 for h in dense_silenced[len(bm25_only) :])
    for hit in dense_silenced:
        assert hit.scores.second_stage is None and hit.scores.weights is not None
        applied = hit.scores.weights
        assert (applied.method, applied.bm25, applied.dense, applied.adaptive) == (
            "weighted",
            1.0,
            0.0,
            False,
        )


def test_date_and_outlet_filters_exclude_undated_seed_articles(seeded_runtime: Runtime) -> None:
    after_2020 = SearchFilters(published_after=datetime(2020, 1, 1, tzinfo=UTC))
    assert seeded_runtime.retriever.run(query=MISSILE_QUESTION, filters=after_2020)["hits"] == []
    reuters = SearchFilters(outlets=["Reuters"])
    assert seeded_runtime.retriever.run(query=MISSILE_QUESTION, filters=reuters)["hits"] == []


def test_top_k_must_be_positive(seeded_runtime: Runtime) -> None:
    with pytest.raises(ValueError, match="top_k"):
        seeded_runtime.retriever.run(query=MISSILE_QUESTION, top_k=0)


def test_the_retriever_is_a_haystack_component_in_a_pipeline(seeded_runtime: Runtime) -> None:
    from haystack import Pipeline

    pipeline = Pipeline()
    pipeline.add_component("retriever", seeded_runtime.retriever)
    result = pipeline.run({"retriever": {"query": MISSILE_QUESTION, "top_k": 2}})
    assert "700" in result["retriever"]["hits"][0].text


def test_one_hit_per_story_with_the_answer_sentence_and_the_other_reports(
    seeded_runtime: Runtime,
) -> None:
    hits = seeded_runtime.retriever.run(query=MISSILE_QUESTION, top_k=3)["hits"]
    best = hits[0]
    assert best.highlight is not None
    assert "700" in best.highlight.text
    article = seeded_runtime.store.get_article(best.source.article_id)
    assert article is not None
    assert article.body[best.highlight.char_start : best.highlight.char_end] == best.highlight.text
    reported_by = {other.title for other in best.also_reported_by}
    answers = {"000_7e857b61716c692e", "002_1062b9361ec377fa"}  # the seed files' names
    assert (answers - {best.source.title}) <= reported_by
    assert best.source.title not in reported_by
    # the copies' passages are folded away: no later hit comes from another copy
    assert all(hit.source.article_id == best.source.article_id for hit in hits[1:])


def test_unrelated_articles_beside_the_seeds_do_not_change_the_answer(
    settings: Settings, embedder: Embedder, seeds: Path
) -> None:
    """`make run` indexes the fictional sample with the seeds: the missile answer must hold."""
    runtime = runtime_for(settings, embedder)
    index_into(runtime, REPO / "examples", seeds)
    best = runtime.retriever.run(query=MISSILE_QUESTION, top_k=1)["hits"][0]
    runtime.close()
    assert best.highlight is not None and "700" in best.highlight.text
