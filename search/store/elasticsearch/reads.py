"""Paged reads: documents by id (real-time, no refresh needed) and sorted search_after scans."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any

from elasticsearch import ApiError, Elasticsearch

_MGET_CHUNK = 1000
_PAGE = 1000
_TERMS_CHUNK = 1000


def _chunks(items: Sequence[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


def mget_sources(
    client: Elasticsearch, index: str, ids: Sequence[str], fields: list[str] | None
) -> dict[str, dict[str, Any]]:
    """``_source`` (or the listed fields of it) of every id that exists; unknown ids are absent.

    ``mget`` is real-time: it sees a write before any refresh, as the indexer's skip check needs.
    """
    found: dict[str, dict[str, Any]] = {}
    for chunk in _chunks(list(dict.fromkeys(ids)), _MGET_CHUNK):
        options: dict[str, Any] = {"source_includes": fields} if fields else {}
        response = client.mget(index=index, ids=chunk, **options)
        for doc in response["docs"]:
            if doc.get("found"):
                found[doc["_id"]] = doc.get("_source", {})
    return found


def msearch_hits(
    client: Elasticsearch, index: str, bodies: Sequence[dict[str, Any]], **options: Any
) -> list[list[dict[str, Any]]]:
    """The hits of each search body (without ``_source``), from one ``msearch`` round trip.

    A search that failed inside the request is raised as the error it would have been alone
    (the caller's ``translated`` maps it)."""
    if not bodies:
        return []
    searches: list[dict[str, Any]] = []
    for body in bodies:
        searches += [{}, {**body, "_source": False}]
    response = client.msearch(index=index, searches=searches, **options)
    found = []
    for item in response["responses"]:
        if "error" in item:
            meta = replace(response.meta, status=int(item.get("status", 500)))
            raise ApiError(message=str(item["error"]), meta=meta, body={"error": item["error"]})
        found.append(list(item["hits"]["hits"]))
    return found


@dataclass(frozen=True)
class Version:
    """What a conditional write names: the document as it was read (``if_seq_no`` and
    ``if_primary_term``); a write conditional on it fails with 409 if anyone wrote since."""

    seq_no: int
    primary_term: int


def mget_versions(client: Elasticsearch, index: str, ids: Sequence[str]) -> dict[str, Version]:
    """The current version of every id that exists (real-time, like ``mget_sources``)."""
    found: dict[str, Version] = {}
    for chunk in _chunks(list(dict.fromkeys(ids)), _MGET_CHUNK):
        for doc in client.mget(index=index, ids=chunk, source=False)["docs"]:
            if doc.get("found"):
                found[doc["_id"]] = Version(int(doc["_seq_no"]), int(doc["_primary_term"]))
    return found


def scan(
    client: Elasticsearch,
    index: str,
    *,
    sort_field: str,
    query: dict[str, Any] | None = None,
    source: list[str] | bool = True,
    page: int = _PAGE,
) -> Iterator[dict[str, Any]]:
    """Every hit of ``query`` in ``sort_field`` order (a unique keyword), page by page.

    ``search_after`` on a unique field needs no scroll context to clean up and no fielddata on
    ``_id``; a document written meanwhile is seen or not, never twice.
    """
    after: list[Any] | None = None
    while True:
        extra: dict[str, Any] = {"search_after": after} if after is not None else {}
        response = client.search(
            index=index,
            query=query or {"match_all": {}},
            sort=[{sort_field: "asc"}],
            size=page,
            source=source,
            track_total_hits=False,
            **extra,
        )
        hits = response["hits"]["hits"]
        yield from hits
        if len(hits) < page:
            return
        after = hits[-1]["sort"]


def passage_ids_by_article(
    client: Elasticsearch, index: str, article_ids: Sequence[str]
) -> dict[str, set[str]]:
    """The stored passage ids of each article, found with a search on ``article_id``.

    A search sees what was refreshed: writes refresh before they return, and a writer refreshes
    again before this read, so it sees another writer's passages written before its version.
    """
    found: dict[str, set[str]] = {article_id: set() for article_id in article_ids}
    for chunk in _chunks(list(dict.fromkeys(article_ids)), _TERMS_CHUNK):
        query = {"terms": {"article_id": chunk}}
        for hit in scan(client, index, sort_field="passage_id", query=query, source=["article_id"]):
            found.setdefault(hit["_source"]["article_id"], set()).add(hit["_id"])
    return found


def distinct_values(client: Elasticsearch, index: str, field: str) -> list[str]:
    """Every value of a keyword field, paged with a composite aggregation (no size guess)."""
    values: list[str] = []
    after: dict[str, Any] | None = None
    while True:
        composite: dict[str, Any] = {
            "size": _PAGE,
            "sources": [{"value": {"terms": {"field": field}}}],
        }
        if after is not None:
            composite["after"] = after
        response = client.search(
            index=index, size=0, track_total_hits=False, aggs={"values": {"composite": composite}}
        )
        result = response["aggregations"]["values"]
        values += [bucket["key"]["value"] for bucket in result["buckets"]]
        after = result.get("after_key")
        if after is None or len(result["buckets"]) < _PAGE:
            return values
