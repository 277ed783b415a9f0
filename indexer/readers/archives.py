"""WARC and WARC.gz web archives: every HTML page a crawler fetched becomes an article.

Damage (a cut-off download, a corrupt gzip member) ends the archive with one rejection naming
the record and its byte offset; the records before it are still read.

A small .warc.gz can inflate to gigabytes (a gzip bomb). With ``max_decompressed_bytes`` (uploads)
the archive is first inflated and counted, never kept, and refused whole if it exceeds the cap;
one page's HTML (which may itself be gzip-encoded) is read up to ``MAX_PAGE_BYTES`` and no further.
"""

from __future__ import annotations

import os
import zlib
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
_GZIP_MAGIC = b"\x1f\x8b"
# No news article's HTML comes near this; a page over it is skipped, not read into memory.
MAX_PAGE_BYTES = 10_000_000
_CHUNK = 1 << 16


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


def inflates_beyond(stream: BinaryIO, limit: int) -> bool:
    """Whether a (multi-member) gzip stream decompresses to more than ``limit`` bytes.

    Output is counted in bounded steps and dropped; the stream is rewound. Damage stops the count
    (the archive reader reports it, record by record).
    """
    start = stream.tell()
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    total = 0
    try:
        while chunk := stream.read(_CHUNK):
            pending = chunk
            while pending or inflater.unconsumed_tail:
                out = inflater.decompress(pending or inflater.unconsumed_tail, _CHUNK)
                total += len(out)
                if total > limit:
                    return True
                if inflater.eof:  # the next gzip member starts in what is left
                    pending = inflater.unused_data
                    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
                else:
                    pending = b""
            while out := inflater.decompress(b"", _CHUNK):  # output held back by the step size
                total += len(out)
                if total > limit:
                    return True
    except zlib.error:
        pass
    finally:
        stream.seek(start)
    return False


class _PageTooLarge(Exception):
    pass


def _read_page(record: ArcWarcRecord) -> bytes:
    content = record.content_stream()  # undoes chunking and Content-Encoding (gzip, brotli)
    payload = bytearray()
    while block := content.read(_CHUNK):
        payload += block
        if len(payload) > MAX_PAGE_BYTES:
            raise _PageTooLarge
    return bytes(payload)


def _pages(stream: BinaryIO, source: str) -> Iterator[_Page | Rejection]:
    start = stream.tell()
    compressed = stream.read(2) == _GZIP_MAGIC
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
            too_large = False
            try:
                payload = _read_page(record) if _is_page(record) else None
            except _PageTooLarge:
                payload, too_large = None, True
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
        if too_large:
            reason = f"the page is over {MAX_PAGE_BYTES:,} bytes once decompressed; skipped"
            yield Rejection(source, number, f"{where}: {reason}")
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


def read_warc(
    stream: BinaryIO, source: str, max_decompressed_bytes: int | None = None
) -> Iterator[ReadResult]:
    """Articles from a WARC; ``max_decompressed_bytes`` refuses a .warc.gz inflating beyond it."""
    head = stream.read(2)
    stream.seek(-len(head), os.SEEK_CUR)
    if (
        max_decompressed_bytes is not None
        and head == _GZIP_MAGIC
        and inflates_beyond(stream, max_decompressed_bytes)
    ):
        limit = f"{max_decompressed_bytes:,}"
        yield Rejection(source, None, f"decompresses to more than {limit} bytes; not read")
        return
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
