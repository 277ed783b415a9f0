"""What the chatbot tools do, independent of transport: MCP, HTTP and tests call these."""

from __future__ import annotations

import re
import threading
import weakref
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from api.runtime import Runtime
from api.tool_schema import (
    ArchiveOverview,
    Citation,
    OutletCount,
    Quote,
    SearchNewsArgs,
    SearchNewsResult,
)
from search.articles import Article
from search.results import Hit
from search.store.protocol import PassageStore, StoreCounts

MIN_QUOTE_CHARS = 80
ELLIPSIS = "…"
_WHITESPACE = re.compile(r"\s+")


def search_news(runtime: Runtime, args: SearchNewsArgs) -> SearchNewsResult:
    """Ranked passages for ``args.query`` with citations, quoted text capped at ``max_chars``."""
    response = runtime.retriever.search(
        args.query,
        top_k=args.top_k,
        filters=args.filters(),
        sort=args.sort,
        as_of=args.as_of,
        page_token=args.page_token,
    )
    return quote_hits(args.query, response.hits, args.max_chars).model_copy(
        update={
            "time": response.time,
            "syntax": response.syntax,
            "next_page_token": response.next_page_token,
        }
    )


def quote_hits(query: str, hits: list[Hit], max_chars: int) -> SearchNewsResult:
    """Best hits first, each passage whole while it fits, then trimmed around its answer."""
    quotes: list[Quote] = []
    remaining = max_chars
    for rank, hit in enumerate(hits, start=1):
        if remaining < min(MIN_QUOTE_CHARS, len(hit.text)):
            break
        answer = _answer_sentence(hit)
        text = excerpt(hit.text, remaining, focus=answer)
        remaining -= len(text)
        quotes.append(
            Quote(
                rank=rank,
                text=text,
                answer=answer,
                citation=_citation(hit.source),
                also_reported_by=[_citation(o) for o in _field(hit, "also_reported_by") or []],
                score=hit.score,
                passage_id=hit.passage_id,
                article_id=hit.source.article_id,
                trimmed=text != hit.text,
            )
        )
    omitted = len(hits) - len(quotes)
    return SearchNewsResult(
        query=query,
        quotes=quotes,
        total_chars=max_chars - remaining,
        truncated=omitted > 0 or any(quote.trimmed for quote in quotes),
        omitted=omitted,
    )


def excerpt(text: str, budget: int, focus: str | None = None) -> str:
    """``text`` if it fits in ``budget`` chars, else a word-aligned window around ``focus``."""
    if len(text) <= budget:
        return text
    width = budget - 2 * len(ELLIPSIS)
    at = text.find(focus) if focus else -1
    keep_from, keep_to = (at, at + len(focus or "")) if at >= 0 else (0, 0)
    start = 0
    if at >= 0:
        # Centre the answer sentence; if it alone is too long, keep its beginning.
        start = max(0, at - max(0, width - len(focus or "")) // 2)
        start = min(start, max(0, len(text) - width))
    end = min(len(text), start + width)
    if start > 0:  # begin at a word, never after the answer's start
        space = _WHITESPACE.search(text, start, max(start, min(end, keep_from)) if at >= 0 else end)
        start = space.end() if space else start
    if end < len(text):  # end at a word, never before the answer's end
        spaces = list(_WHITESPACE.finditer(text, max(start, min(end, keep_to)), end))
        end = spaces[-1].start() if spaces else end
    window = text[start:end].strip()
    return (ELLIPSIS if start > 0 else "") + window + (ELLIPSIS if end < len(text) else "")


def render_text(result: SearchNewsResult) -> str:
    """The result as plain text for a model: numbered quotes, each followed by its citation."""
    if not result.quotes:
        return f"No passages in the news archive match {result.query!r}."
    lines = [f"{len(result.quotes)} passages for {result.query!r}, best first. Cite when quoting."]
    for quote in result.quotes:
        lines += [
            "",
            f"[{quote.rank}] {quote.text}",
            f"    Source: {format_citation(quote.citation)}",
        ]
        if quote.answer:
            lines.append(f"    Answer sentence: {quote.answer}")
        if quote.also_reported_by:
            others = "; ".join(format_citation(other) for other in quote.also_reported_by)
            lines.append(f"    Also reported by: {others}")
    if result.truncated:
        lines += [
            "",
            f"(Quotes trimmed to {result.total_chars} characters; {result.omitted} left out.)",
        ]
    return "\n".join(lines)


def format_citation(citation: Citation) -> str:
    parts = [citation.outlet or "unknown outlet", f'"{citation.title}"']
    parts.append(citation.published_at[:10] if citation.published_at else "undated")
    if citation.url:
        parts.append(citation.url)
    return ", ".join(parts)


class OverviewCache:
    """``archive_overview`` recomputed only when the store's counts change.

    The store protocol has no facet query yet, so an overview reads every article once; an edit
    that keeps both counts (same article re-dated) shows up after the next count change.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._store: weakref.ref[PassageStore] | None = None
        self._counts: StoreCounts | None = None
        self._value: ArchiveOverview | None = None

    def get(self, store: PassageStore) -> ArchiveOverview:
        counts = store.counts()
        with self._lock:
            same_store = self._store is not None and self._store() is store
            if same_store and self._counts == counts and self._value is not None:
                return self._value
            self._value = summarize_articles(store.iter_articles(), passages=counts.passages)
            self._store, self._counts = weakref.ref(store), counts
            return self._value


OVERVIEWS = OverviewCache()


def summarize_articles(articles: Iterable[Article], passages: int) -> ArchiveOverview:
    outlets: Counter[str] = Counter()
    total = no_outlet = undated = 0
    earliest: datetime | None = None
    latest: datetime | None = None
    for article in articles:
        total += 1
        if article.outlet:
            outlets[article.outlet] += 1
        else:
            no_outlet += 1
        published = _aware(article.published_at)
        if published is None:
            undated += 1
            continue
        earliest = published if earliest is None else min(earliest, published)
        latest = published if latest is None else max(latest, published)
    ranked = sorted(outlets.items(), key=lambda item: (-item[1], item[0]))
    return ArchiveOverview(
        articles=total,
        passages=passages,
        outlets=[OutletCount(name=name, articles=count) for name, count in ranked],
        articles_without_outlet=no_outlet,
        earliest=earliest.isoformat() if earliest else None,
        latest=latest.isoformat() if latest else None,
        undated_articles=undated,
    )


def _aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _citation(source: Any) -> Citation:
    return Citation(
        title=_field(source, "title") or "(untitled)",
        outlet=_field(source, "outlet"),
        url=_field(source, "url"),
        published_at=_field(source, "published_at"),
        author=_field(source, "author"),
    )


def _answer_sentence(hit: Hit) -> str | None:
    highlight = _field(hit, "highlight")
    text = _field(highlight, "text") if highlight is not None else None
    return text if isinstance(text, str) and text.strip() else None


def _field(item: Any, name: str, default: Any = None) -> Any:
    """A field of a model or a dict; hits gain ``highlight`` / ``also_reported_by`` optionally."""
    if isinstance(item, dict):
        return item.get(name, default)
    return getattr(item, name, default)
