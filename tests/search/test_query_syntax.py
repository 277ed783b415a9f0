from datetime import date

import pytest

from search.query_syntax import ParsedQuery, parse_query


def test_plain_question_has_no_syntax() -> None:
    parsed = parse_query("how far did the missile fly?")
    assert parsed == ParsedQuery(text="how far did the missile fly?")
    assert not parsed.has_syntax


def test_phrase_is_required_and_its_words_stay_in_the_text() -> None:
    parsed = parse_query('missile "roughly 700 kilometres" launch')
    assert parsed.phrases == ("roughly 700 kilometres",)
    assert parsed.text == "missile roughly 700 kilometres launch"


def test_typographic_quotes_make_phrases_too() -> None:
    assert parse_query("“exclusive economic zone”").phrases == ("exclusive economic zone",)


def test_exclusions_leave_the_text() -> None:
    parsed = parse_query('missile -Japan -"Prime Minister" test')
    assert parsed.excluded_words == ("Japan",)
    assert parsed.excluded_phrases == ("Prime Minister",)
    assert parsed.text == "missile test"


def test_hyphens_inside_words_and_negative_numbers_are_not_exclusions() -> None:
    parsed = parse_query("far-right rally at -5 degrees - cold")
    assert parsed.excluded_words == ()
    assert parsed.text == "far-right rally at -5 degrees - cold"


def test_fields_quoted_and_bare() -> None:
    parsed = parse_query('outlet:"The Guardian" author:Smith lang:en bridge repairs')
    assert parsed.outlets == ("The Guardian",)
    assert parsed.authors == ("Smith",)
    assert parsed.languages == ("en",)
    assert parsed.text == "bridge repairs"


def test_field_names_are_case_insensitive_and_repeatable() -> None:
    parsed = parse_query("Outlet:Reuters OUTLET:AP election")
    assert parsed.outlets == ("Reuters", "AP")


@pytest.mark.parametrize(
    ("query", "after", "before"),
    [
        ("after:2026-01-01", date(2026, 1, 1), None),
        ("before:2026-03", None, date(2026, 3, 31)),
        ("after:2025 before:2025", date(2025, 1, 1), date(2025, 12, 31)),
        ("after:2024-02 before:2024-02", date(2024, 2, 1), date(2024, 2, 29)),
        ("since:2026-06-15 until:2026-06-20", date(2026, 6, 15), date(2026, 6, 20)),
    ],
)
def test_date_fields_are_inclusive_days(
    query: str, after: date | None, before: date | None
) -> None:
    parsed = parse_query(query + " storm")
    assert (parsed.after, parsed.before) == (after, before)
    assert parsed.text == "storm"


def test_repeated_date_bounds_narrow() -> None:
    parsed = parse_query("after:2025-01-01 after:2025-06-01 before:2025-12-31 before:2025-09-30")
    assert (parsed.after, parsed.before) == (date(2025, 6, 1), date(2025, 9, 30))


@pytest.mark.parametrize(
    ("query", "text"),
    [
        ('"unbalanced quote here', '"unbalanced quote here'),
        ('outlet:"The Guardian', 'outlet:"The Guardian'),
        ("note: this matters", "note: this matters"),
        ("see https://example.com/a", "see https://example.com/a"),
        ("colour:red car", "colour:red car"),
        ("after:yesterday news", "after yesterday news"),
        ("before:2026-13-01 x", "before 2026-13-01 x"),
        ("after:2026-02-30 x", "after 2026-02-30 x"),
        ("10:30 meeting", "10:30 meeting"),
    ],
)
def test_what_does_not_parse_stays_plain_words(query: str, text: str) -> None:
    parsed = parse_query(query)
    assert parsed.text == text
    assert not parsed.has_syntax


def test_empty_phrase_and_lone_syntax_leave_empty_text() -> None:
    assert parse_query('"" outlet:"Reuters"') == ParsedQuery(text="", outlets=("Reuters",))


@pytest.mark.parametrize(
    "query",
    ['"', "-", '-"', "outlet:", 'outlet:""', ":::", "\ud800", '""""', "- - -", "a" * 5000],
)
def test_hostile_input_never_raises(query: str) -> None:
    parse_query(query)
