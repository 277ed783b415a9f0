"""Page tokens: opaque to callers, they carry what earlier pages showed (hit passages, the copies
listed with them) and the query they belong to, so the next page holds the next stories, none
shown before.

Rankings depend on how deep the legs look, so a later page is not a slice of the first page's
list: it is the best stories of a deeper retrieval that were not shown yet. Within one archive
state the same token always gives the same page, and walking the pages reaches every story of
the deepest retrieval exactly once.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Iterable

from search.errors import UnknownPageError

_KEY_CHARS = 12  # 48 bits of a hash: collisions are ~1e-6 at 20,000 keys
MAX_SEEN = 500
_VERSION = 1


def story_key(value: str) -> str:
    """A short hash of what a page showed (a passage id, a copy's article id)."""
    return hashlib.blake2b(value.encode("utf-8"), digest_size=8).hexdigest()[:_KEY_CHARS]


def fingerprint(*parts: object) -> str:
    """What must not change between pages: the query and every option but ``top_k``."""
    text = json.dumps(parts, sort_keys=True, default=str)
    return hashlib.blake2b(text.encode("utf-8"), digest_size=6).hexdigest()


def encode(query: str, seen: Iterable[str]) -> str:
    payload = {"v": _VERSION, "q": query, "s": "".join(sorted(set(seen)))}
    raw = json.dumps(payload, separators=(",", ":")).encode("ascii")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode(token: str, query: str) -> frozenset[str]:
    """The story keys a token says were shown; UnknownPageError for a token that is malformed
    or belongs to another query or other options."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        payload = json.loads(raw)
        shown = payload["s"]
        valid = (
            isinstance(payload, dict)
            and payload.get("v") == _VERSION
            and isinstance(shown, str)
            and len(shown) % _KEY_CHARS == 0
            and len(shown) <= MAX_SEEN * _KEY_CHARS
        )
    except (binascii.Error, ValueError, KeyError, TypeError, UnicodeDecodeError):
        valid = False
    if not valid:
        raise UnknownPageError("page_token is not a token this service issued")
    if payload.get("q") != query:
        raise UnknownPageError(
            "page_token belongs to another query or other options: send the same query, "
            "filters, mode, sort and as_of as the page it came from"
        )
    return frozenset(shown[i : i + _KEY_CHARS] for i in range(0, len(shown), _KEY_CHARS))
