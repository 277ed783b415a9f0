"""Request models for the search routes; every string and number is bounded.

GET reads the query string, where every value is a string ("5", "true"); POST takes JSON, whose
own types are required (``STRICT_REQUEST``). Both share their fields and their meaning.
"""

from __future__ import annotations

from pydantic import BaseModel, Field, field_validator

from api.fields import (
    LENIENT_REQUEST,
    MAX_QUERY_CHARS,
    STRICT_REQUEST,
    IsoDateTime,
    IsoDay,
    JsonInt,
    Name,
    PageToken,
    QueryText,
)
from search.filters import SearchFilters
from search.results import FacetName, Fusion, Mode, Sort

__all__ = ["MAX_QUERY_CHARS", "MAX_TOP_K", "SearchQuery", "SearchRequest"]

MAX_TOP_K = 100


class _SearchFields(BaseModel):
    model_config = LENIENT_REQUEST

    q: QueryText = Field(
        description='the question; may hold "exact phrases", -word / -"phrase" exclusions and '
        "the fields outlet:, author:, lang:, after:, before: (YYYY, YYYY-MM or YYYY-MM-DD)"
    )
    top_k: JsonInt = Field(default=10, ge=1, le=MAX_TOP_K)
    mode: Mode = "hybrid"
    fusion: Fusion | None = Field(default=None, description="rrf (default) or weighted")
    rrf_k: float | None = Field(default=None, gt=0, le=1000)
    bm25_weight: float | None = Field(default=None, ge=0, le=100)
    dense_weight: float | None = Field(default=None, ge=0, le=100)
    outlet: list[Name] | None = Field(default=None, max_length=50, description="outlet names")
    author: list[Name] | None = Field(default=None, max_length=50)
    language: list[Name] | None = Field(default=None, max_length=20, description="e.g. en")
    published_after: IsoDateTime | None = Field(
        default=None, description="ISO-8601 date-time, e.g. 2026-03-01T00:00:00Z"
    )
    published_before: IsoDateTime | None = Field(
        default=None, description="ISO-8601 date-time, e.g. 2026-03-31T23:59:59Z"
    )
    group: bool = Field(default=True, description="one hit per story, copies in also_reported_by")
    facets: list[FacetName] | None = Field(
        default=None, max_length=2, description="outlet and/or day counts over matching passages"
    )

    sort: Sort = Field(
        default="relevance", description="relevance, or date: the best matches, newest first"
    )
    as_of: IsoDay | None = Field(
        default=None,
        description="read the archive as of this day: time words count from it and nothing "
        "published after it is returned (default: today, without that bound)",
    )
    page_token: PageToken | None = None

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
            "sort": self.sort,
            "as_of": self.as_of,
            "page_token": self.page_token,
        }


class SearchQuery(_SearchFields):
    """``GET /v1/search``: the query string. A repeated parameter is a list; none is an empty
    list (a query string has no null)."""

    outlet: list[Name] = Field(default_factory=list, max_length=50, description="outlet names")
    author: list[Name] = Field(default_factory=list, max_length=50)
    language: list[Name] = Field(default_factory=list, max_length=20, description="e.g. en")
    facets: list[FacetName] = Field(
        default_factory=list,
        max_length=2,
        description="outlet and/or day counts over matching passages (outlet,day)",
    )

    @field_validator("facets", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        # GET takes facets=outlet,day as one comma-separated value.
        if isinstance(value, list) and len(value) == 1 and isinstance(value[0], str):
            return [part.strip() for part in value[0].split(",") if part.strip()]
        return value


class SearchRequest(_SearchFields):
    """``POST /v1/search``: a JSON body."""

    model_config = STRICT_REQUEST
