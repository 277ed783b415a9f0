"""Rankings under several filter sets in one pass: a retrieval's main leg and its focused legs.

A question that names outlets and days asks each leg for its main ranking and one ranking per
named outlet or day, each narrower than the main filters. Run as separate filtered searches they
cost a full search each (at a million passages ~8 ms for BM25). Here the sets share work:

- BM25: one search ``DEEP_FACTOR`` times deeper, under the set that admits every other set's
  passages (else unfiltered), split per set with the in-memory filter masks. Filters never add
  to a BM25 score and the order is Tantivy's either way, so each set's ranking is exactly the one
  its own search returns, whenever the deep list holds ``top_k`` of its passages or is complete
  (every match); only a set the deep list starves is searched on its own.
- dense (``VectorIndex.search_many``): each set searches as ``dense_ranking`` would (exact up to
  ``EXACT_SEARCH_LIMIT`` admitted passages, then by sign codes where they cost less than
  HNSW), except that the filtered sets left to HNSW share one search, deep enough for the
  narrowest of them.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from search.filters import SearchFilters
from search.store.embedded.columns import FilterColumns
from search.store.embedded.lexical import LexicalIndex
from search.store.embedded.vectors import within

# How much deeper than top_k the shared BM25 search reads. At a million passages a search 40x
# deeper costs ~1.4x one of top_k (benchmarks/README.md), and a named outlet's passages rank
# high in it, since every passage's BM25 text holds its outlet's name.
DEEP_FACTOR = 40

Ranking = list[tuple[int, float]]


def _narrowest_cover(masks: Sequence[np.ndarray]) -> int | None:
    """The index of a set that admits every passage any other set admits, if there is one."""
    for index, cover in enumerate(masks):
        if all(other is cover or not np.any(other > cover) for other in masks):
            return index
    return None


def _text_of(filter_sets: Sequence[SearchFilters | None]) -> tuple | None:
    """The phrases and exclusions every set shares, or None when they differ."""
    texts = [
        (None, None) if filters is None else (filters.phrases, filters.excluded)
        for filters in filter_sets
    ]
    return texts[0] if all(text == texts[0] for text in texts) else None


def bm25_rankings(
    lexical: LexicalIndex,
    columns: FilterColumns,
    terms: Sequence[str],
    top_k: int,
    filter_sets: Sequence[SearchFilters | None],
) -> list[Ranking]:
    if len(filter_sets) <= 1 or not terms or top_k <= 0:
        return [lexical.search(terms, top_k, filters) for filters in filter_sets]
    text = _text_of(filter_sets)
    masks = [columns.mask(filters) for filters in filter_sets]
    cover = _narrowest_cover(masks)
    # The masks know no phrases or exclusions: sets may share a search only if they share
    # those, and the search must check them (under a set, not unfiltered).
    if text is None or (cover is None and text != (None, None)):
        return [lexical.search(terms, top_k, filters) for filters in filter_sets]
    depth = top_k * DEEP_FACTOR
    deep = lexical.search(terms, depth, None if cover is None else filter_sets[cover])
    complete = len(deep) < depth
    rowids = np.fromiter((rowid for rowid, _ in deep), dtype=np.int64, count=len(deep))
    rankings: list[Ranking] = []
    for filters, mask in zip(filter_sets, masks, strict=True):
        kept = np.flatnonzero(within(mask, rowids))[:top_k]
        if kept.size < top_k and not complete and mask.any():
            rankings.append(lexical.search(terms, top_k, filters))
        else:
            rankings.append([deep[position] for position in kept.tolist()])
    return rankings
