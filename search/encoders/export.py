"""Exporting a model folder for OpenVINO or ONNX Runtime once, and finding the export again.

An export is built from the local model folder (nothing is downloaded): the transformer is traced
to ONNX with torch, then converted to OpenVINO's format or quantized to int8 (dynamic, per
channel) for ONNX Runtime. It is built in a temporary folder beside its final place, checked
against the torch model's own vectors, and published with one atomic rename, so two processes
exporting at once both end up using one complete export and no reader ever sees half of one.

Layout of one export (``<export_dir>/<model>-<backend>-<key>/``)::

    export.json      what it is: model, backend, pooling, length limit, inputs, versions
    tokenizer.json   the model's fast tokenizer
    model.xml/.bin   (openvino) or model.onnx (onnx, int8)
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import tempfile
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path
from typing import Literal

import numpy as np

from search.encoders.model_folder import ModelFolder, Pooling

ExportBackend = Literal["openvino", "onnx"]
# Bump when the steps below change what an export holds: older exports are then rebuilt.
RECIPE = 1
MANIFEST = "export.json"
# Texts the export is checked on against the torch model: short and long, so one batch pads.
CHECK_TEXTS = (
    "North Korea fired a ballistic missile that flew roughly 700 kilometres.",
    "Markets rallied on Tuesday.",
    "The council approved the budget after a long debate about bus lines, school repairs and "
    "the cost of keeping the public library open on Sundays through the winter months. " * 4,
)
_RUNTIME_PACKAGE = {"openvino": "openvino", "onnx": "onnxruntime"}


def default_export_dir() -> Path:
    """The user's cache folder, outside any checkout and outside the installed package."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "newsdesk" / "models"


@dataclass(frozen=True)
class ExportManifest:
    """What the runtime encoders need to rebuild the model's pipeline around the export."""

    model: str
    backend: ExportBackend
    dim: int
    pooling: Pooling
    max_seq_length: int
    do_lower_case: bool
    pad_id: int
    inputs: tuple[str, ...]
    recipe: int = RECIPE

    @classmethod
    def load(cls, directory: Path) -> ExportManifest:
        data = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
        data["inputs"] = tuple(data["inputs"])
        data.pop("versions", None)
        return cls(**data)

    def save(self, directory: Path) -> None:
        data = {**asdict(self), "versions": _versions(self.backend)}
        (directory / MANIFEST).write_text(json.dumps(data, indent=2), encoding="utf-8")


def _versions(backend: ExportBackend) -> dict[str, str]:
    names = ("torch", "transformers", "onnx", _RUNTIME_PACKAGE[backend])
    return {name: metadata.version(name) for name in names}


def export_path(name: str, folder: ModelFolder, backend: ExportBackend, root: Path) -> Path:
    """Where this model's export for ``backend`` lives; the key changes with any input file or
    library that shapes it."""
    payload = json.dumps(
        {"recipe": RECIPE, "fingerprint": folder.fingerprint(), "versions": _versions(backend)},
        sort_keys=True,
    )
    digest = hashlib.sha256(payload.encode()).hexdigest()[:16]
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-")[:60]
    return root / f"{slug}-{backend}-{digest}"


def publish_atomically(final: Path, build: Callable[[Path], None]) -> Path:
    """Build into a fresh folder beside ``final`` and rename it into place.

    When another process published first, its export is kept and this one dropped: both are
    complete, so either serves.
    """
    final.parent.mkdir(parents=True, exist_ok=True)
    if final.exists() and not (final / MANIFEST).exists():
        # Not ours to race with: every published export holds its manifest.
        shutil.rmtree(final, ignore_errors=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{final.name}.", dir=final.parent))
    try:
        build(staging)
        staging.chmod(0o755)  # mkdtemp made it private; an export is no secret
        try:
            staging.rename(final)
        except OSError:
            if not (final / MANIFEST).exists():
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return final


@contextmanager
def _quiet() -> Iterator[None]:
    """Tracing warns about every Python branch it freezes and the quantizer about optional
    pre-processing (on the root logger); none of it concerns a fixed model."""
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        root.setLevel(level)


def export_onnx(
    folder: ModelFolder, backend: ExportBackend, staging: Path
) -> tuple[ExportManifest, np.ndarray]:
    """Trace the transformer to ``staging/transformer.onnx`` (float32, dynamic batch and length);
    returns the manifest and the torch backend's vectors for ``CHECK_TEXTS``."""
    import torch
    from sentence_transformers import SentenceTransformer
    from transformers import AutoModel, AutoTokenizer
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()

    reference = SentenceTransformer(str(folder.path), device="cpu").encode(
        list(CHECK_TEXTS), normalize_embeddings=True, convert_to_numpy=True
    )
    tokenizer = AutoTokenizer.from_pretrained(folder.path)
    # Eager attention traces to plain ops; the fused kernels specialise on the example's mask.
    model = AutoModel.from_pretrained(folder.path, attn_implementation="eager").eval()
    inputs = tuple(
        name
        for name in ("input_ids", "attention_mask", "token_type_ids")
        if name in tokenizer.model_input_names
    )

    class LastHiddenState(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, *tensors: torch.Tensor) -> torch.Tensor:
            return self.model(**dict(zip(inputs, tensors, strict=True))).last_hidden_state

    # Two rows of different lengths: the traced graph must honour padding.
    example = tokenizer(list(CHECK_TEXTS[:2]), padding=True, return_tensors="pt")
    axes = {name: {0: "batch", 1: "sequence"} for name in (*inputs, "last_hidden_state")}
    with _quiet(), torch.no_grad():
        torch.onnx.export(
            LastHiddenState(),
            tuple(example[name] for name in inputs),
            str(staging / "transformer.onnx"),
            input_names=list(inputs),
            output_names=["last_hidden_state"],
            dynamic_axes=axes,
            opset_version=17,
            dynamo=False,
        )
    tokenizer.backend_tokenizer.save(str(staging / "tokenizer.json"))
    manifest = ExportManifest(
        model=str(folder.path),
        backend=backend,
        dim=folder.dim,
        pooling=folder.pooling,
        max_seq_length=folder.max_seq_length,
        do_lower_case=folder.do_lower_case,
        pad_id=int(tokenizer.pad_token_id or 0),
        inputs=inputs,
    )
    return manifest, np.asarray(reference, dtype=np.float32)


def convert(staging: Path, backend: ExportBackend) -> None:
    """Turn ``staging/transformer.onnx`` into the backend's model file, then drop it."""
    source = staging / "transformer.onnx"
    if backend == "openvino":
        import openvino as ov

        # Full-precision weights: the runtime picks bf16 itself on CPUs that have it.
        ov.save_model(ov.Core().read_model(source), staging / "model.xml", compress_to_fp16=False)
    else:
        from onnxruntime.quantization import QuantType, quantize_dynamic

        # Per-channel int8 weights for the matrix products only: quantizing the embedding table
        # or one scale per matrix costs several points of cosine to the torch vectors.
        with _quiet():
            quantize_dynamic(
                source,
                staging / "model.onnx",
                weight_type=QuantType.QInt8,
                per_channel=True,
                op_types_to_quantize=["MatMul"],
            )
    source.unlink()
