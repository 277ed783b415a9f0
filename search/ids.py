"""Stable identifiers: the same input always gets the same id, so re-indexing writes nothing new."""

from __future__ import annotations

import hashlib
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

_TRACKING_PREFIXES = ("utm_", "fbclid", "gclid", "mc_", "ocid")


def _digest(*parts: str, length: int = 16) -> str:
    hasher = hashlib.sha1()
    for part in parts:
        hasher.update(part.encode("utf-8"))
        hasher.update(b"\x1f")
    return hasher.hexdigest()[:length]


def canonical_url(url: str) -> str:
    """The URL with case, fragment, tracking parameters and trailing slash normalised away."""
    parts = urlsplit(url.strip())
    query = [
        (key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if not key.lower().startswith(_TRACKING_PREFIXES)
    ]
    path = parts.path.rstrip("/") or "/"
    return urlunsplit(
        (parts.scheme.lower(), parts.netloc.lower(), path, urlencode(sorted(query)), "")
    )


def article_id(*, url: str | None, outlet: str | None, title: str, body: str) -> str:
    if url:
        return "a-" + _digest(canonical_url(url))
    return "a-" + _digest(outlet or "", title, body)


TEXT_FILE_ID_PREFIX = "txt-"


def text_file_id(path: str) -> str:
    """A plain-text file read from disk, by its path (``file_path_id``): stable across runs."""
    return TEXT_FILE_ID_PREFIX + _digest(path)


def passage_id(article: str, char_start: int, char_end: int, text: str) -> str:
    return "p-" + _digest(article, str(char_start), str(char_end), text, length=20)
