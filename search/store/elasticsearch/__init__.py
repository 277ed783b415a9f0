"""The Elasticsearch store: passages and articles behind versioned aliases, BM25 + HNSW kNN."""

from search.store.elasticsearch.store import ElasticsearchStore

__all__ = ["ElasticsearchStore"]
