import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from api.app import create_app
from api.runtime import Runtime
from search.embedding import Embedder
from search.retriever import HybridRetriever
from search.settings import ApiSettings, Settings
from search.store.embedded import EmbeddedStore
from search.store.protocol import IndexedArticle
from tests.api.client import local_client
from tests.conftest import REPO
from tests.indexed import runtime_for
from tests.store.corpus import numbered

KEY = "s3cret-key"
ARTICLES = [
    {
        "id": "bridge",
        "title": "Harbor bridge reopens",
        "source": "Lakeside Courier",
        "author": "Mara Quill",
        "language": "en",
        "published_at": "2026-03-02T08:30:00Z",
        "body": "The Harbor Street bridge reopened on Monday after six months of repairs.",
    },
    {
        "id": "festival",
        "title": "Orchard festival draws record crowd",
        "source": "Northfield Daily",
        "language": "en",
        "published_at": "2026-09-21T19:10:00Z",
        "body": "The orchard festival drew 12,000 visitors; the bridge to the fair was packed.",
    },
]


def _client(settings: Settings, embedder: Embedder) -> Iterator[TestClient]:
    runtime = runtime_for(settings, embedder)
    with local_client(create_app(runtime=runtime)) as client:
        yield client
    runtime.close()


@pytest.fixture
def client(tmp_path: Path, embedder: Embedder) -> Iterator[TestClient]:
    settings = Settings(
        data_dir=tmp_path / "var", api=ApiSettings(write_key=SecretStr(KEY), max_upload_bytes=4000)
    )
    yield from _client(settings, embedder)


def _auth(key: str = KEY) -> dict[str, str]:
    return {"X-API-Key": key}


def test_writes_need_the_right_key(client: TestClient) -> None:
    body = {"articles": ARTICLES}
    assert client.post("/v1/articles", json=body).status_code == 401
    assert client.post("/v1/articles", json=body, headers=_auth("wrong")).status_code == 401
    assert client.delete("/v1/articles/bridge").status_code == 401
    bearer = {"Authorization": f"Bearer {KEY}"}
    assert client.post("/v1/articles", json=body, headers=bearer).status_code == 200


def test_writes_are_off_without_a_configured_key(tmp_path: Path, embedder: Embedder) -> None:
    for client in _client(Settings(data_dir=tmp_path / "var"), embedder):
        response = client.post("/v1/articles", json={"articles": ARTICLES}, headers=_auth())
        assert response.status_code == 403
        assert "NEWSDESK_API__WRITE_KEY" in response.json()["detail"]


def test_ingest_reports_each_article_and_delete_takes_effect(client: TestClient) -> None:
    bad = {"title": "no body"}
    response = client.post("/v1/articles", json={"articles": [*ARTICLES, bad]}, headers=_auth())
    assert response.status_code == 200
    body = response.json()
    assert (body["read"], body["indexed"], body["rejected"]) == (3, 2, 1)
    statuses = {(r["article_id"], r["status"]) for r in body["results"]}
    assert {("bridge", "indexed"), ("festival", "indexed"), (None, "rejected")} == statuses
    assert any("no article text" in (r["reason"] or "") for r in body["results"])

    again = client.post("/v1/articles", json={"articles": ARTICLES}, headers=_auth()).json()
    assert again["unchanged"] == 2

    def found() -> set[str]:
        hits = client.get("/v1/search", params={"q": "bridge", "group": False}).json()["hits"]
        return {hit["source"]["article_id"] for hit in hits}

    assert found() == {"bridge", "festival"}
    assert client.delete("/v1/articles/bridge", headers=_auth()).status_code == 204
    assert found() == {"festival"}
    assert client.delete("/v1/articles/bridge", headers=_auth()).status_code == 404


