"""Search filters every store understands; field names are fixed here, never taken from input."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field, field_validator


class SearchFilters(BaseModel):
    outlets: list[str] | None = Field(default=None, max_length=50)
    published_after: datetime | None = None
    published_before: datetime | None = None

    @field_validator("outlets")
    @classmethod
    def _drop_blank(cls, outlets: list[str] | None) -> list[str] | None:
        cleaned = [outlet.strip() for outlet in outlets or [] if outlet.strip()]
        return cleaned or None

    def is_empty(self) -> bool:
        return not (self.outlets or self.published_after or self.published_before)
