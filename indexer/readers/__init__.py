"""Readers turn files into articles, or into rejections that say where and why.

Usage:
    for item in read_paths([Path("archive/")]):
        print(item if isinstance(item, Rejection) else item.title)

The reader is picked by the file's first bytes (WARC, RSS/Atom, HTML) and then by its name
(JSONL, plain text); see ``sniff``. The HTML, feed and WARC readers, and the libraries behind
them, are imported only when a file needs them.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from indexer.readers.base import ReadResult, Rejection
from indexer.readers.plain import (
    file_path_id,
    jsonl_articles,
    read_jsonl,
    read_text,
    text_articles,
)
from indexer.readers.sniff import DIRECTORY_SUFFIXES, SNIFF_BYTES, Format, sniff, suffix_of

__all__ = [
    "Format",
    "ReadResult",
    "Rejection",
    "count_records",
    "read_bytes",
    "read_file",
    "read_jsonl",
    "read_paths",
    "read_text",
    "sniff",
]


def _unsupported(source: str, name: str, head: bytes) -> Rejection:
    if head.startswith(b"\x1f\x8b"):
        return Rejection(source, None, "gzip-compressed, but not a WARC archive")
    return Rejection(source, None, f"unsupported file type {suffix_of(name) or '(none)'!r}")


def _read_stream(
    stream: BinaryIO,
    source: str,
    name: str,
    file_id: str | None = None,
    max_decompressed_bytes: int | None = None,
) -> Iterator[ReadResult]:
    head = stream.read(SNIFF_BYTES)
    found = sniff(head, name)
    stream.seek(0)
    if not head:
        yield Rejection(source, None, "the file is empty")
    elif found is None:
        yield _unsupported(source, name, head)
    elif found is Format.WARC:
        from indexer.readers.archives import read_warc

        yield from read_warc(stream, source, max_decompressed_bytes)
    elif found is Format.JSONL:
        yield from jsonl_articles(stream, source)
    elif found is Format.TEXT:
        yield from text_articles(stream.read(), source, name, file_id)
    elif found is Format.FEED:
        from indexer.readers.feeds import read_feed

        yield from read_feed(stream.read(), source)
    else:
        from indexer.readers.pages import read_html

        yield from read_html(stream.read(), source)


def read_file(path: Path, root: Path | None = None) -> Iterator[ReadResult]:
    """One file, whatever its name says: a misnamed feed or page is still read as one.

    ``root``: the folder being indexed, which names plain-text files (see ``file_path_id``).
    """
    with path.open("rb") as handle:
        yield from _read_stream(handle, str(path), path.name, file_path_id(path, root))


def read_bytes(
    data: bytes, name: str, max_decompressed_bytes: int | None = None
) -> Iterator[ReadResult]:
    """An upload: ``name`` (its file name) is the source in rejections and breaks format ties;
    a compressed archive that would inflate beyond ``max_decompressed_bytes`` is refused."""
    yield from _read_stream(
        io.BytesIO(data), name, name, max_decompressed_bytes=max_decompressed_bytes
    )


def _files(path: Path) -> Iterator[Path]:
    if not path.is_dir():
        yield path
        return
    for child in sorted(path.rglob("*")):
        # A README beside the articles describes them; it is not one of them.
        if child.name.upper().startswith("README."):
            continue
        if child.is_file() and child.name.lower().endswith(DIRECTORY_SUFFIXES):
            yield child


def read_paths(paths: Iterable[Path]) -> Iterator[ReadResult]:
    for root in paths:
        if not root.exists():
            yield Rejection(str(root), None, "no such file or directory")
            continue
        for path in _files(root):
            yield from read_file(path, root if root.is_dir() else None)


def _records_in(path: Path) -> int | None:
    with path.open("rb") as handle:
        found = sniff(handle.read(SNIFF_BYTES), path.name)
        if found in (Format.WARC, Format.FEED):
            return None
        if found is not Format.JSONL:
            return 1  # one article, or one rejection
        handle.seek(0)
        return sum(1 for line in handle if line.strip())


def count_records(paths: Iterable[Path]) -> int | None:
    """How many items ``read_paths`` yields, for a progress bar's ETA (JSONL: one per non-blank
    line); None when only parsing can tell (feeds and WARC archives hold several articles)."""
    total = 0
    for root in paths:
        for path in _files(root) if root.exists() else [root]:
            count = _records_in(path) if path.exists() else 1
            if count is None:
                return None
            total += count
    return total
