"""Which reader a file needs, judged by its first bytes first and its name second.

Archives arrive misnamed (a feed saved as .xml or .txt, a page saved without an extension), so
content decides; the extension only settles what the first bytes cannot.
"""

from __future__ import annotations

import re
import zlib
from enum import StrEnum
from pathlib import PurePath

SNIFF_BYTES = 4096


class Format(StrEnum):
    WARC = "warc"
    FEED = "feed"
    HTML = "html"
    JSONL = "jsonl"
    TEXT = "text"


# What a directory walk picks up; anything else there (README.md, images, notes) is not news.
DIRECTORY_SUFFIXES = (
    ".jsonl",
    ".ndjson",
    ".txt",
    ".html",
    ".htm",
    ".xhtml",
    ".xml",
    ".rss",
    ".atom",
    ".warc",
    ".warc.gz",
)

_BY_SUFFIX = {
    ".jsonl": Format.JSONL,
    ".ndjson": Format.JSONL,
    ".txt": Format.TEXT,
    ".html": Format.HTML,
    ".htm": Format.HTML,
    ".xhtml": Format.HTML,
    ".xml": Format.FEED,
    ".rss": Format.FEED,
    ".atom": Format.FEED,
    ".warc": Format.WARC,
    ".warc.gz": Format.WARC,
}
_GZIP_MAGIC = b"\x1f\x8b"
_WARC_MAGIC = b"WARC/1."
# XML declaration, processing instructions, comments and doctypes, in any order, before the root.
_PROLOG = re.compile(r"(?:\s+|<\?.*?\?>|<!--.*?-->|<!doctype[^>]*>)*", re.IGNORECASE | re.DOTALL)
_DOCTYPE_HTML = re.compile(r"<!doctype\s+html", re.IGNORECASE)
_ROOT = re.compile(r"<([A-Za-z][\w:.-]*)")
_FEED_ROOTS = frozenset({"rss", "feed", "rdf:rdf"})


def suffix_of(name: str) -> str:
    """The lower-cased extension, counting ``.warc.gz`` as one."""
    lower = name.lower()
    return ".warc.gz" if lower.endswith(".warc.gz") else PurePath(lower).suffix


def _gunzipped_start(head: bytes) -> bytes:
    try:
        return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head, 64)
    except zlib.error:
        return b""


def _markup(head: bytes) -> Format | None:
    text = head.decode("utf-8", errors="ignore").lstrip("\ufeff")
    prolog = _PROLOG.match(text)
    end = prolog.end() if prolog else 0
    if _DOCTYPE_HTML.search(text, 0, end):
        return Format.HTML
    root = _ROOT.match(text, end)
    if root is None:
        return None
    name = root.group(1).lower()
    if name in _FEED_ROOTS:
        return Format.FEED
    return Format.HTML if name == "html" else None


def sniff(head: bytes, name: str) -> Format | None:
    """The reader for a file that starts with ``head``; None when newsdesk does not read it."""
    suffix = suffix_of(name)
    if head.startswith(_WARC_MAGIC):
        return Format.WARC
    if head.startswith(_GZIP_MAGIC):
        # A truncated .warc.gz may not decompress far enough to show its magic: trust the name,
        # so the WARC reader reports the damage instead of the file being skipped.
        if _gunzipped_start(head).startswith(_WARC_MAGIC) or suffix == ".warc.gz":
            return Format.WARC
        return None
    found = _markup(head)
    if found is not None:
        return found
    if suffix in _BY_SUFFIX:
        return _BY_SUFFIX[suffix]
    if head.lstrip().startswith(b"{"):
        return Format.JSONL
    return None
