"""WARC and WARC.gz web archives: every HTML page a crawler fetched becomes an article.

Damage (a cut-off download, a corrupt gzip member) ends the archive with one rejection naming
the record and its byte offset; the records before it are still read.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from warcio.archiveiterator import ArchiveIterator
from warcio.limitreader import LimitReader
from warcio.recordloader import ArcWarcRecord

from indexer.readers.base import ReadResult, Rejection, from_record
from indexer.readers.pages import page_record
from search.errors import InvalidArticleError

_PAGE_RECORDS = frozenset({"response", "resource"})
_HTML_TYPES = ("text/html", "application/xhtml+xml")


@dataclass(frozen=True)
class _Page:
    number: int
    url: str | None
    date: str | None
    charset: str | None
    payload: bytes


def _page_type(record: ArcWarcRecord) -> str:
    """The page's own media type: the HTTP header's, not the record's application/http."""
    if record.http_headers is not None:
        return record.http_headers.get_header("Content-Type") or ""
    return record.content_type or ""


def _is_page(record: ArcWarcRecord) -> bool:
    if record.rec_type not in _PAGE_RECORDS:
        return False
    if not _page_type(record).lower().startswith(_HTML_TYPES):
        return False
    # Redirects and error pages are not stories; skip them as silently as images.
    status = record.http_headers.get_statuscode() if record.http_headers else "200"
    return (status or "").startswith("2")


def _charset(record: ArcWarcRecord) -> str | None:
    for part in _page_type(record).split(";")[1:]:
        key, _, value = part.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            return value.strip().strip("\"'")
    return None


def _truncation(record: ArcWarcRecord) -> str | None:
    """Why a fully read record ends the archive: its framing, so the next record's, is lost."""
    if record.rec_headers.get_header("Content-Length") is None:
        return "its header is cut off (no Content-Length)"
    stream = record.raw_stream
    if isinstance(stream, LimitReader) and stream.limit > 0:
        return f"it is truncated ({stream.limit} bytes of its block are missing)"
    return None


def _corrupt(record: ArcWarcRecord) -> bool:
    """The block digest covers the record's exact bytes. Payload digests are not checked: some
    crawlers compute them over de-chunked content, so they fail on sound records."""
    checker = record.digest_checker
    return checker is not None and any(
        problem.startswith("block digest failed") for problem in checker.problems
    )


def _trailing_garbage(stream: BinaryIO, end: int, compressed: bool) -> int:
    """Bytes after the last complete record: warcio stops silently at a cut-off header."""
    if not stream.seekable():
        return 0
    size = stream.seek(0, os.SEEK_END)
    stream.seek(end)
    rest = stream.read(min(size - end, 1 << 16)) if size > end else b""
    # Uncompressed records are followed by blank lines that belong to no record.
    return len(rest if compressed else rest.strip())


def _pages(stream: BinaryIO, source: str) -> Iterator[_Page | Rejection]:
    start = stream.tell()
    compressed = stream.read(2) == b"\x1f\x8b"
    stream.seek(start)
    records = ArchiveIterator(stream, check_digests=True)
    number, end = 0, start
    while True:
        current = number + 1
        try:
            record = next(records, None)
            if record is None:
                break
            offset = records.offset
            payload = record.content_stream().read() if _is_page(record) else None
            end = offset + records.get_record_length()  # reads the rest: exposes truncation
        # warcio signals damage with no single exception type: ArchiveLoadFailed, zlib.error,
        # EOFError, and even AttributeError on a header cut mid-line.
        except Exception as error:
            where = f"record {current} at byte offset {records.offset}"
            reason = f"archive is truncated or damaged ({type(error).__name__}: {error})"
            yield Rejection(source, current, f"{where}: {reason}")
            return
        number, where = current, f"record {current} at byte offset {offset}"
        truncation = _truncation(record)
        if truncation:
            yield Rejection(source, number, f"{where}: {truncation}")
            return
        if _corrupt(record):
            yield Rejection(source, number, f"{where}: corrupt (its block digest does not match)")
            continue
        if payload is not None:
            headers = record.rec_headers
            url, date = headers.get_header("WARC-Target-URI"), headers.get_header("WARC-Date")
            yield _Page(number, url, date, _charset(record), payload)
    if _trailing_garbage(stream, end, compressed):
        where = f"record {number + 1} at byte offset {end}"
        yield Rejection(source, number + 1, f"{where}: archive is truncated or damaged")


def _decoded(page: _Page) -> bytes | str:
    # The HTTP header's charset outranks the page's own <meta charset>.
    if page.charset:
        try:
            return page.payload.decode(page.charset, errors="replace")
        except LookupError:
            pass
    return page.payload


def read_warc(stream: BinaryIO, source: str) -> Iterator[ReadResult]:
    for item in _pages(stream, source):
        if isinstance(item, Rejection):
            yield item
            continue
        where = f"record {item.number} ({item.url or 'no target URI'}): "
        try:
            record = page_record(_decoded(item), url=item.url, published_fallback=item.date)
        except InvalidArticleError as error:
            yield Rejection(source, item.number, f"{where}{error}")
            continue
        yield from_record(record, source, item.number, where=where)
