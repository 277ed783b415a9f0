"""Orders the ranked candidates by date when asked (``sort="date"``), or leans them towards newer
articles when the question asks for the latest news (a recency preference)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from haystack import component, default_from_dict, default_to_dict

from search.fusion import FusedCandidate
from search.query_analysis import QueryAnalysis
from search.results import Sort
from search.retrieval.passages import read_passages
from search.retrieval.serde import (
    optional_from_dict,
    optional_to_dict,
)
from search.retrieval.types import Candidates
from search.store.protocol import PassageStore

# Recency folds the relevance rank and the date rank together by RRF. The date counts half as
# much as relevance, so "the latest on the bridge repairs" still answers about the bridge: the
# newest passage at relevance rank 50 scores 1/60 + 0.5/11 = 0.062, below relevance rank 1 at
# date rank 50 (1/11 + 0.5/60 = 0.099); relevance rank 8 at date rank 1 (0.101) passes it.
RECENCY_K = 10.0
RECENCY_WEIGHT = 0.5


def _published(candidate: FusedCandidate) -> float:
    """Seconds since the epoch; an undated article is oldest."""
    value = candidate.document.meta.get("published_at")
    if not value:
        return float("-inf")
    try:
        return datetime.fromisoformat(str(value)).timestamp()
    except ValueError:
        return float("-inf")


def newest_first(candidates: list[FusedCandidate]) -> list[FusedCandidate]:
    """Stable: equally dated candidates keep their relevance order."""
    return sorted(candidates, key=_published, reverse=True)


def recency_leaning(candidates: list[FusedCandidate]) -> list[FusedCandidate]:
    by_date = {id(candidate): rank for rank, candidate in enumerate(newest_first(candidates), 1)}
    scored = [
        (1.0 / (RECENCY_K + rank) + RECENCY_WEIGHT / (RECENCY_K + by_date[id(candidate)]), -rank)
        for rank, candidate in enumerate(candidates, 1)
    ]
    order = sorted(range(len(candidates)), key=lambda i: scored[i], reverse=True)
    return [candidates[i] for i in order]


@component
class Ordering:
    """``sort="date"``: the best ``window`` candidates by relevance, newest first. A question
    asking for the latest news: the best ``window`` reordered by relevance and date together.
    Otherwise the relevance order stands untouched.

    Usage:
        ordered = Ordering().run(analysis=analysis, candidates=candidates, sort="date")
        ordered["candidates"].items[0].document.meta["published_at"]
    """

    def __init__(self, window: int = 50, store: PassageStore | None = None) -> None:
        if window <= 0:
            raise ValueError(f"window must be positive, got {window}")
        self.window = window
        # Reads the candidates in its window that ``PassageReader`` left unread (their dates).
        self.store = store

    @component.output_types(candidates=Candidates)
    def run(
        self,
        analysis: QueryAnalysis,
        candidates: Candidates,
        sort: Sort = "relevance",
        window: int | None = None,
    ) -> dict[str, Candidates]:
        size = window or self.window
        items = list(candidates.items)
        if sort != "date" and not analysis.constraints.recency:
            return {"candidates": candidates}
        head = items[:size]
        if self.store is not None:
            head = read_passages(self.store, head)
        items = newest_first(head) if sort == "date" else recency_leaning(head) + items[size:]
        return {"candidates": Candidates(tuple(items), candidates.weights, candidates.requested)}

    def to_dict(self) -> dict[str, Any]:
        return default_to_dict(self, window=self.window, store=optional_to_dict(self.store))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Ordering:
        parameters = data["init_parameters"]
        parameters["store"] = optional_from_dict(parameters.get("store"))
        return default_from_dict(cls, data)
