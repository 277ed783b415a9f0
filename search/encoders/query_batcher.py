"""Questions embedded side by side share one model call.

A server embeds each question as it arrives, on whichever thread runs its search. Through a
``QueryBatcher`` they queue instead: one thread runs the model, and while it runs for one
question the next ones wait, so its next call takes them all (up to ``max_batch``). Nobody waits
for a batch to fill: a question that arrives alone is embedded at once (``max_wait_s`` can hold
the first of a batch a little longer, bounded). One call for several questions costs less CPU
per question than one call each (benchmarks/README.md, ``bench_query_batching.py``).

Only for encoders whose vectors do not depend on the batch (``Encoder.exact_in_batches``): a
question must get the vector it would get alone, or its hits would depend on its neighbours.

Usage:
    batcher = QueryBatcher(lambda texts: encoder.encode(texts, batch_size=16), max_batch=16)
    vector = batcher.embed("who won the election?")  # from any thread
    future = batcher.submit("how far did the missile fly?")  # concurrent.futures.Future
    batcher.close()
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future

import numpy as np

EncodeBatch = Callable[[Sequence[str]], np.ndarray]


class QueryBatcherClosedError(RuntimeError):
    """A text was submitted after ``close``."""


class QueryBatcher:
    def __init__(self, encode: EncodeBatch, max_batch: int = 16, max_wait_s: float = 0.0) -> None:
        if max_batch < 1:
            raise ValueError(f"max_batch must be at least 1, got {max_batch}")
        if max_wait_s < 0:
            raise ValueError(f"max_wait_s must not be negative, got {max_wait_s}")
        self.max_batch = max_batch
        self.max_wait_s = max_wait_s
        self._encode = encode
        self._pending: list[tuple[str, Future[np.ndarray]]] = []
        self._ready = threading.Condition()
        self._closed = False
        # Model calls made and texts they embedded (the mean batch, for benchmarks and tests).
        self.calls = 0
        self.texts = 0
        self._worker = threading.Thread(
            target=self._serve, name="newsdesk-query-batcher", daemon=True
        )
        self._worker.start()

    def submit(self, text: str) -> Future[np.ndarray]:
        """The vector of ``text``, once the model call that takes it returns."""
        future: Future[np.ndarray] = Future()
        with self._ready:
            if self._closed:
                raise QueryBatcherClosedError("the query batcher is closed")
            self._pending.append((text, future))
            self._ready.notify()
        return future

    def embed(self, text: str) -> np.ndarray:
        return self.submit(text).result()

    def close(self) -> None:
        """Embeds what was submitted, then stops the thread."""
        with self._ready:
            self._closed = True
            self._ready.notify()
        self._worker.join()

    def _next_batch(self) -> list[tuple[str, Future[np.ndarray]]]:
        with self._ready:
            while not self._pending and not self._closed:
                self._ready.wait()
            if self.max_wait_s and not self._closed:
                deadline = time.monotonic() + self.max_wait_s
                while len(self._pending) < self.max_batch:
                    left = deadline - time.monotonic()
                    if left <= 0 or self._closed:
                        break
                    self._ready.wait(left)
            batch = self._pending[: self.max_batch]
            del self._pending[: self.max_batch]
            return batch

    def _serve(self) -> None:
        while batch := self._next_batch():
            texts = list(dict.fromkeys(text for text, _ in batch))
            try:
                vectors = dict(zip(texts, self._encode(texts), strict=True))
            except Exception as error:  # every waiter hears the model's error
                for _, future in batch:
                    future.set_exception(error)
                continue
            self.calls += 1
            self.texts += len(texts)
            for text, future in batch:
                future.set_result(vectors[text])
