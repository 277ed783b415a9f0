"""Replacing and deleting whole articles without ``_delete_by_query`` (absent from minimal builds).

Order matters, so that a failure leaves each article either as it was or fully replaced:
1. index the new passages (stable ids: an unchanged passage is overwritten in place, so a search
   during the write never finds the article without passages);
2. delete the passages the article no longer has (ids found with a search on ``article_id``);
   for an article whose new passages were refused, delete the ones it did get instead;
3. only then write the article document, whose content hash tells the indexer "done".
An article that failed keeps its old hash, so the next ``newsdesk index`` tries it again.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from search.errors import InvalidArticleError
from search.store.elasticsearch.bulk import delete_action, index_action, run_bulk
from search.store.elasticsearch.documents import article_source, passage_source
from search.store.elasticsearch.errors import ItemFailure, raise_for_failures
from search.store.elasticsearch.reads import mget_sources, passage_ids_by_article
from search.store.protocol import IndexedArticle

if TYPE_CHECKING:
    from search.store.elasticsearch.store import ElasticsearchStore


def _bulk(store: ElasticsearchStore, actions: list[dict[str, Any]]) -> list[ItemFailure]:
    if not actions:
        return []
    return run_bulk(store.client, actions, url=store.url, policy=store.bulk_policy)


def _owners(owner: dict[str, str], failures: Sequence[ItemFailure]) -> set[str]:
    return {owner[failure.doc_id] for failure in failures if failure.doc_id in owner}


def _check(item: IndexedArticle, dim: int) -> np.ndarray:
    vectors = np.asarray(item.embeddings, dtype=np.float32)
    if vectors.shape != (len(item.passages), dim):
        raise InvalidArticleError(
            f"article {item.article.id}: {len(item.passages)} passages need a "
            f"({len(item.passages)}, {dim}) embedding array, got {vectors.shape}"
        )
    return vectors


def replace_articles(store: ElasticsearchStore, items: Sequence[IndexedArticle]) -> None:
    """Insert or replace each article with its passages; raise listing any refused item."""
    # The same article twice in one call: the last one wins, as in the embedded store.
    latest = {item.article.id: item for item in items}
    vectors = {article_id: _check(item, store.dim) for article_id, item in latest.items()}
    passages_index, articles_index = store.aliases.passages, store.aliases.articles
    old = passage_ids_by_article(store.client, passages_index, list(latest))

    owner: dict[str, str] = {}
    writes: list[dict[str, Any]] = []
    for article_id, item in latest.items():
        for passage, vector in zip(item.passages, vectors[article_id], strict=True):
            owner[passage.id] = article_id
            source = passage_source(
                item.article, passage, vector, include_title=store.bm25_include_title
            )
            writes.append(index_action(passages_index, passage.id, source))
    failures = _bulk(store, writes)
    failed = _owners(owner, failures)

    deletes: list[dict[str, Any]] = []
    for article_id, item in latest.items():
        new = {passage.id for passage in item.passages}
        # Roll a failed article back to its old passages; otherwise drop what it no longer has.
        drop = new - old[article_id] if article_id in failed else old[article_id] - new
        deletes += [delete_action(passages_index, passage_id) for passage_id in sorted(drop)]
        owner.update(dict.fromkeys(drop, article_id))
    delete_failures = _bulk(store, deletes)
    failed |= _owners(owner, delete_failures)

    articles = [
        index_action(articles_index, article_id, article_source(item.article))
        for article_id, item in latest.items()
        if article_id not in failed
    ]
    article_failures = _bulk(store, articles)
    store.client.indices.refresh(index=f"{passages_index},{articles_index}")
    raise_for_failures([*failures, *delete_failures, *article_failures])


def delete_articles(store: ElasticsearchStore, article_ids: Sequence[str]) -> int:
    """Remove articles and their passages; returns how many articles existed.

    Passages go first: if that fails the article stays listed and a retry finishes the job.
    Passages left by an earlier failed write of an unknown article are removed too.
    """
    passages_index, articles_index = store.aliases.passages, store.aliases.articles
    existing = mget_sources(store.client, articles_index, article_ids, ["content_hash"])
    stored = passage_ids_by_article(store.client, passages_index, article_ids)
    owner = {pid: article_id for article_id, pids in stored.items() for pid in pids}
    failures = _bulk(store, [delete_action(passages_index, pid) for pid in sorted(owner)])
    failed = _owners(owner, failures)
    article_failures = _bulk(
        store,
        [delete_action(articles_index, aid) for aid in sorted(existing) if aid not in failed],
    )
    store.client.indices.refresh(index=f"{passages_index},{articles_index}")
    raise_for_failures([*failures, *article_failures])
    return len(existing)
