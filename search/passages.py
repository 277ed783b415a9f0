"""Passages are Haystack Documents; their meta carries offsets and the article's attribution."""

from __future__ import annotations

from datetime import datetime

from haystack import Document

from search.articles import Article
from search.ids import passage_id

# The meta keys every store puts on a passage Document, in the embedded store's order.
PASSAGE_META = (
    "article_id",
    "passage_index",
    "char_start",
    "char_end",
    "title",
    "outlet",
    "url",
    "published_at",
    "author",
    "language",
    "cluster_id",
)
# Searches also hand back the analysed BM25 terms the passage was indexed with (space-separated,
# in text order), so ranking above the store reads them instead of analysing every candidate, and
# where its sentences end with their term counts (``search.sentence_layout``; None in passages
# stored before layouts were).
SEARCH_META = (*PASSAGE_META, "terms", "sentence_layout")


def passage_document(article: Article, index: int, char_start: int, char_end: int) -> Document:
    text = article.body[char_start:char_end]
    meta: dict[str, object] = {
        "article_id": article.id,
        "passage_index": index,
        "char_start": char_start,
        "char_end": char_end,
        "title": article.title,
        "outlet": article.outlet,
        "url": article.url,
        "published_at": article.published_at.isoformat() if article.published_at else None,
        "author": article.author,
        "language": article.language,
        "cluster_id": article.cluster_id,
    }
    return Document(id=passage_id(article.id, char_start, char_end, text), content=text, meta=meta)


def real_title(document: Document) -> str | None:
    """The headline, unless it is only the article id (a bare text file's name): no words there."""
    title = document.meta.get("title")
    return title if title and title != document.meta.get("article_id") else None


def bm25_text(document: Document, *, include_title: bool) -> str:
    """What the lexical leg indexes: questions often name the outlet and the headline."""
    if not include_title:
        return document.content or ""
    header = " ".join(part for part in (real_title(document), document.meta.get("outlet")) if part)
    return f"{header}\n{document.content or ''}" if header else document.content or ""


def embedding_text(document: Document, *, include_title: bool) -> str:
    title = real_title(document) if include_title else None
    return f"{title}\n{document.content or ''}" if title else document.content or ""


def published_timestamp(value: object) -> int | None:
    """Epoch seconds for date filters; None when the passage carries no date."""
    if isinstance(value, datetime):
        return int(value.timestamp())
    if isinstance(value, str) and value:
        return int(datetime.fromisoformat(value).timestamp())
    return None
