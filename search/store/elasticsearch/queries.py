"""Query bodies for the two legs, built from fixed field names and the allow-listed filters."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from search.filters import SearchFilters, keyword
from search.passages import published_timestamp
from search.results import FacetName
from search.store.search_breadth import candidates

# Elasticsearch's own ceilings (index.max_result_window and the knn limits).
MAX_RESULTS = 10_000
FACET_OUTLETS = 50


def _sequence(terms: Sequence[str], positions: bool) -> dict[str, Any]:
    """A term, or pre-analysed terms in this order (``match_phrase`` on the whitespace-analysed
    field: the same positions the embedded store phrase-matches). An index without positions
    (mapping v1) can only require each term."""
    if len(terms) == 1:
        return {"term": {"terms": terms[0]}}
    if not positions:
        return {"bool": {"filter": [{"term": {"terms": term}} for term in terms]}}
    return {"match_phrase": {"terms": {"query": " ".join(terms), "analyzer": "whitespace"}}}


def exclusion_clauses(
    filters: SearchFilters | None, positions: bool = True
) -> list[dict[str, Any]]:
    """``must_not`` clauses: passages holding an excluded word or phrase."""
    return [_sequence(terms, positions) for terms in (filters.excluded or ())] if filters else []


def filter_query(filters: SearchFilters | None, positions: bool = True) -> dict[str, Any] | None:
    """Every filter as one ``bool`` query (for kNN's ``filter`` and for counting)."""
    admit, reject = filter_clauses(filters, positions), exclusion_clauses(filters, positions)
    if not admit and not reject:
        return None
    return {"bool": {"filter": admit, "must_not": reject}}


def filter_clauses(filters: SearchFilters | None, positions: bool = True) -> list[dict[str, Any]]:
    """``filter`` context clauses: they admit or exclude, never add to the score.

    Dates compare as whole epoch seconds, computed by the same function the embedded store uses,
    so a bound on the second admits the same passages on both backends.
    """
    if filters is None or filters.is_empty():
        return []
    clauses: list[dict[str, Any]] = []
    # The allow-list: each filter maps to one fixed keyword field.
    for field, values in (
        ("outlet_key", filters.outlets),
        ("author_key", filters.authors),
        ("language_key", filters.languages),
    ):
        if values:
            keys = sorted({key for key in map(keyword, values) if key})
            clauses.append({"terms": {field: keys}})
    bounds: dict[str, Any] = {}
    if filters.published_after:
        bounds["gte"] = published_timestamp(filters.published_after)
    if filters.published_before:
        bounds["lte"] = published_timestamp(filters.published_before)
    if bounds:
        clauses.append({"range": {"published_at": {**bounds, "format": "epoch_second"}}})
    clauses += [_sequence(terms, positions) for terms in filters.phrases or ()]
    return clauses


def bm25_query(
    terms: Sequence[str], filters: SearchFilters | None, positions: bool = True
) -> dict[str, Any]:
    """One ``term`` clause per pre-analysed term: Lucene BM25 summed over the query's terms.

    ``minimum_should_match`` keeps a filtered query from matching passages with no query term
    (a ``bool`` with a ``filter`` otherwise makes every ``should`` optional).
    """
    return {
        "bool": {
            "should": [{"term": {"terms": term}} for term in terms],
            "minimum_should_match": 1,
            "filter": filter_clauses(filters, positions),
            "must_not": exclusion_clauses(filters, positions),
        }
    }


def knn_clause(
    embedding: np.ndarray, top_k: int, filters: SearchFilters | None, positions: bool = True
) -> dict[str, Any]:
    """Top-level kNN; the filter is applied inside the HNSW search, so top_k still come back."""
    k = min(top_k, MAX_RESULTS)
    clause: dict[str, Any] = {
        "field": "embedding",
        "query_vector": [float(value) for value in np.asarray(embedding, dtype=np.float32)],
        "k": k,
        "num_candidates": min(MAX_RESULTS, candidates(k)),
    }
    admitted = filter_query(filters, positions)
    if admitted is not None:
        clause["filter"] = admitted
    return clause


def cosine_from_score(score: float) -> float:
    """Elasticsearch scores cosine kNN as (1 + cos) / 2; the protocol promises the cosine."""
    return 2.0 * score - 1.0


def document_frequency_aggregation(terms: Sequence[str]) -> dict[str, Any]:
    """A ``filters`` aggregation: one exact live-document count per term, in one request."""
    return {
        "df": {
            "filters": {
                "filters": {str(i): {"term": {"terms": term}} for i, term in enumerate(terms)}
            }
        }
    }


def facet_aggregations(names: Sequence[FacetName]) -> dict[str, Any]:
    """Outlet names by passage count; UTC days (as the embedded store's 86400 s buckets)."""
    aggregations: dict[str, Any] = {}
    if "outlet" in names:
        aggregations["outlet"] = {"terms": {"field": "outlet", "size": FACET_OUTLETS}}
    if "day" in names:
        aggregations["day"] = {
            "date_histogram": {
                "field": "published_at",
                "calendar_interval": "day",
                "time_zone": "UTC",
                "format": "yyyy-MM-dd",
                "min_doc_count": 1,
            }
        }
    return aggregations
