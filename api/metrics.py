"""``/metrics`` in the Prometheus text format (prometheus-client): what an operator watches.

- ``newsdesk_http_requests_total`` and ``newsdesk_http_request_duration_seconds``, by method,
  route (the route's template, e.g. ``/v1/articles/{article_id}``, so ids never become labels)
  and status;
- ``newsdesk_retrieval_leg_duration_seconds`` by leg (``bm25``, ``dense``);
- ``newsdesk_ingest_articles_total`` by outcome (``indexed``, ``unchanged``, ``rejected``);
- ``newsdesk_store_articles`` and ``newsdesk_store_passages``, read from the store at scrape time.

Each app has its own registry, so several apps in one process (tests) never share counts. Several
server processes (``serve --workers``) count into files in ``PROMETHEUS_MULTIPROC_DIR``, and a
scrape, whichever worker answers it, reads the sum over all of them.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.runtime import Runtime
from indexer.pipeline import IndexSummary
from search.errors import NewsdeskError

METRICS_DIR_ENV = "PROMETHEUS_MULTIPROC_DIR"  # read by prometheus-client when it is imported
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
# Requests: from a cached page (milliseconds) to a large ingest (seconds).
_REQUEST_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
_LEG_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)


class _StoreSize(Collector):
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    def collect(self) -> Iterator[GaugeMetricFamily]:
        try:
            counts = self.runtime.store.counts()
        except NewsdeskError:
            return  # the store is down: /health says so; the gauges are absent, not zero
        yield GaugeMetricFamily(
            "newsdesk_store_articles", "articles in the store", value=counts.articles
        )
        yield GaugeMetricFamily(
            "newsdesk_store_passages", "passages in the store", value=counts.passages
        )


class Metrics:
    """Usage:
    metrics = Metrics()
    metrics.watch_store(runtime)
    app = metrics.middleware(app)
    metrics.leg("bm25", 0.004); metrics.ingested(summary)
    metrics.exposition()  # bytes, CONTENT_TYPE
    """

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "newsdesk_http_requests",
            "HTTP requests answered",
            ("method", "route", "status"),
            registry=self.registry,
        )
        self.latency = Histogram(
            "newsdesk_http_request_duration_seconds",
            "time to answer an HTTP request",
            ("method", "route", "status"),
            buckets=_REQUEST_BUCKETS,
            registry=self.registry,
        )
        self.legs = Histogram(
            "newsdesk_retrieval_leg_duration_seconds",
            "time one retrieval leg took for one question",
            ("leg",),
            buckets=_LEG_BUCKETS,
            registry=self.registry,
        )
        self.ingest = Counter(
            "newsdesk_ingest_articles",
            "articles received for indexing, by outcome",
            ("outcome",),
            registry=self.registry,
        )
        for outcome in ("indexed", "unchanged", "rejected"):
            self.ingest.labels(outcome)
        self._store: _StoreSize | None = None

    def watch_store(self, runtime: Runtime) -> None:
        if self._store is not None:
            self.registry.unregister(self._store)
        self._store = _StoreSize(runtime)
        self.registry.register(self._store)

    def leg(self, name: str, seconds: float) -> None:
        self.legs.labels(name).observe(seconds)

    def ingested(self, summary: IndexSummary) -> None:
        for outcome in ("indexed", "unchanged", "rejected"):
            count = getattr(summary, outcome)
            if count:
                self.ingest.labels(outcome).inc(count)

    def exposition(self) -> bytes:
        if not os.environ.get(METRICS_DIR_ENV):
            return generate_latest(self.registry)
        # Several server processes (``serve --workers``): the counts of all of them, summed.
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
        if self._store is not None:
            registry.register(self._store)
        return generate_latest(registry)

    def middleware(self, app: ASGIApp) -> ASGIApp:
        async def timed(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http":
                await app(scope, receive, send)
                return
            started = time.perf_counter()
            status = 500

            async def sending(message: Message) -> None:
                nonlocal status
                if message["type"] == "http.response.start":
                    status = int(message["status"])
                await send(message)

            try:
                await app(scope, receive, sending)
            finally:
                self._record(scope, status, time.perf_counter() - started)

        return timed

    def _record(self, scope: Scope, status: int, seconds: float) -> None:
        route = scope.get("route")
        # The template, never the raw path: an id per label value would grow without bound.
        name = getattr(route, "path", None) or "other"
        labels = (scope.get("method", ""), name, str(status))
        self.requests.labels(*labels).inc()
        self.latency.labels(*labels).observe(seconds)
