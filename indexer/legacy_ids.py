"""Articles an older newsdesk stored under ids that have changed since.

Until issue 9 a plain-text file's id was its bare name ("story"), so two files of one name
overwrote each other; it is now derived from the file's path (``txt-…``). Re-indexing a folder
into a store written before that adds each file again under its new id, next to the old copy.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator

from indexer.readers import ReadResult
from search.articles import Article
from search.ids import TEXT_FILE_ID_PREFIX
from search.store.protocol import PassageStore


class LegacyTextIds:
    """Watches what an indexing run reads, then names the old copies of its text files.

    Usage:
        legacy = LegacyTextIds()
        indexer.index(legacy.watch(read_paths(paths)))
        old_ids = legacy.duplicates(store)
    """

    def __init__(self) -> None:
        # title (the old id) -> digests of the bodies read under that title; digests, not
        # bodies, so a large archive costs a few bytes per file.
        self._bodies: dict[str, set[str]] = {}

    def watch(self, items: Iterable[ReadResult]) -> Iterator[ReadResult]:
        for item in items:
            if isinstance(item, Article) and item.id.startswith(TEXT_FILE_ID_PREFIX):
                self._bodies.setdefault(item.title, set()).add(_digest(item.body))
            yield item

    def duplicates(self, store: PassageStore) -> list[str]:
        """Old ids (file names) holding the very text of a file read now under its new id."""
        found = []
        for old_id in store.article_hashes(list(self._bodies)):
            stored = store.get_article(old_id)
            if (
                stored is not None
                and stored.title == old_id
                and _digest(stored.body) in self._bodies[old_id]
            ):
                found.append(old_id)
        return sorted(found)


def _digest(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()
