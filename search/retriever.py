"""The hybrid retriever: BM25 leg + dense leg, fused, each hit with its score breakdown."""

from __future__ import annotations

import time

from haystack import Document, component

from search.analysis import analyze_query
from search.coverage import matched_idf_share
from search.embedding import Embedder
from search.filters import SearchFilters
from search.fusion import FusedCandidate, fuse
from search.results import Fusion, Hit, LegScore, Mode, ScoreBreakdown, SearchResponse, Source
from search.settings import RetrievalSettings
from search.store.protocol import PassageStore


@component
class HybridRetriever:
    """Answers a question with ranked, attributed passages from any PassageStore.

    Usage:
        retriever = HybridRetriever(store, embedder, RetrievalSettings())
        hits = retriever.run(query="how far did the missile fly?", top_k=3)["hits"]
        print(hits[0].text, hits[0].source.outlet)
    """

    def __init__(
        self, store: PassageStore, embedder: Embedder, settings: RetrievalSettings | None = None
    ) -> None:
        self.store = store
        self.embedder = embedder
        self.settings = settings or RetrievalSettings()

    @component.output_types(hits=list[Hit])
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
    ) -> dict[str, list[Hit]]:
        if top_k <= 0:
            raise ValueError(f"top_k must be positive, got {top_k}")
        depth = max(top_k, self.settings.candidates)
        terms = analyze_query(query)
        legs: dict[str, list[Document]] = {}
        if mode in ("hybrid", "bm25"):
            legs["bm25"] = self.store.bm25_search(terms, depth, filters)
        if mode in ("hybrid", "dense"):
            legs["dense"] = self.store.dense_search(
                self.embedder.embed_query(query), depth, filters
            )
        weights = {
            "bm25": self.settings.bm25_weight if bm25_weight is None else bm25_weight,
            "dense": self.settings.dense_weight if dense_weight is None else dense_weight,
        }
        if mode == "hybrid" and self.settings.adaptive_bm25_weight and legs["bm25"]:
            weights["bm25"] *= self._lexical_confidence(terms, legs["bm25"][0])
        if mode != "hybrid":
            fused = _single_leg(mode, legs[mode])
        else:
            fused = fuse(
                legs,
                weights,
                method=fusion or self.settings.fusion,
                rrf_k=self.settings.rrf_k if rrf_k is None else rrf_k,
            )
        return {"hits": [_hit(candidate) for candidate in fused[:top_k]]}

    def _lexical_confidence(self, terms: list[str], best_hit: Document) -> float:
        documents, frequencies = self.store.document_frequencies(terms)
        return matched_idf_share(
            terms,
            best_hit,
            documents,
            frequencies,
            include_title=self.settings.bm25_include_title,
        )

    def search(self, query: str, **options: object) -> SearchResponse:
        """``run`` plus timing, in the response shape shared by the CLI and the API."""
        started = time.perf_counter()
        hits = self.run(query=query, **options)["hits"]  # type: ignore[arg-type]
        took_ms = round((time.perf_counter() - started) * 1000, 2)
        mode = options.get("mode", "hybrid")
        return SearchResponse(query=query, mode=mode, took_ms=took_ms, hits=hits)  # type: ignore[arg-type]


def _single_leg(leg: str, documents: list[Document]) -> list[FusedCandidate]:
    """One leg alone: its own score is the score, so thresholds keep their meaning."""
    return [
        FusedCandidate(
            document=document,
            fused=float(document.score or 0.0),
            legs={leg: LegScore(rank=rank, score=float(document.score or 0.0))},
        )
        for rank, document in enumerate(documents, start=1)
    ]


def _hit(candidate: FusedCandidate) -> Hit:
    document = candidate.document
    meta = document.meta
    return Hit(
        passage_id=document.id,
        text=document.content or "",
        score=round(candidate.fused, 6),
        scores=ScoreBreakdown(
            bm25=candidate.legs.get("bm25"),
            dense=candidate.legs.get("dense"),
            fused=round(candidate.fused, 6),
        ),
        source=Source(
            article_id=meta["article_id"],
            title=meta["title"],
            outlet=meta.get("outlet"),
            url=meta.get("url"),
            published_at=meta.get("published_at"),
            author=meta.get("author"),
            char_start=meta["char_start"],
            char_end=meta["char_end"],
        ),
    )
