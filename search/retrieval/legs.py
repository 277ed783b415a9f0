"""The two retrieval legs, each run under the caller's filters and each focused filter."""

from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
from haystack import Document, component, default_from_dict, default_to_dict

from search.embedding import Embedder
from search.query_analysis import QueryAnalysis
from search.retrieval.serde import shared_from_dict, shared_to_dict
from search.retrieval.types import LegRankings
from search.store.protocol import PassageStore, Ranking

# The legs run here, side by side, while the Pipeline moves on; fusion waits for both. Tantivy
# and the model release the GIL, so on two cores a question costs about its slower leg rather
# than both (at a million passages: ~42 instead of ~58 ms for the two store calls).
_LEGS = ThreadPoolExecutor(
    max_workers=max(4, 2 * (os.cpu_count() or 1)), thread_name_prefix="newsdesk-leg"
)


def _rankings(
    leg: str, main: Ranking, focused: list[Ranking], best: Document | None, started: float
) -> LegRankings:
    seconds = time.perf_counter() - started
    return LegRankings(leg, tuple(main), tuple(map(tuple, focused)), best, seconds)


def _check_depth(depth: int) -> None:
    if depth <= 0:
        raise ValueError(f"depth must be positive, got {depth}")


@component
class BM25Leg:
    """Lucene BM25 over the analysed terms, from any PassageStore: (key, score) pairs under the
    caller's filters and under each focused filter, in one store call. Only the best passage is
    read (fusion's coverage signal needs its terms).

    Usage:
        rankings = BM25Leg(store).run(analysis=analysis, depth=50)["rankings"]
        key, score = rankings.main[0]
    """

    def __init__(self, store: PassageStore, depth: int = 50) -> None:
        _check_depth(depth)
        self.store = store
        self.depth = depth

    @component.output_types(rankings=LegRankings)
    def run(self, analysis: QueryAnalysis, depth: int | None = None) -> dict[str, LegRankings]:
        depth = depth or self.depth
        _check_depth(depth)
        if analysis.mode == "dense" or not analysis.terms or not analysis.answerable:
            return {"rankings": LegRankings("bm25")}
        terms = list(analysis.terms)
        filter_sets = [analysis.filters, *analysis.focus_filters]
        return {
            "rankings": LegRankings.later(
                "bm25", _LEGS.submit(self._rank, terms, depth, filter_sets)
            )
        }

    def _rank(self, terms: list[str], depth: int, filter_sets: list) -> LegRankings:
        started = time.perf_counter()
        main, *focused = self.store.bm25_rankings(terms, depth, filter_sets)
        best = self.store.hydrate([main[0][0]]).get(main[0][0]) if main else None
        return _rankings("bm25", main, focused, best, started)

    def to_dict(self) -> dict[str, Any]:
        return default_to_dict(self, store=shared_to_dict(self.store), depth=self.depth)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> BM25Leg:
        data["init_parameters"]["store"] = shared_from_dict(data["init_parameters"]["store"])
        return default_from_dict(cls, data)


@component
class DenseLeg:
    """Nearest passages to the question's embedding (the question is embedded once).

    Usage:
        rankings = DenseLeg(store, embedder).run(analysis=analysis, depth=50)["rankings"]
    """

    def __init__(self, store: PassageStore, embedder: Embedder, depth: int = 50) -> None:
        _check_depth(depth)
        self.store = store
        self.embedder = embedder
        self.depth = depth

    @component.output_types(rankings=LegRankings)
    def run(self, analysis: QueryAnalysis, depth: int | None = None) -> dict[str, LegRankings]:
        depth = depth or self.depth
        _check_depth(depth)
        if analysis.mode == "bm25" or not analysis.answerable:
            return {"rankings": LegRankings("dense")}
        text = analysis.dense_text or analysis.question
        filter_sets = [analysis.filters, *analysis.focus_filters]
        return {
            "rankings": LegRankings.later(
                "dense", _LEGS.submit(self._rank, text, depth, filter_sets)
            )
        }

    def _rank(self, text: str, depth: int, filter_sets: list) -> LegRankings:
        started = time.perf_counter()
        vector: np.ndarray = self.embedder.embed_query(text)
        main, *focused = self.store.dense_rankings(vector, depth, filter_sets)
        return _rankings("dense", main, focused, None, started)

    def to_dict(self) -> dict[str, Any]:
        return default_to_dict(
            self,
            store=shared_to_dict(self.store),
            embedder=shared_to_dict(self.embedder),
            depth=self.depth,
        )

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DenseLeg:
        parameters = data["init_parameters"]
        parameters["store"] = shared_from_dict(parameters["store"])
        parameters["embedder"] = shared_from_dict(parameters["embedder"])
        return default_from_dict(cls, data)
