"""Zero-downtime reindex: build generation N+1 from the stored articles, swap aliases, drop N.

Not the ``_reindex`` API (absent from minimal builds, and it could not re-run our analysis): each
article is read back, its passages re-read with their embeddings (nothing is re-embedded), their
BM25 terms rebuilt by today's ``search.analysis`` and written into indices made from today's
mapping files. Searches go to the old indices until one ``_aliases`` call moves both aliases at
once, so no search ever sees a missing or half-built index.

A write made during the copy would land in the old indices and be lost at the swap, so the old
indices refuse writes first (``index.blocks.write``, set with the add-block API, which also waits
for writes in flight): a writer waits, and writes into the new indices once the alias moved
(``writes.while_blocked``). A reindex that fails lifts the block and drops what it built.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from search.errors import StoreCorruptedError
from search.store.elasticsearch import schema, stamp
from search.store.elasticsearch.bulk import index_action, run_bulk
from search.store.elasticsearch.documents import (
    article_from_source,
    article_source,
    passage_from_hit,
    passage_source,
)
from search.store.elasticsearch.errors import raise_for_failures
from search.store.elasticsearch.reads import scan

if TYPE_CHECKING:
    from search.store.elasticsearch.store import ElasticsearchStore

_ARTICLES_PER_BATCH = 200


@dataclass(frozen=True)
class ReindexSummary:
    """What a reindex copied, and the concrete indices behind each alias before and after."""

    articles: int
    passages: int
    previous: dict[str, str]
    current: dict[str, str]


def _copy(store: ElasticsearchStore, old: dict[str, str], new: dict[str, str]) -> tuple[int, int]:
    """Copy articles and their passages in batches; returns (articles, passages) written."""
    client, aliases = store.client, store.aliases
    articles = passages = 0
    batch: list[dict[str, Any]] = []

    def flush_batch() -> None:
        nonlocal articles, passages
        by_id = {hit["_id"]: article_from_source(hit["_source"]) for hit in batch}
        actions = [
            index_action(new[aliases.articles], article_id, article_source(article))
            for article_id, article in by_id.items()
        ]
        query = {"terms": {"article_id": list(by_id)}}
        for hit in scan(client, old[aliases.passages], sort_field="passage_id", query=query):
            source = hit["_source"]
            article = by_id[source["article_id"]]
            passage = passage_from_hit(hit)
            document = passage_source(
                article, passage, source["embedding"], include_title=store.bm25_include_title
            )
            actions.append(index_action(new[aliases.passages], hit["_id"], document))
        raise_for_failures(run_bulk(client, actions, url=store.url, policy=store.bulk_policy))
        articles += len(by_id)
        passages += len(actions) - len(by_id)
        batch.clear()

    for hit in scan(client, old[aliases.articles], sort_field="id", page=_ARTICLES_PER_BATCH):
        batch.append(hit)
        if len(batch) >= _ARTICLES_PER_BATCH:
            flush_batch()
    if batch:
        flush_batch()
    return articles, passages


def rebuild(store: ElasticsearchStore) -> ReindexSummary:
    """Build, verify, swap, clean up; returns what was copied and the indices before and after."""
    client, aliases = store.client, store.aliases
    names = [aliases.passages, aliases.articles]
    old = {alias: schema.resolve(client, alias) or "" for alias in names}
    generation = max(schema.generation_of(index) for index in old.values()) + 1
    new = {alias: aliases.concrete_name(alias, generation) for alias in names}
    for alias, kind in ((aliases.passages, "passages"), (aliases.articles, "articles")):
        if not schema.create_index(
            client, new[alias], kind, store.dim, alias=None, layout=store.layout
        ):
            raise StoreCorruptedError(
                f"index {new[alias]!r} already exists: another reindex is running, or a failed "
                "one left it behind (delete it and run again)"
            )
    old_indices = ",".join(old.values())
    try:
        stamp.copy_record(client, old[aliases.passages], new[aliases.passages])
        client.indices.add_block(index=old_indices, block="write")
        # Every write acknowledged before the block is now searchable, so it is copied.
        client.indices.refresh(index=old_indices)
        articles, passages = _copy(store, old, new)
        client.indices.refresh(index=",".join(new.values()))
        client.indices.update_aliases(
            actions=[
                action
                for alias in names
                for action in (
                    {"remove": {"index": old[alias], "alias": alias}},
                    {"add": {"index": new[alias], "alias": alias}},
                )
            ]
        )
    except BaseException:
        client.options(ignore_status=404).indices.delete(index=",".join(new.values()))
        client.options(ignore_status=404).indices.put_settings(
            index=old_indices, settings={"index.blocks.write": False}
        )
        raise
    client.options(ignore_status=404).indices.delete(index=old_indices)
    return ReindexSummary(articles=articles, passages=passages, previous=old, current=new)
