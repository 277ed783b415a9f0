"""The retrieval graph walked directly answers exactly as ``Pipeline.run`` does, and hands a
Haystack tracer to ``Pipeline.run``."""

import logging
import re
from collections.abc import Iterator

import pytest
from haystack import tracing
from haystack.tracing.logging_tracer import LoggingTracer

from api.runtime import Runtime
from search.filters import SearchFilters
from search.retrieval.pipeline import retrieval_pipeline
from search.retrieval.runner import PipelineRunner
from tests.conftest import MISSILE_QUESTION

REQUESTS = [
    {"query": {"query": MISSILE_QUESTION}, "stories": {"top_k": 3}},
    {"query": {"query": MISSILE_QUESTION, "mode": "bm25"}, "stories": {"top_k": 5}},
    {
        "query": {"query": "missile launch", "filters": SearchFilters(outlets=["Reuters"])},
        "stories": {"top_k": 2, "group": False},
    },
    {"query": {"query": "what did the defence ministry say?", "mode": "dense"}},
]


@pytest.fixture
def logging_tracer() -> Iterator[None]:
    tracing.enable_tracing(LoggingTracer())
    try:
        yield
    finally:
        tracing.disable_tracing()


def _hits(outputs: dict) -> list[tuple[str, float, str]]:
    return [(hit.passage_id, hit.score, hit.highlight.text) for hit in outputs["stories"]["hits"]]


@pytest.mark.parametrize("request_data", REQUESTS)
def test_the_runner_answers_as_the_pipeline_does(
    seeded_runtime: Runtime, request_data: dict
) -> None:
    pipeline = retrieval_pipeline(
        seeded_runtime.store, seeded_runtime.embedder, seeded_runtime.settings.retrieval
    )
    expected = pipeline.run(request_data, include_outputs_from={"query", "fusion"})
    outputs = PipelineRunner(pipeline).run(request_data)
    assert set(outputs) == set(dict(pipeline.walk()))
    assert _hits(outputs) == _hits(expected)
    assert outputs["stories"]["documents"] == expected["stories"]["documents"]
    assert outputs["fusion"]["candidates"].weights == expected["fusion"]["candidates"].weights
    assert outputs["query"]["analysis"] == expected["query"]["analysis"]


def test_with_a_tracer_enabled_every_component_gets_its_span(
    seeded_runtime: Runtime, logging_tracer: None, caplog: pytest.LogCaptureFixture
) -> None:
    pipeline = retrieval_pipeline(
        seeded_runtime.store, seeded_runtime.embedder, seeded_runtime.settings.retrieval
    )
    untraced = PipelineRunner(pipeline)
    with caplog.at_level(logging.DEBUG, logger="haystack.tracing.logging_tracer"):
        outputs = untraced.run(REQUESTS[0])
    traced = {
        found.group(1)
        for record in caplog.records
        if (found := re.search(r"haystack\.component\.name=(\w+)", record.getMessage()))
    }
    assert traced >= {"query", "bm25", "dense", "fusion", "stories"}
    assert "700" in outputs["stories"]["hits"][0].highlight.text


@pytest.mark.parametrize("traced", [False, True])
def test_a_component_error_is_raised_as_it_is(
    seeded_runtime: Runtime, traced: bool, request: pytest.FixtureRequest
) -> None:
    if traced:
        request.getfixturevalue("logging_tracer")
    runner = PipelineRunner(
        retrieval_pipeline(
            seeded_runtime.store, seeded_runtime.embedder, seeded_runtime.settings.retrieval
        )
    )
    with pytest.raises(ValueError, match="top_k"):
        runner.run({"query": {"query": MISSILE_QUESTION}, "stories": {"top_k": 0}})
