import os
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.runtime import Runtime
from tests.api.client import local_client
from tests.conftest import MISSILE_QUESTION


@pytest.fixture
def client(seeded_runtime: Runtime) -> Iterator[TestClient]:
    with local_client(create_app(runtime=seeded_runtime)) as test_client:
        yield test_client


def _assert_slices_its_article(runtime: Runtime, hit: dict) -> None:
    article = runtime.store.get_article(hit["source"]["article_id"])
    assert article is not None
    assert article.body[hit["source"]["char_start"] : hit["source"]["char_end"]] == hit["text"]


def test_get_search_answers_the_missile_question(
    client: TestClient, seeded_runtime: Runtime
) -> None:
    response = client.get("/v1/search", params={"q": MISSILE_QUESTION, "top_k": 3})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {
        "query", "mode", "took_ms", "hits", "facets", "sort", "time", "syntax", "next_page_token"
    }  # fmt: skip
    assert body["facets"] is None
    assert body["mode"] == "hybrid" and len(body["hits"]) == 3
    first = body["hits"][0]
    assert "700" in first["text"]
    assert set(first) == {
        "passage_id",
        "text",
        "score",
        "scores",
        "source",
        "highlight",
        "also_reported_by",
    }
    assert "700" in first["highlight"]["text"]
    assert any(other["title"].startswith("002") for other in first["also_reported_by"]) or (
        first["source"]["title"].startswith("002")
    )
    assert set(first["source"]) == {
        "article_id",
        "title",
        "outlet",
        "url",
        "published_at",
        "author",
        "char_start",
        "char_end",
    }
    # the existing fields, plus the fusion applied and the second stage (fields added only)
    assert set(first["scores"]) == {
        "bm25", "dense", "fused", "weights", "focus_rank", "second_stage",
    }  # fmt: skip
    assert first["score"] == first["scores"]["second_stage"]
    assert first["scores"]["weights"]["adaptive"] is True
    _assert_slices_its_article(seeded_runtime, first)


def test_post_search_takes_filters_and_weights(client: TestClient) -> None:
    response = client.post(
        "/v1/search",
        json={"q": MISSILE_QUESTION, "top_k": 2, "mode": "hybrid", "bm25_weight": 0, "rrf_k": 5},
    )
    assert response.status_code == 200
    assert len(response.json()["hits"]) == 2
    applied = response.json()["hits"][0]["scores"]["weights"]
    assert (applied["bm25"], applied["dense"], applied["rrf_k"]) == (0, 1, 5)
    assert applied["adaptive"] is False
    filtered = client.post("/v1/search", json={"q": MISSILE_QUESTION, "outlet": ["Nobody"]})
    assert filtered.status_code == 200 and filtered.json()["hits"] == []


def test_get_and_post_return_the_same_hits(client: TestClient) -> None:
    got = client.get("/v1/search", params={"q": MISSILE_QUESTION, "mode": "bm25"}).json()
    posted = client.post("/v1/search", json={"q": MISSILE_QUESTION, "mode": "bm25"}).json()
    assert [h["passage_id"] for h in got["hits"]] == [h["passage_id"] for h in posted["hits"]]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"q": ""}, "q"),
        ({"q": "   "}, "q"),
        ({"q": "x" * 1001}, "q"),
        ({"q": "missile", "top_k": 0}, "top_k"),
        ({"q": "missile", "top_k": 101}, "top_k"),
        ({"q": "missile", "top_k": "many"}, "top_k"),
        ({"q": "missile", "mode": "magic"}, "mode"),
        ({}, "q"),
    ],
)
def test_bad_requests_get_422_naming_the_field(
    client: TestClient, params: dict, field: str
) -> None:
    response = client.get("/v1/search", params=params)
    assert response.status_code == 422
    assert any(field in error["loc"] for error in response.json()["detail"])


def test_post_rejects_unknown_fields_and_bad_dates(client: TestClient) -> None:
    unknown = client.post("/v1/search", json={"q": "missile", "topk": 3})
    assert unknown.status_code == 422
    bad_date = client.post("/v1/search", json={"q": "missile", "published_after": "yesterday"})
    assert bad_date.status_code == 422
    not_json = client.post("/v1/search", content=b"{", headers={"content-type": "application/json"})
    assert not_json.status_code == 422


def test_health_reports_the_store_its_counts_and_what_runs_here(client: TestClient) -> None:
    body = client.get("/health").json()
    assert body["status"] == "ok"
    assert body["store"] == {"backend": "embedded", "status": "up"}
    assert body["articles"] == 3
    # What runs here: the model as its runtime reports it, and this process's share.
    assert body["embedding"]["backend"] == "openvino"
    assert body["embedding"]["inference_threads"] >= 1
    assert body["process"] == {"pid": os.getpid(), "search_slots": os.cpu_count()}


def test_openapi_docs_are_served(client: TestClient) -> None:
    assert client.get("/docs").status_code == 200
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/v1/search", "/health"} <= set(paths)


def test_pages_over_http_share_no_story(client: TestClient) -> None:
    first = client.get("/v1/search", params={"q": "missile", "top_k": 1, "group": "false"}).json()
    token = first["next_page_token"]
    assert token
    second = client.get(
        "/v1/search", params={"q": "missile", "top_k": 1, "group": "false", "page_token": token}
    ).json()
    assert second["hits"]
    assert second["hits"][0]["source"]["article_id"] != first["hits"][0]["source"]["article_id"]
    posted = client.post(
        "/v1/search", json={"q": "missile", "top_k": 1, "group": False, "page_token": token}
    ).json()
    assert [hit["passage_id"] for hit in posted["hits"]] == [
        hit["passage_id"] for hit in second["hits"]
    ]


@pytest.mark.parametrize(
    ("params", "problem"),
    [
        ({"q": "missile", "page_token": "a b"}, "page_token"),
        ({"q": "missile", "sort": "newest"}, "sort"),
        ({"q": "missile", "as_of": "yesterday"}, "as_of"),
    ],
)
def test_bad_paging_sort_and_as_of_are_4xx(
    client: TestClient, params: dict[str, str], problem: str
) -> None:
    response = client.get("/v1/search", params=params)
    assert response.status_code == 422
    assert problem in response.text


def test_a_token_this_service_did_not_issue_is_not_found(client: TestClient) -> None:
    response = client.get("/v1/search", params={"q": "missile", "page_token": "bm90IGEgdG9rZW4"})
    assert response.status_code == 404
    assert "not a token" in response.json()["detail"]


def test_the_response_says_how_syntax_and_time_were_read(client: TestClient) -> None:
    body = client.get(
        "/v1/search",
        params={"q": 'what was reported last week about "ballistic missile" -Japan'},
    ).json()
    assert body["syntax"]["phrases"] == ["ballistic missile"]
    assert body["syntax"]["excluded"] == ["Japan"]
    assert body["time"]["applied"] == "filter" and body["time"]["words"] == ["last week"]
    assert body["hits"] == []  # the seed reports are undated: none was published last week
