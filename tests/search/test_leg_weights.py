import math

import pytest
from haystack import Document

from search.answer_types import read_cues
from search.leg_weights import QuerySignals, bm25_weight, query_signals
from search.query_analysis import QueryAnalysis


def _docs(prefix: str, scores: list[float], terms: str = "") -> list[Document]:
    return [
        Document(id=f"{prefix}{i}", content="", score=score, meta={"terms": terms})
        for i, score in enumerate(scores)
    ]


def _analysis(question: str) -> QueryAnalysis:
    return QueryAnalysis(
        question=question,
        terms=("missil", "fli"),
        weights={"missil": 0.2, "fli": 1.8},
        cues=read_cues(question),
    )


def test_signals_read_coverage_peak_agreement_and_the_question() -> None:
    bm25 = _docs("p", [10.0, 8.0, 6.0, 5.0, 4.0, 3.0, 3.0, 2.0, 2.0, 1.0], terms="missil launch")
    dense = [*_docs("p", [0.9] * 3), *_docs("q", [0.8] * 7)]
    signals = query_signals(_analysis("how far did the missile fly?"), bm25, dense)
    assert signals.coverage == pytest.approx(0.1)  # only the common word matched
    assert signals.peak == pytest.approx(0.9)
    assert signals.agreement == pytest.approx(0.3)
    assert (signals.keyword, signals.answer_type) == (0.0, 1.0)


def test_no_legs_no_signals() -> None:
    assert query_signals(_analysis("missile"), [], []) == QuerySignals(answer_type=0.0)


def test_the_bm25_weight_is_exp_of_the_fitted_line_and_bounded() -> None:
    signals = QuerySignals(coverage=0.5, keyword=1.0)
    weight = bm25_weight(signals, {"bias": 0.5, "coverage": 2.0, "keyword": -1.0})
    assert weight == pytest.approx(math.exp(0.5 + 1.0 - 1.0))
    assert bm25_weight(signals, {"bias": 100.0}) == pytest.approx(50.0)
    assert bm25_weight(signals, {}) == 1.0
