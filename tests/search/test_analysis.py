from search.analysis import analyze, analyze_query, fold


def test_numbers_are_split_from_units_so_700km_meets_700_kilometres() -> None:
    assert analyze("700km")[:2] == ["700", "km"]
    assert "700" in analyze("roughly 700 kilometres")


def test_case_and_accents_are_folded() -> None:
    assert fold("Café ÉCOLE") == "cafe ecole"
    assert analyze("Café") == analyze("cafe")


def test_stop_words_go_and_words_are_stemmed() -> None:
    assert analyze("how far did the missiles fly") == ["far", "missil", "fli"]


def test_thousands_separators_and_decimals_are_kept_as_one_number() -> None:
    assert analyze("1,000 people and 2.7 million views") == [
        "1000",
        "peopl",
        "2.7",
        "million",
        "view",
    ]


def test_possessive_s_is_dropped() -> None:
    assert analyze("Korea’s launch") == analyze("Korea launch")


def test_query_terms_are_unique() -> None:
    assert analyze_query("missile missile launch") == ["missil", "launch"]
