"""The Elasticsearch fixtures of the store tests, for the story index's tests."""

from tests.store.conftest import es_client, es_url

__all__ = ["es_client", "es_url"]
