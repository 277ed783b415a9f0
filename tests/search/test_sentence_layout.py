"""The sentence layout stored with a passage: read back exactly as splitting would give it, and
ignored (the text split again) whenever it cannot be trusted."""

from __future__ import annotations

import pytest
from haystack import Document

from search.analysis import analyze, join_terms
from search.passage_sentences import read_sentences
from search.passages import bm25_text
from search.sentence_layout import (
    RULES_FINGERPRINT,
    passage_ends,
    read_layout,
    sentence_counts,
    sentence_layout,
)
from search.sentences import LONGEST_SENTENCE
from tests.store.contract import sentence_shape

TEXTS = [
    "",
    "No full stop at all",
    'Mr. J. Smith went to Washington on Jan. 5. He said: "It\'s 700km." Then he left!\n'
    "Dateline line\n\nA new paragraph? Yes.",
    "Café owners in Zürich paid ½ of the 1,000.5 francs. Ünter den Linden was closed.",
    "word " * (2 * LONGEST_SENTENCE + 7),  # one run-on sentence cut into windows
]


def _passage(text: str, *, layout: object = None, title: str = "Headline here") -> Document:
    document = Document(content=text, meta={"title": title, "outlet": "Reuters"})
    document.meta["terms"] = join_terms(analyze(bm25_text(document, include_title=True)))
    document.meta["sentence_layout"] = layout
    return document


@pytest.mark.parametrize("text", TEXTS)
def test_a_stored_layout_reads_as_splitting_gives(text: str) -> None:
    layout = sentence_layout(text)
    assert layout.split()[0] == RULES_FINGERPRINT
    ends = passage_ends(text)
    assert read_layout(layout, text) == (ends, sentence_counts(text, ends))
    stored = read_sentences(_passage(text, layout=layout))
    assert sentence_shape(stored) == sentence_shape(read_sentences(_passage(text)))


@pytest.mark.parametrize(
    "layout",
    [
        None,
        "",
        RULES_FINGERPRINT,  # no sentence at all
        "0badc0de 12 2",  # written under other rules
        f"{RULES_FINGERPRINT} 12",  # an end without its count
        f"{RULES_FINGERPRINT} 11 2",  # ends before the text does
        f"{RULES_FINGERPRINT} 8 1 4 1 12 0",  # ends out of order
        f"{RULES_FINGERPRINT} 12 -1",
        f"{RULES_FINGERPRINT} twelve 2",
        12,
    ],
)
def test_a_layout_that_cannot_be_trusted_is_ignored(layout: object) -> None:
    text = "Hello there."
    assert read_layout(layout, text) is None
    assert sentence_shape(read_sentences(_passage(text, layout=layout))) == sentence_shape(
        read_sentences(_passage(text))
    )


def test_counts_beyond_the_stored_terms_fall_back_to_analysing_the_sentences() -> None:
    """Counts that cannot fit the stored terms (a store analysing otherwise) are not used, as
    counted ones are not: each sentence is analysed instead."""
    text = "Rockets rose. Markets fell."
    swollen = f"{RULES_FINGERPRINT} 13 50 27 50"
    sentences = read_sentences(_passage(text, layout=swollen))
    assert list(sentences.terms) == analyze(text)
    assert [sentence.terms for sentence in sentences] == [
        frozenset({"rocket", "rose"}),
        frozenset({"market", "fell"}),
    ]
