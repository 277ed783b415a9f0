"""Scoring rankings, the plans per dataset kind, the workspace layout and the report."""

from pathlib import Path

import pytest

from search.evaluation.datasets import EvalQuestion
from search.evaluation.report import EvalReport, ModeScores
from search.evaluation.runner import PLANS, MetricPlan, RankedPassage, collect, score
from search.evaluation.workspace import index_key, workspace_settings
from search.settings import Settings, SplitSettings

QUESTIONS = [
    EvalQuestion("q1", "first?", {"a1": 1, "a2": 1}, ("Evidence one.", "Evidence two.")),
    EvalQuestion("q2", "second?", {"a3": 1}, ("Evidence three.",)),
]


def test_depth_covers_the_deepest_cutoff() -> None:
    assert PLANS["multihop"].depth(10) == 20
    assert PLANS["multihop"].depth(50) == 50
    assert PLANS["beir"].depth(10) == 100
    assert PLANS["multihop"].names == [
        "hits@4",
        "hits@10",
        "mrr@10",
        "ndcg@10",
        "recall@10",
        "recall@20",
    ]


def test_score_reads_texts_for_evidence_and_distinct_articles_for_ranked_metrics() -> None:
    rankings = {
        # q1: the evidence sits in the 2nd passage; a1 appears twice, then a2 as a folded copy.
        "q1": [
            RankedPassage("nothing here", ("a1",)),
            RankedPassage("x Evidence two. y", ("a1",)),
            RankedPassage("more", ("a9", "a2")),
        ],
        # q2: nothing relevant retrieved.
        "q2": [RankedPassage("Evidence", ("a4",))],
    }
    scores = score(PLANS["multihop"], QUESTIONS, rankings)
    assert scores["hits@4"] == scores["hits@10"] == 0.5
    assert scores["mrr@10"] == pytest.approx((1 / 2 + 0) / 2)
    # q1's article ranking is a1, a9, a2: both relevant within 10 (and 20); q2 finds none.
    assert scores["recall@10"] == scores["recall@20"] == pytest.approx(0.5)
    assert 0 < scores["ndcg@10"] < 0.5


def test_a_plan_without_evidence_metrics_skips_them() -> None:
    plan = MetricPlan(ranked=("recall@100",))
    rankings = {"q1": [RankedPassage("t", ("a2",))], "q2": [RankedPassage("t", ("a3",))]}
    assert score(plan, QUESTIONS, rankings) == {"recall@100": pytest.approx(0.75)}


def test_collect_asks_every_question_once_and_times_it() -> None:
    asked: list[str] = []

    def search(query: str) -> list[RankedPassage]:
        asked.append(query)
        return [RankedPassage(query, ("a1",))]

    run = collect(search, QUESTIONS, progress=False)
    assert asked == ["first?", "second?"]
    assert list(run.rankings) == ["q1", "q2"] and len(run.latencies_ms) == 2
    assert 0 <= run.latency_ms(50) <= run.latency_ms(95)


def test_workspace_keys_the_index_by_corpus_and_index_time_settings(tmp_path: Path) -> None:
    base = Settings(data_dir=tmp_path / "ignored")
    resplit = base.model_copy(update={"split": SplitSettings(passage_words=80)})
    refused = base.model_copy(
        update={"retrieval": base.retrieval.model_copy(update={"rrf_k": 60.0})}
    )
    assert index_key(base, "corpus") != index_key(resplit, "corpus")
    assert index_key(base, "corpus") != index_key(base, "other corpus")
    assert index_key(base, "corpus") == index_key(refused, "corpus")  # query-time knob
    served = base.model_copy(
        update={"embedding": base.embedding.model_copy(update={"threads": 1, "query_batch": 16})}
    )
    assert index_key(base, "corpus") == index_key(served, "corpus")  # speed, not vectors

    store, cache = workspace_settings(base, tmp_path / "eval", "corpus")
    assert store.data_dir == tmp_path / "eval" / "indexes" / index_key(base, "corpus")
    assert (store.data_dir / "manifest.json").is_file()
    assert cache.cache_dir == tmp_path / "eval" / "cache"
    assert store.store == cache.store == "embedded"


def test_report_json_is_keyed_by_mode_and_the_table_has_one_row_each() -> None:
    report = EvalReport("beir", questions=3, skipped=1, settings={"depth": 100})
    report.modes["bm25"] = ModeScores({"ndcg@10": 0.123456, "recall@100": 1.0}, 1.234, 5.0)
    report.modes["hybrid"] = ModeScores({"ndcg@10": 0.5, "recall@100": 0.9}, 12.0, 20.0)
    data = report.to_json()
    assert data["bm25"] == {
        "ndcg@10": 0.1235,
        "recall@100": 1.0,
        "latency_p50_ms": 1.23,
        "latency_p95_ms": 5.0,
    }
    assert data["questions"] == 3 and data["skipped"] == 1
    lines = report.table().splitlines()
    assert lines[0].startswith("BEIR format: 3 questions (1 skipped)")
    assert lines[1].split() == ["mode", "ndcg@10", "recall@100", "p50", "ms", "p95", "ms"]
    assert lines[2].split()[:3] == ["bm25", "0.1235", "1.0000"]
