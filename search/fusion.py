"""Rank fusion of the BM25 and dense legs, above the stores so every backend ranks alike."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from haystack import Document

from search.passage_sentences import SentenceTerms
from search.results import Fusion
from search.store.protocol import PassageKey

# What a leg ranks: a passage's store key with its score, or a Document (its id the key).
Ranked = tuple[PassageKey, float] | Document


class LegRank(NamedTuple):
    """A candidate's place in one leg. A plain tuple: fusion makes a few hundred per question,
    and only the ~10 hits shown become ``results.LegScore`` (a third of fusion's cost as
    pydantic models, even unvalidated)."""

    rank: int  # 1-based
    score: float  # BM25 score, or cosine similarity for the dense leg


@dataclass
class FusedCandidate:
    # None until read from the store (``search.retrieval.passages``): fusion needs only keys.
    document: Document | None
    fused: float = 0.0
    legs: dict[str, LegRank] = field(default_factory=dict)
    # Best rank among the question's focused rankings (named outlets and days), if any.
    focus_rank: int | None = None
    # The second stage's score, when it reordered this candidate.
    second_stage: float | None = None
    # The passage's sentences with their terms, once some step has worked them out.
    sentences: Sequence[SentenceTerms] | None = None
    # The store's key for the passage (a Document's id when the leg returned Documents).
    key: PassageKey = ""
    # (article id, story id) for grouping, when read without the passage itself.
    story: tuple[str, str] | None = None

    def __post_init__(self) -> None:
        if self.key == "" and self.document is not None:
            self.key = self.document.id

    def replaced(self, **changes: Any) -> FusedCandidate:
        """A copy with ``changes``: ``dataclasses.replace`` without running ``__init__`` again
        (a third of the cost; the retrieval steps copy a few hundred candidates per question)."""
        copied = object.__new__(FusedCandidate)
        copied.__dict__.update(self.__dict__, **changes)
        return copied

    @property
    def score(self) -> float:
        """What orders the final list: the second stage's score where it ran, else fusion's."""
        return self.fused if self.second_stage is None else self.second_stage


def _min_max(scores: Sequence[float]) -> list[float]:
    low, high = min(scores), max(scores)
    if high == low:
        return [1.0 for _ in scores]
    return [(score - low) / (high - low) for score in scores]


def keyed(item: Ranked) -> tuple[PassageKey, float, Document | None]:
    if isinstance(item, Document):
        return item.id, float(item.score or 0.0), item
    return item[0], float(item[1]), None


def fuse(
    legs: dict[str, Sequence[Ranked]],
    weights: dict[str, float],
    *,
    method: Fusion = "rrf",
    rrf_k: float = 60.0,
) -> list[FusedCandidate]:
    """Merge ranked legs into one list, best first; ties keep the first leg's order.

    ``rrf``: sum of weight / (rrf_k + rank). ``weighted``: sum of weight x min-max normalised score.
    A leg may rank (key, score) pairs, read later, or Documents.
    """
    candidates: dict[PassageKey, FusedCandidate] = {}
    for leg_name, ranked in legs.items():
        if not ranked:
            continue
        weight = weights.get(leg_name, 1.0)
        entries = [keyed(item) for item in ranked]
        if method == "rrf":
            added = [weight / (rrf_k + rank) for rank in range(1, len(entries) + 1)]
        else:
            added = [weight * norm for norm in _min_max([score for _, score, _ in entries])]
        for rank, ((key, score, document), share) in enumerate(
            zip(entries, added, strict=True), start=1
        ):
            candidate = candidates.get(key)
            if candidate is None:
                candidate = candidates[key] = FusedCandidate(document, key=key)
            candidate.legs[leg_name] = LegRank(rank, score)
            candidate.fused += share
    return sorted(candidates.values(), key=lambda candidate: -candidate.fused)


def fuse_rankings(
    rankings: Sequence[Sequence[FusedCandidate]], weights: Sequence[float], *, rrf_k: float
) -> list[FusedCandidate]:
    """RRF over already-fused rankings (the main one and the question's focused ones).

    Each passage keeps the per-leg scores of the first ranking it appears in, so the breakdown
    still shows its BM25 and dense ranks, and its best rank in the later (focused) rankings.
    """
    merged: dict[PassageKey, FusedCandidate] = {}
    for position, (ranking, weight) in enumerate(zip(rankings, weights, strict=True)):
        for rank, candidate in enumerate(ranking, start=1):
            entry = merged.get(candidate.key)
            if entry is None:
                # The legs are shared, not copied: nothing changes them after fusion.
                entry = merged[candidate.key] = candidate.replaced(
                    fused=0.0, focus_rank=None, second_stage=None, sentences=None, story=None
                )
            if position and (entry.focus_rank is None or rank < entry.focus_rank):
                entry.focus_rank = rank
            entry.fused += weight / (rrf_k + rank)
    return sorted(merged.values(), key=lambda candidate: -candidate.fused)
