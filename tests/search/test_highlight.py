from search.analysis import analyze_query
from search.coverage import term_weights
from search.highlight import answer_pattern, best_sentence

PASSAGE = (
    "North Korea launched a ballistic missile on Friday. "
    "The missile was fired from the northwest. "
    "It travelled roughly 700 kilometres (435 miles) before landing. "
    "Officials said there was no damage."
)


def _weights(question: str) -> dict[str, float]:
    return term_weights(analyze_query(question), 100, {})


def test_a_distance_question_highlights_the_sentence_with_a_distance() -> None:
    question = "how far did the missile fly?"
    found = best_sentence(question, PASSAGE, _weights(question))
    assert found is not None
    assert found.text == "It travelled roughly 700 kilometres (435 miles) before landing."
    assert PASSAGE[found.start : found.end] == found.text


def test_without_an_answer_type_the_most_matching_sentence_wins() -> None:
    question = "where was the missile fired from?"
    found = best_sentence(question, PASSAGE, _weights(question))
    assert found is not None and found.text == "The missile was fired from the northwest."


def test_answer_types() -> None:
    assert answer_pattern("How far did it fly?") is not None
    assert answer_pattern("When did the strike end?") is not None
    assert answer_pattern("how many people came") is not None
    assert answer_pattern("who won the contest") is None


def test_an_empty_passage_has_no_highlight() -> None:
    assert best_sentence("anything", "", {}) is None
