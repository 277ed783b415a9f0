"""The retrieval Pipeline, assembled in this one place.

Usage:
    pipeline = retrieval_pipeline(store, embedder, RetrievalSettings())
    result = pipeline.run(
        {"query": {"query": "how far did the missile fly?"}, "stories": {"top_k": 3}}
    )
    result["stories"]["hits"][0].highlight.text
    Pipeline.loads(pipeline.dumps(), allowed_modules=["search.*"])  # the same, one store
"""

from __future__ import annotations

from haystack import Pipeline

from search.embedding import Embedder
from search.retrieval.fusion import HybridFusion
from search.retrieval.legs import BM25Leg, DenseLeg
from search.retrieval.ordering import Ordering
from search.retrieval.passages import PassageReader
from search.retrieval.query import QueryReader
from search.retrieval.second_stage import SecondStage
from search.retrieval.stories import StoryHits
from search.settings import RetrievalSettings
from search.store.protocol import PassageStore


def retrieval_pipeline(
    store: PassageStore, embedder: Embedder, settings: RetrievalSettings | None = None
) -> Pipeline:
    settings = settings or RetrievalSettings()
    params = str(settings.ranking_params) if settings.ranking_params else None
    pipeline = Pipeline()
    pipeline.add_component(
        "query",
        QueryReader(store, settings.question_aware, settings.max_focus_legs),
    )
    pipeline.add_component("bm25", BM25Leg(store, settings.candidates))
    pipeline.add_component("dense", DenseLeg(store, embedder, settings.candidates))
    pipeline.add_component(
        "fusion",
        HybridFusion(
            fusion=settings.fusion,
            rrf_k=settings.rrf_k,
            bm25_weight=settings.bm25_weight,
            dense_weight=settings.dense_weight,
            focus_weight=settings.focus_weight,
            params=params,
        ),
    )
    second_stage = SecondStage(settings.second_stage, settings.second_stage_depth, params)
    # What the second stage scores is read; the rest by story alone until shown or date-ordered.
    pipeline.add_component("passages", PassageReader(store, second_stage.reads))
    pipeline.add_component("second_stage", second_stage)
    pipeline.add_component("ordering", Ordering(settings.candidates, store))
    pipeline.add_component("stories", StoryHits(settings.group, store))
    for target in ("bm25", "dense", "fusion", "second_stage", "ordering", "stories"):
        pipeline.connect("query.analysis", f"{target}.analysis")
    pipeline.connect("bm25.rankings", "fusion.bm25")
    pipeline.connect("dense.rankings", "fusion.dense")
    pipeline.connect("fusion.candidates", "passages.candidates")
    pipeline.connect("passages.candidates", "second_stage.candidates")
    pipeline.connect("second_stage.candidates", "ordering.candidates")
    pipeline.connect("ordering.candidates", "stories.candidates")
    return pipeline
