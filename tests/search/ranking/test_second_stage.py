import json
from pathlib import Path

import pytest
from haystack import Document

from search.answer_types import read_cues
from search.fusion import FusedCandidate, LegRank
from search.query_analysis import QueryAnalysis
from search.ranking.params import (
    DEFAULT_PARAMS,
    RankingParamsError,
    SecondStageParams,
    load_params,
)
from search.ranking.second_stage import rerank

ANALYSIS = QueryAnalysis(question="how far?", cues=read_cues("how far?"))
MODEL = SecondStageParams(
    depth=2,
    features=("answer_specific",),
    mean=(0.0,),
    scale=(1.0,),
    weights=(3.0,),
)


def _candidate(name: str, text: str, fused: float) -> FusedCandidate:
    document = Document(id=name, content=text, meta={"terms": ""})
    return FusedCandidate(document, fused, {"bm25": LegRank(1, 1.0)})


def test_the_head_is_reordered_and_the_tail_scores_below_it() -> None:
    candidates = [
        _candidate("a", "so far", 0.9),
        _candidate("b", "700 km", 0.8),
        _candidate("c", "900 km", 0.7),
        _candidate("d", "none", 0.35),
    ]
    ranked = rerank(ANALYSIS, candidates, MODEL)
    assert [c.document.id for c in ranked] == ["b", "a", "c", "d"]
    scores = [c.score for c in ranked]
    assert scores == sorted(scores, reverse=True) and all(0 < s < 1 for s in scores)
    assert candidates[0].second_stage is None  # the input is not modified


def test_the_shipped_parameters_load_and_a_broken_file_is_named(tmp_path: Path) -> None:
    params = load_params(DEFAULT_PARAMS)
    assert params.fusion.rrf_k > 0
    broken = tmp_path / "params.json"
    broken.write_text(json.dumps({"second_stage": {"features": ["a"], "mean": [], "scale": [],
                                                   "weights": []}}))  # fmt: skip
    with pytest.raises(RankingParamsError, match="one entry each"):
        load_params(broken)
    with pytest.raises(RankingParamsError, match="cannot read"):
        load_params(tmp_path / "missing.json")
