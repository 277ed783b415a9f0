"""What both story indexes compute alike: an article's LSH band keys, and whether a candidate is
a confirmed copy.

MinHash over the article's BM25 terms, cut into LSH bands: two articles sharing any band key
are candidates (cheap, recall-weighted); the mean of their passage embeddings must then agree
(rewrites keep the meaning, not the words), and dated copies must appear within a few days.
A band key is a short string, so any store can index it as a keyword and look candidates up
with a ``terms`` query.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from datasketch import MinHash, MinHashLSH

from search.analysis import analyze
from search.articles import Article
from search.passages import published_timestamp
from search.settings import DedupSettings

_SECONDS_PER_DAY = 86_400
# Stored signatures are only comparable with ones made by the same hashing scheme.
_SCHEME = "affine64"
# Weighted towards recall: a missed candidate is a missed copy, while a false candidate costs
# one vector comparison before the embeddings reject it.
_LSH_WEIGHTS = (0.2, 0.8)  # (false positives, false negatives)
# Candidates confirmed per article, those sharing the most (and rarest) band keys first:
# unrelated articles share a band now and then, true copies share several.
MAX_CANDIDATES = 200


@lru_cache(maxsize=8)
def _bands(threshold: float, num_perm: int) -> tuple[tuple[int, int], ...]:
    """The (start, end) hash ranges of each band, as datasketch chooses them for the threshold."""
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm, weights=_LSH_WEIGHTS)
    return tuple((int(start), int(end)) for start, end in lsh.hashranges)


@dataclass(frozen=True)
class StoryMember:
    """One article as the story index keeps it."""

    article_id: str
    bands: tuple[str, ...]
    centroid: np.ndarray  # unit length
    published_ts: int | None

    @classmethod
    def of(cls, article: Article, centroid: np.ndarray, settings: DedupSettings) -> StoryMember:
        minhash = MinHash(num_perm=settings.num_perm, scheme=_SCHEME)
        minhash.update_batch([term.encode() for term in set(analyze(article.body))])
        vector = np.asarray(centroid, dtype=np.float32)
        return cls(
            article_id=article.id,
            bands=band_keys(minhash.hashvalues, settings),
            centroid=vector / max(float(np.linalg.norm(vector)), 1e-12),
            published_ts=published_timestamp(article.published_at),
        )

    def is_copy_of(
        self, centroid: np.ndarray, published_ts: int | None, settings: DedupSettings
    ) -> bool:
        """Does the other article (its centroid and date) tell the same story?"""
        if float(np.asarray(centroid, dtype=np.float32) @ self.centroid) < settings.min_cosine:
            return False
        if self.published_ts is None or published_ts is None:
            return True
        days_apart = abs(self.published_ts - published_ts) / _SECONDS_PER_DAY
        return days_apart <= settings.max_days_apart


def band_keys(hashvalues: np.ndarray, settings: DedupSettings) -> tuple[str, ...]:
    """One key per LSH band: the band's number and a digest of its hash values."""
    values = np.asarray(hashvalues, dtype="<u8")
    return tuple(
        f"{number}:{hashlib.blake2b(values[start:end].tobytes(), digest_size=8).hexdigest()}"
        for number, (start, end) in enumerate(_bands(settings.jaccard_threshold, settings.num_perm))
    )


@dataclass(frozen=True)
class Candidate:
    """A stored article sharing band keys with the one being assigned."""

    article_id: str
    cluster_id: str | None  # None while its own assignment is in flight (Elasticsearch only)
    centroid: np.ndarray
    published_ts: int | None
    order: tuple[int, ...]  # the order it was written in, comparable across processes


def earliest_copy(
    member: StoryMember,
    order: tuple[int, ...],
    candidates: Sequence[Candidate],
    settings: DedupSettings,
) -> Candidate | None:
    """The earliest-written confirmed copy written before ``member`` (at ``order``), if any.

    Ignoring later copies is what makes concurrent writers agree: of two copies written at the
    same time, the later one always sees the earlier (the store guarantees it) and joins its
    story, while the earlier one starts or joins its own, whether it saw the later one or not.
    """
    earlier = [
        candidate
        for candidate in candidates
        if candidate.order < order
        and member.is_copy_of(candidate.centroid, candidate.published_ts, settings)
    ]
    return min(earlier, key=lambda candidate: candidate.order, default=None)
