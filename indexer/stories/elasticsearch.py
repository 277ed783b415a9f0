"""Story signatures in Elasticsearch itself: every API and indexer process, on any host, shares
them, as they share the passages.

One document per article in ``<index>-stories`` (one shard: its sequence numbers order every
write): the LSH band keys as a keyword field, looked up with a query on them; the centroid and
date for the confirmation; the cluster id once decided. Assigning writes the article's own
document first, waits until every write sequenced before it is searchable, then looks for
candidates and joins the earliest-written confirmed copy's cluster. So of two processes writing
copies at the same moment, the later one always sees the earlier and joins it, and the earlier
one never joins the later: they agree whichever saw whom (see ``earliest_copy``).
"""

from __future__ import annotations

import contextlib
import logging
import time
from typing import Any

import numpy as np
from elasticsearch import ConflictError, NotFoundError

from indexer.stories.signatures import MAX_CANDIDATES, Candidate, StoryMember, earliest_copy
from search.articles import Article
from search.errors import StoreCorruptedError
from search.settings import DedupSettings, ElasticsearchSettings
from search.store.elasticsearch.client import connect
from search.store.elasticsearch.errors import translated

_POLL_S = 0.02
# How long to wait for an earlier copy's process to record its cluster before taking the copy's
# own id (that process died between its two writes).
CLUSTER_WAIT_S = 10.0
_log = logging.getLogger(__name__)


def _mapping(replicas: int) -> dict[str, Any]:
    return {
        "settings": {"index": {"number_of_shards": 1, "number_of_replicas": replicas}},
        "mappings": {
            "dynamic": "strict",
            "properties": {
                "bands": {"type": "keyword"},
                "cluster_id": {"type": "keyword"},
                "centroid": {"type": "float", "index": False, "doc_values": False},
                "published_ts": {"type": "long"},
                # (primary term, sequence number) of the article's first write: an update gets
                # a new sequence number, its place in the order must not change.
                "order": {"type": "long", "index": False},
            },
        },
    }


class ElasticsearchStoryIndex:
    """Usage:
    stories = ElasticsearchStoryIndex(ElasticsearchSettings(index="newsdesk"), DedupSettings())
    cluster_id = stories.assign(article, centroid)
    """

    def __init__(self, settings: ElasticsearchSettings, dedup: DedupSettings) -> None:
        self.settings = dedup
        self.index = f"{settings.index}-stories"
        self._url = settings.url
        self._replicas = settings.replicas
        self.client = connect(settings)
        self._ready = False

    def _ensure(self) -> None:
        if self._ready:
            return
        response = self.client.options(ignore_status=400).indices.create(
            index=self.index, **_mapping(self._replicas)
        )
        if response.meta.status == 400:
            error = response.body.get("error", {}) if isinstance(response.body, dict) else {}
            if error.get("type") != "resource_already_exists_exception":
                raise StoreCorruptedError(f"cannot create Elasticsearch index {self.index!r}")
        self._ready = True

    def assign(self, article: Article, centroid: np.ndarray) -> str:
        """The cluster id for ``article``: its earliest confirmed copy's, else its own id."""
        member = StoryMember.of(article, centroid, self.settings)
        with translated(self._url, "assigning a story"):
            self._ensure()
            written = self.client.index(
                index=self.index,
                id=article.id,
                document={
                    "bands": list(member.bands),
                    "cluster_id": None,
                    "centroid": member.centroid.tolist(),
                    "published_ts": member.published_ts,
                },
            )
            order = (int(written["_primary_term"]), int(written["_seq_no"]))
            self._searchable_through(order[1])
            copy = earliest_copy(member, order, self._candidates(member), self.settings)
            cluster_id = article.id if copy is None else self._cluster_of(copy)
            # Conditional: if another process re-assigned the article meanwhile, its write decides.
            with contextlib.suppress(ConflictError):
                self.client.update(
                    index=self.index,
                    id=article.id,
                    doc={"cluster_id": cluster_id, "order": list(order)},
                    if_seq_no=order[1],
                    if_primary_term=order[0],
                )
        return cluster_id

    def _searchable_through(self, seq_no: int) -> None:
        """Wait until every write sequenced up to ``seq_no`` is applied, then make them visible.

        A refresh alone could miss a write sequenced earlier but still being applied."""
        while self._local_checkpoint() < seq_no:
            time.sleep(_POLL_S)
        self.client.indices.refresh(index=self.index)

    def _local_checkpoint(self) -> int:
        stats = self.client.indices.stats(index=self.index, metric="docs", level="shards")
        copies = stats["indices"][self.index]["shards"]["0"]
        primary = next(copy for copy in copies if copy["routing"]["primary"])
        return int(primary["seq_no"]["local_checkpoint"])

    def _candidates(self, member: StoryMember) -> list[Candidate]:
        response = self.client.search(
            index=self.index,
            query={
                "bool": {
                    # Scored by the band keys shared, rarest first: copies share several.
                    "should": [{"term": {"bands": band}} for band in member.bands],
                    "minimum_should_match": 1,
                    "must_not": [{"ids": {"values": [member.article_id]}}],
                }
            },
            size=MAX_CANDIDATES,
            seq_no_primary_term=True,
            source_includes=["cluster_id", "centroid", "published_ts", "order"],
            track_total_hits=False,
        )
        return [_candidate(hit) for hit in response["hits"]["hits"]]

    def _cluster_of(self, copy: Candidate) -> str:
        """The copy's cluster, once its own process has recorded it."""
        deadline = time.monotonic() + CLUSTER_WAIT_S
        cluster_id = copy.cluster_id
        while cluster_id is None and time.monotonic() < deadline:
            time.sleep(_POLL_S)
            try:
                found = self.client.get(index=self.index, id=copy.article_id, source=["cluster_id"])
            except NotFoundError:
                break  # forgotten meanwhile
            cluster_id = found["_source"].get("cluster_id")
        if cluster_id is None:
            _log.warning("story of %s never recorded; grouping with it by its id", copy.article_id)
            return copy.article_id
        return str(cluster_id)

    def forget(self, article_id: str) -> None:
        with translated(self._url, "forgetting a story"):
            self._ensure()
            self.client.options(ignore_status=404).delete(index=self.index, id=article_id)

    def close(self) -> None:
        self.client.close()


def _candidate(hit: dict[str, Any]) -> Candidate:
    source = hit["_source"]
    recorded = source.get("order")
    order = (hit["_primary_term"], hit["_seq_no"]) if recorded is None else recorded
    return Candidate(
        article_id=hit["_id"],
        cluster_id=source.get("cluster_id"),
        centroid=np.asarray(source["centroid"], dtype=np.float32),
        published_ts=source.get("published_ts"),
        order=tuple(int(value) for value in order),
    )
