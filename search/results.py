"""The search response, identical in the CLI's ``--json`` output and over HTTP."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

Mode = Literal["hybrid", "bm25", "dense"]
Fusion = Literal["rrf", "weighted"]
Sort = Literal["relevance", "date"]


class LegScore(BaseModel):
    rank: int = Field(description="1-based rank of the passage in this leg's candidates")
    score: float = Field(description="BM25 score, or cosine similarity for the dense leg")


class FusionWeights(BaseModel):
    """The fusion actually applied to this question."""

    method: Fusion
    bm25: float = Field(description="weight of the BM25 leg")
    dense: float = Field(description="weight of the dense leg")
    rrf_k: float | None = Field(default=None, description="RRF constant (rrf fusion only)")
    focus: float | None = Field(
        default=None,
        description="weight of each ranking focused on an outlet or day the question names",
    )
    adaptive: bool = Field(
        description="true when the leg weights were chosen for this question from what the legs "
        "found; false when set by the caller or the configuration"
    )


class ScoreBreakdown(BaseModel):
    bm25: LegScore | None = None
    dense: LegScore | None = None
    fused: float = Field(description="the fusion's score")
    weights: FusionWeights | None = Field(
        default=None, description="the fusion applied (hybrid mode only)"
    )
    focus_rank: int | None = Field(
        default=None, description="best rank in the rankings focused on named outlets or days"
    )
    second_stage: float | None = Field(
        default=None,
        description="the second stage's score (0..1, calibrated on labelled data: about the "
        "chance that the passage holds the answer); it orders the hits when present",
    )


class Source(BaseModel):
    article_id: str
    title: str
    outlet: str | None = None
    url: str | None = None
    published_at: str | None = None
    author: str | None = None
    char_start: int = Field(description="offset of the passage in the article body")
    char_end: int = Field(description="end offset (exclusive); body[char_start:char_end] == text")


class Highlight(BaseModel):
    text: str
    char_start: int = Field(description="offset of the sentence in the article body")
    char_end: int


class AlsoReportedBy(BaseModel):
    article_id: str
    outlet: str | None = None
    title: str
    url: str | None = None
    published_at: str | None = None
    passage_id: str = Field(description="that article's best-ranked passage for this question")


class Hit(BaseModel):
    passage_id: str
    text: str
    score: float
    scores: ScoreBreakdown
    source: Source
    highlight: Highlight | None = Field(
        default=None, description="the sentence of the passage that best answers the question"
    )
    also_reported_by: list[AlsoReportedBy] = Field(
        default_factory=list, description="other outlets' copies of the same story"
    )


class FacetBucket(BaseModel):
    value: str = Field(description="an outlet name, or a day as YYYY-MM-DD")
    count: int = Field(description="matching passages")


FacetName = Literal["outlet", "day"]


class TimeRead(BaseModel):
    """How the question's time was read (days inclusive, relative to ``as_of``)."""

    after: date | None = Field(default=None, description="first day of the period read")
    before: date | None = Field(default=None, description="last day of the period read")
    applied: Literal["filter", "preference"] | None = Field(
        default=None,
        description="filter: only articles published in the period (the question says when it "
        "was reported); preference: articles of the period rank higher; null: no period",
    )
    recency: bool = Field(default=False, description="newer articles preferred ('the latest')")
    as_of: date | None = Field(
        default=None,
        description="the day the time words count from, when given (the as_of parameter, or "
        "'as of …' in the question); the parameter also returns nothing published after it",
    )
    words: list[str] = Field(default_factory=list, description="the words that were read")


class SyntaxRead(BaseModel):
    """The query syntax that was read; what did not parse stayed plain words."""

    text: str = Field(description="the words searched, syntax removed (phrase words stay)")
    phrases: list[str] = Field(default_factory=list, description="required phrases")
    dropped_phrases: list[str] = Field(
        default_factory=list,
        description="quoted phrases found nowhere in the archive (or nowhere together with the "
        "phrases before them), searched as plain words",
    )
    excluded: list[str] = Field(default_factory=list, description="excluded words and phrases")
    outlets: list[str] = Field(default_factory=list)
    authors: list[str] = Field(default_factory=list)
    languages: list[str] = Field(default_factory=list)
    after: date | None = None
    before: date | None = None


class SearchResponse(BaseModel):
    query: str
    mode: Mode
    took_ms: float
    hits: list[Hit]
    facets: dict[str, list[FacetBucket]] | None = Field(
        default=None, description="counts over the passages matching the question's terms"
    )
    sort: Sort = "relevance"
    time: TimeRead | None = Field(
        default=None, description="how the question's time was read; null when it names none"
    )
    syntax: SyntaxRead | None = Field(
        default=None, description="the query syntax read; null when the query uses none"
    )
    next_page_token: str | None = Field(
        default=None,
        description="pass as page_token (same query and options) for the next top_k stories; "
        "null on the last page",
    )