def test_an_uploaded_file_is_read_by_its_content(client: TestClient, seeds: Path) -> None:
    text = (seeds / "002_1062b9361ec377fa.txt").read_bytes()[:3000]
    files = {"file": ("report.txt", text, "text/plain")}
    body = client.post("/v1/articles", files=files, headers=_auth()).json()
    assert body["indexed"] == 1
    [stored] = client.get("/v1/search", params={"q": "missile", "top_k": 1}).json()["hits"]
    assert stored["source"]["title"] == "report"
    assert stored["source"]["article_id"] == body["results"][0]["article_id"] != "report"


def test_a_body_over_the_cap_gets_413(client: TestClient) -> None:
    huge = {"articles": [dict(ARTICLES[0], body="word " * 2000)]}
    assert client.post("/v1/articles", json=huge, headers=_auth()).status_code == 413


def test_filters_and_facets(client: TestClient) -> None:
    client.post("/v1/articles", json={"articles": ARTICLES}, headers=_auth())
    by_author = client.post("/v1/search", json={"q": "bridge", "author": ["mara quill"]}).json()
    assert {h["source"]["article_id"] for h in by_author["hits"]} == {"bridge"}
    wrong_language = client.post("/v1/search", json={"q": "bridge", "language": ["fr"]}).json()
    assert wrong_language["hits"] == []
    after = client.post(
        "/v1/search", json={"q": "bridge", "published_after": "2026-06-01T00:00:00Z"}
    ).json()
    assert {h["source"]["article_id"] for h in after["hits"]} == {"festival"}

    faceted = client.get("/v1/search", params={"q": "bridge", "facets": "outlet,day"}).json()
    assert {(b["value"], b["count"]) for b in faceted["facets"]["outlet"]} == {
        ("Lakeside Courier", 1),
        ("Northfield Daily", 1),
    }
    assert [b["value"] for b in faceted["facets"]["day"]] == ["2026-03-02", "2026-09-21"]
    assert client.get("/v1/search", params={"q": "x", "facets": "color"}).status_code == 422


def test_a_delete_of_an_unknown_id_blocks_no_later_writer(
    client: TestClient, tmp_path: Path
) -> None:
    assert client.delete("/v1/articles/nope", headers=_auth()).status_code == 404
    started = time.monotonic()
    completed = subprocess.run(
        [sys.executable, "-m", "api.cli", "index", "-q", "examples/"],
        cwd=REPO,
        env={**os.environ, "NEWSDESK_DATA_DIR": str(tmp_path / "var")},
        capture_output=True,
        text=True,
        timeout=150,  # it used to wait 30 s per attempt, then reject all 5 articles
    )
    assert completed.returncode == 0, completed.stderr
    assert "read 5, indexed 5, unchanged 0, rejected 0" in completed.stdout
    print(f"newsdesk index after DELETE of an unknown id: {time.monotonic() - started:.1f} s")


def test_a_store_busy_with_another_writer_answers_503(tmp_path: Path, embedder: Embedder) -> None:
    settings = Settings(data_dir=tmp_path / "var", api=ApiSettings(write_key=SecretStr(KEY)))
    running = EmbeddedStore(settings.embedded_dir, dim=embedder.dim)
    item = numbered(0)
    vectors = np.ones((len(item.passages), embedder.dim), dtype=np.float32)
    running.write_articles([IndexedArticle(item.article, item.passages, vectors)])  # holds it
    store = EmbeddedStore(settings.embedded_dir, dim=embedder.dim, writer_wait_s=0.5)
    runtime = Runtime(settings, embedder, store, HybridRetriever(store, embedder))
    try:
        with local_client(create_app(runtime=runtime)) as busy:
            response = busy.post("/v1/articles", json={"articles": ARTICLES}, headers=_auth())
            assert response.status_code == 503
            assert "another process is writing" in response.json()["detail"]
            running.flush()
            response = busy.post("/v1/articles", json={"articles": ARTICLES}, headers=_auth())
            assert response.json()["indexed"] == 2
    finally:
        runtime.close()
        running.close()
