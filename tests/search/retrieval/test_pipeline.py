"""The retrieval path as a Haystack Pipeline: assembled in one place, serialisable, and its
Documents usable by any other component (a PromptBuilder here)."""

import pytest
from haystack import Pipeline
from haystack.components.builders import PromptBuilder

from api.runtime import Runtime
from search.retrieval.fusion import HybridFusion
from search.retrieval.legs import BM25Leg
from search.retrieval.pipeline import retrieval_pipeline
from search.retrieval.query import QueryReader
from search.retrieval.second_stage import SecondStage
from search.retrieval.stories import StoryHits
from tests.conftest import MISSILE_QUESTION

COMPONENTS = {
    "query": "search.retrieval.query.QueryReader",
    "bm25": "search.retrieval.legs.BM25Leg",
    "dense": "search.retrieval.legs.DenseLeg",
    "fusion": "search.retrieval.fusion.HybridFusion",
    "passages": "search.retrieval.passages.PassageReader",
    "second_stage": "search.retrieval.second_stage.SecondStage",
    "ordering": "search.retrieval.ordering.Ordering",
    "stories": "search.retrieval.stories.StoryHits",
}


def _ask(pipeline: Pipeline) -> list:
    result = pipeline.run({"query": {"query": MISSILE_QUESTION}, "stories": {"top_k": 3}})
    return result["stories"]["hits"]


def test_the_pipeline_dumps_and_loads_into_the_same_ranking(seeded_runtime: Runtime) -> None:
    pipeline = retrieval_pipeline(
        seeded_runtime.store, seeded_runtime.embedder, seeded_runtime.settings.retrieval
    )
    described = pipeline.to_dict()
    assert {name: c["type"] for name, c in described["components"].items()} == COMPONENTS
    store = described["components"]["bm25"]["init_parameters"]["store"]
    assert store["type"] == "search.store.embedded.store.EmbeddedStore"
    loaded = Pipeline.loads(pipeline.dumps(), allowed_modules=["search.*"])
    # one store for the three components that hold it, opened once
    instances = {id(loaded.get_component(name).store) for name in ("query", "bm25", "dense")}
    assert len(instances) == 1
    expected = [(hit.passage_id, hit.score) for hit in _ask(pipeline)]
    assert [(hit.passage_id, hit.score) for hit in _ask(loaded)] == expected
    loaded.get_component("bm25").store.close()


def test_a_prompt_builder_takes_the_documents(seeded_runtime: Runtime) -> None:
    pipeline = retrieval_pipeline(
        seeded_runtime.store, seeded_runtime.embedder, seeded_runtime.settings.retrieval
    )
    template = "{% for d in documents %}[{{ d.meta.title }}] {{ d.meta.highlight }}\n{% endfor %}"
    pipeline.add_component("prompt", PromptBuilder(template=template, required_variables="*"))
    pipeline.connect("stories.documents", "prompt.documents")
    result = pipeline.run({"query": {"query": MISSILE_QUESTION}, "stories": {"top_k": 2}})
    first = result["prompt"]["prompt"].splitlines()[0]
    assert "700" in first


@pytest.mark.parametrize(
    "build",
    [
        lambda: BM25Leg(None, depth=0),  # type: ignore[arg-type]
        lambda: QueryReader(None, max_focus_legs=-1),  # type: ignore[arg-type]
        lambda: HybridFusion(bm25_weight=-1),
        lambda: SecondStage(depth=0),
    ],
)
def test_components_refuse_bad_settings(build) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError):
        build()


def test_story_hits_refuse_a_non_positive_top_k() -> None:
    from search.query_analysis import QueryAnalysis
    from search.retrieval.types import Candidates

    with pytest.raises(ValueError, match="top_k"):
        StoryHits().run(analysis=QueryAnalysis(question="q"), candidates=Candidates(), top_k=0)
