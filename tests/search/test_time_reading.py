from datetime import date

import pytest

from search.time_reading import TimeReading, read_time

# A Wednesday.
AS_OF = date(2026, 3, 18)


def test_a_question_without_time_reads_nothing() -> None:
    reading = read_time("how far did the missile fly?", AS_OF)
    assert reading == TimeReading()
    assert not reading


@pytest.mark.parametrize(
    ("question", "after", "before"),
    [
        ("what happened today", AS_OF, AS_OF),
        ("what was reported yesterday", date(2026, 3, 17), date(2026, 3, 17)),
        ("bridge repairs this week", date(2026, 3, 16), AS_OF),
        ("what was reported last week", date(2026, 3, 9), date(2026, 3, 15)),
        ("news from last month", date(2026, 2, 1), date(2026, 2, 28)),
        ("this month's council votes", date(2026, 3, 1), AS_OF),
        ("elections last year", date(2025, 1, 1), date(2025, 12, 31)),
        ("earlier this year", date(2026, 1, 1), AS_OF),
        ("storms in the past week", date(2026, 3, 11), AS_OF),
        ("storms in the past 3 days", date(2026, 3, 15), AS_OF),
        ("in the last two weeks", date(2026, 3, 4), AS_OF),
        ("over the past six months", date(2025, 9, 18), AS_OF),
        ("two weeks ago", date(2026, 3, 2), date(2026, 3, 8)),
        ("a month ago", date(2026, 2, 1), date(2026, 2, 28)),
        ("since March", date(2026, 3, 1), None),
        ("since June", date(2025, 6, 1), None),
        ("since 2024", date(2024, 1, 1), None),
    ],
)
def test_periods_are_read_relative_to_as_of(
    question: str, after: date, before: date | None
) -> None:
    reading = read_time(question, AS_OF)
    assert (reading.after, reading.before) == (after, before)
    assert reading.words


def test_a_reported_month_is_firm() -> None:
    reading = read_time("what was reported in March 2026 about the bridge?", AS_OF)
    assert (reading.after, reading.before, reading.firm) == (
        date(2026, 3, 1),
        date(2026, 3, 31),
        True,
    )
    assert reading.words == ("in March 2026",)


@pytest.mark.parametrize(
    "question",
    [
        "what was reported last week",
        "news from last month",
        "articles published in 2025 about tariffs",
        "last week's coverage of the strike",
        "stories since March",
    ],
)
def test_a_period_next_to_a_reporting_word_is_firm(question: str) -> None:
    assert read_time(question, AS_OF).firm


@pytest.mark.parametrize(
    "question",
    [
        # When something happened, not when it was reported: a preference, never a filter.
        "which company spent $26.3 billion in 2021 on search deals?",
        "does it reflect on Kirk Cousins' performance last week?",
        "an improvement compared to the previous year",
        "the highest interest rate since 2001",
        "bridge repairs this week",
    ],
)
def test_a_period_without_a_reporting_word_is_a_preference(question: str) -> None:
    reading = read_time(question, AS_OF)
    assert reading.after or reading.before
    assert not reading.firm


@pytest.mark.parametrize(
    "question",
    ["the latest on the bridge repairs", "most recent storm news", "newest", "Latest reports"],
)
def test_recency_words_about_the_news_prefer_newer(question: str) -> None:
    reading = read_time(question, AS_OF)
    assert reading.recency and reading.after is None and reading.before is None


def test_latest_about_a_thing_is_not_recency() -> None:
    assert not read_time("featuring Chris Hammer's latest book", AS_OF).recency


def test_as_of_sets_the_reference_day() -> None:
    reading = read_time("as of 1 February 2026, what was reported last week?", AS_OF)
    assert reading.as_of == date(2026, 2, 1)
    assert (reading.after, reading.before) == (date(2026, 1, 19), date(2026, 1, 25))
    assert read_time("as of July 2023, is it approved?", AS_OF).as_of == date(2023, 7, 31)
    assert read_time("as of March 5, 2026", AS_OF).as_of == date(2026, 3, 5)


def test_ignored_spans_are_not_read() -> None:
    question = "Did 'Business Today | Latest Stock Market' report it?"
    start = question.index("Business")
    end = question.index("'", start)
    assert read_time(question, AS_OF, ignore=[(start, end)]) == TimeReading()
    assert read_time(question, AS_OF).recency


@pytest.mark.parametrize(
    "question", ["in February 2026 the 30th", "as of 31 February 2026", "since Smarch", "ago"]
)
def test_odd_dates_never_raise(question: str) -> None:
    read_time(question, AS_OF)


def test_an_ignored_span_does_not_bring_a_reporting_word_closer() -> None:
    question = "a lower average in 2022 than Yardbarker reported for Soto?"
    start = question.index("Yardbarker")
    reading = read_time(question, AS_OF, ignore=[(start, start + len("Yardbarker"))])
    assert reading.after == date(2022, 1, 1) and not reading.firm
