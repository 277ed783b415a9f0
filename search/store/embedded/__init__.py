"""The embedded store: SQLite for truth, Tantivy for BM25 and usearch for vectors, in one folder."""

from search.store.embedded.store import EmbeddedStore

__all__ = ["EmbeddedStore"]
