"""The embedded store: SQLite for truth, Tantivy for BM25 and usearch for vectors, in one folder."""

import contextlib

# OpenVINO (the default embedding backend) compiles no model, failing with an empty RuntimeError,
# once usearch's extension has been loaded before OpenVINO's own libraries (usearch 2.26.6,
# openvino 2026.4.1): load OpenVINO's first, whatever this process goes on to do.
with contextlib.suppress(ImportError):
    import openvino  # noqa: F401

from search.store.embedded.store import EmbeddedStore

__all__ = ["EmbeddedStore"]
