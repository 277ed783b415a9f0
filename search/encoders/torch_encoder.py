"""The torch backend: sentence-transformers exactly as it loads the model folder."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from search.encoders.model_folder import resolve_model
from search.errors import ModelLoadError
from search.settings import EmbeddingSettings


class TorchEncoder:
    """Usage:
    encoder = TorchEncoder(EmbeddingSettings(backend="torch"))
    vectors = encoder.encode(["a text"], batch_size=32)
    """

    precision = "float32"
    exact_in_batches = True  # padding masked in float32: within ~1e-7 of the text alone

    def __init__(self, settings: EmbeddingSettings) -> None:
        import torch
        from sentence_transformers import SentenceTransformer

        if settings.threads:
            torch.set_num_threads(settings.threads)
        self.directory = Path(resolve_model(settings.model))
        try:
            self._model = SentenceTransformer(str(self.directory), device=settings.device)
        except (OSError, ValueError) as error:
            raise ModelLoadError(
                f"cannot load embedding model {settings.model!r}: {error}"
            ) from error
        self.dim = int(self._model.get_embedding_dimension() or 0)

    @property
    def inference_threads(self) -> int:
        import torch

        return torch.get_num_threads()  # torch's intra-op pool is one per process

    def encode(self, texts: Sequence[str], batch_size: int, progress: bool = False) -> np.ndarray:
        vectors = self._model.encode(
            list(texts),
            batch_size=batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=progress,
        )
        return np.asarray(vectors, dtype=np.float32)
