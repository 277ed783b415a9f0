"""Where a passage's sentences end and how many BM25 terms each holds, worked out once when the
passage is stored instead of on every question that reads it.

The second stage places each question term in its sentence for ~50 candidates per question
(``search.passage_sentences``); splitting sentences and counting their terms was most of that
work. The stores keep the result beside the passage's terms as a short string
(``meta["sentence_layout"]``): the rules' fingerprint, then each sentence's end offset and term
count. A layout written under other sentence or token rules, or not matching its text, is
ignored and the sentences are split again, so stores written before (or by another version of
these rules) give the same sentences, only slower.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from itertools import pairwise

from search import analysis, sentences
from search.analysis import term_counts
from search.sentences import LONGEST_SENTENCE, sentence_ends, sentence_spans


def passage_ends(text: str) -> list[int]:
    """Where each sentence of a passage ends (the last is the text's end)."""
    if len(text) < 2 * LONGEST_SENTENCE:  # words are separated: no sentence is cut into windows
        return sentence_ends(text)
    return [*(span.end for span in sentence_spans(text)), len(text)]


def sentence_counts(text: str, ends: Sequence[int]) -> list[int]:
    """How many BM25 terms each sentence (``text[ends[i-1]:ends[i]]``) holds."""
    return term_counts(text, list(pairwise([0, *ends])))


def _fingerprint() -> str:
    """The rules a layout depends on: the sentence and token rules, and what they make of a probe
    that exercises abbreviations, initials, quotes, line breaks, numbers and accents."""
    probe = 'Mr. J. Smith (Café) paid $1,000.5 "today." Is 700km far?\nYes — ½ of it: Ünter Str.'
    ends = passage_ends(probe)
    rules = repr((sentences.RULES, analysis.COUNT_RULES, ends, sentence_counts(probe, ends)))
    return f"{zlib.crc32(rules.encode()):08x}"


RULES_FINGERPRINT = _fingerprint()


def sentence_layout(text: str) -> str:
    """The layout a store keeps for a passage whose text is ``text``."""
    ends = passage_ends(text)
    counts = sentence_counts(text, ends)
    pairs = (f"{end} {count}" for end, count in zip(ends, counts, strict=True))
    return " ".join([RULES_FINGERPRINT, *pairs])


def read_layout(layout: object, text: str) -> tuple[list[int], list[int]] | None:
    """(ends, counts) from a stored layout; None when there is none, it was written under other
    rules, or it does not fit ``text`` (the caller then splits the text again)."""
    if not isinstance(layout, str):
        return None
    rules, _, body = layout.partition(" ")
    if rules != RULES_FINGERPRINT:
        return None
    try:
        numbers = list(map(int, body.split()))
    except ValueError:
        return None
    ends, counts = numbers[::2], numbers[1::2]
    if (
        not ends
        or len(ends) != len(counts)
        or ends[-1] != len(text)
        or ends[0] < 0
        or min(counts) < 0
        or any(later < earlier for earlier, later in pairwise(ends))
    ):
        return None
    return ends, counts
