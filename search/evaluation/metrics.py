"""MultiHop-RAG's strict passage metrics: Hits@k and MRR@k over evidence texts.

These are the dataset authors' own definitions (Tang & Yang, COLM 2024), which IR metric libraries
do not implement: relevance is decided by *containment of an evidence sentence* in the passage
text, not by a judged document id.

- A passage **hits** a question when it contains at least one of the question's evidence texts
  once all white space is removed from both (so line breaks, double spaces or a passage boundary
  inside white space do not matter, but a partial sentence never counts).
- **Hits@k**: the share of questions with at least one hitting passage among the top k.
- **MRR@k**: the mean over questions of 1 / rank of the first hitting passage, 0 when none of
  the top k hits.

Usage:
    ranks = [first_hit_rank(passages, evidence) for passages, evidence in questions]
    hits_at_k(ranks, 4), hits_at_k(ranks, 10), mrr_at_k(ranks, 10)
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

_WHITESPACE = re.compile(r"\s+")


def squeeze(text: str) -> str:
    """``text`` with every white-space character removed (the dataset's normalisation)."""
    return _WHITESPACE.sub("", text)


def _needles(evidence: Iterable[str]) -> list[str]:
    # An evidence text that is empty once squeezed would be contained in every passage: loaders
    # reject such texts, and here they never hit.
    return [needle for needle in (squeeze(text) for text in evidence) if needle]


def contains_evidence(passage: str, evidence: Iterable[str]) -> bool:
    """True when ``passage`` contains one of the evidence texts, white space ignored."""
    squeezed = squeeze(passage)
    return any(needle in squeezed for needle in _needles(evidence))


def first_hit_rank(passages: Sequence[str], evidence: Sequence[str]) -> int | None:
    """1-based rank of the first passage containing an evidence text, or None if none does."""
    needles = _needles(evidence)
    for rank, passage in enumerate(passages, start=1):
        squeezed = squeeze(passage)
        if any(needle in squeezed for needle in needles):
            return rank
    return None


def _check(ranks: Sequence[int | None], k: int) -> None:
    if k <= 0:
        raise ValueError(f"k must be positive, got {k}")
    if not ranks:
        raise ValueError("no questions to score")


def hits_at_k(ranks: Sequence[int | None], k: int) -> float:
    """Share of questions whose first hitting passage is ranked k or better."""
    _check(ranks, k)
    return sum(1 for rank in ranks if rank is not None and rank <= k) / len(ranks)


def mrr_at_k(ranks: Sequence[int | None], k: int) -> float:
    """Mean of 1 / rank of the first hitting passage; a question with none in the top k adds 0."""
    _check(ranks, k)
    return sum(1.0 / rank for rank in ranks if rank is not None and rank <= k) / len(ranks)


def distinct_in_order(ids: Iterable[str]) -> list[str]:
    """Ids in order of first occurrence: a passage ranking becomes an article ranking."""
    return list(dict.fromkeys(ids))
