"""Translation between newsdesk objects and the JSON documents the two indices hold.

Field names appear here and in the mapping files only; nothing taken from a request ever becomes
a field name.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from haystack import Document

from search.analysis import analyze, join_terms
from search.articles import Article
from search.filters import keyword
from search.passages import SEARCH_META, bm25_text
from search.sentence_layout import sentence_layout

# What a search hit needs back; the vector stays on the server.
HIT_SOURCE = ["text", *SEARCH_META]


def passage_source(
    article: Article, passage: Document, embedding: np.ndarray, *, include_title: bool
) -> dict[str, Any]:
    """The passages-index document: the same analysed terms the embedded store indexes."""
    terms = join_terms(analyze(bm25_text(passage, include_title=include_title)))
    return {
        "passage_id": passage.id,
        "article_id": article.id,
        "passage_index": passage.meta["passage_index"],
        "char_start": passage.meta["char_start"],
        "char_end": passage.meta["char_end"],
        "text": passage.content or "",
        "terms": terms,
        "sentence_layout": sentence_layout(passage.content or ""),
        # float32 -> Python float is exact, so vectors read back are bit-identical.
        "embedding": [float(value) for value in np.asarray(embedding, dtype=np.float32)],
        **_attribution(article),
    }


def article_source(article: Article) -> dict[str, Any]:
    """The articles-index document: the article as written, plus its hash for skip checks."""
    return {
        "id": article.id,
        "content_hash": article.content_hash,
        "body": article.body,
        **_attribution(article),
    }


def _attribution(article: Article) -> dict[str, Any]:
    return {
        "title": article.title,
        "outlet": article.outlet,
        "url": article.url,
        "author": article.author,
        "language": article.language,
        # Filters compare trimmed, case-folded keys, exactly as the embedded store does.
        "outlet_key": keyword(article.outlet),
        "author_key": keyword(article.author),
        "language_key": keyword(article.language),
        # The near-duplicate story the article belongs to, for grouping "also reported by".
        "cluster_id": article.cluster_id,
        "published_at": article.published_at.isoformat() if article.published_at else None,
    }


def article_from_source(source: dict[str, Any]) -> Article:
    return Article.from_record(source)


def passage_from_hit(hit: dict[str, Any], score: float | None = None) -> Document:
    """A Haystack Document shaped exactly like the embedded store's."""
    source = hit["_source"]
    return Document(
        id=hit["_id"],
        content=source.get("text", ""),
        meta={key: source.get(key) for key in SEARCH_META},
        score=score,
    )
