"""A process that imports the embedded store before it loads the model still gets either
exported backend: usearch's extension loaded first once made OpenVINO unable to compile the
model, and crashed the process importing onnxruntime."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
SCRIPT = """
import search.store.embedded
from search.embedding import Embedder
from search.settings import EmbeddingSettings
vector = Embedder(EmbeddingSettings(backend="openvino")).embed_query("How far did it fly?")
import onnxruntime
print(vector.shape)
"""


def test_the_exported_backends_load_after_the_embedded_store() -> None:
    finished = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=REPO, capture_output=True, text=True, timeout=300
    )
    assert finished.returncode == 0, finished.stderr[-2000:]
    assert finished.stdout.strip() == "(384,)"
