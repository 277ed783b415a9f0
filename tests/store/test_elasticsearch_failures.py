"""Failure behaviour without a real cluster: unreachable, silent, busy and refusing servers.

A tiny local HTTP server plays Elasticsearch's ``_bulk`` endpoint, so the retry and reporting
paths run for real through the official client.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from elasticsearch import Elasticsearch

from search.errors import StoreUnavailableError
from search.settings import ElasticsearchSettings
from search.store.elasticsearch import ElasticsearchStore
from search.store.elasticsearch.bulk import BulkPolicy, index_action, write_bulk
from search.store.elasticsearch.errors import BulkRejectedError, BulkUnavailableError
from tests.store.corpus import DIM, MISSILE, QUERY, indexed

FAST = BulkPolicy(max_retries=3, initial_backoff_s=0.01, max_backoff_s=0.02)
Answer = Callable[[int, list[dict[str, Any]]], tuple[int, dict[str, Any]]]


def _store(url: str, timeout_s: float) -> ElasticsearchStore:
    return ElasticsearchStore(ElasticsearchSettings(url=url, timeout_s=timeout_s), dim=DIM)


def test_an_unreachable_server_fails_fast_with_the_url() -> None:
    url = "http://127.0.0.1:9"  # the discard port: nothing listens there
    store = _store(url, timeout_s=2)  # building the store contacts nothing
    calls: list[Callable[[], object]] = [
        store.ping,
        store.counts,
        lambda: store.bm25_search(["missil"], 5),
        lambda: store.dense_search(QUERY, 5),
        lambda: store.write_articles([indexed(MISSILE)]),
        lambda: list(store.iter_articles()),
    ]
    for call in calls:
        started = time.monotonic()
        with pytest.raises(StoreUnavailableError, match=r"127\.0\.0\.1:9 is unreachable"):
            call()
        assert time.monotonic() - started < 2


def test_a_silent_server_times_out_within_the_configured_timeout() -> None:
    with socket.socket() as listener:  # accepts connections (backlog), never answers
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        store = _store(f"http://127.0.0.1:{listener.getsockname()[1]}", timeout_s=0.5)
        started = time.monotonic()
        with pytest.raises(StoreUnavailableError, match="did not answer in time"):
            store.ping()
        assert time.monotonic() - started < 2


@pytest.fixture
def fake_bulk() -> Iterator[Callable[[Answer], tuple[Elasticsearch, list[list[str]]]]]:
    """Start a fake ``_bulk`` endpoint answering with ``answer(attempt, actions)``."""
    servers: list[ThreadingHTTPServer] = []

    def start(answer: Answer) -> tuple[Elasticsearch, list[list[str]]]:
        seen: list[list[str]] = []

        class Handler(BaseHTTPRequestHandler):
            def do_PUT(self) -> None:  # the client sends _bulk as PUT
                self.do_POST()

            def do_POST(self) -> None:
                lines = self.rfile.read(int(self.headers["Content-Length"])).splitlines()
                actions = [json.loads(line) for line in lines[::2]]
                seen.append([next(iter(action.values()))["_id"] for action in actions])
                status, body = answer(len(seen), actions)
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("X-Elastic-Product", "Elasticsearch")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: object) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        client = Elasticsearch(f"http://127.0.0.1:{server.server_port}", max_retries=0)
        return client, seen

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def _items(actions: list[dict[str, Any]], status_of: Callable[[str], int]) -> dict[str, Any]:
    items = []
    for action in actions:
        doc_id = action["index"]["_id"]
        status = status_of(doc_id)
        item: dict[str, Any] = {"_index": "i", "_id": doc_id, "status": status}
        if status >= 300:
            busy = status == 429
            kind = "es_rejected_execution_exception" if busy else "document_parsing_exception"
            item["error"] = {"type": kind, "reason": f"refused {doc_id}"}
        items.append({"index": item})
    return {"took": 1, "errors": any(i["index"]["status"] >= 300 for i in items), "items": items}


ACTIONS = [index_action("i", f"doc-{n}", {"n": n}) for n in range(3)]


def test_busy_items_are_retried_until_accepted(fake_bulk: Any) -> None:
    # The first answer refuses doc-1 with 429 and doc-2 with 503; the retry accepts both.
    def answer(attempt: int, actions: list[dict[str, Any]]) -> tuple[int, dict[str, Any]]:
        busy = {"doc-1": 429, "doc-2": 503} if attempt == 1 else {}
        return 200, _items(actions, lambda doc_id: busy.get(doc_id, 201))

    client, seen = fake_bulk(answer)
    write_bulk(client, ACTIONS, url="fake", policy=FAST)
    assert seen == [["doc-0", "doc-1", "doc-2"], ["doc-1", "doc-2"]]


def test_a_whole_request_answered_503_is_retried(fake_bulk: Any) -> None:
    def answer(attempt: int, actions: list[dict[str, Any]]) -> tuple[int, dict[str, Any]]:
        if attempt < 3:
            return 503, {"error": {"type": "unavailable_shards_exception", "reason": "busy"}}
        return 200, _items(actions, lambda doc_id: 201)

    client, seen = fake_bulk(answer)
    write_bulk(client, ACTIONS, url="fake", policy=FAST)
    assert len(seen) == 3


def test_a_server_that_stays_busy_raises_unavailable_listing_items(fake_bulk: Any) -> None:
    client, seen = fake_bulk(lambda _, actions: (200, _items(actions, lambda doc_id: 429)))
    with pytest.raises(BulkUnavailableError) as caught:
        write_bulk(client, ACTIONS, url="fake", policy=FAST)
    assert len(seen) == FAST.max_retries + 1
    assert [failure.doc_id for failure in caught.value.failures] == ["doc-0", "doc-1", "doc-2"]
    assert "es_rejected_execution_exception: refused doc-0" in str(caught.value)


def test_refused_items_are_not_retried_and_are_reported(fake_bulk: Any) -> None:
    def answer(attempt: int, actions: list[dict[str, Any]]) -> tuple[int, dict[str, Any]]:
        return 200, _items(actions, lambda doc_id: 400 if doc_id == "doc-2" else 201)

    client, seen = fake_bulk(answer)
    with pytest.raises(BulkRejectedError) as caught:
        write_bulk(client, ACTIONS, url="fake", policy=FAST)
    assert len(seen) == 1
    [failure] = caught.value.failures
    assert (failure.doc_id, failure.operation, failure.status) == ("doc-2", "index", 400)
    assert failure.reason == "document_parsing_exception: refused doc-2"
