"""The hybrid retriever: a thin facade over the retrieval Pipeline (``search.retrieval``).

Callers (the API, the CLI, MCP, evaluation, benchmarks) keep one object with ``run`` and
``search``; the work is done by the Pipeline's components.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from haystack import Document, Pipeline, component
from haystack.core.errors import PipelineRuntimeError

from search.analysis import analyze_query
from search.embedding import Embedder
from search.filters import SearchFilters
from search.results import FacetName, Fusion, Hit, Mode, SearchResponse
from search.retrieval.pipeline import retrieval_pipeline
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

    @component.output_types(hits=list[Hit], documents=list[Document])
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
    ) -> dict[str, list[Any]]:
        if top_k <= 0:
            raise ValueError(f"top_k must be positive, got {top_k}")
        group = self.settings.group if group is None else group
        depth = max(top_k * (_GROUPING_DEPTH_FACTOR if group else 1), self.settings.candidates)
        overrides = {
            "fusion": fusion,
            "rrf_k": rrf_k,
            "bm25_weight": bm25_weight,
            "dense_weight": dense_weight,
        }
        data = {
            "query": {"query": query, "mode": mode, "filters": filters},
            "bm25": {"depth": depth},
            "dense": {"depth": depth},
            "fusion": {k: v for k, v in overrides.items() if v is not None},
            "stories": {"top_k": top_k, "group": group},
        }
        try:
            return self.pipeline.run(data)["stories"]
        except PipelineRuntimeError as error:
            # The Pipeline wraps what a component raised; callers (and the API's error
            # mapping: store down -> 503) expect the error itself.
            if isinstance(error.__cause__, Exception):
                raise error.__cause__ from None
            raise

    def search(
        self, query: str, facets: Sequence[FacetName] = (), **options: object
    ) -> SearchResponse:
        """``run`` plus timing and facets, in the response shape shared by the CLI and the API."""
        started = time.perf_counter()
        hits = self.run(query=query, **options)["hits"]  # type: ignore[arg-type]
        counts = None
        if facets:
            filters = options.get("filters")
            counts = self.store.facets(
                analyze_query(query),
                filters if isinstance(filters, SearchFilters) else None,
                facets,
            )
        took_ms = round((time.perf_counter() - started) * 1000, 2)
        mode = options.get("mode") or "hybrid"
        return SearchResponse(
            query=query,
            mode=mode,  # type: ignore[arg-type]
            took_ms=took_ms,
            hits=hits,
            facets=counts,
        )
