"""Readers turn files into articles, or into rejections that say where and why."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from indexer.cleaning import clean_text
from search.articles import Article
from search.errors import InvalidArticleError

JSONL_SUFFIXES = frozenset({".jsonl", ".ndjson"})
TEXT_SUFFIXES = frozenset({".txt"})


@dataclass(frozen=True)
class Rejection:
    source: str
    line: int | None
    reason: str

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line is not None else self.source
        return f"{where}: {self.reason}"


ReadResult = Article | Rejection


def read_jsonl(path: Path) -> Iterator[ReadResult]:
    from indexer.records import article_from_record

    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as error:
                yield Rejection(str(path), number, f"not valid UTF-8 ({error.reason})")
                continue
            try:
                yield article_from_record(json.loads(line))
            except json.JSONDecodeError as error:
                yield Rejection(str(path), number, f"invalid JSON: {error.msg}")
            except InvalidArticleError as error:
                yield Rejection(str(path), number, str(error))


def read_text(path: Path) -> Iterator[ReadResult]:
    """A bare text file: no metadata, so its name is both id and title."""
    try:
        body = clean_text(path.read_bytes().decode("utf-8"))
    except UnicodeDecodeError as error:
        yield Rejection(str(path), None, f"not valid UTF-8 ({error.reason})")
        return
    if not body:
        yield Rejection(str(path), None, "no article text: the file is empty")
        return
    yield Article(id=path.stem, title=path.stem, body=body)


def _files(path: Path) -> Iterator[Path]:
    if path.is_dir():
        for child in sorted(path.rglob("*")):
            if child.is_file() and child.suffix.lower() in JSONL_SUFFIXES | TEXT_SUFFIXES:
                yield child
    else:
        yield path


def read_paths(paths: Iterable[Path]) -> Iterator[ReadResult]:
    for root in paths:
        if not root.exists():
            yield Rejection(str(root), None, "no such file or directory")
            continue
        for path in _files(root):
            suffix = path.suffix.lower()
            if suffix in JSONL_SUFFIXES:
                yield from read_jsonl(path)
            elif suffix in TEXT_SUFFIXES:
                yield from read_text(path)
            else:
                yield Rejection(str(path), None, f"unsupported file type {suffix or '(none)'!r}")
