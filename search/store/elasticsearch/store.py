"""The Elasticsearch store: the embedded store's twin, for archives that outgrow one machine."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np
from elasticsearch import NotFoundError
from haystack import Document, default_to_dict

from search.articles import Article
from search.errors import StoreCorruptedError, StoreUnavailableError
from search.filters import SearchFilters
from search.results import FacetBucket, FacetName
from search.settings import ElasticsearchSettings
from search.store.elasticsearch import queries, schema, stamp
from search.store.elasticsearch.bulk import BulkPolicy
from search.store.elasticsearch.client import connect
from search.store.elasticsearch.documents import HIT_SOURCE, article_from_source, passage_from_hit
from search.store.elasticsearch.errors import translated
from search.store.elasticsearch.reads import distinct_values, mget_sources, msearch_hits, scan
from search.store.elasticsearch.reindex import ReindexSummary, rebuild
from search.store.elasticsearch.writes import delete_articles, replace_articles, while_blocked
from search.store.model_stamp import ModelStamp, stamp_from_dict, stamp_to_dict
from search.store.protocol import IndexedArticle, PassageKey, Ranking, StoreCounts

OUTLETS_TTL_S = 60.0
_log = logging.getLogger(__name__)


class ElasticsearchStore:
    """Passages (BM25 terms + HNSW vectors) behind one alias, articles behind ``<alias>-articles``.

    Usage:
        store = ElasticsearchStore(ElasticsearchSettings(index="newsdesk"), dim=384)
        store.write_articles([IndexedArticle(article, passages, embeddings)])
        store.bm25_search(["missil"], top_k=5)
        store.reindex()  # new concrete indices, atomic alias swap, old ones dropped
        store.close()

    Nothing is contacted until first use, so an API can start (and report 503) while the cluster
    is down; the indices are created from ``infra/elasticsearch/*.json`` on first use.
    """

    def __init__(
        self,
        settings: ElasticsearchSettings,
        *,
        dim: int,
        bm25_include_title: bool = True,
        bulk_policy: BulkPolicy | None = None,
        model: ModelStamp | None = None,
    ) -> None:
        self.settings = settings
        self.url = settings.url
        self.dim = dim
        self.model = model
        self._model_recorded = False
        self.layout = (settings.shards, settings.replicas)
        self.bm25_include_title = bm25_include_title
        self.aliases = schema.Aliases.for_index(settings.index)
        self.bulk_policy = bulk_policy or BulkPolicy()
        self.client = connect(settings)
        self._ready = False
        # Whether the passages index keeps term positions (mapping v2+): phrases need them.
        self._positions = True
        self._lock = threading.Lock()
        # The retriever asks for outlets on every question: one aggregation a minute at most,
        # and this process's own writes invalidate it at once.
        self._outlets: tuple[float, list[str]] | None = None

    def to_dict(self) -> dict[str, Any]:
        """Haystack's serialisation shape; the API key is never written out (from_dict takes it
        from ``NEWSDESK_ELASTICSEARCH__API_KEY`` when the same URL is configured there)."""
        return default_to_dict(
            self,
            settings=self.settings.model_dump(mode="json", exclude={"api_key"}),
            dim=self.dim,
            bm25_include_title=self.bm25_include_title,
            model=stamp_to_dict(self.model),
        )

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ElasticsearchStore:
        from search.settings import get_settings

        parameters = dict(data.get("init_parameters", {}))
        settings = ElasticsearchSettings.model_validate(parameters.pop("settings"))
        configured = get_settings().elasticsearch
        if configured.url == settings.url and configured.api_key is not None:
            settings = settings.model_copy(update={"api_key": configured.api_key})
        parameters["model"] = stamp_from_dict(parameters.get("model"))
        return cls(settings, dim=parameters.pop("dim"), **parameters)

    # -- indices --------------------------------------------------------------------------------

    def _ensure(self) -> None:
        """Create both aliased indices on first use and check the vector size matches."""
        if self._ready:
            return
        with self._lock:
            if self._ready:
                return
            indices = {alias: self._ensure_alias(alias, kind) for alias, kind in self._kinds()}
            for alias, kind in self._kinds():
                schema.add_missing_fields(self.client, indices[alias], kind)
            dims = schema.vector_dims(self.client, indices[self.aliases.passages])
            if dims != self.dim:
                raise StoreCorruptedError(
                    f"Elasticsearch index {self.aliases.passages!r} holds {dims}-d vectors but the "
                    f"embedding model gives {self.dim}-d: use another NEWSDESK_ELASTICSEARCH__INDEX"
                )
            if self.model is not None:
                passages = indices[self.aliases.passages]
                self._model_recorded = stamp.check(self.client, passages, self.model)
            self._positions = schema.version_of(indices[self.aliases.passages]) >= 2
            if not self._positions:
                _log.warning(
                    "Elasticsearch index %s predates term positions: quoted phrases match their "
                    "words in any order until `newsdesk reindex` moves it to mapping v%d",
                    indices[self.aliases.passages],
                    schema.TEMPLATE_VERSION,
                )
            self._ready = True

    def _kinds(self) -> list[tuple[str, str]]:
        return [(self.aliases.passages, "passages"), (self.aliases.articles, "articles")]

    def _ensure_alias(self, alias: str, kind: str) -> str:
        index = schema.resolve(self.client, alias)
        if index is None:
            # Generation 1 has a fixed name: racing processes create it once, never twice.
            name = self.aliases.concrete_name(alias, 1)
            schema.create_index(self.client, name, kind, self.dim, alias, self.layout)
            index = schema.resolve(self.client, alias)
        if index is None:
            raise StoreCorruptedError(
                f"Elasticsearch index {self.aliases.concrete_name(alias, 1)!r} exists but the "
                f"alias {alias!r} does not: add the alias or delete the index"
            )
        return index

    @contextmanager
    def _op(self, doing: str) -> Iterator[None]:
        """Ensure the indices, translate every client error, forget them if they vanished."""
        with translated(self.url, doing):
            try:
                self._ensure()
                yield
            except NotFoundError:
                self._ready = False
                raise

    def indices(self) -> dict[str, str | None]:
        """alias -> concrete index, for health output and tests."""
        with self._op("resolving aliases"):
            return {alias: schema.resolve(self.client, alias) for alias in self._alias_names()}

    def _alias_names(self) -> list[str]:
        return [self.aliases.passages, self.aliases.articles]

    def _refresh(self) -> None:
        self.client.indices.refresh(index=",".join(self._alias_names()))

    # -- writes ---------------------------------------------------------------------------------

    def write_articles(self, items: Sequence[IndexedArticle]) -> None:
        if not items:
            return
        self._outlets = None
        with self._op("writing articles"):
            if self.model is not None and not self._model_recorded:
                stamp.record(self.client, self.aliases.passages, self.model)
                self._model_recorded = True
            while_blocked(self, lambda: replace_articles(self, items))

    def delete_articles(self, article_ids: Sequence[str]) -> int:
        if not article_ids:
            return 0
        self._outlets = None
        with self._op("deleting articles"):
            return while_blocked(self, lambda: delete_articles(self, article_ids))

    def reindex(self) -> ReindexSummary:
        """Rebuild both indices from the stored articles and swap the aliases atomically."""
        with self._op("reindexing"):
            summary = rebuild(self)
        self._ready = False  # the new indices may be of a newer mapping (term positions)
        return summary

    # -- reads ----------------------------------------------------------------------------------

    def article_hashes(self, article_ids: Sequence[str]) -> dict[str, str]:
        with self._op("reading article hashes"):
            found = mget_sources(self.client, self.aliases.articles, article_ids, ["content_hash"])
        return {doc_id: source["content_hash"] for doc_id, source in found.items()}

    def passage_embeddings(self, passage_ids: Sequence[str]) -> dict[str, np.ndarray]:
        with self._op("reading passage embeddings"):
            found = mget_sources(self.client, self.aliases.passages, passage_ids, ["embedding"])
        vectors = {key: np.asarray(src["embedding"], np.float32) for key, src in found.items()}
        # As in the embedded store: vectors of another model's size are not reusable.
        return {key: vector for key, vector in vectors.items() if vector.shape == (self.dim,)}

    def get_article(self, article_id: str) -> Article | None:
        with self._op("reading an article"):
            found = mget_sources(self.client, self.aliases.articles, [article_id], None)
        return article_from_source(found[article_id]) if article_id in found else None

    def iter_articles(self) -> Iterator[Article]:
        with self._op("listing articles"):
            for hit in scan(self.client, self.aliases.articles, sort_field="id"):
                yield article_from_source(hit["_source"])

    def outlets(self) -> list[str]:
        """Every outlet name, sorted; cached for ``OUTLETS_TTL_S`` across other writers."""
        cached = self._outlets
        if cached is not None and time.monotonic() - cached[0] < OUTLETS_TTL_S:
            return cached[1]
        with self._op("listing outlets"):
            names = sorted(distinct_values(self.client, self.aliases.articles, "outlet"))
        self._outlets = (time.monotonic(), names)
        return names

    def counts(self) -> StoreCounts:
        with self._op("counting"):
            articles = self.client.count(index=self.aliases.articles)["count"]
            passages = self.client.count(index=self.aliases.passages)["count"]
        return StoreCounts(articles=int(articles), passages=int(passages))

    def bm25_search(
        self, terms: Sequence[str], top_k: int, filters: SearchFilters | None = None
    ) -> list[Document]:
        hits = self._bm25_hits(terms, top_k, filters, HIT_SOURCE)
        return [passage_from_hit(hit, float(hit["_score"])) for hit in hits]

    def bm25_ranking(
        self, terms: Sequence[str], top_k: int, filters: SearchFilters | None = None
    ) -> Ranking:
        """(passage id, BM25 score) pairs, best first; no ``_source`` is fetched."""
        hits = self._bm25_hits(terms, top_k, filters)
        return [(hit["_id"], float(hit["_score"])) for hit in hits]

    def bm25_rankings(
        self, terms: Sequence[str], top_k: int, filter_sets: Sequence[SearchFilters | None]
    ) -> list[Ranking]:
        """One ``msearch`` round trip for every filter set."""
        if not terms or top_k <= 0:
            return [[] for _ in filter_sets]
        found = self._search_many(
            lambda: [self._bm25_body(terms, top_k, filters) for filters in filter_sets],
            "searching (BM25)",
            search_type="dfs_query_then_fetch",
        )
        return [[(hit["_id"], float(hit["_score"])) for hit in hits] for hits in found]

    def _bm25_hits(
        self,
        terms: Sequence[str],
        top_k: int,
        filters: SearchFilters | None,
        source: list[str] | None = None,
    ) -> list[dict[str, Any]]:
        if not terms or top_k <= 0:
            return []
        with self._op("searching (BM25)"):
            response = self.client.search(
                index=self.aliases.passages,
                **self._bm25_body(terms, top_k, filters),
                **_source(source),
                # Corpus-wide term statistics when there are several shards, so scores do not
                # depend on which shard a passage landed in (free with one shard).
                search_type="dfs_query_then_fetch",
            )
        return list(response["hits"]["hits"])

    def _bm25_body(
        self, terms: Sequence[str], top_k: int, filters: SearchFilters | None
    ) -> dict[str, Any]:
        return {
            "query": queries.bm25_query(terms, filters, self._positions),
            "size": min(top_k, queries.MAX_RESULTS),
            "track_total_hits": False,
            # Equal scores in passage-id order: stable across replicas, reindexes and pages.
            "sort": [{"_score": "desc"}, {"passage_id": "asc"}],
        }

    def _search_many(
        self, bodies: Callable[[], list[dict[str, Any]]], doing: str, **options: Any
    ) -> list[list[dict[str, Any]]]:
        """One ``msearch``; the bodies are built once the index (and its mapping) is known."""
        with self._op(doing):
            return msearch_hits(self.client, self.aliases.passages, bodies(), **options)

    def facets(
        self, terms: Sequence[str], filters: SearchFilters | None, names: Sequence[FacetName]
    ) -> dict[str, list[FacetBucket]]:
        """Counts over the passages the BM25 leg matches (any term, within the filters)."""
        if not terms or not names:
            return {name: [] for name in names}
        with self._op("counting facets"):
            response = self.client.search(
                index=self.aliases.passages,
                size=0,
                track_total_hits=False,
                query=queries.bm25_query(terms, filters, self._positions),
                aggs=queries.facet_aggregations(names),
            )
        aggregations = response.get("aggregations", {})
        return {
            name: [
                FacetBucket(value=str(bucket.get("key_as_string", bucket["key"])), count=count)
                for bucket in aggregations[name]["buckets"]
                if (count := int(bucket["doc_count"])) > 0
            ]
            for name in names
            if name in aggregations
        }

    def document_frequencies(self, terms: Sequence[str]) -> tuple[int, dict[str, int]]:
        unique = list(dict.fromkeys(terms))
        with self._op("counting term frequencies"):
            response = self.client.search(
                index=self.aliases.passages,
                size=0,
                track_total_hits=True,
                aggs=queries.document_frequency_aggregation(unique) if unique else None,
            )
        total = int(response["hits"]["total"]["value"])
        buckets = response.get("aggregations", {}).get("df", {}).get("buckets", {})
        return total, {term: int(buckets[str(i)]["doc_count"]) for i, term in enumerate(unique)}

    def count_matching(self, filters: SearchFilters) -> int:
        with self._op("counting matches"):
            query = queries.filter_query(filters, self._positions)
            response = self.client.count(index=self.aliases.passages, query=query)
        return int(response["count"])

    def dense_search(
        self, embedding: np.ndarray, top_k: int, filters: SearchFilters | None = None
    ) -> list[Document]:
        return [
            passage_from_hit(hit, queries.cosine_from_score(float(hit["_score"])))
            for hit in self._knn_hits(embedding, top_k, filters, HIT_SOURCE)
        ]

    def dense_ranking(
        self, embedding: np.ndarray, top_k: int, filters: SearchFilters | None = None
    ) -> Ranking:
        """(passage id, cosine) pairs, best first; no ``_source`` is fetched."""
        return [
            (hit["_id"], queries.cosine_from_score(float(hit["_score"])))
            for hit in self._knn_hits(embedding, top_k, filters)
        ]

    def dense_rankings(
        self, embedding: np.ndarray, top_k: int, filter_sets: Sequence[SearchFilters | None]
    ) -> list[Ranking]:
        """One ``msearch`` round trip for every filter set."""
        if top_k <= 0:
            return [[] for _ in filter_sets]

        def bodies() -> list[dict[str, Any]]:
            clauses = [
                queries.knn_clause(embedding, top_k, filters, self._positions)
                for filters in filter_sets
            ]
            return [{"knn": knn, "size": knn["k"]} for knn in clauses]

        found = self._search_many(bodies, "searching (dense)")
        return [
            [(hit["_id"], queries.cosine_from_score(float(hit["_score"]))) for hit in hits]
            for hits in found
        ]

    def _knn_hits(
        self,
        embedding: np.ndarray,
        top_k: int,
        filters: SearchFilters | None,
        source: list[str] | None = None,
    ) -> list[dict[str, Any]]:
        if top_k <= 0:
            return []
        with self._op("searching (dense)"):
            knn = queries.knn_clause(embedding, top_k, filters, self._positions)
            response = self.client.search(
                index=self.aliases.passages, knn=knn, size=knn["k"], **_source(source)
            )
        return list(response["hits"]["hits"])

    def hydrate(self, keys: Sequence[PassageKey]) -> dict[PassageKey, Document]:
        """Documents by passage id, read in real time (``mget``): no refresh is waited for."""
        with self._op("reading passages"):
            found = mget_sources(
                self.client, self.aliases.passages, [str(key) for key in keys], HIT_SOURCE
            )
        return {
            passage_id: passage_from_hit({"_id": passage_id, "_source": source})
            for passage_id, source in found.items()
        }

    def story_keys(self, keys: Sequence[PassageKey]) -> dict[PassageKey, tuple[str, str]]:
        with self._op("reading passages"):
            found = mget_sources(
                self.client,
                self.aliases.passages,
                [str(key) for key in keys],
                ["article_id", "cluster_id"],
            )
        return {
            passage_id: (source["article_id"], source.get("cluster_id") or source["article_id"])
            for passage_id, source in found.items()
        }

    # -- lifecycle ------------------------------------------------------------------------------

    def flush(self) -> None:
        """Writes are refreshed as they happen; this makes sure, for callers that batch."""
        with self._op("refreshing"):
            self._refresh()

    def optimize(self) -> None:
        with self._op("force merging"):
            self.client.indices.forcemerge(index=self.aliases.passages, max_num_segments=1)
            self._refresh()

    def ping(self) -> None:
        """Cluster health (``GET /`` is not served by every build), within the timeout."""
        with translated(self.url, "checking cluster health"):
            health = self.client.cluster.health()
        if health["status"] == "red":
            raise StoreUnavailableError(f"Elasticsearch at {self.url} reports cluster health red")

    def close(self) -> None:
        self.client.close()


def _source(fields: list[str] | None) -> dict[str, Any]:
    """Search options that fetch those ``_source`` fields, or none at all."""
    return {"source_includes": fields} if fields else {"source": False}
