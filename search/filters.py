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
    # Text constraints from the query syntax, as analysed term sequences (``search.analysis``),
    # so both stores compare the terms they index: every phrase must occur in a passage's terms
    # (a one-term phrase is a required term), no excluded sequence may.
    phrases: list[tuple[str, ...]] | None = Field(default=None, max_length=20)
    excluded: list[tuple[str, ...]] | None = Field(default=None, max_length=50)

    @field_validator("phrases", "excluded")
    @classmethod
    def _drop_empty(cls, values: list[tuple[str, ...]] | None) -> list[tuple[str, ...]] | None:
        kept = [tuple(terms) for terms in values or [] if terms]
        return list(dict.fromkeys(kept)) or None

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
            or self.phrases
            or self.excluded
        )

    @property
    def has_text(self) -> bool:
        """Phrases or exclusions: constraints only the lexical index can check."""
        return bool(self.phrases or self.excluded)


def keyword(value: str | None) -> str | None:
    """The form filters compare: trimmed and case-folded ("BBC News " == "bbc news")."""
    return value.strip().casefold() if value and value.strip() else None
