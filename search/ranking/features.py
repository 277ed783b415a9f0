"""What the second stage knows about each candidate: evidence a bag of words lacks.

Every feature is cheap: computed from what the legs already returned (ranks, scores, the stored
analysed terms, the passage text and its attribution), with no model call and no store call per
candidate. Names are stable: the fitted parameter file refers to them. ``<feature>*<modifier>``
is a feature times a property of the question, so one linear model can weigh evidence
differently for different kinds of questions.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from itertools import compress, count

import numpy as np

from search.analysis import analyze, analyze_query
from search.coverage import QuestionShares, indexed_terms, matched_share
from search.filters import keyword
from search.fusion import FusedCandidate
from search.passage_sentences import PassageSentences, SentenceTerms, read_sentences
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
    clause_terms: Mapping[str, frozenset[str]]
    # The idf share of the question a set of terms holds.
    share: QuestionShares

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
            clause_terms={
                outlet: frozenset(analyze_query(text))
                for outlet, text in analysis.outlet_clauses.items()
            },
            share=QuestionShares(analysis.weights),
        )


class Passage:
    """One candidate as the features read it; terms and sentences worked out once, on demand."""

    def __init__(self, candidate: FusedCandidate) -> None:
        self.candidate = candidate
        self.document = candidate.document
        self._positions: list[int] | None = None

    @cached_property
    def terms(self) -> list[str]:
        return indexed_terms(self.document)

    @cached_property
    def term_set(self) -> frozenset[str]:
        return frozenset(self.terms)

    @cached_property
    def sentences(self) -> Sequence[SentenceTerms]:
        if isinstance(self.candidate.sentences, PassageSentences):
            return self.candidate.sentences
        stored = isinstance(self.document.meta.get("terms"), str)
        return read_sentences(self.document, self.terms if stored else None)

    def positions(self, query: frozenset[str]) -> list[int]:
        """Where the question's terms (``query``; one question per Passage) sit in ``terms``."""
        if self._positions is None:
            self._positions = list(compress(count(), map(query.__contains__, self.terms)))
        return self._positions

    def sentences_if_known(self) -> Sequence[SentenceTerms] | None:
        """The sentences, if a feature has worked them out (handed on to the highlight)."""
        return self.__dict__.get("sentences", self.candidate.sentences)

    def rank(self, leg: str) -> int | None:
        score = self.candidate.legs.get(leg)
        return score.rank if score else None


def _rank_score(rank: int | None) -> float:
    return 0.0 if rank is None else _RANK_SCALE / (_RANK_SCALE + rank - 1)


def _cosine(context: QueryContext, passage: Passage) -> float:
    dense = passage.candidate.legs.get("dense")
    return dense.score if dense else context.floor_cosine


def _bm25_relative(context: QueryContext, passage: Passage) -> float:
    bm25 = passage.candidate.legs.get("bm25")
    return bm25.score / context.top_bm25 if bm25 and context.top_bm25 > 0 else 0.0


@lru_cache(maxsize=65_536)
def _title_terms(title: str) -> frozenset[str]:
    return frozenset(analyze(title))


def _title_coverage(context: QueryContext, passage: Passage) -> float:
    title = real_title(passage.document)
    return context.share(_title_terms(title)) if title else 0.0


def proximity(weights: Mapping[str, float], terms: Sequence[str], window: int = _WINDOW) -> float:
    """The largest idf share of the question found within ``window`` consecutive terms."""
    return _proximity(
        weights, terms, [at for at, term in enumerate(terms) if term in weights], window
    )


def _proximity(
    weights: Mapping[str, float], terms: Sequence[str], positions: Sequence[int], window: int
) -> float:
    """``proximity``, given where the question's terms sit in ``terms``."""
    total = sum(weights.values())
    if total <= 0:
        return 0.0
    found = [terms[at] for at in positions]
    best = 0.0
    last = 0
    for first, start in enumerate(positions):
        while last < len(positions) and positions[last] - start < window:
            last += 1
        best = max(best, _distinct_sum(weights, found, first, last))
    return best / total


def _distinct_sum(weights: Mapping[str, float], found: list[str], first: int, last: int) -> float:
    """The weights of the distinct terms in ``found[first:last]``, summed over a set as ever: its
    order (and so the last bit of a sum of three or more) is the set's. One or two terms (most
    windows) need no set: two floats add up alike in either order."""
    if last - first == 1 or (last - first == 2 and found[first] == found[first + 1]):
        return weights[found[first]]
    if last - first == 2:
        return weights[found[first]] + weights[found[first + 1]]
    return sum(map(weights.__getitem__, set(found[first:last])))


