"""The second stage: a small linear model over the fused top candidates, calibrated to 0..1."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from search.fusion import FusedCandidate
from search.query_analysis import QueryAnalysis
from search.ranking.features import Passage, features_of
from search.ranking.params import SecondStageParams


def linear_scores(params: SecondStageParams, features: np.ndarray) -> np.ndarray:
    """The model's raw scores (before calibration) for a feature matrix."""
    mean, scale = np.asarray(params.mean), np.asarray(params.scale)
    return ((features - mean) / scale) @ np.asarray(params.weights)


def calibrated(params: SecondStageParams, raw: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-(params.slope * raw + params.intercept)))


def rerank(
    analysis: QueryAnalysis,
    candidates: Sequence[FusedCandidate],
    params: SecondStageParams,
    depth: int | None = None,
) -> list[FusedCandidate]:
    """The top ``depth`` candidates reordered by the model; the rest keep the fusion's order,
    with scores continuing below the lowest reordered one, so scores always fall with rank."""
    depth = depth or params.depth
    head, tail = list(candidates[:depth]), list(candidates[depth:])
    if not head:
        return []
    passages = [Passage(candidate) for candidate in head]
    features = features_of(analysis, passages, params.features)
    scores = calibrated(params, linear_scores(params, features))
    # Stable: equal scores keep the fusion's order. Sentences worked out for the features are
    # handed on (the highlight reads them).
    order = sorted(range(len(head)), key=lambda i: -scores[i])
    ranked = [
        head[i].replaced(second_stage=float(scores[i]), sentences=passages[i].sentences_if_known())
        for i in order
    ]
    floor = float(scores.min())
    last_fused = head[-1].fused or 1.0
    ranked += [
        candidate.replaced(second_stage=floor * min(1.0, candidate.fused / last_fused) * 0.999)
        for candidate in tail
    ]
    return ranked
