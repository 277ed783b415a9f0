"""The one way newsdesk connects to Elasticsearch."""

from __future__ import annotations

from elasticsearch import Elasticsearch

from search.settings import ElasticsearchSettings


def connect(settings: ElasticsearchSettings) -> Elasticsearch:
    # No transport-level retries: a dead node must fail within the timeout, not a multiple of
    # it. Bulk writes retry on their own, with back-off.
    return Elasticsearch(
        settings.url,
        api_key=settings.api_key.get_secret_value() if settings.api_key else None,
        request_timeout=settings.timeout_s,
        max_retries=0,
        retry_on_timeout=False,
    )
