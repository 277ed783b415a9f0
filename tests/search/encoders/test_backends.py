"""The exported backends embed into the torch model's space: passages and questions alike."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from indexer.splitting import split_passages
from search.embedding import Embedder, model_stamp
from search.settings import EmbeddingSettings
from tests.conftest import MISSILE_QUESTION, MULTIHOP, SEEDS


def _sample() -> list[str]:
    """Real news passages as the indexer cuts them (title first), short and long, plus text past
    the model's 256-token limit, so truncation is compared too."""
    texts = []
    for seed in sorted(SEEDS.glob("*.txt")):
        body = seed.read_text(encoding="utf-8")
        texts += [body[span.start : span.end] for span in split_passages(body, 160, 30)][:2]
    with (MULTIHOP / "articles.jsonl").open(encoding="utf-8") as lines:
        for line in list(lines)[:3]:
            record = json.loads(line)
            span = split_passages(record["body"], 160, 30)[0]
            texts.append(f"{record['title']}\n{record['body'][span.start : span.end]}")
    return [*texts, "Markets rallied.", " ".join(texts)]


SAMPLE = _sample()


@pytest.fixture(scope="module")
def torch_vectors() -> tuple[np.ndarray, np.ndarray]:
    torch = Embedder(EmbeddingSettings(backend="torch"))
    return torch.embed_passages(SAMPLE), torch.embed_query(MISSILE_QUESTION)


def _cosines(embedder: Embedder, reference: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    passages = (embedder.embed_passages(SAMPLE) * reference[0]).sum(axis=1)
    return np.append(passages, embedder.embed_query(MISSILE_QUESTION) @ reference[1])


def test_the_default_backend_gives_the_torch_vectors(
    embedder: Embedder, torch_vectors: tuple[np.ndarray, np.ndarray]
) -> None:
    assert embedder.settings.backend == "openvino"
    assert _cosines(embedder, torch_vectors).min() >= 0.999


def test_the_int8_onnx_backend_stays_within_a_percent(
    torch_vectors: tuple[np.ndarray, np.ndarray],
) -> None:
    cosines = _cosines(Embedder(EmbeddingSettings(backend="onnx")), torch_vectors)
    assert cosines.mean() >= 0.99
    assert cosines.min() >= 0.98


def test_the_model_id_names_the_backend_and_torch_keeps_the_old_one(embedder: Embedder) -> None:
    ids = {backend: model_stamp(EmbeddingSettings(backend=backend)).model_id for backend in
           ("torch", "openvino", "onnx")}  # fmt: skip
    assert ids["torch"] == "packaged:all-MiniLM-L6-v2@model"
    assert ids["openvino"] == ids["torch"] + "+openvino" == embedder.model_id
    assert ids["onnx"] == ids["torch"] + "+onnx"


def test_the_export_lives_outside_the_package_and_is_reused(embedder: Embedder) -> None:
    from search.encoders import exported_model
    from search.encoders.model_folder import resolve_model

    package = Path(resolve_model(embedder.settings.model)).parent
    assert not embedder.files.is_relative_to(package)
    manifest = embedder.files / "export.json"
    built = manifest.stat().st_mtime_ns
    assert exported_model(embedder.settings) == embedder.files
    assert manifest.stat().st_mtime_ns == built


@pytest.mark.parametrize("backend", ["openvino", "onnx"])
@pytest.mark.parametrize("threads", [1, 2])
def test_the_runtime_reports_the_inference_threads_it_was_given(backend: str, threads: int) -> None:
    settings = EmbeddingSettings(backend=backend, threads=threads)  # type: ignore[arg-type]
    assert Embedder(settings).inference_threads == threads
