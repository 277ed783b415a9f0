"""The query features on a real archive (the seed reports and the repo's samples, real model),
inherited by one test class per store, so both stores answer the syntax, time and pages alike."""

from __future__ import annotations

import re
from datetime import date

import pytest

from search.errors import UnknownPageError
from search.results import Hit, SearchResponse
from search.retriever import HybridRetriever

NORTHFIELD = "Northfield Daily (fictional)"
MONTH_QUESTION = "Which news reported in April 2026 mentioned a distance in kilometres?"


def _search(retriever: HybridRetriever, query: str, **options: object) -> SearchResponse:
    return retriever.search(query, **options)  # type: ignore[arg-type]


def _articles(hit: Hit) -> set[str]:
    return {hit.source.article_id} | {other.article_id for other in hit.also_reported_by}


class QueryFeaturesContract:
    """Subclasses provide ``retriever``: a HybridRetriever over the seeds and the samples."""

    def test_a_phrase_returns_only_passages_holding_it(self, retriever: HybridRetriever) -> None:
        response = _search(retriever, '"roughly 700 kilometres"', top_k=10)
        assert response.hits
        assert all("roughly 700 kilometres" in hit.text for hit in response.hits)
        assert response.syntax is not None
        assert response.syntax.phrases == ["roughly 700 kilometres"]

    def test_an_excluded_word_is_in_no_passage(self, retriever: HybridRetriever) -> None:
        response = _search(retriever, "missile -Japan", top_k=10)
        assert response.hits
        assert not any(re.search(r"\bJapan\b", hit.text) for hit in response.hits)
        assert response.syntax is not None and response.syntax.excluded == ["Japan"]

    def test_an_excluded_phrase_is_in_no_passage(self, retriever: HybridRetriever) -> None:
        response = _search(retriever, 'missile -"exclusive economic zone"', top_k=10)
        assert response.hits
        assert not any("exclusive economic zone" in hit.text for hit in response.hits)

    def test_outlet_field_returns_only_that_outlet(self, retriever: HybridRetriever) -> None:
        response = _search(retriever, f'outlet:"{NORTHFIELD}" how far did it fly?', top_k=10)
        assert {hit.source.outlet for hit in response.hits} == {NORTHFIELD}

    def test_date_fields_bound_publication(self, retriever: HybridRetriever) -> None:
        response = _search(retriever, "after:2026-04 before:2026-10-05 news", top_k=10)
        days = {hit.source.published_at[:10] for hit in response.hits if hit.source.published_at}
        assert days == {"2026-04-18", "2026-09-21", "2026-10-05"}
        assert len(response.hits) == 3  # undated seed reports fall outside any date bound

    def test_a_phrase_found_nowhere_is_dropped_and_reported(
        self, retriever: HybridRetriever
    ) -> None:
        response = _search(retriever, 'the "unprecedented" missile launch', top_k=3)
        assert response.hits
        assert response.syntax is not None
        assert response.syntax.dropped_phrases == ["unprecedented"]

    def test_phrases_that_never_meet_keep_the_first(self, retriever: HybridRetriever) -> None:
        response = _search(retriever, '"roughly 700 kilometres" "record crowd"', top_k=5)
        assert response.syntax is not None
        assert response.syntax.phrases == ["roughly 700 kilometres"]
        assert response.syntax.dropped_phrases == ["record crowd"]
        assert response.hits and all("roughly 700 kilometres" in hit.text for hit in response.hits)

    def test_a_quoted_outlet_name_is_no_phrase(self, retriever: HybridRetriever) -> None:
        response = _search(retriever, f'what did "{NORTHFIELD}" report about the robot?', top_k=3)
        assert response.syntax is not None and response.syntax.phrases == []
        assert response.hits[0].source.outlet == NORTHFIELD

    def test_page_two_shares_no_story_with_page_one(self, retriever: HybridRetriever) -> None:
        first = _search(retriever, "news", top_k=3)
        assert first.next_page_token is not None
        second = _search(retriever, "news", top_k=3, page_token=first.next_page_token)
        assert second.hits
        assert not {hit.passage_id for hit in first.hits} & {hit.passage_id for hit in second.hits}
        copies = [{other.article_id for other in hit.also_reported_by} for hit in first.hits]
        assert not set().union(*copies) & set().union(*map(_articles, second.hits))

    def test_pages_reach_every_story_once(self, retriever: HybridRetriever) -> None:
        everything = _search(retriever, "news", top_k=50)
        pages, token = [], None
        while True:
            page = _search(retriever, "news", top_k=2, page_token=token)
            pages.append(page.hits)
            token = page.next_page_token
            if token is None:
                break
        walked = [hit.passage_id for hits in pages for hit in hits]
        assert len(walked) == len(set(walked))
        assert set(walked) == {hit.passage_id for hit in everything.hits}

    def test_a_month_question_leads_with_that_month(self, retriever: HybridRetriever) -> None:
        response = _search(retriever, MONTH_QUESTION, top_k=3)
        assert response.hits[0].source.published_at.startswith("2026-04")  # type: ignore[union-attr]
        assert response.time is not None
        assert (response.time.after, response.time.before) == (date(2026, 4, 1), date(2026, 4, 30))
        assert response.time.applied == "filter"
        # Without the month the missile reports lead: the month is what moved the probe up.
        plain = _search(retriever, "Which news mentioned a distance in kilometres?", top_k=3)
        assert plain.hits[0].source.published_at is None
        assert plain.time is None

    def test_as_of_bounds_what_the_archive_knew(self, retriever: HybridRetriever) -> None:
        response = _search(retriever, "news", top_k=10, as_of=date(2026, 9, 30))
        dated = [hit.source.published_at for hit in response.hits if hit.source.published_at]
        assert dated and all(day[:10] <= "2026-09-30" for day in dated)
        assert len(dated) == len(response.hits)
        assert response.time is not None and response.time.as_of == date(2026, 9, 30)

    def test_sort_by_date_puts_the_newest_first(self, retriever: HybridRetriever) -> None:
        response = _search(retriever, "fictional", top_k=5, sort="date")
        days = [hit.source.published_at for hit in response.hits]
        assert days == sorted(days, reverse=True)  # type: ignore[type-var]
        assert response.sort == "date"

    def test_a_token_for_another_query_is_refused(self, retriever: HybridRetriever) -> None:
        token = _search(retriever, "news", top_k=2).next_page_token
        assert token is not None
        with pytest.raises(UnknownPageError, match="another query"):
            _search(retriever, "other words", top_k=2, page_token=token)
        with pytest.raises(UnknownPageError, match="not a token"):
            _search(retriever, "news", top_k=2, page_token="bm90IGEgdG9rZW4")

    def test_a_question_without_time_or_syntax_ranks_as_before(
        self, retriever: HybridRetriever
    ) -> None:
        """The pipeline without the new reading (its components run on the question alone)."""
        question = "how far did the missile fly?"
        response = _search(retriever, question, top_k=5)
        assert response.time is None and response.syntax is None
        before = retriever.pipeline.run({"query": {"query": question}, "stories": {"top_k": 5}})[
            "stories"
        ]["hits"]
        assert [hit.passage_id for hit in response.hits] == [hit.passage_id for hit in before]
