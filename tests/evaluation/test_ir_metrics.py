"""nDCG and recall through ir-measures, on cases small enough to compute by hand."""

import math

import pytest

from search.evaluation.ir_metrics import ranked_metrics


def test_ndcg_and_recall_on_a_tiny_binary_case() -> None:
    qrels = {"q1": {"a": 1, "b": 1}, "q2": {"c": 1}}
    rankings = {"q1": ["a", "x", "b"], "q2": ["x"]}
    scores = ranked_metrics(qrels, rankings, ["ndcg@10", "recall@2", "recall@10"])
    # q1: DCG = 1/log2(2) + 1/log2(4) = 1.5; ideal = 1 + 1/log2(3). q2 finds nothing.
    q1_ndcg = 1.5 / (1 + 1 / math.log2(3))
    assert scores["ndcg@10"] == pytest.approx(q1_ndcg / 2)
    assert scores["recall@2"] == pytest.approx((1 / 2 + 0) / 2)  # b sits at rank 3
    assert scores["recall@10"] == pytest.approx((1 + 0) / 2)


def test_grades_are_gains() -> None:
    scores = ranked_metrics({"q": {"a": 2, "b": 1}}, {"q": ["b", "a"]}, ["ndcg@10"])
    ideal = 2 + 1 / math.log2(3)
    assert scores["ndcg@10"] == pytest.approx((1 + 2 / math.log2(3)) / ideal)


def test_a_question_with_no_ranking_scores_zero() -> None:
    scores = ranked_metrics({"q1": {"a": 1}, "q2": {"b": 1}}, {"q1": ["a"]}, ["recall@10"])
    assert scores["recall@10"] == pytest.approx(0.5)


def test_repeated_ids_and_empty_judgements_are_refused() -> None:
    with pytest.raises(ValueError, match="repeats"):
        ranked_metrics({"q": {"a": 1}}, {"q": ["a", "a"]}, ["ndcg@10"])
    with pytest.raises(ValueError, match="no relevant"):
        ranked_metrics({"q": {"a": 0}}, {"q": ["a"]}, ["ndcg@10"])


def test_unknown_metric_names_are_refused() -> None:
    for name in ("map@10", "ndcg", "recall@0", "recall@ten"):
        with pytest.raises(ValueError, match="unsupported metric"):
            ranked_metrics({"q": {"a": 1}}, {"q": ["a"]}, [name])
