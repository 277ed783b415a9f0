"""JSONL records and bare text files: the formats newsdesk read before it read the web."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path

from indexer.cleaning import clean_text
from indexer.readers.base import ReadResult, Rejection, from_record
from search.articles import Article


def jsonl_articles(lines: Iterable[bytes], source: str) -> Iterator[ReadResult]:
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            yield Rejection(source, number, f"not valid UTF-8 ({error.reason})")
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as error:
            yield Rejection(source, number, f"invalid JSON: {error.msg}")
            continue
        yield from_record(data, source, number)


def text_articles(data: bytes, source: str, name: str) -> Iterator[ReadResult]:
    """A bare text file: no metadata, so its name is both id and title."""
    try:
        body = clean_text(data.decode("utf-8"))
    except UnicodeDecodeError as error:
        yield Rejection(source, None, f"not valid UTF-8 ({error.reason})")
        return
    if not body:
        yield Rejection(source, None, "no article text: the file is empty")
        return
    yield Article(id=name, title=name, body=body)


def read_jsonl(path: Path) -> Iterator[ReadResult]:
    with path.open("rb") as handle:
        yield from jsonl_articles(handle, str(path))


def read_text(path: Path) -> Iterator[ReadResult]:
    yield from text_articles(path.read_bytes(), str(path), path.stem)
