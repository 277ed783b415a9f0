"""Which precision to run the exported model in: OpenVINO as shipped (bf16 where the CPU has it),
OpenVINO forced to f32, OpenVINO on the int8 ONNX export, and ONNX Runtime on it (the ``onnx``
backend). Same texts, one process, each timed after a warm-up batch; the cosine is to the f32 run.

    python -m benchmarks.bench_encoder_precision --exports /work/bench-embed/final/exports \
        --texts ../shared/data/scifact-train/corpus.jsonl --limit 320

``--exports`` holds both exports (``newsdesk model`` with ``NEWSDESK_EMBEDDING__EXPORT_DIR`` set,
once per backend). Texts are title + body (MultiHop-RAG) or title + text (BEIR) of the first
``--limit`` records.
"""

from __future__ import annotations

import argparse
import json
import time
from itertools import islice
from pathlib import Path

import numpy as np

from search.encoders.tokenized import OnnxEncoder, OpenVinoEncoder, TokenizedEncoder


class _OpenVinoAt(OpenVinoEncoder):
    """OpenVINO compiling ``model_file`` with an explicit precision hint (None: its default)."""

    def __init__(self, directory: Path, model_file: Path, precision: str | None) -> None:
        import openvino as ov

        TokenizedEncoder.__init__(self, directory)
        config: dict[str, object] = {"PERFORMANCE_HINT": "LATENCY"}
        if precision:
            config["INFERENCE_PRECISION_HINT"] = precision
        self._compiled = ov.Core().compile_model(model_file, "CPU", config)
        self.precision = self._compiled.get_property("INFERENCE_PRECISION_HINT").to_string()


def _texts(path: Path, limit: int) -> list[str]:
    with path.open(encoding="utf-8") as lines:
        records = (json.loads(line) for line in lines if line.strip())
        return [
            f"{record.get('title') or ''}\n{record.get('body') or record.get('text') or ''}"
            for record in islice(records, limit)
        ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--exports", type=Path, required=True)
    parser.add_argument("--texts", type=Path, required=True)
    parser.add_argument("--limit", type=int, default=320)
    parser.add_argument("--batch-size", type=int, default=32)
    args = parser.parse_args()

    openvino_dir = next(args.exports.glob("*-openvino-*"))
    onnx_dir = next(args.exports.glob("*-onnx-*"))
    encoders = {
        "openvino, as shipped": OpenVinoEncoder(openvino_dir),
        "openvino, f32": _OpenVinoAt(openvino_dir, openvino_dir / "model.xml", "f32"),
        "openvino, int8 onnx model": _OpenVinoAt(onnx_dir, onnx_dir / "model.onnx", None),
        "onnx runtime, int8 (onnx)": OnnxEncoder(onnx_dir),
    }
    texts = _texts(args.texts, args.limit)
    reference = encoders["openvino, f32"].encode(texts, args.batch_size)
    for name, encoder in encoders.items():
        encoder.encode(texts[: args.batch_size], args.batch_size)
        started, cpu_started = time.perf_counter(), time.process_time()
        vectors = encoder.encode(texts, args.batch_size)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        cosine = (vectors * reference).sum(axis=1)
        print(
            f"{name:<27} {encoder.precision:<5} {len(texts) / seconds:6.1f} texts/s "
            f"{len(texts) / cpu:6.1f}/cpu-s  cosine to f32: min {cosine.min():.5f} "
            f"mean {np.mean(cosine):.5f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
