from search.answer_types import read_cues
from search.query_analysis import analyse, keyword_share
from tests.store.corpus import CORPUS, FakeEmbedder, indexed


def test_plain_questions_are_not_keyword_like_and_named_ones_are() -> None:
    assert keyword_share(read_cues("how far did the missile fly?")) == 0.0
    named = "Did the Sporting News article report a lower average for Juan Soto in 2022?"
    assert keyword_share(read_cues(named)) > 0.5
    assert keyword_share(read_cues('"roughly 700 kilometres"')) == 1.0


def test_analysis_reads_terms_weights_cues_and_focus(tmp_path) -> None:
    from search.store.embedded import EmbeddedStore

    store = EmbeddedStore(tmp_path / "store", dim=FakeEmbedder().dim)
    store.write_articles([indexed(item) for item in CORPUS])
    analysis = analyse("How far did the missile fly, according to Reuters?", store)
    pure = analyse("How far did the missile fly, according to Reuters?", store, mode="bm25")
    store.close()
    assert analysis.terms == ("missil", "fli", "accord", "reuter")
    assert analysis.weights["fli"] > analysis.weights["missil"]  # absent terms weigh most
    assert analysis.cues.answer_type == "distance"
    assert analysis.focus.outlets == ["Reuters"]
    assert [f.outlets for f in analysis.focus_filters] == [["Reuters"]]
    assert pure.focus_filters == () and pure.terms == analysis.terms
