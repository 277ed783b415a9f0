"""The hybrid retriever: BM25 leg + dense leg, fused, grouped by story, each hit highlighted."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from haystack import Document, component

from search.analysis import analyze_query
from search.coverage import matched_idf_share, term_weights
from search.embedding import Embedder
from search.filters import SearchFilters
from search.fusion import FusedCandidate, fuse, fuse_rankings
from search.grouping import StoryGroup, group_candidates
from search.highlight import best_sentence
from search.question import read_question
from search.results import (
    AlsoReportedBy,
    FacetName,
    Fusion,
    Highlight,
    Hit,
    LegScore,
    Mode,
    ScoreBreakdown,
    SearchResponse,
    Source,
)
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
        group: bool | None = None,
    ) -> dict[str, list[Hit]]:
        if top_k <= 0:
            raise ValueError(f"top_k must be positive, got {top_k}")
        group = self.settings.group if group is None else group
        depth = max(top_k * (_GROUPING_DEPTH_FACTOR if group else 1), self.settings.candidates)
        terms = analyze_query(query)
        documents, frequencies = self.store.document_frequencies(terms) if terms else (0, {})
        weights_by_term = term_weights(terms, documents, frequencies)

        options = _LegOptions(mode, fusion, rrf_k, bm25_weight, dense_weight)
        fused = self._ranked(query, terms, weights_by_term, filters, depth, options)
        # Pure bm25 / dense modes stay pure: their scores mean what the leg says.
        focused = self.settings.question_aware and mode == "hybrid"
        focus = read_question(query, self.store.outlets()) if focused else None
        if focus:
            rankings = [fused] + [
                self._ranked(query, terms, weights_by_term, narrowed, depth, options)
                for narrowed in focus.filters(filters)
            ]
            focus_weight = self.settings.focus_weight
            fused = fuse_rankings(
                rankings,
                [1.0] + [focus_weight] * (len(rankings) - 1),
                rrf_k=self.settings.rrf_k if rrf_k is None else rrf_k,
            )

        grouped = group_candidates(fused) if group else [StoryGroup(c) for c in fused]
        return {
            "hits": [
                _hit(story.leader, story.others, query, weights_by_term)
                for story in grouped[:top_k]
            ]
        }

    def _ranked(
        self,
        query: str,
        terms: list[str],
        weights_by_term: Mapping[str, float],
        filters: SearchFilters | None,
        depth: int,
        options: _LegOptions,
    ) -> list[FusedCandidate]:
        """One fused ranking: the BM25 and dense legs under ``filters``."""
        legs: dict[str, list[Document]] = {}
        if options.mode in ("hybrid", "bm25"):
            legs["bm25"] = self.store.bm25_search(terms, depth, filters)
        if options.mode in ("hybrid", "dense"):
            legs["dense"] = self.store.dense_search(
                self.embedder.embed_query(query), depth, filters
            )
        if options.mode != "hybrid":
            return _single_leg(options.mode, legs[options.mode])
        leg_weights = {
            "bm25": self.settings.bm25_weight
            if options.bm25_weight is None
            else options.bm25_weight,
            "dense": self.settings.dense_weight
            if options.dense_weight is None
            else options.dense_weight,
        }
        if self.settings.adaptive_bm25_weight and legs["bm25"]:
            share = matched_idf_share(
                weights_by_term, legs["bm25"][0], include_title=self.settings.bm25_include_title
            )
            floor = self.settings.adaptive_floor
            leg_weights["bm25"] *= share if share >= floor else share * share / floor
        return fuse(
            legs,
            leg_weights,
            method=options.fusion or self.settings.fusion,
            rrf_k=self.settings.rrf_k if options.rrf_k is None else options.rrf_k,
        )

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


@dataclass(frozen=True)
class _LegOptions:
    mode: Mode
    fusion: Fusion | None
    rrf_k: float | None
    bm25_weight: float | None
    dense_weight: float | None


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


def _highlight(query: str, document: Document, weights: Mapping[str, float]) -> Highlight | None:
    found = best_sentence(query, document.content or "", weights)
    if found is None:
        return None
    offset = int(document.meta["char_start"])
    return Highlight(text=found.text, char_start=offset + found.start, char_end=offset + found.end)


def _also_reported_by(candidate: FusedCandidate) -> AlsoReportedBy:
    meta = candidate.document.meta
    return AlsoReportedBy(
        article_id=meta["article_id"],
        outlet=meta.get("outlet"),
        title=meta["title"],
        url=meta.get("url"),
        published_at=meta.get("published_at"),
        passage_id=candidate.document.id,
    )


def _hit(
    candidate: FusedCandidate,
    others: list[FusedCandidate],
    query: str,
    weights: Mapping[str, float],
) -> Hit:
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
        highlight=_highlight(query, document, weights),
        also_reported_by=[_also_reported_by(other) for other in others],
    )
