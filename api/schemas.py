"""Request models for the HTTP API; every string and number is bounded."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

from search.filters import SearchFilters
from search.results import Fusion, Mode

MAX_QUERY_CHARS = 1000
MAX_TOP_K = 100


class SearchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    q: str = Field(min_length=1, max_length=MAX_QUERY_CHARS, description="the question")
    top_k: int = Field(default=10, ge=1, le=MAX_TOP_K)
    mode: Mode = "hybrid"
    fusion: Fusion | None = Field(default=None, description="rrf (default) or weighted")
    rrf_k: float | None = Field(default=None, gt=0, le=1000)
    bm25_weight: float | None = Field(default=None, ge=0, le=100)
    dense_weight: float | None = Field(default=None, ge=0, le=100)
    outlet: list[str] | None = Field(default=None, max_length=50, description="outlet names")
    published_after: datetime | None = None
    published_before: datetime | None = None

    @field_validator("q")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("the query is blank")
        return value.strip()

    @field_validator("outlet")
    @classmethod
    def _bounded_outlets(cls, outlets: list[str] | None) -> list[str] | None:
        if outlets and any(len(outlet) > 200 for outlet in outlets):
            raise ValueError("an outlet name is longer than 200 characters")
        return outlets

    def filters(self) -> SearchFilters:
        return SearchFilters(
            outlets=self.outlet,
            published_after=self.published_after,
            published_before=self.published_before,
        )

    def retriever_options(self) -> dict[str, object]:
        return {
            "top_k": self.top_k,
            "mode": self.mode,
            "filters": self.filters(),
            "fusion": self.fusion,
            "rrf_k": self.rrf_k,
            "bm25_weight": self.bm25_weight,
            "dense_weight": self.dense_weight,
        }
