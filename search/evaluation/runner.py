"""Asking every question in one mode, timing each answer, and scoring the rankings.

Retrieval and scoring are separate steps, so a peer system (another library's retriever over the
same passages) is scored by exactly the same code: anything that turns a question into ranked
``RankedPassage`` objects can be collected and scored.

Usage:
    plan = PLANS[dataset.kind]
    run = collect(retriever_search(retriever, "hybrid", plan.depth(10)), dataset.questions)
    metrics = score(plan, dataset.questions, run.rankings)
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from tqdm import tqdm

from search.evaluation.datasets import DatasetKind, EvalQuestion
from search.evaluation.ir_metrics import ranked_metrics
from search.evaluation.metrics import distinct_in_order, first_hit_rank, hits_at_k, mrr_at_k
from search.results import Mode
from search.retriever import HybridRetriever


@dataclass(frozen=True)
class RankedPassage:
    """One retrieved passage: its text and the article(s) it stands for, its own first."""

    text: str
    article_ids: tuple[str, ...]


SearchFn = Callable[[str], Sequence[RankedPassage]]


@dataclass(frozen=True)
class MetricPlan:
    """Which metrics a kind of dataset reports, in output order."""

    hits_at: tuple[int, ...] = ()
    mrr_at: int | None = None
    ranked: tuple[str, ...] = ()

    @property
    def names(self) -> list[str]:
        return [
            *(f"hits@{k}" for k in self.hits_at),
            *([f"mrr@{self.mrr_at}"] if self.mrr_at else []),
            *self.ranked,
        ]

    def depth(self, top_k: int) -> int:
        """Passages to retrieve per question: ``top_k``, or more when a cutoff needs them."""
        cutoffs = [*self.hits_at, self.mrr_at or 0, *(int(m.split("@")[1]) for m in self.ranked)]
        return max(top_k, *cutoffs)


PLANS: dict[DatasetKind, MetricPlan] = {
    # The dataset's strict evidence metrics over passages, standard IR metrics over articles.
    "multihop": MetricPlan(
        hits_at=(4, 10), mrr_at=10, ranked=("ndcg@10", "recall@10", "recall@20")
    ),
    "beir": MetricPlan(ranked=("ndcg@10", "recall@100")),
}


@dataclass
class ModeRun:
    """Rankings by question id, and how long each question took, in milliseconds."""

    rankings: dict[str, list[RankedPassage]] = field(default_factory=dict)
    latencies_ms: list[float] = field(default_factory=list)

    def latency_ms(self, percentile: float) -> float:
        """The given percentile (50 = median) of the per-question latencies."""
        return float(np.percentile(self.latencies_ms, percentile)) if self.latencies_ms else 0.0


def collect(
    search: SearchFn,
    questions: Sequence[EvalQuestion],
    *,
    desc: str = "querying",
    progress: bool = True,
) -> ModeRun:
    """Ask every question once, timing each call."""
    run = ModeRun()
    for question in tqdm(questions, desc=desc, unit="q", disable=not progress):
        started = time.perf_counter()
        ranked = list(search(question.text))
        run.latencies_ms.append((time.perf_counter() - started) * 1000)
        run.rankings[question.id] = ranked
    return run


def score(
    plan: MetricPlan,
    questions: Sequence[EvalQuestion],
    rankings: dict[str, list[RankedPassage]],
) -> dict[str, float]:
    """The plan's metrics, as means over ``questions`` (a question absent from rankings scored 0).

    Evidence metrics read the passage texts; ranked metrics read the distinct article ids in
    order of first occurrence (folded copies of a story right after its leading passage).
    """
    results: dict[str, float] = {}
    if plan.hits_at or plan.mrr_at:
        ranks = [
            first_hit_rank([p.text for p in rankings.get(q.id, [])], q.evidence) for q in questions
        ]
        results.update({f"hits@{k}": hits_at_k(ranks, k) for k in plan.hits_at})
        if plan.mrr_at:
            results[f"mrr@{plan.mrr_at}"] = mrr_at_k(ranks, plan.mrr_at)
    if plan.ranked:
        articles = {
            q.id: distinct_in_order(a for p in rankings.get(q.id, []) for a in p.article_ids)
            for q in questions
        }
        qrels = {q.id: dict(q.relevant) for q in questions}
        results.update(ranked_metrics(qrels, articles, plan.ranked))
    return results


def retriever_search(retriever: HybridRetriever, mode: Mode, depth: int) -> SearchFn:
    """newsdesk's own retriever as a SearchFn; knobs come from the retriever's settings."""

    def search(query: str) -> list[RankedPassage]:
        hits = retriever.run(query=query, top_k=depth, mode=mode)["hits"]
        return [
            RankedPassage(
                text=hit.text,
                article_ids=(
                    hit.source.article_id,
                    *(other.article_id for other in hit.also_reported_by),
                ),
            )
            for hit in hits
        ]

    return search


def forget_query_embeddings(retriever: HybridRetriever) -> None:
    """Empty the embedder's per-process query cache, so each mode's latency includes embedding
    the question (dense and hybrid ask the same questions)."""
    cache = getattr(retriever.embedder, "_query_cache", None)
    if cache is not None and hasattr(cache, "cache_clear"):
        cache.cache_clear()