def _best_sentence(context: QueryContext, passage: Passage) -> float:
    """The largest idf share of the question one sentence of the passage holds."""
    sentences = passage.sentences
    if not isinstance(sentences, PassageSentences):  # worked out by an earlier step
        return max(map(context.share, (sentence.terms for sentence in sentences)), default=0.0)
    query = context.share.terms
    positions = passage.positions(query) if sentences.terms is passage.terms else None
    return sentences.best_share(context.share, positions)


def _answer(context: QueryContext, passage: Passage, specific: bool) -> float:
    cues = context.analysis.cues
    if cues.pattern is None or cues.specific != specific:
        return 0.0
    return 1.0 if cues.pattern.search(passage.document.content or "") else 0.0


def _clause_coverage(context: QueryContext, passage: Passage) -> float:
    """How much of the part of the question about this passage's outlet the passage holds."""
    clause = context.clause_terms.get(keyword(passage.document.meta.get("outlet")) or "")
    if not clause:
        return 0.0
    weights = context.analysis.weights
    return matched_share({term: weights.get(term, 0.0) for term in clause}, passage.term_set)


def _day(passage: Passage) -> str:
    published = passage.document.meta.get("published_at")
    return published[:10] if isinstance(published, str) else ""


def _outlet_named(context: QueryContext, passage: Passage) -> float:
    return 1.0 if keyword(passage.document.meta.get("outlet")) in context.outlets else 0.0


Feature = Callable[[QueryContext, Passage], float]

FEATURES: dict[str, Feature] = {
    "bm25_rank": lambda x, p: _rank_score(p.rank("bm25")),
    "bm25_relative": _bm25_relative,
    "dense_rank": lambda x, p: _rank_score(p.rank("dense")),
    "dense_cosine": _cosine,
    "dense_gap": lambda x, p: _cosine(x, p) - x.top_cosine,
    "focus_rank": lambda x, p: _rank_score(p.candidate.focus_rank),
    # The question's terms the passage holds are what any share of it reads.
    "coverage": lambda x, p: x.share({p.terms[at] for at in p.positions(x.share.terms)}),
    "title_coverage": _title_coverage,
    "proximity": lambda x, p: _proximity(
        x.analysis.weights, p.terms, p.positions(x.share.terms), _WINDOW
    ),
    "best_sentence": _best_sentence,
    "answer_specific": lambda x, p: _answer(x, p, specific=True),
    "answer_loose": lambda x, p: _answer(x, p, specific=False),
    "outlet_named": _outlet_named,
    "outlet_other": lambda x, p: float(bool(x.outlets)) - _outlet_named(x, p),
    "outlet_clause": _clause_coverage,
    "day_named": lambda x, p: 1.0 if x.days and _day(p) in x.days else 0.0,
    "lead_passage": lambda x, p: 1.0 if p.document.meta.get("passage_index") == 0 else 0.0,
}
MODIFIERS: dict[str, Callable[[QueryContext], float]] = {
    # The question names outlets or days (news questions that quote their sources).
    "focused": lambda x: 1.0 if x.analysis.focus else 0.0,
    "keyword": lambda x: x.analysis.keyword_share,
}


def _parsed(names: Sequence[str]) -> list[tuple[str, str]]:
    """(feature, modifier or "") per name; unknown names are refused."""
    parsed = [(base, modifier) for base, _, modifier in (n.partition("*") for n in names)]
    unknown = [
        name
        for name, (base, modifier) in zip(names, parsed, strict=True)
        if base not in FEATURES or (modifier and modifier not in MODIFIERS)
    ]
    if unknown:
        raise ValueError(f"unknown ranking features: {', '.join(unknown)}")
    return parsed


def feature_matrix(
    analysis: QueryAnalysis, candidates: Sequence[FusedCandidate], names: Sequence[str]
) -> np.ndarray:
    """One row per candidate, one column per named feature."""
    return features_of(analysis, [Passage(c) for c in candidates], names)


def features_of(
    analysis: QueryAnalysis, passages: Sequence[Passage], names: Sequence[str]
) -> np.ndarray:
    parsed = _parsed(names)
    context = QueryContext.of(analysis, [passage.candidate for passage in passages])
    # A feature named with several modifiers is computed once per passage.
    bases = list(dict.fromkeys(base for base, _ in parsed))
    functions = [FEATURES[base] for base in bases]
    values = np.array(
        [[function(context, passage) for function in functions] for passage in passages],
        dtype=np.float64,
    ).reshape(len(passages), len(bases))
    rows = np.empty((len(passages), len(names)), dtype=np.float64)
    for column, (base, modifier) in enumerate(parsed):
        found = values[:, bases.index(base)]
        rows[:, column] = found * MODIFIERS[modifier](context) if modifier else found
    return rows
