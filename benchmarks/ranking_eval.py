"""Scoring a ranking configuration on collected legs (``ranking_data.py``) exactly as
``newsdesk eval`` scores the product: the same fusion and second-stage components, the same
story grouping, the same metrics."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any

from benchmarks.ranking_data import DatasetLegs, QuestionLegs
from search.evaluation.runner import PLANS, RankedPassage, score
from search.fusion import FusedCandidate
from search.grouping import group_candidates
from search.retrieval.fusion import HybridFusion
from search.retrieval.second_stage import SecondStage
from search.retrieval.types import Candidates, LegRankings

# What each dataset is judged by in sweeps (the headline of its table in TUNING.md).
HEADLINE = {"multihop": ("hits@4", "hits@10", "mrr@10"), "beir": ("ndcg@10", "recall@100")}

Ranker = Callable[[QuestionLegs], Sequence[FusedCandidate]]


def capped(item: QuestionLegs, focus_legs: int) -> QuestionLegs:
    """The question with only its first ``focus_legs`` focused legs (as a lower cap gives)."""
    analysis = dataclasses.replace(
        item.analysis, focus_filters=item.analysis.focus_filters[:focus_legs]
    )

    def cut(rankings: LegRankings) -> LegRankings:
        return LegRankings(
            rankings.leg, rankings.main, rankings.focused[:focus_legs], rankings.best
        )

    return QuestionLegs(item.question, analysis, cut(item.bm25), cut(item.dense))


def fused_candidates(item: QuestionLegs, fusion: HybridFusion, **overrides: Any) -> Candidates:
    return fusion.run(analysis=item.analysis, bm25=item.bm25, dense=item.dense, **overrides)[
        "candidates"
    ]


def product_ranker(
    fusion: HybridFusion, second_stage: SecondStage | None, focus_legs: int | None = None
) -> Ranker:
    """The product's ranking of one question's legs: fusion, then the second stage."""

    def rank(item: QuestionLegs) -> Sequence[FusedCandidate]:
        if focus_legs is not None:
            item = capped(item, focus_legs)
        candidates = fused_candidates(item, fusion)
        if second_stage is not None:
            candidates = second_stage.run(analysis=item.analysis, candidates=candidates)[
                "candidates"
            ]
        return candidates.items

    return rank


def ranked_passages(candidates: Sequence[FusedCandidate], top_k: int) -> list[RankedPassage]:
    """What ``newsdesk eval`` reads from the hits: leading passage, then the story's copies."""
    return [
        RankedPassage(
            text=story.leader.document.content or "",
            article_ids=(
                str(story.leader.document.meta["article_id"]),
                *(str(other.document.meta["article_id"]) for other in story.others),
            ),
        )
        for story in group_candidates(candidates)[:top_k]
    ]


def evaluate(data: DatasetLegs, ranker: Ranker, only: set[str] | None = None) -> dict[str, float]:
    """The dataset's metrics for ``ranker`` (over the questions in ``only``, if given)."""
    items = [q for q in data.questions if only is None or q.question.id in only]
    rankings = {item.question.id: ranked_passages(ranker(item), data.top_k) for item in items}
    return score(PLANS[data.kind], [item.question for item in items], rankings)  # type: ignore[index]
