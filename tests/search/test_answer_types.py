import pytest

from search.analysis import analyze_query
from search.answer_types import read_cues


@pytest.mark.parametrize(
    ("question", "answer_type", "terms"),
    [
        ("how far did the missile fly?", "distance", ["missil", "fli"]),
        ("How many people came to the rally?", "count", ["peopl", "came", "ralli"]),
        ("how long did the strike last", "duration", ["strike", "last"]),
        ("How much did the bridge cost?", "amount", ["bridg", "cost"]),
        ("When did the strike end?", "date", ["strike", "end"]),
        ("In what year did the museum open?", "date", ["museum", "open"]),
        ("Who won the cup final?", "person", ["won", "cup", "final"]),
        ("Where did the missile land?", "place", ["missil", "land"]),
        ("What was the range of the missile?", "distance", ["rang", "missil"]),
    ],
)
def test_question_words_become_an_answer_type_not_terms(
    question: str, answer_type: str, terms: list[str]
) -> None:
    assert read_cues(question).answer_type == answer_type
    assert analyze_query(question) == terms


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("The best video games of the year so far", "far"),
        ("how far-right is the party?", "far"),
        ("far-right parties gained seats", "far"),
        ("a long strike", "long"),
    ],
)
def test_the_same_words_outside_a_question_stay_content(text: str, kept: str) -> None:
    assert read_cues(text).answer_type is None
    assert kept in analyze_query(text)


@pytest.mark.parametrize(
    "question",
    [
        "Did TechCrunch report, when discussing the suit, that Google lost?",
        "Which company, who critics say, is behind the deal?",
        "the reporter who broke the story",
    ],
)
def test_relative_when_and_who_ask_for_nothing(question: str) -> None:
    assert read_cues(question).answer_type is None


def test_answer_patterns_find_what_the_type_asks_for() -> None:
    distance = read_cues("how far did it fly?").pattern
    assert distance is not None
    assert distance.search("It travelled roughly 700 kilometres (435 miles)")
    assert distance.search("the 700km flight")
    assert not distance.search("The best video games of the year so far")
    date = read_cues("when did it land?").pattern
    assert date is not None and date.search("on Friday, October 13")
