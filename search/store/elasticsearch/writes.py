"""Replacing and deleting whole articles without ``_delete_by_query`` (absent from minimal builds).

Order matters, so that a failure leaves each article either as it was or fully replaced:
1. read the article document's version, then (after a refresh) the ids of its stored passages;
2. index the new passages (stable ids: an unchanged passage is overwritten in place, so a search
   during the write never finds the article without passages);
3. delete the passages the article no longer has; for an article whose new passages were
   refused, delete the ones it did get instead;
4. only then write the article document, whose content hash tells the indexer "done", on the
   condition that it is still at the version read in 1 (``if_seq_no``/``if_primary_term``).
An article that failed keeps its old hash, so the next ``newsdesk index`` tries it again. When
another writer changed the article between 1 and 4 (409), the article is written again from 1:
it then sees the other writer's passages and removes them, so an article's passages are always
exactly one writer's set, never a mix.

While ``reindex`` copies the indices they refuse writes (``index.blocks.write``); a write waits
for the alias to move to the new indices and is then made there, from 1.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np

from search.errors import StoreUnavailableError
from search.store.elasticsearch.bulk import (
    conditional_index_action,
    delete_action,
    index_action,
    run_bulk,
)
from search.store.elasticsearch.documents import article_source, passage_source
from search.store.elasticsearch.errors import (
    ItemFailure,
    WritesBlockedError,
    is_conflict,
    raise_for_failures,
)
from search.store.elasticsearch.reads import mget_versions, passage_ids_by_article
from search.store.protocol import IndexedArticle, checked_embeddings

if TYPE_CHECKING:
    from search.store.elasticsearch.store import ElasticsearchStore

# Writers of one article rarely collide more than once or twice; past this, give up (503).
_CONFLICT_ATTEMPTS = 8
_BLOCKED_POLL_S = 0.25
Result = TypeVar("Result")


def _bulk(store: ElasticsearchStore, actions: list[dict[str, Any]]) -> list[ItemFailure]:
    if not actions:
        return []
    return run_bulk(store.client, actions, url=store.url, policy=store.bulk_policy)


def _owners(owner: dict[str, str], failures: Sequence[ItemFailure]) -> set[str]:
    return {owner[failure.doc_id] for failure in failures if failure.doc_id in owner}


def while_blocked(store: ElasticsearchStore, write: Callable[[], Result]) -> Result:
    """Run ``write``, again and again while the indices refuse writes, for up to
    ``bulk_policy.blocked_wait_s``."""
    deadline = time.monotonic() + store.bulk_policy.blocked_wait_s
    while True:
        try:
            return write()
        except WritesBlockedError as error:
            if time.monotonic() >= deadline:
                raise StoreUnavailableError(
                    f"{error} - waited {store.bulk_policy.blocked_wait_s:.0f} s: a reindex is "
                    "copying the index (try again when it is done) or the disk is full; if "
                    "neither, an interrupted reindex left the block: lift it with "
                    'PUT /<index>/_settings {"index.blocks.write": false}'
                ) from error
            time.sleep(_BLOCKED_POLL_S)


def _until_settled(
    attempt: Callable[[list[str]], tuple[list[str], list[ItemFailure]]], ids: list[str]
) -> list[ItemFailure]:
    """Repeat ``attempt`` for the articles another writer changed meanwhile (its first result)."""
    failures: list[ItemFailure] = []
    pending = list(dict.fromkeys(ids))
    for number in range(_CONFLICT_ATTEMPTS):
        pending, refused = attempt(pending)
        failures += refused
        if not pending:
            return failures
        time.sleep(random.uniform(0.01, 0.05) * (number + 1))  # let the other writer finish
    raise StoreUnavailableError(
        f"articles {pending[:5]} kept changing under other writers; try again"
    )


def _read_state(
    store: ElasticsearchStore, article_ids: list[str]
) -> tuple[dict[str, Any], dict[str, set[str]]]:
    """(article versions, stored passage ids): versions first, then a refresh, so the passages
    seen include every passage written before the versions' article writes."""
    passages_index, articles_index = store.aliases.passages, store.aliases.articles
    versions = mget_versions(store.client, articles_index, article_ids)
    store.client.indices.refresh(index=passages_index)
    return versions, passage_ids_by_article(store.client, passages_index, article_ids)


