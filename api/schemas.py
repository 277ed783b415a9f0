"""Request models for the HTTP API; every string and number is bounded."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

from search.filters import SearchFilters
from search.results import FacetName, Fusion, Mode

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
    author: list[str] | None = Field(default=None, max_length=50)
    language: list[str] | None = Field(default=None, max_length=20, description="e.g. en")
    published_after: datetime | None = None
    published_before: datetime | None = None
    group: bool = Field(default=True, description="one hit per story, copies in also_reported_by")
    facets: list[FacetName] | None = Field(
        default=None, max_length=2, description="outlet and/or day counts over matching passages"
    )

    @field_validator("q")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("the query is blank")
        return value.strip()

    @field_validator("outlet", "author", "language")
    @classmethod
    def _bounded_names(cls, names: list[str] | None) -> list[str] | None:
        if names and any(len(name) > 200 for name in names):
            raise ValueError("a name is longer than 200 characters")
        return names

    @field_validator("facets", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        # GET takes facets=outlet,day as one comma-separated value.
        if isinstance(value, list) and len(value) == 1 and isinstance(value[0], str):
            return [part.strip() for part in value[0].split(",") if part.strip()]
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    def filters(self) -> SearchFilters:
        return SearchFilters(
            outlets=self.outlet,
            authors=self.author,
            languages=self.language,
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
            "group": self.group,
            "facets": self.facets or (),
        }
