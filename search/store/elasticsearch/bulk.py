"""Bulk writes that lose nothing: retried with back-off when the cluster is busy, refusals kept.

Ids are stable (passage ids, article ids), so a retried chunk overwrites what an earlier attempt
may already have written instead of duplicating it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from elasticsearch import Elasticsearch
from elasticsearch.helpers import streaming_bulk

from search.store.elasticsearch.errors import (
    RETRYABLE_STATUSES,
    ItemFailure,
    raise_for_failures,
    translated,
)
from search.store.elasticsearch.reads import Version


@dataclass(frozen=True)
class BulkPolicy:
    """Chunking and retry settings: 0.5 s, 1 s, 2 s, 4 s, 8 s between five retries by default."""

    chunk_size: int = 500
    max_chunk_bytes: int = 20 * 1024 * 1024
    max_retries: int = 5
    initial_backoff_s: float = 0.5
    max_backoff_s: float = 8.0
    # How long a write waits for an index that refuses writes (a reindex copying it).
    blocked_wait_s: float = 30.0


def index_action(index: str, doc_id: str, source: dict[str, Any]) -> dict[str, Any]:
    return {"_op_type": "index", "_index": index, "_id": doc_id, "_source": source}


def delete_action(index: str, doc_id: str, version: Version | None = None) -> dict[str, Any]:
    return {"_op_type": "delete", "_index": index, "_id": doc_id, **_condition(version)}


def conditional_index_action(
    index: str, doc_id: str, source: dict[str, Any], version: Version | None
) -> dict[str, Any]:
    """Write ``doc_id`` only if it is still as read (``version``; None: still absent)."""
    if version is None:
        return {"_op_type": "create", "_index": index, "_id": doc_id, "_source": source}
    return {**index_action(index, doc_id, source), **_condition(version)}


def _condition(version: Version | None) -> dict[str, int]:
    if version is None:
        return {}
    return {"if_seq_no": version.seq_no, "if_primary_term": version.primary_term}


def _failure(item: dict[str, Any]) -> ItemFailure:
    """Read a failed item whatever its operation (not only ``create``, unlike some helpers)."""
    operation, info = next(iter(item.items()))
    error = info.get("error")
    if isinstance(error, dict):
        reason = f"{error.get('type', 'error')}: {error.get('reason', '')}"
        cause = error.get("caused_by")
        if isinstance(cause, dict) and cause.get("reason"):
            reason += f" (caused by {cause.get('type')}: {cause['reason']})"
    else:
        # A whole-request failure turned into per-item ones: the client gives its message.
        reason = str(error)
    return ItemFailure(str(info.get("_id")), operation, int(info.get("status") or 0), reason)


def run_bulk(
    client: Elasticsearch,
    actions: Iterable[dict[str, Any]],
    *,
    url: str,
    policy: BulkPolicy | None = None,
) -> list[ItemFailure]:
    """Send every action; return the items that failed for good (deleting a missing doc is fine)."""
    policy = policy or BulkPolicy()
    failures: list[ItemFailure] = []
    with translated(url, "writing in bulk"):
        for ok, item in streaming_bulk(
            client,
            actions,
            chunk_size=policy.chunk_size,
            max_chunk_bytes=policy.max_chunk_bytes,
            max_retries=policy.max_retries,
            initial_backoff=policy.initial_backoff_s,
            max_backoff=policy.max_backoff_s,
            retry_on_status=RETRYABLE_STATUSES,
            raise_on_error=False,
            raise_on_exception=False,
            yield_ok=False,
        ):
            if ok:
                continue
            failure = _failure(item)
            if not (failure.operation == "delete" and failure.status == 404):
                failures.append(failure)
    return failures


def write_bulk(
    client: Elasticsearch,
    actions: Iterable[dict[str, Any]],
    *,
    url: str,
    policy: BulkPolicy | None = None,
) -> None:
    """``run_bulk``, raising a domain error that lists every failed item."""
    raise_for_failures(run_bulk(client, actions, url=url, policy=policy))
