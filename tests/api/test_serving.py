"""How a server runs its settings: defaults where the operator is silent, sized for its share
of the machine."""

from __future__ import annotations

import os

import pytest
from uvicorn.supervisors import Multiprocess

from api.serving import SERVER_QUERY_BATCH, serving
from api.workers import WORKERS_ENV, serve_workers
from search.settings import ApiSettings, EmbeddingSettings, Settings
from tests.api.served import free_port


def test_a_server_embeds_each_question_on_one_thread_unless_configured() -> None:
    assert serving(Settings()).embedding.threads == 1
    configured = Settings(embedding=EmbeddingSettings(threads=2))
    assert serving(configured).embedding.threads == 2


def test_a_server_lets_concurrent_questions_share_model_calls_unless_configured() -> None:
    assert serving(Settings()).embedding.query_batch == SERVER_QUERY_BATCH == 8
    configured = Settings(embedding=EmbeddingSettings(query_batch=1))
    assert serving(configured).embedding.query_batch == 1
    assert serving(configured).embedding.threads == 1


@pytest.mark.parametrize(
    ("cores", "workers", "slots"), [(2, 1, 2), (2, 2, 1), (16, 4, 4), (2, 3, 1)]
)
def test_each_server_process_runs_searches_on_its_share_of_the_cores(
    monkeypatch: pytest.MonkeyPatch, cores: int, workers: int, slots: int
) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: set(range(cores)), raising=False)
    sized = serving(Settings(api=ApiSettings(workers=workers)))
    assert sized.api.search_concurrency == slots
    assert sized.embedding.threads == 1  # the share's cores go to questions side by side


def test_what_the_operator_sets_wins_over_the_share() -> None:
    configured = Settings(
        api=ApiSettings(workers=2, search_concurrency=5), embedding=EmbeddingSettings(threads=3)
    )
    assert serving(configured).api.search_concurrency == 5
    assert serving(configured).embedding.threads == 3


def test_serve_workers_tells_its_workers_how_many_share_the_machine(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(WORKERS_ENV, "unset")  # restored to as it was: serve_workers sets it
    monkeypatch.delenv(WORKERS_ENV)
    started = []
    monkeypatch.setattr(Multiprocess, "run", lambda self: started.append(Settings().api.workers))
    serve_workers("127.0.0.1", free_port(), 3)
    assert started == [3]
    monkeypatch.setenv(WORKERS_ENV, "4")  # the operator's count wins
    serve_workers("127.0.0.1", free_port(), 3)
    assert started == [3, 4]
