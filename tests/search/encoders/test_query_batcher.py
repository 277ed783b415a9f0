"""Concurrent questions share model calls and get exactly the vectors they would get alone."""

from __future__ import annotations

import threading
from collections.abc import Sequence

import numpy as np
import pytest

from search.embedding import Embedder
from search.encoders import Encoder
from search.encoders.query_batcher import QueryBatcher, QueryBatcherClosedError
from search.settings import EmbeddingSettings
from tests.conftest import MISSILE_QUESTION

# Different lengths, so a shared call pads all but the longest.
QUESTIONS = [
    MISSILE_QUESTION,
    "Who won?",
    "Which company did the regulator fine after the data breach reported in October, and by how"
    " much was the fine reduced on appeal?",
    "What did the central bank decide about interest rates?",
    "markets",
]


@pytest.fixture(scope="module")
def torch_embedder() -> Embedder:
    return Embedder(EmbeddingSettings(backend="torch", threads=1, query_batch=16))


class GatedModel:
    """The real encoder, holding its first call until the test opens the gate, so the questions
    submitted meanwhile queue for the next call; records each call's texts."""

    def __init__(self, encoder: Encoder) -> None:
        self.encoder = encoder
        self.gate = threading.Event()
        self.calls: list[list[str]] = []

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        self.calls.append(list(texts))
        if len(self.calls) == 1:
            assert self.gate.wait(timeout=60)
        return self.encoder.encode(texts, batch_size=len(texts))


def _alone(encoder: Encoder, texts: Sequence[str]) -> np.ndarray:
    return np.vstack([encoder.encode([text], batch_size=1) for text in texts])


def test_questions_waiting_together_share_one_call_and_get_their_own_vectors(
    torch_embedder: Embedder,
) -> None:
    encoder = torch_embedder._encoder
    model = GatedModel(encoder)
    batcher = QueryBatcher(model, max_batch=16)
    try:
        first = batcher.submit("the first question, embedded alone")
        while not model.calls:
            threading.Event().wait(0.001)  # the thread has taken it and holds the model
        waiting = [batcher.submit(text) for text in QUESTIONS]
        model.gate.set()
        vectors = np.vstack([future.result(timeout=60) for future in waiting])
        first.result(timeout=60)
    finally:
        batcher.close()
    assert model.calls == [["the first question, embedded alone"], QUESTIONS]
    assert (batcher.calls, batcher.texts) == (2, 1 + len(QUESTIONS))
    np.testing.assert_allclose(vectors, _alone(encoder, QUESTIONS), atol=1e-5)


def test_a_lone_question_waits_for_no_batch(torch_embedder: Embedder) -> None:
    model = GatedModel(torch_embedder._encoder)
    model.gate.set()
    batcher = QueryBatcher(model, max_batch=16)
    try:
        vector = batcher.embed(MISSILE_QUESTION)
    finally:
        batcher.close()
    assert model.calls == [[MISSILE_QUESTION]]
    np.testing.assert_allclose(vector, torch_embedder._encoder.encode([MISSILE_QUESTION], 1)[0])


def test_a_batch_never_exceeds_its_bound_and_repeats_are_embedded_once() -> None:
    calls: list[list[str]] = []
    gate = threading.Event()

    def model(texts: Sequence[str]) -> np.ndarray:
        calls.append(list(texts))
        gate.wait(timeout=60)
        return np.array([[float(len(text))] for text in texts], dtype=np.float32)

    batcher = QueryBatcher(model, max_batch=2)
    futures = [batcher.submit(text) for text in ("a", "bb", "bb", "ccc", "dddd")]
    gate.set()
    assert [future.result(timeout=60)[0] for future in futures] == [1.0, 2.0, 2.0, 3.0, 4.0]
    batcher.close()
    assert all(len(call) <= 2 for call in calls)
    assert ["bb"] in calls or ["a", "bb"] in calls  # the two "bb" shared one row


def test_a_model_error_reaches_every_question_of_the_call_and_the_batcher_goes_on() -> None:
    calls: list[list[str]] = []
    gate = threading.Event()

    def model(texts: Sequence[str]) -> np.ndarray:
        calls.append(list(texts))
        gate.wait(timeout=60)  # the first call holds the model while the next questions queue
        if "bad" in texts:
            raise RuntimeError("the model failed")
        return np.ones((len(texts), 1), dtype=np.float32)

    batcher = QueryBatcher(model)
    first = batcher.submit("first")
    while not calls:
        threading.Event().wait(0.001)  # the thread has taken it and holds the model
    futures = [batcher.submit("bad"), batcher.submit("good")]  # both wait for the next call
    gate.set()
    assert first.result(timeout=60)[0] == 1.0
    for future in futures:
        with pytest.raises(RuntimeError, match="the model failed"):
            future.result(timeout=60)
    assert calls[1] == ["bad", "good"]
    assert batcher.embed("fine")[0] == 1.0
    batcher.close()
    with pytest.raises(QueryBatcherClosedError):
        batcher.submit("late")


def test_a_wait_holds_the_first_question_until_the_batch_fills() -> None:
    calls: list[list[str]] = []

    def model(texts: Sequence[str]) -> np.ndarray:
        calls.append(list(texts))
        return np.ones((len(texts), 1), dtype=np.float32)

    # However late the second question comes, within the wait it joins the first one's call;
    # a full batch goes at once instead of waiting out the minute.
    batcher = QueryBatcher(model, max_batch=2, max_wait_s=60)
    futures = [batcher.submit("one"), batcher.submit("two")]
    for future in futures:
        assert future.result(timeout=30)[0] == 1.0
    batcher.close()
    assert calls == [["one", "two"]]


def test_bounds_are_checked() -> None:
    with pytest.raises(ValueError, match="max_batch"):
        QueryBatcher(lambda texts: np.zeros((len(texts), 1)), max_batch=0)
    with pytest.raises(ValueError, match="max_wait_s"):
        QueryBatcher(lambda texts: np.zeros((len(texts), 1)), max_wait_s=-1)


def test_backends_claim_batch_exactness_only_where_it_holds(
    embedder: Embedder, torch_embedder: Embedder
) -> None:
    for encoder in (embedder._encoder, torch_embedder._encoder):
        if encoder.exact_in_batches:
            batched = encoder.encode(QUESTIONS, batch_size=len(QUESTIONS))
            np.testing.assert_allclose(batched, _alone(encoder, QUESTIONS), atol=1e-5)
    assert torch_embedder._encoder.exact_in_batches
    # OpenVINO's bf16 kernels sum a padded text in another order (vectors move by ~5e-4).
    assert embedder._encoder.exact_in_batches == (embedder.precision == "f32")


def test_the_embedder_batches_only_where_no_vector_changes(
    embedder: Embedder, torch_embedder: Embedder
) -> None:
    assert torch_embedder._batcher is not None
    alone = Embedder(EmbeddingSettings(backend="torch", threads=1))
    assert alone._batcher is None
    for text in QUESTIONS:
        np.testing.assert_allclose(
            torch_embedder.embed_query(text), alone.embed_query(text), atol=1e-5
        )
    openvino = Embedder(embedder.settings.model_copy(update={"query_batch": 16}))
    assert (openvino._batcher is not None) == embedder._encoder.exact_in_batches
