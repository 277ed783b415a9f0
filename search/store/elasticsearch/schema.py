"""Versioned mappings from ``infra/elasticsearch/`` and the aliases that hide index versions.

Two aliases per store: ``<index>`` over the passages index and ``<index>-articles`` over the
articles index. Each points at one concrete index named ``<alias>-v<template>-<generation>``, so a
reindex can build generation N+1 beside N and swap both aliases in one atomic ``_aliases`` call.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from elasticsearch import Elasticsearch

from search.errors import StoreCorruptedError

TEMPLATE_VERSION = 2
TEMPLATE_DIR = Path(__file__).resolve().parents[3] / "infra" / "elasticsearch"
_GENERATION = re.compile(r"-v(\d+)-(\d{6})$")


@lru_cache(maxsize=8)
def _load(kind: str, version: int) -> dict[str, Any]:
    path = TEMPLATE_DIR / f"{kind}-v{version}.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        message = f"Elasticsearch mapping {path} cannot be read: {error}"
        raise StoreCorruptedError(message) from error


def index_body(kind: str, dim: int, version: int = TEMPLATE_VERSION) -> dict[str, Any]:
    """Settings and mappings for a new ``passages`` or ``articles`` index of ``dim``-d vectors."""
    body = copy.deepcopy(_load(kind, version))
    embedding = body["mappings"]["properties"].get("embedding")
    if embedding is not None:
        embedding["dims"] = dim
    return body


@dataclass(frozen=True)
class Aliases:
    """The two alias names a store reads and writes through."""

    passages: str
    articles: str

    @classmethod
    def for_index(cls, index: str) -> Aliases:
        return cls(passages=index, articles=f"{index}-articles")

    def concrete_name(self, alias: str, generation: int, version: int = TEMPLATE_VERSION) -> str:
        return f"{alias}-v{version}-{generation:06d}"


def generation_of(index_name: str) -> int:
    match = _GENERATION.search(index_name)
    return int(match.group(2)) if match else 0


def version_of(index_name: str) -> int:
    match = _GENERATION.search(index_name)
    return int(match.group(1)) if match else 0


def resolve(client: Elasticsearch, alias: str) -> str | None:
    """The concrete index behind ``alias``; None when the alias does not exist yet."""
    response = client.options(ignore_status=404).indices.get_alias(name=alias)
    if response.meta.status == 404:
        return None
    names = sorted(response.body)
    if len(names) != 1:
        raise StoreCorruptedError(f"alias {alias!r} points at {len(names)} indices: {names}")
    return names[0]


def create_index(
    client: Elasticsearch,
    name: str,
    kind: str,
    dim: int,
    alias: str | None,
    layout: tuple[int, int] = (1, 0),
) -> bool:
    """Create ``name`` with ``layout`` = (shards, replicas); ``alias`` is added in the same request.

    Returns False when the index already exists: two processes racing to create generation 1
    both end up using the one that won, never two indices behind one alias.
    """
    body = index_body(kind, dim)
    (
        body["settings"]["index"]["number_of_shards"],
        body["settings"]["index"]["number_of_replicas"],
    ) = layout
    if alias is not None:
        body["aliases"] = {alias: {}}
    response = client.options(ignore_status=400).indices.create(index=name, **body)
    if response.meta.status == 400:
        error = response.body.get("error", {}) if isinstance(response.body, dict) else {}
        if error.get("type") == "resource_already_exists_exception":
            return False
        raise StoreCorruptedError(f"cannot create Elasticsearch index {name!r}: {error}")
    return True


def vector_dims(client: Elasticsearch, index: str) -> int | None:
    mapping = client.indices.get_mapping(index=index).body[index]["mappings"]
    return mapping.get("properties", {}).get("embedding", {}).get("dims")


def add_missing_fields(client: Elasticsearch, index: str, kind: str) -> list[str]:
    """Give an index made before a field joined the current mapping that field (a mapping may
    gain fields in place; documents without it read it as absent). Returns the fields added."""
    wanted = _load(kind, TEMPLATE_VERSION)["mappings"]["properties"]
    mapping = client.indices.get_mapping(index=index).body[index]["mappings"]
    present = mapping.get("properties", {})
    missing = {name: field for name, field in wanted.items() if name not in present}
    if missing:
        client.indices.put_mapping(index=index, properties=copy.deepcopy(missing))
    return sorted(missing)
