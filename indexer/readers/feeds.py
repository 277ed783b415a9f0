"""RSS and Atom feeds: one article per entry, with the entry's full content when it has one."""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from xml.sax import SAXParseException

import feedparser

from indexer.cleaning import clean_line, clean_text
from indexer.readers.base import ReadResult, Rejection, from_record, primary_language
from indexer.readers.markup import html_to_text

_TITLE_IN_REASON = 60


def _text(detail: Any) -> str:
    value = detail.get("value") or ""
    if detail.get("type") == "text/plain":
        return clean_text(value)
    return html_to_text(value)


def _entry_text(entry: Any) -> str:
    """Full content (content:encoded, Atom <content>) first; the summary is only a teaser."""
    for content in entry.get("content") or []:
        text = _text(content)
        if text:
            return text
    summary = entry.get("summary_detail")
    return _text(summary) if summary else clean_text(entry.get("summary") or "")


def _published(entry: Any) -> str | None:
    # feedparser has already converted the entry's time to UTC.
    parsed: time.struct_time | None = entry.get("published_parsed") or entry.get("updated_parsed")
    return datetime(*parsed[:6], tzinfo=UTC).isoformat() if parsed else None


def _author(entry: Any) -> str | None:
    names = [author.get("name") for author in entry.get("authors") or [] if author.get("name")]
    return ", ".join(names) if names else entry.get("author")


def _url(entry: Any) -> str | None:
    link = entry.get("link")
    if link:
        return str(link)
    guid = str(entry.get("id") or "")
    return guid if guid.startswith(("http://", "https://")) else None


def _language(entry: Any, feed: Any) -> str | None:
    declared = [content.get("language") for content in entry.get("content") or []]
    declared += [entry.get("language"), feed.get("language")]
    return next((primary_language(tag) for tag in declared if primary_language(tag)), None)


def _xml_error(error: object) -> tuple[int | None, str]:
    if isinstance(error, SAXParseException):
        where = f"column {error.getColumnNumber()}"
        return error.getLineNumber(), f"invalid XML ({where}): {error.getMessage()}"
    return None, f"invalid feed: {error}"


def read_feed(data: bytes, source: str) -> Iterator[ReadResult]:
    # A stream, never a string: feedparser fetches strings that look like URLs.
    try:
        parsed = feedparser.parse(io.BytesIO(data))
    except Exception as error:  # feedparser reports problems via `bozo`; anything raised is fatal
        yield Rejection(source, None, f"could not parse the feed: {error}")
        return
    if not parsed.entries:
        if parsed.bozo:
            yield Rejection(source, *_xml_error(parsed.get("bozo_exception")))
        elif not parsed.get("version"):
            yield Rejection(source, None, "not an RSS or Atom feed")
        else:
            yield Rejection(source, None, "the feed has no entries")
        return
    # A malformed feed that still has entries was recovered by feedparser's lenient parser:
    # index what it recovered, and say so when an entry from it is rejected.
    damage = f" ({_xml_error(parsed.bozo_exception)[1]})" if parsed.bozo else ""
    feed = parsed.feed
    for number, entry in enumerate(parsed.entries, start=1):
        title = clean_line(entry.get("title") or "")
        where = f"entry {number}" + (f" {title[:_TITLE_IN_REASON]!r}" if title else "")
        body = _entry_text(entry)
        if not body:
            reason = f"{where}: no article text in its content or summary{damage}"
            yield Rejection(source, number, reason)
            continue
        record = {
            "title": title,
            "outlet": feed.get("title"),
            "url": _url(entry),
            "published_at": _published(entry),
            "author": _author(entry),
            "language": _language(entry, feed),
            "body": body,
        }
        yield from_record(record, source, number, where=f"{where}: ")
