"""Big ingests answer 202 with a job; every ingest's outcome can be read back, even after the
connection that sent it dropped."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from api.app import create_app
from api.jobs import JobStore
from indexer.pipeline import ArticleOutcome, IndexSummary
from search.embedding import Embedder
from search.settings import ApiSettings, Settings
from tests.api.client import local_client
from tests.indexed import runtime_for
from tests.ui.live import live_server

KEY = "jobs-key"
AUTH = {"X-API-Key": KEY}


def _articles(count: int, topic: str = "tide") -> list[dict]:
    return [
        {
            "id": f"{topic}-{number}",
            "title": f"{topic.title()} report {number}",
            "source": "Coastal Wire",
            "body": f"The {topic} gauge at pier {number} read {number + 2} metres on Monday.",
        }
        for number in range(count)
    ]


def _settings(tmp_path: Path, sync_max: int = 2) -> Settings:
    api = ApiSettings(write_key=SecretStr(KEY), sync_ingest_max_articles=sync_max)
    return Settings(data_dir=tmp_path / "var", api=api)


@pytest.fixture
def client(tmp_path: Path, embedder: Embedder) -> Iterator[TestClient]:
    runtime = runtime_for(_settings(tmp_path), embedder)
    with local_client(create_app(runtime=runtime)) as test_client:
        yield test_client
    runtime.close()


def _wait_done(get_job, deadline_s: float = 60) -> dict:
    deadline = time.monotonic() + deadline_s
    while True:
        job = get_job()
        if job["status"] not in ("queued", "running") or time.monotonic() > deadline:
            return job
        time.sleep(0.1)


def test_a_small_batch_is_answered_when_written(client: TestClient) -> None:
    response = client.post("/v1/articles", json={"articles": _articles(2)}, headers=AUTH)
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "done" and (body["read"], body["indexed"]) == (2, 2)
    again = client.get(body["status_url"], headers=AUTH).json()
    assert again["results"] == body["results"]


def test_a_big_batch_answers_202_and_its_job_tells_what_was_written(client: TestClient) -> None:
    response = client.post("/v1/articles", json={"articles": _articles(3)}, headers=AUTH)
    assert response.status_code == 202
    accepted = response.json()
    assert response.headers["location"] == accepted["status_url"]
    assert accepted["status"] in ("queued", "running") and accepted["total"] == 3
    job = _wait_done(lambda: client.get(accepted["status_url"], headers=AUTH).json())
    assert job["status"] == "done" and job["indexed"] == 3 and job["error"] is None
    assert [r["article_id"] for r in job["results"]] == ["tide-0", "tide-1", "tide-2"]
    hits = client.get("/v1/search", params={"q": "tide gauge", "group": False}).json()["hits"]
    assert {hit["source"]["article_id"] for hit in hits} == {"tide-0", "tide-1", "tide-2"}
    listed = client.get("/v1/jobs", headers=AUTH).json()["jobs"]
    assert listed[0]["job_id"] == accepted["job_id"] and "results" not in listed[0]


def test_prefer_respond_async_gets_202_for_any_size(client: TestClient) -> None:
    headers = {**AUTH, "Prefer": "respond-async"}
    response = client.post("/v1/articles", json={"articles": _articles(1)}, headers=headers)
    assert response.status_code == 202
    assert response.headers["preference-applied"] == "respond-async"


def test_jobs_are_for_the_key_holder(client: TestClient) -> None:
    assert client.get("/v1/jobs").status_code == 401
    assert client.get("/v1/jobs/" + "0" * 32, headers=AUTH).status_code == 404
    assert client.get("/v1/jobs/not-a-job", headers=AUTH).status_code == 422


def test_after_a_dropped_connection_the_job_tells_what_was_written(
    tmp_path: Path, embedder: Embedder
) -> None:
    runtime = runtime_for(_settings(tmp_path, sync_max=32), embedder)
    try:
        with live_server(runtime) as base_url:
            body = json.dumps({"articles": _articles(4, topic="ferry")}).encode()
            address = urlsplit(base_url)
            with (
                httpx.Client(base_url=base_url, headers=AUTH) as api,
                socket.create_connection((address.hostname, address.port)) as connection,
            ):
                connection.sendall(
                    b"POST /v1/articles HTTP/1.1\r\nHost: localhost\r\n"
                    + f"X-API-Key: {KEY}\r\nContent-Type: application/json\r\n".encode()
                    + f"Content-Length: {len(body)}\r\n\r\n".encode()
                    + body
                )
                deadline = time.monotonic() + 30
                while not api.get("/v1/jobs").json()["jobs"] and time.monotonic() < deadline:
                    time.sleep(0.05)
                connection.close()  # the caller gives up before the answer comes
                # ...and later asks what became of its request.
                newest = api.get("/v1/jobs").json()["jobs"][0]["status_url"]
                job = _wait_done(lambda: api.get(newest).json())
                assert job["status"] == "done" and job["indexed"] == 4, job
                hits = api.get("/v1/search", params={"q": "ferry gauge", "group": False}).json()
                assert len({hit["source"]["article_id"] for hit in hits["hits"]}) == 4
    finally:
        runtime.close()


def test_a_job_cut_short_by_a_stop_reads_interrupted_with_what_it_wrote(tmp_path: Path) -> None:
    path = tmp_path / "jobs.sqlite3"
    jobs = JobStore(path)
    job_id = jobs.create(total=3)
    jobs.start(job_id)
    written = IndexSummary(read=1, indexed=1, outcomes=[ArticleOutcome("indexed", "a")])
    jobs.record(job_id, written)
    jobs.close()  # the process stops here, mid-job

    reopened = JobStore(path)
    job = reopened.get(job_id)
    assert job is not None and job.status == "interrupted" and job.error
    assert (job.total, job.read, job.indexed) == (3, 1, 1)
    assert [result.article_id for result in job.results] == ["a"]
    reopened.close()


def test_old_finished_jobs_are_pruned(tmp_path: Path) -> None:
    jobs = JobStore(tmp_path / "jobs.sqlite3", keep=3)
    ids = []
    for _ in range(5):
        job_id = jobs.create(total=0)
        jobs.finish(job_id, "done")
        ids.append(job_id)
    kept = [job.job_id for job in jobs.recent(10)]
    assert len(kept) <= 4 and ids[-1] in kept and ids[0] not in kept
    jobs.close()