def replace_articles(store: ElasticsearchStore, items: Sequence[IndexedArticle]) -> None:
    """Insert or replace each article with its passages; raise listing any refused item."""
    # The same article twice in one call: the last one wins, as in the embedded store.
    latest = {item.article.id: item for item in items}
    vectors = {key: checked_embeddings(item, store.dim) for key, item in latest.items()}

    def attempt(article_ids: list[str]) -> tuple[list[str], list[ItemFailure]]:
        return _replace_once(store, [latest[i] for i in article_ids], vectors)

    raise_for_failures(_until_settled(attempt, list(latest)))


def _replace_once(
    store: ElasticsearchStore, items: list[IndexedArticle], vectors: dict[str, np.ndarray]
) -> tuple[list[str], list[ItemFailure]]:
    """One pass of steps 1-4; returns (articles changed meanwhile, other refused items)."""
    passages_index, articles_index = store.aliases.passages, store.aliases.articles
    versions, old = _read_state(store, [item.article.id for item in items])

    owner: dict[str, str] = {}
    writes: list[dict[str, Any]] = []
    for item in items:
        for passage, vector in zip(item.passages, vectors[item.article.id], strict=True):
            owner[passage.id] = item.article.id
            source = passage_source(
                item.article, passage, vector, include_title=store.bm25_include_title
            )
            writes.append(index_action(passages_index, passage.id, source))
    failures = _bulk(store, writes)
    failed = _owners(owner, failures)

    deletes: list[dict[str, Any]] = []
    for item in items:
        article_id = item.article.id
        new = {passage.id for passage in item.passages}
        # Roll a failed article back to its old passages; otherwise drop what it no longer has.
        drop = new - old[article_id] if article_id in failed else old[article_id] - new
        deletes += [delete_action(passages_index, passage_id) for passage_id in sorted(drop)]
        owner.update(dict.fromkeys(drop, article_id))
    delete_failures = _bulk(store, deletes)
    failed |= _owners(owner, delete_failures)

    articles = [
        conditional_index_action(
            articles_index,
            item.article.id,
            article_source(item.article),
            versions.get(item.article.id),
        )
        for item in items
        if item.article.id not in failed
    ]
    article_failures = _bulk(store, articles)
    store.client.indices.refresh(index=f"{passages_index},{articles_index}")
    changed = [failure.doc_id for failure in article_failures if is_conflict(failure)]
    refused = [failure for failure in article_failures if not is_conflict(failure)]
    return changed, [*failures, *delete_failures, *refused]


def delete_articles(store: ElasticsearchStore, article_ids: Sequence[str]) -> int:
    """Remove articles and their passages; returns how many articles existed.

    Passages go first: if that fails the article stays listed and a retry finishes the job.
    Passages left by an earlier failed write of an unknown article are removed too. The article
    document goes only if nobody rewrote it meanwhile; if someone did, the deletion starts over.
    """
    deleted: set[str] = set()

    def attempt(ids: list[str]) -> tuple[list[str], list[ItemFailure]]:
        changed, refused, gone = _delete_once(store, ids)
        deleted.update(gone)
        return changed, refused

    raise_for_failures(_until_settled(attempt, list(article_ids)))
    return len(deleted)


def _delete_once(
    store: ElasticsearchStore, article_ids: list[str]
) -> tuple[list[str], list[ItemFailure], list[str]]:
    """(articles changed meanwhile, refused items, articles deleted)."""
    passages_index, articles_index = store.aliases.passages, store.aliases.articles
    versions, stored = _read_state(store, article_ids)
    owner = {pid: article_id for article_id, pids in stored.items() for pid in pids}
    failures = _bulk(store, [delete_action(passages_index, pid) for pid in sorted(owner)])
    failed = _owners(owner, failures)
    targets = [article_id for article_id in sorted(versions) if article_id not in failed]
    article_failures = _bulk(
        store, [delete_action(articles_index, aid, versions[aid]) for aid in targets]
    )
    store.client.indices.refresh(index=f"{passages_index},{articles_index}")
    changed = [failure.doc_id for failure in article_failures if is_conflict(failure)]
    refused = [failure for failure in article_failures if not is_conflict(failure)]
    unsettled = set(changed) | {failure.doc_id for failure in refused}
    return changed, [*failures, *refused], [aid for aid in targets if aid not in unsettled]
