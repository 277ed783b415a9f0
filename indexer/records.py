"""Validation of one incoming article record into an Article, with reasons a person can act on."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from indexer.cleaning import clean_line, clean_text
from search.articles import Article
from search.errors import InvalidArticleError
from search.ids import article_id
from search.wellformed import WellFormedStr

_TITLE_FALLBACK_CHARS = 120


class ArticleRecord(BaseModel):
    """The JSON shape accepted by ``newsdesk index`` (JSONL) and the API."""

    model_config = ConfigDict(extra="ignore", strict=True)

    id: WellFormedStr | None = Field(default=None, max_length=200)
    title: WellFormedStr | None = None
    outlet: WellFormedStr | None = None
    source: WellFormedStr | None = None
    url: WellFormedStr | None = None
    published_at: WellFormedStr | None = None
    author: WellFormedStr | None = None
    language: WellFormedStr | None = None
    body: WellFormedStr | None = None
    text: WellFormedStr | None = None

    @field_validator("author", mode="before")
    @classmethod
    def _author_list(cls, value: Any) -> Any:
        # Feeds and scrapers often give several authors; keep them all.
        if isinstance(value, list) and all(isinstance(item, str) for item in value):
            return ", ".join(value)
        return value


def parse_published(value: str | None) -> datetime | None:
    if value is None or not value.strip():
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
        return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    except (ValueError, OverflowError) as error:  # year 1 at +05:00 is before year 1 in UTC
        shown = value if len(value) <= 60 else value[:60] + "…"
        raise InvalidArticleError(f"published_at {shown!r} is not an ISO-8601 date") from error


def _describe(error: ValidationError) -> str:
    problems = []
    for item in error.errors():
        field = ".".join(str(part) for part in item["loc"]) or "record"
        problems.append(f"{field}: {item['msg']}")
    return "; ".join(problems)


def article_from_record(data: object) -> Article:
    if not isinstance(data, dict):
        raise InvalidArticleError(f"expected a JSON object, got {type(data).__name__}")
    try:
        record = ArticleRecord.model_validate(data)
    except ValidationError as error:
        raise InvalidArticleError(_describe(error)) from error
    body = clean_text(record.body if record.body is not None else record.text or "")
    if not body:
        raise InvalidArticleError("no article text: 'body' (or 'text') is missing or empty")
    title = (
        clean_line(record.title or "") or clean_line(body.split("\n", 1)[0])[:_TITLE_FALLBACK_CHARS]
    )
    outlet = clean_line(record.outlet or record.source or "") or None
    url = (record.url or "").strip() or None
    return Article(
        id=(record.id or "").strip() or article_id(url=url, outlet=outlet, title=title, body=body),
        title=title,
        body=body,
        outlet=outlet,
        url=url,
        published_at=parse_published(record.published_at),
        author=clean_line(record.author or "") or None,
        language=(record.language or "").strip() or None,
    )
