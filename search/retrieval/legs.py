"""The two retrieval legs, each run under the caller's filters and each focused filter."""

from __future__ import annotations

import time
from typing import Any

from haystack import Document, component, default_from_dict, default_to_dict

from search.embedding import Embedder
from search.query_analysis import QueryAnalysis
from search.retrieval.serde import shared_from_dict, shared_to_dict
from search.retrieval.types import LegRankings
from search.store.protocol import PassageStore


def _rankings(
    leg: str, main: list[Document], focused: list[list[Document]], started: float
) -> LegRankings:
    seconds = time.perf_counter() - started
    return LegRankings(leg, tuple(main), tuple(map(tuple, focused)), seconds)


def _check_depth(depth: int) -> None:
    if depth <= 0:
        raise ValueError(f"depth must be positive, got {depth}")


@component
class BM25Leg:
    """Lucene BM25 over the analysed terms, from any PassageStore.

    Usage:
        rankings = BM25Leg(store).run(analysis=analysis, depth=50)["rankings"]
        rankings.main[0].score
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
        started = time.perf_counter()
        terms = list(analysis.terms)
        main = self.store.bm25_search(terms, depth, analysis.filters)
        focused = [self.store.bm25_search(terms, depth, f) for f in analysis.focus_filters]
        return {"rankings": _rankings("bm25", main, focused, started)}

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
        started = time.perf_counter()
        vector = self.embedder.embed_query(analysis.dense_text or analysis.question)
        main = self.store.dense_search(vector, depth, analysis.filters)
        focused = [self.store.dense_search(vector, depth, f) for f in analysis.focus_filters]
        return {"rankings": _rankings("dense", main, focused, started)}

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
