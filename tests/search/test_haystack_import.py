"""Processes that embed with OpenVINO never load torch; Haystack still gets it when it asks."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import MISSILE_QUESTION, REPO, SEEDS

SCRIPT = """
import sys
from pathlib import Path
from api.runtime import Runtime
from indexer.readers import read_paths
from search.settings import Settings

runtime = Runtime.start(Settings(data_dir=Path(sys.argv[1])))
runtime.indexer().index(read_paths([Path(sys.argv[2])]), progress=False)
hits = runtime.retriever.search(sys.argv[3], top_k=3).hits
runtime.close()
print("700" in hits[0].text, "torch" in sys.modules)

from haystack.utils import ComponentDevice
print(ComponentDevice.from_str("cpu").to_torch(), "torch" in sys.modules)
"""


def test_indexing_and_searching_with_openvino_never_load_torch(tmp_path: Path) -> None:
    completed = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path / "var"), str(SEEDS), MISSILE_QUESTION],
        cwd=REPO,
        env={**os.environ, "NEWSDESK_EMBEDDING__BACKEND": "openvino"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.split() == ["True", "False", "cpu", "True"]
