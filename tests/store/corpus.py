"""Small hand-written articles with controlled vectors, so every store test runs in milliseconds.

Passages are the article's paragraphs; vectors are either chosen (to fix the dense order) or
derived from the passage text, so the same passage always gets the same vector.
"""

from __future__ import annotations

import zlib
from datetime import UTC, datetime

import numpy as np

from search.articles import Article
from search.passages import passage_document
from search.settings import EmbeddingSettings
from search.store.protocol import IndexedArticle

DIM = 8


def text_vector(text: str) -> np.ndarray:
    """A unit vector that depends only on the text."""
    rng = np.random.default_rng(zlib.crc32(text.encode("utf-8")))
    vector = rng.normal(size=DIM).astype(np.float32)
    return vector / np.linalg.norm(vector)


def at_cosine(cosine: float, axis: int) -> np.ndarray:
    """A unit vector whose cosine with ``QUERY`` (the first axis) is exactly ``cosine``."""
    vector = np.zeros(DIM, dtype=np.float32)
    vector[0] = cosine
    vector[axis] = np.sqrt(1.0 - cosine**2)
    return vector


QUERY = at_cosine(1.0, 1)


def article(
    article_id: str,
    paragraphs: list[str],
    *,
    title: str = "",
    outlet: str | None = None,
    published: str | None = None,
    author: str | None = None,
    cluster_id: str | None = None,
    language: str = "en",
) -> Article:
    return Article(
        id=article_id,
        title=title or article_id,
        body="\n\n".join(paragraphs),
        outlet=outlet,
        url=f"https://news.example/{article_id}" if outlet else None,
        published_at=datetime.fromisoformat(published).replace(tzinfo=UTC) if published else None,
        author=author,
        language=language,
        cluster_id=cluster_id,
    )


def indexed(item: Article, vectors: list[np.ndarray] | None = None) -> IndexedArticle:
    """The article split at blank lines, one passage per paragraph, with exact offsets."""
    passages = []
    start = 0
    for index, paragraph in enumerate(item.body.split("\n\n")):
        passages.append(passage_document(item, index, start, start + len(paragraph)))
        start += len(paragraph) + 2
    rows = vectors or [text_vector(passage.content or "") for passage in passages]
    return IndexedArticle(item, passages, np.vstack(rows).astype(np.float32))


MISSILE = article(
    "a-missile",
    [
        "North Korea fired a ballistic missile toward the sea on Friday.",
        "The missile flew roughly 700 kilometres before landing outside Japan's waters.",
        "Officials in Seoul and Tokyo condemned the launch as a provocation.",
    ],
    title="North Korea fires missile",
    outlet="Reuters",
    published="2024-03-01T08:00:00",
    author="Jane Doe",
    cluster_id="story-missile",
)
RATES = article(
    "a-rates",
    [
        "The central bank held interest rates steady for a third meeting.",
        "Economists expect the first cut in rates before the summer.",
    ],
    title="Central bank holds rates",
    outlet="Bloomberg",
    published="2024-03-05T12:30:00",
    author="Max Muster",
    language="de",
)
MATCH = article(
    "a-match",
    [
        "The home side won the cup final after a penalty shoot-out.",
        "Fans celebrated in the streets until the early morning.",
    ],
    title="Cup final decided on penalties",
    outlet="BBC Sport",
)
CORPUS = [MISSILE, RATES, MATCH]


class FakeEmbedder:
    """The Embedder interface the indexer uses, without a model; counts what it embeds."""

    def __init__(self) -> None:
        self.settings = EmbeddingSettings(include_title=False)
        self.dim = DIM
        self.embedded: list[str] = []

    def embed_passages(self, texts: list[str], *, progress: bool = False) -> np.ndarray:
        self.embedded += texts
        if not texts:
            return np.zeros((0, DIM), dtype=np.float32)
        return np.vstack([text_vector(text) for text in texts])

    def embed_query(self, text: str) -> np.ndarray:
        return text_vector(text)


def codeword(number: int) -> str:
    """A made-up word only article ``number`` contains ("kwaab" for 1), to find it by BM25."""
    return "kw" + "".join(chr(ord("a") + int(digit)) for digit in f"{number:03d}")


def numbered(number: int, *, edited: bool = False) -> IndexedArticle:
    """Article ``n{number}``: two passages, or one after an edit; every passage says "archive"."""
    word = codeword(number)
    paragraphs = (
        [f"{word} archive revised as one passage."]
        if edited
        else [f"{word} archive first passage.", f"{word} archive second passage."]
    )
    return indexed(article(f"n{number:03d}", paragraphs, title=f"Numbered {number}"))
