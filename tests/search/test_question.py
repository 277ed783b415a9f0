from datetime import UTC, date, datetime

import pytest

from search.filters import SearchFilters
from search.question import named_days, named_outlets, read_question

OUTLETS = [
    "CBSSports.com",
    "The Independent - Life and Style",
    "The Independent - Sports",
    "Fortune",
]


def test_named_outlets_are_found_in_order_of_mention_longest_without_overlap() -> None:
    question = (
        "After the report by CBSSports.com and The Independent - Life and Style, did 'Fortune' "
        "agree? Fortunes change."
    )
    assert named_outlets(question, OUTLETS) == [
        "CBSSports.com",
        "The Independent - Life and Style",
        "Fortune",
    ]
    assert named_outlets("fortunes were made", OUTLETS) == []


PLAIN = ["The Age", "Wired", "Fortune", "The Verge", "TechCrunch", "BBC News"]


@pytest.mark.parametrize(
    "prose",
    [
        "how did work change in the age of remote offices?",
        "Wired money went missing from the charity",
        "he spent a fortune on the house",
        "Fortune favours the bold, they say",
        "the economy is on the verge of recession",
        "How Far Did The Missile Fly Says The Age Of Reason",
    ],
)
def test_outlets_that_are_ordinary_words_do_not_fire_on_prose(prose: str) -> None:
    assert named_outlets(prose, PLAIN) == []


@pytest.mark.parametrize(
    ("question", "named"),
    [
        ("what did The Age report about the Swans?", ["The Age"]),
        ("Fortune reported that the bank failed", ["Fortune"]),
        ("according to 'Wired', was it hacked?", ["Wired"]),
        ("did the Verge report agree with techcrunch?", ["The Verge", "TechCrunch"]),
        ("what did bbc news say?", ["BBC News"]),
    ],
)
def test_outlets_fire_on_real_cues(question: str, named: list[str]) -> None:
    assert named_outlets(question, PLAIN) == named


def test_written_and_iso_days_are_read() -> None:
    question = (
        "Reported on October 12, 2023 and on 2023-12-06T10:00:00+00:00, not on February 30, 2023"
    )
    assert named_days(question) == [date(2023, 10, 12), date(2023, 12, 6)]


def test_each_named_outlet_and_day_becomes_a_narrowed_filter() -> None:
    focus = read_question("Did Fortune on October 12, 2023 agree?", OUTLETS)
    filters = focus.filters(SearchFilters(languages=["en"]))
    assert [f.outlets for f in filters] == [["Fortune"], None]
    assert filters[1].published_after == datetime(2023, 10, 12, tzinfo=UTC)
    assert all(f.languages == ["en"] for f in filters)


def test_focused_filters_are_capped_keeping_the_first_named() -> None:
    outlets = [f"Outlet{number}" for number in range(90)]
    question = "Did " + ", ".join(reversed(outlets)) + " agree on October 12, 2023?"
    focus = read_question(question, outlets)
    assert len(focus.outlets) == 90
    filters = focus.filters(None, limit=4)
    assert [f.outlets for f in filters] == [["Outlet89"], ["Outlet88"], ["Outlet87"], ["Outlet86"]]


def test_filters_the_caller_set_are_not_overridden() -> None:
    focus = read_question("Did Fortune agree?", OUTLETS)
    assert focus.filters(SearchFilters(outlets=["CBSSports.com"])) == []
