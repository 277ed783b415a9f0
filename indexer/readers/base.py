"""What every reader yields: an article, or a rejection that says where and why."""

from __future__ import annotations

import re
from dataclasses import dataclass

from indexer.records import article_from_record
from search.articles import Article
from search.errors import InvalidArticleError


@dataclass(frozen=True)
class Rejection:
    """``line`` is the line (JSONL, XML), feed entry or WARC record number, when there is one."""

    source: str
    line: int | None
    reason: str

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line is not None else self.source
        return f"{where}: {self.reason}"


ReadResult = Article | Rejection

_LANGUAGE = re.compile(r"[A-Za-z]{2,3}(?=$|[-_])")


def from_record(record: object, source: str, line: int | None, where: str = "") -> ReadResult:
    """Every format goes through the JSONL validation, so cleaning, ids and titles agree."""
    try:
        return article_from_record(record)
    except InvalidArticleError as error:
        return Rejection(source, line, f"{where}{error}")


def primary_language(tag: str | None) -> str | None:
    """'en-GB', 'en_us', 'EN' -> 'en': language filters match the language, not the region."""
    match = _LANGUAGE.match((tag or "").strip())
    return match.group(0).lower() if match else None
