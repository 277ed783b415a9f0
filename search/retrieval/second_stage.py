"""The second-stage component: reorders the fused top candidates of a hybrid question."""

from __future__ import annotations

from pathlib import Path

from haystack import component

from search.query_analysis import QueryAnalysis
from search.ranking.params import DEFAULT_PARAMS, load_params
from search.ranking.second_stage import rerank
from search.retrieval.types import Candidates


@component
class SecondStage:
    """Reorders the fused top ``depth`` candidates with evidence a bag of words lacks (leg ranks
    and scores, answer type, proximity, title match, named outlets and days), by the linear model
    of the fitted parameter file. Runs in hybrid mode only, and not when the caller set the fusion
    for the request (their fusion is then the ranking).

    Usage:
        stage = SecondStage()
        reordered = stage.run(analysis=analysis, candidates=candidates)["candidates"]
        reordered.items[0].second_stage  # 0..1
    """

    def __init__(self, enabled: bool = True, depth: int | None = None, params: str | None = None):
        if depth is not None and depth <= 0:
            raise ValueError(f"depth must be positive, got {depth}")
        self.enabled = enabled
        self.depth = depth
        self.params = params
        self._model = load_params(Path(params) if params else DEFAULT_PARAMS).second_stage

    @property
    def reads(self) -> int:
        """How many of the leading candidates it scores (each needs its passage read)."""
        return self.depth or (self._model.depth if self._model else 50)

    @component.output_types(candidates=Candidates)
    def run(
        self, analysis: QueryAnalysis, candidates: Candidates, enabled: bool | None = None
    ) -> dict[str, Candidates]:
        active = self.enabled if enabled is None else enabled
        if not active or self._model is None or analysis.mode != "hybrid" or candidates.requested:
            return {"candidates": candidates}
        items = rerank(analysis, candidates.items, self._model, self.depth)
        return {"candidates": Candidates(tuple(items), candidates.weights, candidates.requested)}
