"""The ``search_news`` tool, defined once: MCP, the OpenAI function schema and HTTP all use these.

``SearchNewsArgs`` is the MCP tool's ``inputSchema``, the OpenAI function's ``parameters`` and the
body of ``POST /v1/tools/search_news``, so the three cannot drift apart.
"""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from api.fields import MAX_NAME_CHARS, STRICT_REQUEST, IsoDay, JsonInt, PageToken, QueryText
from search.filters import SearchFilters
from search.results import Sort, SyntaxRead, TimeRead
from search.wellformed import WellFormedStr

TOOL_NAME = "search_news"
TOOL_TITLE = "Search the news archive"
TOOL_DESCRIPTION = (
    "Search an archive of news articles and get back short passages you can quote, each with its "
    "citation (outlet, title, URL, publication date). Use it to answer questions about events "
    "reported in the news: who, what, when, where, how many, how far. Ask in plain language, e.g. "
    "'how far did the missile fly?'; names, places and dates in the query help. Results are ranked "
    "best first by a hybrid keyword + semantic search; a passage is evidence only if it actually "
    "states the answer, so read it before relying on it. When you use a passage, quote it and cite "
    "its outlet, title, date and URL. Narrow the search with `outlet` (an exact outlet name, "
    "as listed by the archive_overview tool where it is offered) or a date range. The quoted "
    "text is limited to `max_chars` characters in total; ask for fewer results or more "
    "characters if passages come back trimmed. An empty result means the archive has nothing "
    "matching: say so rather than guessing."
)

OVERVIEW_TOOL_NAME = "archive_overview"
OVERVIEW_DESCRIPTION = (
    "Describe what the news archive holds: the number of articles and passages, every outlet with "
    "its article count, and the earliest and latest publication dates. Call it to learn the exact "
    "outlet names to pass as `outlet` to search_news, or to check whether a period is covered "
    "before searching it. Takes no arguments."
)


class SearchNewsArgs(BaseModel):
    """Arguments of the search_news tool."""

    model_config = ConfigDict(**STRICT_REQUEST, title=TOOL_NAME)

    query: QueryText = Field(
        description="The question or keywords to search for, in plain language.",
    )
    top_k: JsonInt = Field(
        default=5, ge=1, le=20, description="How many passages to return, best first (1-20)."
    )
    outlet: Annotated[WellFormedStr, Field(min_length=1, max_length=MAX_NAME_CHARS)] | None = Field(
        default=None,
        description="Only return passages from this outlet (exact name, see archive_overview).",
    )
    published_after: IsoDay | None = Field(
        default=None,
        description="Only articles published on or after this day (YYYY-MM-DD, UTC).",
    )
    published_before: IsoDay | None = Field(
        default=None,
        description="Only articles published on or before this day (YYYY-MM-DD, UTC).",
    )
    sort: Sort = Field(
        default="relevance",
        description="relevance (best match first) or date (the best matches, newest first).",
    )
    as_of: IsoDay | None = Field(
        default=None,
        description="Read the archive as of this day (YYYY-MM-DD): 'last week' counts from it and "
        "nothing published after it is returned.",
    )
    page_token: PageToken | None = Field(
        default=None,
        description="next_page_token from a previous call with the same arguments: the next "
        "top_k stories, none repeated.",
    )
    max_chars: JsonInt = Field(
        default=4000,
        ge=200,
        le=20000,
        description="Upper bound on the total characters of quoted passage text returned.",
    )

    def filters(self) -> SearchFilters:
        """Store filters; a day range includes both of its end days, whole."""
        after = before = None
        if self.published_after:
            after = datetime.combine(self.published_after, time.min, tzinfo=UTC)
        if self.published_before:
            before = datetime.combine(self.published_before, time.max, tzinfo=UTC)
        return SearchFilters(
            outlets=[self.outlet] if self.outlet else None,
            published_after=after,
            published_before=before,
        )


class Citation(BaseModel):
    """Where a passage comes from; cite all of it that is known."""

    title: str
    outlet: str | None = None
    url: str | None = None
    published_at: str | None = Field(default=None, description="ISO-8601 publication time")
    author: str | None = None


class Quote(BaseModel):
    rank: int = Field(description="1 = best match")
    text: str = Field(description="the passage, verbatim (trimmed at the ends if marked with …)")
    answer: str | None = Field(
        default=None, description="the sentence that best answers the query, when found"
    )
    citation: Citation
    also_reported_by: list[Citation] = Field(
        default_factory=list, description="other outlets that carried the same story"
    )
    score: float = Field(description="fused relevance score; higher is better")
    passage_id: str
    article_id: str
    trimmed: bool = False


class SearchNewsResult(BaseModel):
    query: str
    quotes: list[Quote]
    total_chars: int = Field(description="characters of quoted text returned")
    truncated: bool = Field(description="true when passages were trimmed or left out")
    omitted: int = Field(default=0, description="matching passages left out to stay in max_chars")
    time: TimeRead | None = Field(
        default=None, description="how the question's time words were read (null: none)"
    )
    syntax: SyntaxRead | None = Field(
        default=None, description="query syntax read (phrases, exclusions, fields); null: none"
    )
    next_page_token: str | None = Field(
        default=None, description="pass as page_token for the next stories; null on the last page"
    )


class OutletCount(BaseModel):
    name: str
    articles: int


class ArchiveOverview(BaseModel):
    articles: int
    passages: int
    outlets: list[OutletCount] = Field(description="outlets by article count, largest first")
    articles_without_outlet: int = 0
    earliest: str | None = Field(default=None, description="earliest publication time (ISO-8601)")
    latest: str | None = Field(default=None, description="latest publication time (ISO-8601)")
    undated_articles: int = 0


def input_schema() -> dict[str, Any]:
    """The JSON schema of the tool's arguments (MCP ``inputSchema``, OpenAI ``parameters``)."""
    return SearchNewsArgs.model_json_schema()


def openai_tool() -> dict[str, Any]:
    """The tool as an OpenAI function definition (Chat Completions ``tools`` entry)."""
    return {
        "type": "function",
        "function": {
            "name": TOOL_NAME,
            "description": TOOL_DESCRIPTION,
            "parameters": input_schema(),
        },
    }
