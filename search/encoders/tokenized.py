"""The sentence-transformers pipeline around an exported transformer: tokenize, run in batches
of similar length, pool, normalise. OpenVINO and ONNX Runtime differ only in the forward pass.
"""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from tokenizers import Encoding, Tokenizer
from tqdm import tqdm

from search.encoders.export import ExportManifest


def pool(hidden: np.ndarray, mask: np.ndarray, mode: str) -> np.ndarray:
    """One vector per row of ``hidden`` (batch, tokens, dim), padding left out; L2-normalised."""
    if mode == "cls":
        pooled = hidden[:, 0]
    elif mode == "max":
        pooled = np.where(mask[..., None] > 0, hidden, -np.inf).max(axis=1)
    else:
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
    norms = np.linalg.norm(pooled, axis=1, keepdims=True)
    return (pooled / np.maximum(norms, 1e-12)).astype(np.float32)


class TokenizedEncoder(ABC):
    """Usage (through a subclass):
    encoder = OpenVinoEncoder(export_dir, threads=None)
    vectors = encoder.encode(["a text", "another"], batch_size=32)
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.manifest = ExportManifest.load(directory)
        self.dim = self.manifest.dim
        self._tokenizer = Tokenizer.from_file(str(directory / "tokenizer.json"))
        self._tokenizer.no_padding()
        self._tokenizer.enable_truncation(self.manifest.max_seq_length)

    @abstractmethod
    def _forward(self, inputs: dict[str, np.ndarray]) -> np.ndarray:
        """The transformer's last hidden state, (batch, tokens, dim)."""

    def _arrays(self, batch: Sequence[Encoding]) -> tuple[dict[str, np.ndarray], np.ndarray]:
        width = max(len(encoding.ids) for encoding in batch)
        ids = np.full((len(batch), width), self.manifest.pad_id, dtype=np.int64)
        mask = np.zeros((len(batch), width), dtype=np.int64)
        for row, encoding in enumerate(batch):
            ids[row, : len(encoding.ids)] = encoding.ids
            mask[row, : len(encoding.ids)] = 1
        arrays = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        return {name: arrays[name] for name in self.manifest.inputs}, mask

    def encode(self, texts: Sequence[str], batch_size: int, progress: bool = False) -> np.ndarray:
        """L2-normalised float32 vectors, one row per text, in input order."""
        if self.manifest.do_lower_case:
            texts = [text.lower() for text in texts]
        encodings = self._tokenizer.encode_batch(list(texts))
        # Longest first, as sentence-transformers does: each batch pads to similar lengths.
        order = np.argsort([-len(encoding.ids) for encoding in encodings], kind="stable")
        vectors = np.empty((len(texts), self.dim), dtype=np.float32)
        starts = range(0, len(texts), batch_size)
        for start in tqdm(starts, desc="embedding", unit="batch", disable=not progress):
            rows = order[start : start + batch_size]
            inputs, mask = self._arrays([encodings[row] for row in rows])
            vectors[rows] = pool(self._forward(inputs), mask, self.manifest.pooling)
        return vectors


class OpenVinoEncoder(TokenizedEncoder):
    """The export compiled for the CPU; OpenVINO runs it in bf16 where the CPU supports it."""

    def __init__(self, directory: Path, threads: int | None = None) -> None:
        import openvino as ov

        super().__init__(directory)
        config: dict[str, object] = {"PERFORMANCE_HINT": "LATENCY"}
        if threads:
            config["INFERENCE_NUM_THREADS"] = threads
        self._compiled = ov.Core().compile_model(directory / "model.xml", "CPU", config)
        self.precision = self._compiled.get_property("INFERENCE_PRECISION_HINT").to_string()
        # In bf16 a padded text's vector moves by up to ~6e-4 with the batch's width (the
        # kernels sum in another order); in f32 it stays within ~2e-7.
        self.exact_in_batches = self.precision == "f32"
        # The first read of a tensor's data sets up numpy inside OpenVINO's bindings, and two
        # threads doing it at once can deadlock (one holds a C++ static and waits for the
        # interpreter lock; the other holds the lock and waits for the static): a server's first
        # concurrent questions froze it, deaf to SIGTERM. One call here, on the loading thread,
        # does it before any other thread can.
        self.encode(["warm-up"], batch_size=1)

    @property
    def inference_threads(self) -> int:
        return int(self._compiled.get_property("INFERENCE_NUM_THREADS"))

    def _forward(self, inputs: dict[str, np.ndarray]) -> np.ndarray:
        # One request per call: requests are not shared between threads (the API embeds
        # questions on many at once).
        request = self._compiled.create_infer_request()
        request.infer(inputs)
        return request.get_output_tensor(0).data.copy()


class OnnxEncoder(TokenizedEncoder):
    """The int8 export on ONNX Runtime's CPU provider."""

    def __init__(self, directory: Path, threads: int | None = None) -> None:
        import onnxruntime as ort

        super().__init__(directory)
        options = ort.SessionOptions()
        options.log_severity_level = 3
        if threads:
            options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        self._session = ort.InferenceSession(
            str(directory / "model.onnx"), options, providers=["CPUExecutionProvider"]
        )
        self.precision = "int8"
        # Activations are quantised with ranges taken over the whole batch.
        self.exact_in_batches = False

    @property
    def inference_threads(self) -> int:
        # 0 leaves the count to ONNX Runtime (about one per core): reported as the cores here.
        threads = self._session.get_session_options().intra_op_num_threads
        return threads or os.cpu_count() or 1

    def _forward(self, inputs: dict[str, np.ndarray]) -> np.ndarray:
        return self._session.run(["last_hidden_state"], inputs)[0]
