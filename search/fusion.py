"""Rank fusion of the BM25 and dense legs, above the stores so every backend ranks alike."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from haystack import Document

from search.passage_sentences import SentenceTerms
from search.results import Fusion, LegScore


@dataclass
class FusedCandidate:
    document: Document
    fused: float = 0.0
    legs: dict[str, LegScore] = field(default_factory=dict)
    # Best rank among the question's focused rankings (named outlets and days), if any.
    focus_rank: int | None = None
    # The second stage's score, when it reordered this candidate.
    second_stage: float | None = None
    # The passage's sentences with their terms, once some step has worked them out.
    sentences: tuple[SentenceTerms, ...] | None = None

    @property
    def score(self) -> float:
        """What orders the final list: the second stage's score where it ran, else fusion's."""
        return self.fused if self.second_stage is None else self.second_stage


def _min_max(scores: Sequence[float]) -> list[float]:
    low, high = min(scores), max(scores)
    if high == low:
        return [1.0 for _ in scores]
    return [(score - low) / (high - low) for score in scores]


def fuse(
    legs: dict[str, Sequence[Document]],
    weights: dict[str, float],
    *,
    method: Fusion = "rrf",
    rrf_k: float = 60.0,
) -> list[FusedCandidate]:
    """Merge ranked legs into one list, best first; ties keep the first leg's order.

    ``rrf``: sum of weight / (rrf_k + rank). ``weighted``: sum of weight x min-max normalised score.
    """
    candidates: dict[str, FusedCandidate] = {}
    for leg_name, documents in legs.items():
        if not documents:
            continue
        weight = weights.get(leg_name, 1.0)
        normalised = _min_max([doc.score or 0.0 for doc in documents])
        for rank, (document, norm) in enumerate(zip(documents, normalised, strict=True), start=1):
            candidate = candidates.setdefault(document.id, FusedCandidate(document))
            # model_construct: the values are ours and typed; validation cost a third of fusion.
            candidate.legs[leg_name] = LegScore.model_construct(
                rank=rank, score=float(document.score or 0.0)
            )
            if method == "rrf":
                candidate.fused += weight / (rrf_k + rank)
            else:
                candidate.fused += weight * norm
    return sorted(candidates.values(), key=lambda candidate: -candidate.fused)


def fuse_rankings(
    rankings: Sequence[Sequence[FusedCandidate]], weights: Sequence[float], *, rrf_k: float
) -> list[FusedCandidate]:
    """RRF over already-fused rankings (the main one and the question's focused ones).

    Each passage keeps the per-leg scores of the first ranking it appears in, so the breakdown
    still shows its BM25 and dense ranks, and its best rank in the later (focused) rankings.
    """
    merged: dict[str, FusedCandidate] = {}
    for position, (ranking, weight) in enumerate(zip(rankings, weights, strict=True)):
        for rank, candidate in enumerate(ranking, start=1):
            entry = merged.get(candidate.document.id)
            if entry is None:
                entry = FusedCandidate(candidate.document, 0.0, dict(candidate.legs))
                merged[candidate.document.id] = entry
            if position and (entry.focus_rank is None or rank < entry.focus_rank):
                entry.focus_rank = rank
            entry.fused += weight / (rrf_k + rank)
    return sorted(merged.values(), key=lambda candidate: -candidate.fused)
