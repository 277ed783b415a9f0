"""Per-question leg weights: each leg gets the vote its evidence earns for this question.

A fixed BM25 weight is right for one kind of question only. News questions that quote names,
outlets and dates are answered by the words they share with the passage; plain questions ("how far
did the missile fly?") share few words with their answer, and the dense leg must lead. What is
known once both legs have answered, before any fusion:

- ``coverage``: the share of the question's idf mass that BM25's best passage contains;
- ``peak``: how far BM25's best score stands above its tenth (a flat list means no real match);
- ``keyword``: how keyword-like the question is (names, numbers, quotes, outlets, dates);
- ``agreement``: how many of the legs' top ten passages are the same;
- ``answer_type``: 1 when the question asks for a kind of answer ("how far", "when", "who").

The BM25 weight is ``exp(bias + sum(coefficient x signal))`` against a dense weight of 1,
clipped to a sane range; the coefficients are fitted on two datasets (``search/ranking``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass

from haystack import Document

from search.coverage import indexed_terms, matched_share
from search.fusion import Ranked, keyed
from search.query_analysis import QueryAnalysis

SIGNALS = ("coverage", "peak", "keyword", "agreement", "answer_type")
_TOP = 10
# A leg never gets more than 50 times the other's vote, whatever the signals say.
_MAX_LOG_RATIO = math.log(50.0)


@dataclass(frozen=True)
class QuerySignals:
    coverage: float = 0.0
    peak: float = 0.0
    keyword: float = 0.0
    agreement: float = 0.0
    answer_type: float = 0.0

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


def query_signals(
    analysis: QueryAnalysis,
    bm25: Sequence[Ranked],
    dense: Sequence[Ranked],
    *,
    best: Document | None = None,
) -> QuerySignals:
    """The signals of one question, from its main (unfocused) rankings; ``best``: BM25's first
    passage, when its ranking holds keys rather than Documents."""
    lexical, semantic = [keyed(item) for item in bm25], [keyed(item) for item in dense]
    coverage = peak = 0.0
    if lexical:
        first = lexical[0][2] or best
        if first is not None:
            coverage = matched_share(analysis.weights, set(indexed_terms(first)))
        top = lexical[0][1]
        tenth = lexical[min(_TOP, len(lexical)) - 1][1]
        peak = 1.0 - tenth / top if top > 0 else 0.0
    agreement = 0.0
    if lexical and semantic:
        shared = {key for key, _, _ in lexical[:_TOP]} & {key for key, _, _ in semantic[:_TOP]}
        agreement = len(shared) / _TOP
    return QuerySignals(
        coverage=coverage,
        peak=peak,
        keyword=analysis.keyword_share,
        agreement=agreement,
        answer_type=1.0 if analysis.cues.answer_type else 0.0,
    )


def bm25_weight(signals: QuerySignals, coefficients: Mapping[str, float]) -> float:
    """The BM25 leg's weight for this question (the dense leg's is 1)."""
    log_ratio = coefficients.get("bias", 0.0) + sum(
        coefficients.get(name, 0.0) * value for name, value in signals.as_dict().items()
    )
    return math.exp(max(-_MAX_LOG_RATIO, min(_MAX_LOG_RATIO, log_ratio)))
