"""The fitted ranking parameters: a small JSON file in the repository, validated on load.

``params.json`` next to this module is the default; ``RetrievalSettings.ranking_params`` points
to another one (a refit on your own labelled data). Refit with::

    python -m benchmarks.fit_ranking --write search/ranking/params.json
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from search.errors import NewsdeskError

DEFAULT_PARAMS = Path(__file__).with_name("params.json")


class RankingParamsError(NewsdeskError):
    """The ranking parameter file is missing or malformed."""


class FusionParams(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    rrf_k: float = Field(default=3.0, gt=0)
    # Weight of each focused ranking (a named outlet or day) against the main one's 1.
    focus_weight: float = Field(default=3.0, ge=0)
    # log(BM25 weight / dense weight) = bias + sum(coefficient x signal), see search.leg_weights.
    bm25: dict[str, float] = Field(default_factory=lambda: {"bias": 0.0})


class SecondStageParams(BaseModel):
    """A linear model over standardised features, then a logistic calibration of its score."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    depth: int = Field(default=50, ge=1, le=1000)
    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]
    slope: float = 1.0
    intercept: float = 0.0

    @model_validator(mode="after")
    def _same_lengths(self) -> SecondStageParams:
        sizes = {len(self.features), len(self.mean), len(self.scale), len(self.weights)}
        if len(sizes) != 1:
            raise ValueError("features, mean, scale and weights must have one entry each")
        if any(scale <= 0 for scale in self.scale):
            raise ValueError("every scale must be positive")
        return self


class RankingParams(BaseModel):
    model_config = ConfigDict(frozen=True, extra="allow")

    fusion: FusionParams = FusionParams()
    second_stage: SecondStageParams | None = None


@lru_cache(maxsize=4)
def load_params(path: Path = DEFAULT_PARAMS) -> RankingParams:
    try:
        return RankingParams.model_validate_json(path.read_bytes())
    except OSError as error:
        raise RankingParamsError(f"cannot read ranking parameters {path}: {error}") from error
    except ValidationError as error:
        raise RankingParamsError(f"invalid ranking parameters in {path}: {error}") from error
