"""The embedded store: SQLite for truth, Tantivy for BM25 and usearch for vectors, in one folder."""

import contextlib

# Once usearch's extension is loaded, OpenVINO (the default embedding backend) compiles no model
# (an empty RuntimeError) and importing onnxruntime crashes the process, unless OpenVINO's own
# libraries were loaded first (usearch 2.26.6, openvino 2026.4.1, onnxruntime as pinned): load
# them first, whatever this process goes on to do.
with contextlib.suppress(ImportError):
    import openvino  # noqa: F401

from search.store.embedded.store import EmbeddedStore

__all__ = ["EmbeddedStore"]
