"""schemathesis against the live app: every check, every operation, with and without the write key.

A real uvicorn server over a small embedded store with the real model; a fixed seed and a bounded
number of examples per operation keep the run to about half a minute per pass on 2 cores.
A bigger run by hand (README, "Fuzzing the API"):
    st run http://127.0.0.1:8000/openapi.json --checks all --max-examples 50 -H 'X-API-Key: …'
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr

from search.embedding import Embedder
from search.settings import ApiSettings, Settings
from tests.conftest import SEEDS
from tests.indexed import index_into, runtime_for
from tests.ui.live import live_server

KEY = "fuzz-write-key"
SEED = "20260309"
EXAMPLES_PER_OPERATION = "25"
TOTALS = re.compile(r"(\d+) generated, (\d+) passed")


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Iterator[str]:
    """Its own store: the fuzzer writes and deletes articles with the key."""
    data_dir = tmp_path_factory.mktemp("fuzz") / "var"
    runtime = runtime_for(
        Settings(data_dir=data_dir, api=ApiSettings(write_key=SecretStr(KEY))), embedder
    )
    assert index_into(runtime, SEEDS).indexed == 3
    try:
        with live_server(runtime) as url:
            yield url
    finally:
        runtime.close()


def _fuzz(base_url: str, workdir: Path, *headers: str) -> tuple[int, str]:
    command = [
        sys.executable,
        "-m",
        "schemathesis.cli",
        "run",
        f"{base_url}/openapi.json",
        "--checks",
        "all",
        "--max-examples",
        EXAMPLES_PER_OPERATION,
        "--seed",
        SEED,
        "--workers",
        "1",  # one worker: CPython 3.11's ast.parse is not safe to call from threads at once
        *(part for header in headers for part in ("-H", header)),
    ]
    done = subprocess.run(command, cwd=workdir, capture_output=True, text=True, timeout=300)
    return done.returncode, done.stdout + done.stderr


@pytest.mark.parametrize("with_key", [False, True], ids=["anonymous", "write-key"])
def test_schemathesis_finds_nothing(base_url: str, tmp_path: Path, with_key: bool) -> None:
    headers = [f"X-API-Key: {KEY}"] if with_key else []
    code, output = _fuzz(base_url, tmp_path, *headers)
    totals = TOTALS.search(output)
    assert code == 0 and totals, output[-6000:]
    generated, passed = map(int, totals.groups())
    print(
        f"schemathesis ({'write key' if with_key else 'anonymous'}): {generated} requests, "
        f"{generated - passed} failures"
    )
    assert generated >= 500 and passed == generated, output[-6000:]
