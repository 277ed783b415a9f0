"""Trimming quotes to max_chars and the tool's day-range filters; no model, no server."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from pydantic import ValidationError

from api.mcp.news import excerpt, quote_hits, render_text, summarize_articles
from api.tool_schema import SearchNewsArgs
from search.articles import Article
from search.results import Hit, ScoreBreakdown, Source

ANSWER = "It travelled roughly 700 kilometres before landing."
PASSAGE = " ".join(["Filler words before the answer."] * 12 + [ANSWER] + ["More filler."] * 12)


def _hit(text: str, article_id: str, **extra: object) -> Hit:
    source = Source(
        article_id=article_id, title=f"T {article_id}", char_start=0, char_end=len(text)
    )
    return Hit(
        passage_id=f"p-{article_id}",
        text=text,
        score=0.5,
        scores=ScoreBreakdown(fused=0.5),
        source=source,
        **extra,
    )


@pytest.mark.parametrize("budget", [60, 120, 200, 400])
def test_an_excerpt_fits_its_budget_and_keeps_the_answer(budget: int) -> None:
    quoted = excerpt(PASSAGE, budget, focus=ANSWER)
    assert len(quoted) <= budget
    assert quoted.startswith("…")  # the answer is far from the start
    if budget >= len(ANSWER) + 2:
        assert ANSWER in quoted


def test_quotes_share_max_chars_best_first() -> None:
    hits = [_hit(PASSAGE, "a"), _hit(PASSAGE, "b"), _hit(PASSAGE, "c")]
    result = quote_hits("q", hits, max_chars=len(PASSAGE) + 150)
    assert [quote.rank for quote in result.quotes] == [1, 2]
    assert result.quotes[0].text == PASSAGE and not result.quotes[0].trimmed
    assert result.quotes[1].trimmed and result.omitted == 1 and result.truncated
    assert (
        result.total_chars == sum(len(quote.text) for quote in result.quotes) <= len(PASSAGE) + 150
    )


def test_highlight_and_also_reported_by_are_carried_when_present() -> None:
    hit = _hit(PASSAGE, "a").model_copy(
        update={
            "highlight": {"text": ANSWER, "char_start": 0, "char_end": len(ANSWER)},
            "also_reported_by": [{"outlet": "Other Wire", "title": "Copy", "url": "https://x"}],
        }
    )
    result = quote_hits("q", [hit], max_chars=200)
    quote = result.quotes[0]
    assert ANSWER in quote.text and quote.answer == ANSWER
    assert quote.also_reported_by[0].outlet == "Other Wire"
    assert "Also reported by: Other Wire" in render_text(result)


def test_day_filters_include_both_end_days_whole() -> None:
    args = SearchNewsArgs(
        query=" missile ",
        outlet="Wire",
        published_after=date(2026, 1, 1),
        published_before="2026-01-31",
    )
    filters = args.filters()
    assert args.query == "missile" and filters.outlets == ["Wire"]
    assert filters.published_after == datetime(2026, 1, 1, tzinfo=UTC)
    assert filters.published_before == datetime(2026, 1, 31, 23, 59, 59, 999999, tzinfo=UTC)
    with pytest.raises(ValidationError):
        SearchNewsArgs(query="   ")
    with pytest.raises(ValidationError):
        SearchNewsArgs(query="x", max_chars=10)


def test_overview_counts_outlets_and_dates() -> None:
    articles = [
        Article(id="1", title="a", body="x", outlet="B", published_at=datetime(2026, 3, 1)),
        Article(id="2", title="b", body="x", outlet="A", published_at=datetime(2026, 1, 1)),
        Article(id="3", title="c", body="x", outlet="B"),
        Article(id="4", title="d", body="x"),
    ]
    overview = summarize_articles(articles, passages=9)
    assert [(o.name, o.articles) for o in overview.outlets] == [("B", 2), ("A", 1)]
    assert overview.articles == 4 and overview.articles_without_outlet == 1
    assert overview.earliest.startswith("2026-01-01") and overview.latest.startswith("2026-03-01")
    assert overview.undated_articles == 2
