"""Times the two legs and their fusion query by query, for any store behind two callables."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache

from haystack import Document

from benchmarks.corpus import BenchQuery
from benchmarks.measure import percentiles
from search.fusion import fuse
from search.ranking.params import load_params
from search.settings import RetrievalSettings
from search.store.protocol import PassageKey, Ranking


@cache
def default_fusion() -> tuple[dict[str, float], float]:
    """(leg weights, RRF constant) for a plain RRF of the two legs: the settings' fixed values
    where set, else equal weights and the fitted constant (the product picks the BM25 weight per
    question; a plain RRF costs the same whatever the weights)."""
    settings = RetrievalSettings()
    rrf_k = settings.rrf_k if settings.rrf_k is not None else load_params().fusion.rrf_k
    weights = {
        "bm25": 1.0 if settings.bm25_weight is None else settings.bm25_weight,
        "dense": 1.0 if settings.dense_weight is None else settings.dense_weight,
    }
    return weights, rrf_k


Leg = Callable[[BenchQuery], list[Document]]
RankedLeg = Callable[[BenchQuery], Ranking]
Hydrate = Callable[[list[PassageKey]], dict[PassageKey, Document]]


@dataclass
class PassTimes:
    """Milliseconds per query for each leg, for fusion, and for the whole hybrid query."""

    bm25: list[float] = field(default_factory=list)
    dense: list[float] = field(default_factory=list)
    fuse: list[float] = field(default_factory=list)
    hydrate: list[float] = field(default_factory=list)
    hybrid: list[float] = field(default_factory=list)
    hybrid_cpu: list[float] = field(default_factory=list)
    bm25_hits: int = 0
    dense_hits: int = 0

    def summary(self, first: int | None = None) -> dict[str, object]:
        """Percentiles per step (over the first ``first`` queries if given) and mean hit counts."""
        count = max(len(self.hybrid), 1)
        return {
            "bm25": percentiles(self.bm25[:first]),
            "dense": percentiles(self.dense[:first]),
            "fuse": percentiles(self.fuse[:first]),
            **({"hydrate": percentiles(self.hydrate[:first])} if self.hydrate else {}),
            "hybrid": percentiles(self.hybrid[:first]),
            "hybrid_cpu": percentiles(self.hybrid_cpu[:first]),
            "mean_bm25_hits": round(self.bm25_hits / count, 1),
            "mean_dense_hits": round(self.dense_hits / count, 1),
        }

    def raw(self) -> dict[str, list[float]]:
        return {
            name: [round(value, 3) for value in values]
            for name, values in (
                ("bm25", self.bm25),
                ("dense", self.dense),
                ("fuse", self.fuse),
                ("hybrid", self.hybrid),
                ("hybrid_cpu", self.hybrid_cpu),
            )
        }


def time_hybrid(queries: Sequence[BenchQuery], bm25: Leg, dense: Leg, top_k: int) -> PassTimes:
    """BM25 leg, dense leg, then RRF with the product's default weights, timed step by step."""
    weights, rrf_k = default_fusion()

    def fused(lexical: list, semantic: list) -> list:
        legs = {"bm25": lexical, "dense": semantic}
        return fuse(legs, weights, method="rrf", rrf_k=rrf_k)[:top_k]

    return _time_passes(queries, bm25, dense, fused, hydrate=None)


def fuse_keys(rankings: dict[str, Ranking], weights: dict[str, float], rrf_k: float) -> list:
    """Weighted RRF over (key, score) rankings: the keys, best first."""
    fused: dict[PassageKey, float] = {}
    for leg, ranking in rankings.items():
        for rank, (key, _) in enumerate(ranking, start=1):
            fused[key] = fused.get(key, 0.0) + weights[leg] / (rrf_k + rank)
    return sorted(fused, key=lambda key: -fused[key])


def time_ranked(
    queries: Sequence[BenchQuery], bm25: RankedLeg, dense: RankedLeg, hydrate: Hydrate, top_k: int
) -> PassTimes:
    """The store calls the product path is moving to: both legs as (key, score) rankings, RRF on
    the keys, then only the fused top_k hydrated into Documents."""
    weights, rrf_k = default_fusion()

    def fused(lexical: Ranking, semantic: Ranking) -> list:
        return fuse_keys({"bm25": lexical, "dense": semantic}, weights, rrf_k)[:top_k]

    return _time_passes(queries, bm25, dense, fused, hydrate=hydrate)


def _time_passes(
    queries: Sequence[BenchQuery],
    bm25: Callable[[BenchQuery], list],
    dense: Callable[[BenchQuery], list],
    fused: Callable[[list, list], list],
    hydrate: Hydrate | None,
) -> PassTimes:
    """Each query: BM25 leg, dense leg, fusion, then (when given) hydrating what fusion kept."""
    times = PassTimes()
    for query in queries:
        cpu_started = time.process_time()
        started = time.perf_counter()
        lexical = bm25(query)
        after_bm25 = time.perf_counter()
        semantic = dense(query)
        after_dense = time.perf_counter()
        kept = fused(lexical, semantic)
        after_fuse = time.perf_counter()
        if hydrate is not None:
            hydrate(kept)
        finished = time.perf_counter()
        times.hybrid_cpu.append((time.process_time() - cpu_started) * 1000)
        times.bm25.append((after_bm25 - started) * 1000)
        times.dense.append((after_dense - after_bm25) * 1000)
        times.fuse.append((after_fuse - after_dense) * 1000)
        if hydrate is not None:
            times.hydrate.append((finished - after_fuse) * 1000)
        times.hybrid.append((finished - started) * 1000)
        times.bm25_hits += len(lexical)
        times.dense_hits += len(semantic)
    return times
