"""Pooling over an exported transformer's output: padding never counts."""

from __future__ import annotations

import numpy as np

from search.encoders.tokenized import pool

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
