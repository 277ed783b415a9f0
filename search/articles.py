"""The article: one news story as indexed, with the metadata every hit is attributed to."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from datetime import datetime


@dataclass(frozen=True)
class Article:
    id: str
    title: str
    body: str
    outlet: str | None = None
    url: str | None = None
    published_at: datetime | None = None
    author: str | None = None
    language: str | None = None
    # The story this article belongs to (set at ingest); not content, so not in the hash.
    cluster_id: str | None = None

    @property
    def content_hash(self) -> str:
        """Changes whenever anything a passage or a hit shows changes."""
        fields = asdict(self)
        fields.pop("cluster_id")
        fields["published_at"] = self.published_at.isoformat() if self.published_at else None
        payload = json.dumps(fields, sort_keys=True, ensure_ascii=False)
        return hashlib.sha1(payload.encode("utf-8")).hexdigest()

    def to_record(self) -> dict[str, object]:
        record = asdict(self)
        record["published_at"] = self.published_at.isoformat() if self.published_at else None
        return record

    @classmethod
    def from_record(cls, record: dict[str, object]) -> Article:
        published = record.get("published_at")
        return cls(
            id=str(record["id"]),
            title=str(record["title"]),
            body=str(record["body"]),
            outlet=_optional_str(record.get("outlet")),
            url=_optional_str(record.get("url")),
            published_at=datetime.fromisoformat(published) if isinstance(published, str) else None,
            author=_optional_str(record.get("author")),
            language=_optional_str(record.get("language")),
            cluster_id=_optional_str(record.get("cluster_id")),
        )


def _optional_str(value: object) -> str | None:
    return None if value is None else str(value)
