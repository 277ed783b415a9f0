from datetime import UTC, date, datetime

from search.filters import SearchFilters
from search.question import named_days, named_outlets, read_question

OUTLETS = [
    "CBSSports.com",
    "The Independent - Life and Style",
    "The Independent - Sports",
    "Fortune",
]


def test_named_outlets_are_found_longest_first_without_overlap() -> None:
    question = (
        "After the report by CBSSports.com and The Independent - Life and Style, did 'Fortune' "
        "agree? Fortunes change."
    )
    assert named_outlets(question, OUTLETS) == [
        "The Independent - Life and Style",
        "CBSSports.com",
        "Fortune",
    ]
    assert named_outlets("fortunes were made", OUTLETS) == []


def test_written_and_iso_days_are_read() -> None:
    question = (
        "Reported on October 12, 2023 and on 2023-12-06T10:00:00+00:00, not on February 30, 2023"
    )
    assert named_days(question) == [date(2023, 12, 6), date(2023, 10, 12)]


def test_each_named_outlet_and_day_becomes_a_narrowed_filter() -> None:
    focus = read_question("Did Fortune on October 12, 2023 agree?", OUTLETS)
    filters = focus.filters(SearchFilters(languages=["en"]))
    assert [f.outlets for f in filters] == [["Fortune"], None]
    assert filters[1].published_after == datetime(2023, 10, 12, tzinfo=UTC)
    assert all(f.languages == ["en"] for f in filters)


def test_filters_the_caller_set_are_not_overridden() -> None:
    focus = read_question("Did Fortune agree?", OUTLETS)
    assert focus.filters(SearchFilters(outlets=["CBSSports.com"])) == []
