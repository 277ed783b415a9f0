import numpy as np
import pytest
from haystack import Document

from search.answer_types import read_cues
from search.fusion import FusedCandidate, LegRank
from search.query_analysis import QueryAnalysis
from search.question import QuestionFocus
from search.ranking.features import FEATURES, feature_matrix, proximity

QUESTION = "how far did the missile fly, says Reuters?"
ANALYSIS = QueryAnalysis(
    question=QUESTION,
    terms=("missil", "fli", "reuter"),
    weights={"missil": 1.0, "fli": 2.0, "reuter": 1.0},
    cues=read_cues(QUESTION),
    focus=QuestionFocus(outlets=["Reuters"]),
)


def _candidate(text: str, terms: str, **legs: tuple[int, float]) -> FusedCandidate:
    document = Document(
        content=text,
        meta={
            "terms": terms,
            "title": "North Korea fires missile",
            "article_id": "a",
            "outlet": "Reuters",
            "passage_index": 0,
            "published_at": "2024-03-01T08:00:00+00:00",
        },
    )
    return FusedCandidate(document, legs={leg: LegRank(r, s) for leg, (r, s) in legs.items()})


def test_each_feature_reads_the_evidence_it_names() -> None:
    answer = _candidate(
        "It travelled roughly 700 kilometres.", "travel rough 700 kilometr", dense=(1, 0.6)
    )
    trap = _candidate("The missile flies, so far.", "missil fli far", bm25=(1, 9.0), dense=(3, 0.4))
    names = list(FEATURES)
    rows = feature_matrix(ANALYSIS, [answer, trap], names)
    got = [dict(zip(names, row, strict=True)) for row in rows]
    assert got[0]["answer_specific"] == 1.0 and got[1]["answer_specific"] == 0.0
    assert got[0]["bm25_rank"] == 0.0 and got[1]["bm25_rank"] == 1.0
    assert got[1]["bm25_relative"] == 1.0
    assert got[0]["dense_rank"] == 1.0 and got[1]["dense_rank"] == pytest.approx(5 / 7)
    assert got[0]["dense_gap"] == 0.0 and got[1]["dense_gap"] == pytest.approx(-0.2)
    assert got[1]["coverage"] == pytest.approx(0.75)
    assert got[0]["title_coverage"] == pytest.approx(0.25)  # "missile" in the headline
    assert got[0]["outlet_named"] == 1.0 and got[0]["outlet_other"] == 0.0
    assert got[0]["lead_passage"] == 1.0


def test_a_candidate_the_dense_leg_missed_sits_below_its_last_cosine() -> None:
    seen = _candidate("a", "a", dense=(1, 0.7))
    last = _candidate("b", "b", dense=(2, 0.5))
    missed = _candidate("c", "c", bm25=(1, 3.0))
    cosines = feature_matrix(ANALYSIS, [seen, last, missed], ["dense_cosine"])[:, 0]
    assert cosines[2] < cosines[1] < cosines[0]


def test_proximity_is_the_idf_share_found_close_together() -> None:
    weights = {"missil": 1.0, "fli": 1.0}
    assert proximity(weights, ["missil", "fli"]) == 1.0
    far_apart = ["missil", *["x"] * 20, "fli"]
    assert proximity(weights, far_apart) == 0.5
    assert proximity(weights, ["x"]) == 0.0


def test_unknown_features_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown ranking features: nope"):
        feature_matrix(ANALYSIS, [], ["nope"])
    assert feature_matrix(ANALYSIS, [], ["coverage"]).shape == (0, 1)
    assert np.all(feature_matrix(ANALYSIS, [_candidate("x", "")], ["coverage"]) == 0.0)
