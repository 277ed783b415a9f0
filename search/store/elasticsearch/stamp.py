"""The embedding model id in the passages index's mapping ``_meta`` (see ``model_stamp``)."""

from __future__ import annotations

from typing import Any

from elasticsearch import Elasticsearch

from search.store.model_stamp import META_KEY, ModelStamp


def _meta(client: Elasticsearch, index: str) -> dict[str, Any]:
    """The mapping's ``_meta`` of ``index`` (a name or an alias over one index)."""
    (found,) = client.indices.get_mapping(index=index).body.values()
    return dict(found["mappings"].get("_meta") or {})


def check(client: Elasticsearch, index: str, model: ModelStamp) -> bool:
    """Refuse another model's vectors; True when the index already records ours."""
    recorded = _meta(client, index).get(META_KEY)
    has_vectors = recorded is None and int(client.count(index=index)["count"]) > 0
    model.check(recorded, has_vectors, f"Elasticsearch index {index!r}")
    return recorded is not None


def record(client: Elasticsearch, index: str, model: ModelStamp) -> None:
    """Record our model id before the first write, then check again: mapping updates are not
    conditional, so of two writers with different models starting in the same instant the one
    whose record was overwritten stops here, before writing a vector."""
    meta = _meta(client, index)
    if META_KEY not in meta:
        client.indices.put_mapping(index=index, meta={**meta, META_KEY: model.model_id})
    check(client, index, model)


def copy_record(client: Elasticsearch, source: str, target: str) -> None:
    """Carry the model id over to a rebuilt index (its vectors are copied, not re-embedded)."""
    recorded = _meta(client, source).get(META_KEY)
    if recorded is not None:
        meta = _meta(client, target)
        client.indices.put_mapping(index=target, meta={**meta, META_KEY: recorded})
