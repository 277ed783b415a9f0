"""Pooling over an exported transformer's output: padding never counts. A fresh encoder takes
concurrent calls."""

from __future__ import annotations

import subprocess
import sys

import numpy as np

from search.encoders.tokenized import pool
from tests.conftest import REPO

HIDDEN = np.array(
    [[[1.0, 0.0], [3.0, 4.0], [100.0, 100.0]], [[0.0, 2.0], [0.0, 2.0], [0.0, 2.0]]],
    dtype=np.float32,
)
MASK = np.array([[1, 1, 0], [1, 1, 1]])


def test_mean_pooling_leaves_padding_out_and_normalises() -> None:
    pooled = pool(HIDDEN, MASK, "mean")
    np.testing.assert_allclose(pooled[0], np.array([2.0, 2.0]) / np.sqrt(8.0), rtol=1e-6)
    np.testing.assert_allclose(pooled[1], [0.0, 1.0])


def test_cls_and_max_pooling() -> None:
    np.testing.assert_allclose(pool(HIDDEN, MASK, "cls")[0], [1.0, 0.0])
    np.testing.assert_allclose(pool(HIDDEN, MASK, "max")[0], np.array([3.0, 4.0]) / 5.0)


# A fresh process: what could deadlock happens at most once per process, on the first calls.
_FIRST_CALLS_AT_ONCE = """
import faulthandler, sys, threading
from search.encoders import load_encoder
from search.settings import EmbeddingSettings

faulthandler.dump_traceback_later(60, exit=True)  # a deadlock fails with every thread's stack
encoder = load_encoder(EmbeddingSettings(backend="openvino", threads=1))
start = threading.Barrier(8)

def embed(number):
    start.wait()
    encoder.encode([f"question {number}: how far did the missile fly?"], batch_size=1)

threads = [threading.Thread(target=embed, args=(number,)) for number in range(8)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print("embedded")
"""


def test_a_fresh_openvino_encoder_embeds_on_many_threads_at_once() -> None:
    """The first tensor read in a process, made by two threads at once, could deadlock inside
    OpenVINO's bindings, before the encoder made one call while loading: three processes race
    their first calls (without that call this test failed 2 runs of 6 here)."""
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", _FIRST_CALLS_AT_ONCE],
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(3)
    ]
    for run in runs:
        output, _ = run.communicate(timeout=120)
        assert run.returncode == 0 and "embedded" in output, output[-3000:]
