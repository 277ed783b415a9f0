"""Which embedding model a store's vectors come from, so two models' vectors never mix.

A store records the model id of the first process that writes to it (the embedded catalog's
``meta`` table, the Elasticsearch passages index's mapping ``_meta``) and every later process
checks its own id against it: cosine between vectors of two models, or of one model on two
backends, is not a ranking, and re-using stored vectors by passage id would silently mix them.
"""

from __future__ import annotations

from dataclasses import dataclass

from search.errors import EmbeddingModelMismatchError

META_KEY = "embedding_model"


@dataclass(frozen=True)
class ModelStamp:
    """Usage:
    stamp = ModelStamp("all-MiniLM-L6-v2@model+openvino", legacy_id="all-MiniLM-L6-v2@model")
    stamp.check(recorded=None, has_vectors=False, where="the store at var/embedded")
    """

    model_id: str
    # What a store holding vectors but no record was written with: stores from before model
    # ids were recorded only ever used the torch backend.
    legacy_id: str

    def held(self, recorded: str | None, has_vectors: bool) -> str | None:
        """The model id the store's vectors come from; None for a store with no vectors yet."""
        if recorded is not None:
            return recorded
        return self.legacy_id if has_vectors else None

    def check(self, recorded: str | None, has_vectors: bool, where: str) -> None:
        held = self.held(recorded, has_vectors)
        if held is None or held == self.model_id:
            return
        backend = next((b for b in ("openvino", "onnx") if held.endswith(f"+{b}")), "torch")
        raise EmbeddingModelMismatchError(
            f"{where} holds vectors from embedding model {held!r}, but this process embeds "
            f"with {self.model_id!r}; their vectors must not be mixed. Use the settings that "
            f"built it (e.g. NEWSDESK_EMBEDDING__BACKEND={backend}), or index into a fresh "
            "store (another NEWSDESK_DATA_DIR or NEWSDESK_ELASTICSEARCH__INDEX)"
        )


def stamp_to_dict(stamp: ModelStamp | None) -> dict[str, str] | None:
    """A store's stamp in its serialised init parameters (Haystack ``to_dict``)."""
    return None if stamp is None else {"model_id": stamp.model_id, "legacy_id": stamp.legacy_id}


def stamp_from_dict(data: dict[str, str] | None) -> ModelStamp | None:
    return None if data is None else ModelStamp(**data)
