"""How much of a question a passage's words cover, weighted by idf (the BM25 leg's own weights)."""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence

from haystack import Document

from search.analysis import analyze
from search.passages import bm25_text


def idf(documents: int, frequency: int) -> float:
    """Lucene's BM25 idf, the one both stores score with."""
    return math.log(1 + (documents - frequency + 0.5) / (frequency + 0.5))


def term_weights(
    query_terms: Sequence[str], documents: int, frequencies: Mapping[str, int]
) -> dict[str, float]:
    return {term: idf(documents, frequencies.get(term, 0)) for term in query_terms}


def indexed_terms(document: Document, *, include_title: bool = True) -> list[str]:
    """The passage's BM25 terms in text order: as the store returned them, else analysed."""
    stored = document.meta.get("terms")
    if isinstance(stored, str):
        return stored.split()
    return analyze(bm25_text(document, include_title=include_title))


def matched_share(weights: Mapping[str, float], present: Collection[str]) -> float:
    """Share (0..1) of the query terms' total idf that ``present`` contains."""
    total = sum(weights.values())
    if total <= 0:
        return 0.0
    return sum(weight for term, weight in weights.items() if term in present) / total


class QuestionShares:
    """``matched_share`` of one question's ``weights`` for many term sets (every sentence of every
    candidate): the weights are summed once, and only the question terms a set holds are visited,
    in the question's order, so each share is the same float ``matched_share`` gives."""

    def __init__(self, weights: Mapping[str, float]) -> None:
        self._weights = weights
        self._order = {term: at for at, term in enumerate(weights)}
        self.terms = frozenset(weights)
        self.total = sum(weights.values())
        # Every term found adds to a share (the idf of a term in fewer than half the passages).
        self.positive = all(weight > 0 for weight in weights.values())

    def __call__(self, present: Collection[str]) -> float:
        return self.held(present) / self.total if self.total > 0 else 0.0

    def held(self, present: Collection[str]) -> float:
        """The summed weight of the question's terms in ``present`` (in the question's order)."""
        found = self.terms.intersection(present)
        if not found:
            return 0.0
        return sum(map(self._weights.__getitem__, sorted(found, key=self._order.__getitem__)))


def matched_idf_share(
    weights: Mapping[str, float], best_hit: Document, *, include_title: bool
) -> float:
    """Share (0..1) of the query terms' total idf that the best BM25 hit contains."""
    return matched_share(weights, set(indexed_terms(best_hit, include_title=include_title)))
