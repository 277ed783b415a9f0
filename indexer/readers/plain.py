"""JSONL records and bare text files: the formats newsdesk read before it read the web."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path, PurePath

from indexer.cleaning import clean_text
from indexer.readers.base import ReadResult, Rejection, from_record
from search.articles import Article
from search.ids import article_id, text_file_id


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


def text_articles(
    data: bytes, source: str, name: str, file_id: str | None = None
) -> Iterator[ReadResult]:
    """A bare text file: no metadata, so its name (``name``'s stem) is the title.

    Its id comes from ``file_id``, its path from above the indexed folder, when it was read from
    disk (an edited file replaces its article); otherwise (an upload) from its name and content,
    so two uploads called ``report.txt`` are two articles.
    """
    try:
        body = clean_text(data.decode("utf-8"))
    except UnicodeDecodeError as error:
        yield Rejection(source, None, f"not valid UTF-8 ({error.reason})")
        return
    if not body:
        yield Rejection(source, None, "no article text: the file is empty")
        return
    title = PurePath(name).stem
    identity = (
        text_file_id(file_id)
        if file_id is not None
        else article_id(url=None, outlet=None, title=title, body=body)
    )
    yield Article(id=identity, title=title, body=body)


def read_jsonl(path: Path) -> Iterator[ReadResult]:
    with path.open("rb") as handle:
        yield from jsonl_articles(handle, str(path))


def read_text(path: Path, root: Path | None = None) -> Iterator[ReadResult]:
    yield from text_articles(path.read_bytes(), str(path), path.name, file_path_id(path, root))


def file_path_id(path: Path, root: Path | None = None) -> str:
    """``path`` as seen from the folder above ``root`` (default: the file's own folder), so
    ``index archive/`` names a file ``archive/2023/story.txt`` whatever the current directory,
    and indexing one file names it as indexing its folder would."""
    root = root if root is not None else path.parent
    return f"{root.resolve().name}/{path.relative_to(root).as_posix()}".lstrip("/")
