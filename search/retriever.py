"""The hybrid retriever: a thin facade over the retrieval Pipeline (``search.retrieval``).

Callers (the API, the CLI, MCP, evaluation, benchmarks) keep one object with ``run`` and
``search``; the work is done by the Pipeline's components, walked by ``PipelineRunner``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from haystack import Document, Pipeline, component

from search import paging
from search.embedding import Embedder
from search.filters import SearchFilters
from search.query_analysis import QueryAnalysis
from search.results import FacetName, Fusion, Hit, Mode, SearchResponse, Sort
from search.retrieval.pipeline import retrieval_pipeline
from search.retrieval.runner import PipelineRunner
from search.retrieval.stories import hit_keys
from search.settings import RetrievalSettings
from search.store.protocol import PassageStore

# Grouping folds copies together; fetch deeper so that top_k distinct stories remain.
_GROUPING_DEPTH_FACTOR = 3


@component
class HybridRetriever:
    """Answers a question with ranked, attributed passages from any PassageStore.

    Usage:
        retriever = HybridRetriever(store, embedder, RetrievalSettings())
        hits = retriever.run(query="how far did the missile fly?", top_k=3)["hits"]
        print(hits[0].highlight.text, hits[0].source.outlet)
    """

    def __init__(
        self, store: PassageStore, embedder: Embedder, settings: RetrievalSettings | None = None
    ) -> None:
        self.store = store
        self.embedder = embedder
        self.settings = settings or RetrievalSettings()
        self.pipeline: Pipeline = retrieval_pipeline(store, embedder, self.settings)
        self._runner = PipelineRunner(self.pipeline)

    @component.output_types(
        hits=list[Hit],
        documents=list[Document],
        next_page_token=str,
        analysis=QueryAnalysis,
        leg_seconds=dict[str, float],
    )
    def run(
        self,
        query: str,
        top_k: int = 10,
        mode: Mode = "hybrid",
        filters: SearchFilters | None = None,
        fusion: Fusion | None = None,
        rrf_k: float | None = None,
        bm25_weight: float | None = None,
        dense_weight: float | None = None,
        group: bool | None = None,
        sort: Sort = "relevance",
        as_of: date | None = None,
        page_token: str | None = None,
    ) -> dict[str, Any]:
        """``next_page_token`` (None on the last page) fetches the next ``top_k`` stories when
        passed back as ``page_token`` with the same query and options."""
        if top_k <= 0:
            raise ValueError(f"top_k must be positive, got {top_k}")
        group = self.settings.group if group is None else group
        overrides = {
            "fusion": fusion,
            "rrf_k": rrf_k,
            "bm25_weight": bm25_weight,
            "dense_weight": dense_weight,
        }
        page_of = paging.fingerprint(
            query,
            mode,
            filters.model_dump(mode="json") if filters else None,
            overrides,
            group,
            sort,
            as_of,
        )
        seen = paging.decode(page_token, page_of) if page_token else frozenset()
        # Later pages look deeper: enough for the stories shown and the next top_k.
        wanted = len(seen) + top_k
        depth = max(wanted * (_GROUPING_DEPTH_FACTOR if group else 1), self.settings.candidates)
        data = {
            "query": {"query": query, "mode": mode, "filters": filters, "as_of": as_of},
            "bm25": {"depth": depth},
            "dense": {"depth": depth},
            "fusion": {k: v for k, v in overrides.items() if v is not None},
            "ordering": {"sort": sort, "window": depth},
            "stories": {"top_k": top_k, "group": group, "seen": seen},
        }
        result = self._runner.run(data)
        stories = result["stories"]
        shown = set(seen).union(*(hit_keys(hit) for hit in stories["hits"]))
        more = stories["more"] and len(stories["hits"]) == top_k and len(shown) <= paging.MAX_SEEN
        return {
            "hits": stories["hits"],
            "documents": stories["documents"],
            "next_page_token": paging.encode(page_of, shown) if more else None,
            "analysis": result["query"]["analysis"],
            "leg_seconds": {
                leg: result[leg]["rankings"].seconds
                for leg in ("bm25", "dense")
                if result[leg]["rankings"].seconds
            },
        }

    def search(
        self,
        query: str,
        facets: Sequence[FacetName] = (),
        on_leg: Callable[[str, float], None] | None = None,
        **options: Any,
    ) -> SearchResponse:
        """``run`` plus timing and facets, in the response shape shared by the CLI and the API.
        ``on_leg(leg, seconds)`` hears how long each retrieval leg that ran took."""
        started = time.perf_counter()
        result = self.run(query=query, **options)
        if on_leg is not None:
            for leg, seconds in result["leg_seconds"].items():
                on_leg(leg, seconds)
        analysis: QueryAnalysis = result["analysis"]
        counts = None
        if facets:
            counts = self.store.facets(list(analysis.terms), analysis.filters, facets)
        took_ms = round((time.perf_counter() - started) * 1000, 2)
        return SearchResponse(
            query=query,
            mode=options.get("mode") or "hybrid",
            took_ms=took_ms,
            hits=result["hits"],
            facets=counts,
            sort=options.get("sort") or "relevance",
            time=analysis.constraints.time,
            syntax=analysis.constraints.syntax,
            next_page_token=result["next_page_token"],
        )
