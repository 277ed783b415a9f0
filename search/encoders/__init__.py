"""Embedding backends: one ``Encoder`` per inference runtime, chosen by
``NEWSDESK_EMBEDDING__BACKEND``.

Usage:
    encoder = load_encoder(EmbeddingSettings(backend="openvino"))
    vectors = encoder.encode(["North Korea fired a missile."], batch_size=32)
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

from search.encoders.export import (
    CHECK_TEXTS,
    MANIFEST,
    ExportBackend,
    convert,
    default_export_dir,
    export_onnx,
    export_path,
    publish_atomically,
)
from search.encoders.model_folder import ModelFolder
from search.errors import ModelLoadError
from search.settings import EmbeddingSettings

# Least cosine to the torch vectors an export must reach on CHECK_TEXTS before it is published.
MIN_COSINE: dict[ExportBackend, float] = {"openvino": 0.999, "onnx": 0.98}


class Encoder(Protocol):
    dim: int
    precision: str
    directory: Path  # the files it runs: the export, or the model folder for torch
    # Whether a text gets the same vector (to float32 rounding) in a padded batch as alone: what
    # lets concurrent questions share a model call (search/encoders/query_batcher.py).
    exact_in_batches: bool

    @property
    def inference_threads(self) -> int:
        """The threads one model call runs on, as the runtime reports them."""
        ...

    def encode(
        self, texts: Sequence[str], batch_size: int, progress: bool = False
    ) -> np.ndarray: ...


def _runtime(backend: ExportBackend, directory: Path, threads: int | None) -> Encoder:
    from search.encoders.tokenized import OnnxEncoder, OpenVinoEncoder

    kind = OpenVinoEncoder if backend == "openvino" else OnnxEncoder
    return kind(directory, threads)


def _build(folder: ModelFolder, backend: ExportBackend, staging: Path) -> None:
    """Export, convert, then check against torch before anything is published."""
    manifest, reference = export_onnx(folder, backend, staging)
    convert(staging, backend)
    manifest.save(staging)
    vectors = _runtime(backend, staging, None).encode(
        list(CHECK_TEXTS), batch_size=len(CHECK_TEXTS)
    )
    worst = float((vectors * reference).sum(axis=1).min())
    if worst < MIN_COSINE[backend]:
        raise ModelLoadError(
            f"the {backend} export of {folder.path} gives vectors only {worst:.4f} cosine-close "
            f"to the torch model's (needs {MIN_COSINE[backend]}): use the torch backend"
        )


def exported_model(settings: EmbeddingSettings) -> Path:
    """The export for the configured model and backend, built on first use."""
    backend: ExportBackend = settings.backend  # type: ignore[assignment] - never torch here
    folder = ModelFolder.open(settings.model)
    final = export_path(
        settings.model, folder, backend, settings.export_dir or default_export_dir()
    )
    if (final / MANIFEST).exists():
        return final
    return publish_atomically(final, lambda staging: _build(folder, backend, staging))


def load_encoder(settings: EmbeddingSettings) -> Encoder:
    if settings.backend == "torch":
        from search.encoders.torch_encoder import TorchEncoder

        return TorchEncoder(settings)
    directory = exported_model(settings)
    try:
        return _runtime(settings.backend, directory, settings.threads)
    except (OSError, RuntimeError, ValueError) as error:
        raise ModelLoadError(
            f"cannot load the {settings.backend} export at {directory}: {error} "
            "(delete that folder to have it rebuilt)"
        ) from error
