"""The embedding model id in the passages index's mapping ``_meta`` (see ``model_stamp``)."""

from __future__ import annotations

from typing import Any

from elasticsearch import Elasticsearch

from search.store.model_stamp import META_KEY, ModelStamp


def _meta(client: Elasticsearch, index: str) -> dict[str, Any]:
    mappings = client.indices.get_mapping(index=index).body[index]["mappings"]
    return dict(mappings.get("_meta") or {})


def check_and_record(client: Elasticsearch, index: str, model: ModelStamp) -> None:
    """Refuse another model's vectors; record ours on an index that records none.

    Mapping updates are not conditional: two processes with different models opening one new
    index in the same instant could both pass. Every later process is checked.
    """
    meta = _meta(client, index)
    recorded = meta.get(META_KEY)
    has_vectors = recorded is None and int(client.count(index=index)["count"]) > 0
    model.check(recorded, has_vectors, f"Elasticsearch index {index!r}")
    if recorded is None:
        client.indices.put_mapping(index=index, meta={**meta, META_KEY: model.model_id})


def copy_record(client: Elasticsearch, source: str, target: str) -> None:
    """Carry the model id over to a rebuilt index (its vectors are copied, not re-embedded)."""
    recorded = _meta(client, source).get(META_KEY)
    if recorded is not None:
        meta = _meta(client, target)
        client.indices.put_mapping(index=target, meta={**meta, META_KEY: recorded})
