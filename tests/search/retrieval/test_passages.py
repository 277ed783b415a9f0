"""Reading only what fusion keeps: the legs rank keys, the second stage's candidates are read,
the others only by article and story, and the page's other passages when shown."""

from haystack import Pipeline

from api.runtime import Runtime
from search.retrieval.pipeline import retrieval_pipeline
from tests.conftest import MISSILE_QUESTION


def _pipeline(runtime: Runtime, reads: int) -> Pipeline:
    # Without the second stage, which scores (and so needs read) its whole depth.
    settings = runtime.settings.retrieval.model_copy(update={"second_stage": False})
    pipeline = retrieval_pipeline(runtime.store, runtime.embedder, settings)
    pipeline.get_component("passages").depth = reads
    return pipeline


def _hits(pipeline: Pipeline, question: str) -> list[dict]:
    result = pipeline.run({"query": {"query": question}, "stories": {"top_k": 5}})
    return [hit.model_dump() for hit in result["stories"]["hits"]]


def test_reading_only_the_first_candidate_changes_no_hit(seeded_runtime: Runtime) -> None:
    everything, first_only = _pipeline(seeded_runtime, 1000), _pipeline(seeded_runtime, 1)
    for question in (MISSILE_QUESTION, "North Korea missile launch", "interest rates"):
        assert _hits(first_only, question) == _hits(everything, question)
    # Copies of the missile story ranked past the first candidate were grouped by their story
    # keys alone, then read to be shown under "also reported by".
    missile = _hits(first_only, MISSILE_QUESTION)
    assert any(hit["also_reported_by"] for hit in missile)
