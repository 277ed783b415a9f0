"""A process that opens the embedded store before it loads the model still gets the default
backend: usearch's extension loaded first once made OpenVINO unable to compile the model."""

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
print(vector.shape)
"""


def test_the_openvino_backend_loads_after_the_embedded_store() -> None:
    finished = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=REPO, capture_output=True, text=True, timeout=300
    )
    assert finished.returncode == 0, finished.stderr[-2000:]
    assert finished.stdout.strip() == "(384,)"
