"""What the second stage knows about each candidate: evidence a bag of words lacks.

Every feature is cheap: computed from what the legs already returned (ranks, scores, the stored
analysed terms, the passage text and its attribution), with no model call and no store call per
candidate. Names are stable: the fitted parameter file refers to them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from search.analysis import analyze
from search.coverage import indexed_terms, matched_share
from search.filters import keyword
from search.fusion import FusedCandidate
from search.passages import real_title
from search.query_analysis import QueryAnalysis

# Rank r scores _RANK_SCALE / (_RANK_SCALE + r - 1): 1 at the top, 0.5 at rank 6, 0 when absent.
_RANK_SCALE = 5.0
# Query terms within this many consecutive indexed terms count as close together.
_WINDOW = 12


@dataclass(frozen=True)
class QueryContext:
    """What every candidate of one question is compared with, computed once per question."""

    analysis: QueryAnalysis
    top_bm25: float
    top_cosine: float
    floor_cosine: float
    outlets: frozenset[str]
    days: frozenset[str]

    @classmethod
    def of(cls, analysis: QueryAnalysis, candidates: Sequence[FusedCandidate]) -> QueryContext:
        bm25 = [c.legs["bm25"].score for c in candidates if "bm25" in c.legs]
        dense = [c.legs["dense"].score for c in candidates if "dense" in c.legs]
        return cls(
            analysis=analysis,
            top_bm25=max(bm25, default=0.0),
            top_cosine=max(dense, default=0.0),
            # A passage the dense leg did not return is at most as close as its last one.
            floor_cosine=min(dense, default=0.0) - 0.02,
            outlets=frozenset(filter(None, map(keyword, analysis.focus.outlets))),
            days=frozenset(day.isoformat() for day in analysis.focus.days),
        )


def _rank_score(rank: int | None) -> float:
    return 0.0 if rank is None else _RANK_SCALE / (_RANK_SCALE + rank - 1)


def _leg_rank(candidate: FusedCandidate, leg: str) -> int | None:
    score = candidate.legs.get(leg)
    return score.rank if score else None


def _cosine(context: QueryContext, candidate: FusedCandidate) -> float:
    dense = candidate.legs.get("dense")
    return dense.score if dense else context.floor_cosine


@lru_cache(maxsize=65_536)
def _title_terms(title: str) -> frozenset[str]:
    return frozenset(analyze(title))


def _title_coverage(context: QueryContext, candidate: FusedCandidate) -> float:
    title = real_title(candidate.document)
    return matched_share(context.analysis.weights, _title_terms(title)) if title else 0.0


def proximity(weights: Mapping[str, float], terms: Sequence[str], window: int = _WINDOW) -> float:
    """The largest idf share of the question found within ``window`` consecutive terms."""
    total = sum(weights.values())
    if total <= 0:
        return 0.0
    hits = [(at, term) for at, term in enumerate(terms) if term in weights]
    best = 0.0
    for first, (start, _) in enumerate(hits):
        seen: set[str] = set()
        for at, term in hits[first:]:
            if at - start >= window:
                break
            seen.add(term)
        best = max(best, sum(weights[term] for term in seen))
    return best / total


def _answer(context: QueryContext, candidate: FusedCandidate, specific: bool) -> float:
    cues = context.analysis.cues
    if cues.pattern is None or cues.specific != specific:
        return 0.0
    return 1.0 if cues.pattern.search(candidate.document.content or "") else 0.0


def _clause_coverage(context: QueryContext, candidate: FusedCandidate, terms: list[str]) -> float:
    """How much of the part of the question about this passage's outlet the passage holds."""
    clause = context.analysis.outlet_clauses.get(keyword(candidate.document.meta.get("outlet")))
    if not clause:
        return 0.0
    weights = context.analysis.weights
    wanted = {term: weights.get(term, 0.0) for term in clause}
    return matched_share(wanted, set(terms))


def _day(candidate: FusedCandidate) -> str:
    published = candidate.document.meta.get("published_at")
    return published[:10] if isinstance(published, str) else ""


def _outlet_named(context: QueryContext, candidate: FusedCandidate) -> float:
    return 1.0 if keyword(candidate.document.meta.get("outlet")) in context.outlets else 0.0


Feature = Callable[[QueryContext, FusedCandidate, list[str]], float]

FEATURES: dict[str, Feature] = {
    "bm25_rank": lambda x, c, t: _rank_score(_leg_rank(c, "bm25")),
    "bm25_relative": lambda x, c, t: (
        c.legs["bm25"].score / x.top_bm25 if "bm25" in c.legs and x.top_bm25 > 0 else 0.0
    ),
    "dense_rank": lambda x, c, t: _rank_score(_leg_rank(c, "dense")),
    "dense_cosine": lambda x, c, t: _cosine(x, c),
    "dense_gap": lambda x, c, t: _cosine(x, c) - x.top_cosine,
    "focus_rank": lambda x, c, t: _rank_score(c.focus_rank),
    "coverage": lambda x, c, t: matched_share(x.analysis.weights, set(t)),
    "title_coverage": lambda x, c, t: _title_coverage(x, c),
    "proximity": lambda x, c, t: proximity(x.analysis.weights, t),
    "answer_specific": lambda x, c, t: _answer(x, c, specific=True),
    "answer_loose": lambda x, c, t: _answer(x, c, specific=False),
    "outlet_named": lambda x, c, t: _outlet_named(x, c),
    "outlet_other": lambda x, c, t: float(bool(x.outlets)) - _outlet_named(x, c),
    "outlet_clause": _clause_coverage,
    "day_named": lambda x, c, t: 1.0 if x.days and _day(c) in x.days else 0.0,
    "lead_passage": lambda x, c, t: 1.0 if c.document.meta.get("passage_index") == 0 else 0.0,
    "bm25_rank_x_keyword": lambda x, c, t: (
        _rank_score(_leg_rank(c, "bm25")) * x.analysis.keyword_share
    ),
    "dense_rank_x_keyword": lambda x, c, t: (
        _rank_score(_leg_rank(c, "dense")) * x.analysis.keyword_share
    ),
}


def feature_matrix(
    analysis: QueryAnalysis, candidates: Sequence[FusedCandidate], names: Sequence[str]
) -> np.ndarray:
    """One row per candidate, one column per named feature."""
    unknown = [name for name in names if name not in FEATURES]
    if unknown:
        raise ValueError(f"unknown ranking features: {', '.join(unknown)}")
    context = QueryContext.of(analysis, candidates)
    functions = [FEATURES[name] for name in names]
    rows = np.zeros((len(candidates), len(names)), dtype=np.float64)
    for row, candidate in enumerate(candidates):
        terms = indexed_terms(candidate.document)
        for column, function in enumerate(functions):
            rows[row, column] = function(context, candidate, terms)
    return rows
