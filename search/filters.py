"""Search filters every store understands; field names are fixed here, never taken from input."""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import BaseModel, Field, field_validator


class SearchFilters(BaseModel):
    outlets: list[str] | None = Field(default=None, max_length=50)
    authors: list[str] | None = Field(default=None, max_length=50)
    languages: list[str] | None = Field(default=None, max_length=20)
    published_after: datetime | None = None
    published_before: datetime | None = None

    @field_validator("outlets", "authors", "languages")
    @classmethod
    def _drop_blank(cls, values: list[str] | None) -> list[str] | None:
        cleaned = [value.strip() for value in values or [] if value.strip()]
        return cleaned or None

    @field_validator("published_after", "published_before")
    @classmethod
    def _utc(cls, value: datetime | None) -> datetime | None:
        # A date without a zone means UTC, as stored dates do.
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value

    def is_empty(self) -> bool:
        return not (
            self.outlets
            or self.authors
            or self.languages
            or self.published_after
            or self.published_before
        )


def keyword(value: str | None) -> str | None:
    """The form filters compare: trimmed and case-folded ("BBC News " == "bbc news")."""
    return value.strip().casefold() if value and value.strip() else None
