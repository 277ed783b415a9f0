"""Sentence embeddings on the configured backend, loaded offline, never computed twice per text."""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from haystack import default_to_dict

from search.embedding_cache import EmbeddingCache
from search.encoders import load_encoder
from search.encoders.model_folder import ModelFolder, UnsupportedModelError, resolve_model
from search.encoders.query_batcher import QueryBatcher
from search.errors import ModelLoadError
from search.settings import EmbeddingSettings
from search.store.model_stamp import ModelStamp

__all__ = ["Embedder", "embedding_dimension", "model_stamp", "resolve_model"]

# No hub at run time: a mistyped model id must fail at once instead of trying the network.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


def embedding_dimension(settings: EmbeddingSettings) -> int | None:
    """The model's output size read from its files, without importing torch (seconds saved on
    commands like ``stats``); None when only loading the model can tell."""
    try:
        return ModelFolder.open(settings.model).dim
    except (UnsupportedModelError, ModelLoadError, OSError, ValueError, KeyError):
        return None


def model_stamp(settings: EmbeddingSettings) -> ModelStamp:
    """What produced a vector: the model, and the backend unless it is torch. Stores written
    before model ids were recorded only ever used torch, whose ids carry no backend."""
    legacy = f"{settings.model}@{Path(resolve_model(settings.model)).name}"
    current = legacy if settings.backend == "torch" else f"{legacy}+{settings.backend}"
    return ModelStamp(model_id=current, legacy_id=legacy)


class Embedder:
    """Normalised float32 embeddings; passages in batches (with a progress bar), queries one by
    one, or, with ``query_batch`` above 1 on a backend where that changes no vector, concurrent
    queries in shared model calls.

    Usage:
        embedder = Embedder(EmbeddingSettings())
        vectors = embedder.embed_passages(["North Korea fired a missile."])
    """

    def __init__(self, settings: EmbeddingSettings, cache: EmbeddingCache | None = None) -> None:
        self.settings = settings
        self.model_path = resolve_model(settings.model)
        self._encoder = load_encoder(settings)
        self.dim = self._encoder.dim
        self.stamp = model_stamp(settings)
        self.model_id = self.stamp.model_id
        self.precision = self._encoder.precision
        self.files = self._encoder.directory
        self._cache = cache
        self._query_cache = lru_cache(maxsize=1024)(self._embed_one)
        self._batcher = (
            QueryBatcher(self._encode_queries, max_batch=settings.query_batch)
            if settings.query_batch and settings.query_batch > 1 and self._encoder.exact_in_batches
            else None
        )
        self._count_lock = threading.Lock()
        # Texts actually run through the model (cache hits and repeats excluded).
        self.embedded_texts = 0

    @property
    def inference_threads(self) -> int:
        """The threads one model call runs on, as the runtime reports them."""
        return self._encoder.inference_threads

    def to_dict(self) -> dict[str, Any]:
        """Haystack's serialisation shape (for retrieval Pipelines): the settings and the cache."""
        return default_to_dict(
            self,
            settings=self.settings.model_dump(mode="json"),
            cache=str(self._cache.path) if self._cache else None,
        )

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Embedder:
        parameters = data.get("init_parameters", {})
        cache = parameters.get("cache")
        return cls(
            EmbeddingSettings.model_validate(parameters["settings"]),
            cache=EmbeddingCache(Path(cache)) if cache else None,
        )

    def _encode(self, texts: Sequence[str], progress: bool) -> np.ndarray:
        with self._count_lock:
            self.embedded_texts += len(texts)
        return self._encoder.encode(texts, self.settings.batch_size, progress)

    def embed_passages(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        """One row per text; each distinct text is embedded once, and not at all when cached."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        cached = self._cache.get_many(self.model_id, texts) if self._cache else {}
        todo = [text for text in dict.fromkeys(texts) if text not in cached]
        if todo:
            fresh = dict(zip(todo, self._encode(todo, progress), strict=True))
            if self._cache:
                self._cache.put_many(self.model_id, fresh)
            cached.update(fresh)
        return np.vstack([cached[text] for text in texts])

    def _encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, progress=False)

    def _embed_one(self, text: str) -> np.ndarray:
        if self._batcher is not None:
            return self._batcher.embed(text)
        return self._encode([text], progress=False)[0]

    def embed_query(self, text: str) -> np.ndarray:
        return self._query_cache(text)
