"""Exports are published whole, once, however many processes build them at the same time."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from search.encoders.export import MANIFEST, publish_atomically


def _builder(label: str, started: threading.Barrier | None = None):
    def build(staging: Path) -> None:
        (staging / "model.bin").write_text(label)
        if started is not None:
            started.wait(timeout=10)  # both builds are under way before either publishes
        (staging / MANIFEST).write_text("{}")

    return build


def test_two_builders_at_once_both_get_one_complete_export(tmp_path: Path) -> None:
    final = tmp_path / "exports" / "minilm-openvino-key"
    both_building = threading.Barrier(2)
    results: list[Path] = []
    threads = [
        threading.Thread(
            target=lambda label=label: results.append(
                publish_atomically(final, _builder(label, both_building))
            )
        )
        for label in ("first", "second")
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [final, final]
    assert (final / "model.bin").read_text() in ("first", "second")
    assert sorted(path.name for path in final.parent.iterdir()) == [final.name]


def test_a_failed_build_leaves_nothing_behind(tmp_path: Path) -> None:
    final = tmp_path / "minilm-onnx-key"

    def broken(staging: Path) -> None:
        (staging / "model.onnx").write_text("half")
        raise RuntimeError("export failed")

    with pytest.raises(RuntimeError, match="export failed"):
        publish_atomically(final, broken)
    assert list(tmp_path.iterdir()) == []


def test_a_folder_without_its_manifest_is_rebuilt(tmp_path: Path) -> None:
    final = tmp_path / "minilm-openvino-key"
    final.mkdir()
    (final / "model.bin").write_text("left by a crash")
    publish_atomically(final, _builder("rebuilt"))
    assert (final / "model.bin").read_text() == "rebuilt"
    assert (final / MANIFEST).exists()
