"""Reading a sentence-transformers folder: what the exported backends can rebuild, and when an
export goes stale."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from search.encoders.export import export_path
from search.encoders.model_folder import ModelFolder, UnsupportedModelError


def _folder(path: Path, modules: list[str]) -> Path:
    path.mkdir()
    (path / "modules.json").write_text(
        json.dumps(
            [
                {"idx": i, "name": str(i), "path": "" if kind == "Transformer" else f"{i}_{kind}",
                 "type": f"sentence_transformers.models.{kind}"}
                for i, kind in enumerate(modules)
            ]
        )
    )  # fmt: skip
    (path / "config.json").write_text(json.dumps({"hidden_size": 8}))
    (path / "sentence_bert_config.json").write_text(json.dumps({"max_seq_length": 128}))
    (path / "1_Pooling").mkdir()
    (path / "1_Pooling" / "config.json").write_text(
        json.dumps({"word_embedding_dimension": 8, "pooling_mode_cls_token": True})
    )
    return path


def test_the_packaged_model_is_read_without_loading_it() -> None:
    folder = ModelFolder.open("packaged:all-MiniLM-L6-v2")
    assert (folder.dim, folder.pooling, folder.max_seq_length) == (384, "mean", 256)
    assert folder.normalize and not folder.do_lower_case


def test_a_folder_with_a_dense_layer_stays_on_torch(tmp_path: Path) -> None:
    path = _folder(tmp_path / "model", ["Transformer", "Pooling", "Dense", "Normalize"])
    with pytest.raises(UnsupportedModelError, match="NEWSDESK_EMBEDDING__BACKEND=torch"):
        ModelFolder.open(str(path))


def test_an_export_goes_stale_when_a_model_file_changes(tmp_path: Path) -> None:
    path = _folder(tmp_path / "model", ["Transformer", "Pooling"])
    folder = ModelFolder.open(str(path))
    assert folder.pooling == "cls" and folder.max_seq_length == 128
    before = export_path("local", folder, "openvino", tmp_path / "exports")
    assert export_path("local", folder, "openvino", tmp_path / "exports") == before
    assert export_path("local", folder, "onnx", tmp_path / "exports") != before
    weights = path / "config.json"
    os.utime(weights, ns=(weights.stat().st_atime_ns, weights.stat().st_mtime_ns + 10**9))
    assert export_path("local", folder, "openvino", tmp_path / "exports") != before
