"""Fusion with per-question leg weights (``search.leg_weights``), focused rankings folded in."""

from __future__ import annotations

from pathlib import Path

from haystack import component

from search.fusion import FusedCandidate, LegRank, Ranked, fuse, fuse_rankings, keyed
from search.leg_weights import bm25_weight, query_signals
from search.query_analysis import QueryAnalysis
from search.ranking.params import DEFAULT_PARAMS, FusionParams, load_params
from search.results import Fusion, FusionWeights
from search.retrieval.types import Candidates, LegRankings


def single_leg(leg: str, ranked: tuple[Ranked, ...]) -> tuple[FusedCandidate, ...]:
    """One leg alone: its own score is the score, so thresholds keep their meaning."""
    candidates = []
    for rank, (key, score, document) in enumerate(map(keyed, ranked), start=1):
        legs = {leg: LegRank(rank, score)}
        candidates.append(FusedCandidate(document, score, legs, key=key))
    return tuple(candidates)


@component
class HybridFusion:
    """Merges the legs into one ranking. Unless weights are given (here or per call), the BM25
    leg's weight is chosen per question from what the legs found (``search.leg_weights``), with
    the coefficients of the fitted parameter file. Rankings focused on the outlets and days the
    question names are fused in by RRF, each with ``focus_weight``.

    Usage:
        fusion = HybridFusion()
        candidates = fusion.run(analysis=analysis, bm25=bm25, dense=dense)["candidates"]
        candidates.weights.bm25, candidates.items[0].fused
    """

    def __init__(
        self,
        fusion: Fusion = "rrf",
        rrf_k: float | None = None,
        bm25_weight: float | None = None,
        dense_weight: float | None = None,
        focus_weight: float | None = None,
        params: str | None = None,
    ) -> None:
        for name, value in (
            ("rrf_k", rrf_k),
            ("bm25_weight", bm25_weight),
            ("dense_weight", dense_weight),
            ("focus_weight", focus_weight),
        ):
            if value is not None and value < 0:
                raise ValueError(f"{name} must not be negative, got {value}")
        self.fusion = fusion
        self.rrf_k = rrf_k
        self.bm25_weight = bm25_weight
        self.dense_weight = dense_weight
        self.focus_weight = focus_weight
        self.params = params
        self._fitted: FusionParams = load_params(Path(params) if params else DEFAULT_PARAMS).fusion

    @component.output_types(candidates=Candidates)
    def run(
        self,
        analysis: QueryAnalysis,
        bm25: LegRankings,
        dense: LegRankings,
        fusion: Fusion | None = None,
        rrf_k: float | None = None,
        bm25_weight: float | None = None,
        dense_weight: float | None = None,
    ) -> dict[str, Candidates]:
        if analysis.mode != "hybrid":
            leg = bm25 if analysis.mode == "bm25" else dense
            return {"candidates": Candidates(single_leg(leg.leg, leg.main))}
        requested = any(v is not None for v in (fusion, rrf_k, bm25_weight, dense_weight))
        method = fusion or self.fusion
        k = rrf_k or self.rrf_k or self._fitted.rrf_k
        fixed_bm25 = self.bm25_weight if bm25_weight is None else bm25_weight
        fixed_dense = self.dense_weight if dense_weight is None else dense_weight
        adaptive = fixed_bm25 is None and fixed_dense is None
        if adaptive:
            weights = {
                "bm25": bm25_weight_for(analysis, bm25, dense, self._fitted),
                "dense": 1.0,
            }
        else:
            weights = {
                "bm25": 1.0 if fixed_bm25 is None else fixed_bm25,
                "dense": 1.0 if fixed_dense is None else fixed_dense,
            }
        focus = self._fitted.focus_weight if self.focus_weight is None else self.focus_weight

        def fused(bm25_ranked: tuple[Ranked, ...], dense_ranked: tuple[Ranked, ...]):
            legs = {"bm25": bm25_ranked, "dense": dense_ranked}
            return fuse(legs, weights, method=method, rrf_k=k)

        ranking = fused(bm25.main, dense.main)
        focused = [
            fused(b, d)
            for b, d in zip(
                _padded(bm25.focused, len(analysis.focus_filters)),
                _padded(dense.focused, len(analysis.focus_filters)),
                strict=True,
            )
        ]
        if focused:
            ranking = fuse_rankings([ranking, *focused], [1.0] + [focus] * len(focused), rrf_k=k)
        applied = FusionWeights(
            method=method,
            bm25=round(weights["bm25"], 6),
            dense=round(weights["dense"], 6),
            rrf_k=k if method == "rrf" else None,
            focus=focus if focused else None,
            adaptive=adaptive,
        )
        return {"candidates": Candidates(tuple(ranking), applied, requested)}


def bm25_weight_for(
    analysis: QueryAnalysis, bm25: LegRankings, dense: LegRankings, fitted: FusionParams
) -> float:
    signals = query_signals(analysis, bm25.main, dense.main, best=bm25.best)
    return bm25_weight(signals, fitted.bm25)


def _padded(rankings: tuple[tuple[Ranked, ...], ...], size: int) -> list[tuple[Ranked, ...]]:
    """A leg that did not run (no terms) has no focused rankings: empty ones stand in."""
    return list(rankings) + [()] * (size - len(rankings))
