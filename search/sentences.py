"""Sentence boundaries with character offsets, tuned for news text (offline, no NLTK data).

Haystack's sentence splitter downloads NLTK data at run time, and its rules merge news sentences
around possessives; this one is a small set of rules with abbreviations and initials handled.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_WORD = re.compile(r"\S+")
# A sentence ends at . ! or ? (plus closing quotes or brackets) before white space and a capital,
# digit or opening quote; a line break always ends one (headlines, datelines, list items). One
# character class first, so the regex engine skips from candidate to candidate.
_BOUNDARY = re.compile(r"[.!?\n](?:(?<=\n)|(?<=[.!?])[\"'”’)\]]*(?=\s+[\"'“‘(\[]?[A-Z0-9]))")
_ABBREVIATIONS = frozenset(
    """mr mrs ms dr prof sen rep gov gen col lt sgt capt st jr sr inc corp co ltd vs no
    jan feb mar apr jun jul aug sep sept oct nov dec u.s u.k u.n e.u a.m p.m""".split()
)
_LAST_WORD = re.compile(r"([\w.]+)\.$")
# Words in the longest sentence ``sentence_spans`` keeps whole by default.
LONGEST_SENTENCE = 10_000
# What the boundaries depend on: sentence layouts stored with passages (``search.sentence_layout``)
# are trusted only while these are unchanged.
RULES = (
    _BOUNDARY.pattern,
    sorted(_ABBREVIATIONS),
    _LAST_WORD.pattern,
    LONGEST_SENTENCE,
    _WORD.pattern,
)


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    words: int


_LONGEST = max(map(len, _ABBREVIATIONS))


def _is_abbreviation(text: str, period_at: int) -> bool:
    if text[period_at] != ".":
        return False
    if period_at > _LONGEST and text[period_at - _LONGEST - 1 : period_at].isalnum():
        return False  # a longer word than any abbreviation (most sentence ends): no search
    match = _LAST_WORD.search(text, max(0, period_at - 12), period_at + 1)
    if not match:
        return False
    word = match.group(1).lower()
    return word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha())


def sentence_ends(text: str) -> list[int]:
    """Where each sentence ends (the next one, with the white space before it, starts there); the
    last is the text's end. Sentences of any length: ``sentence_spans`` cuts run-on ones."""
    ends = [
        match.end()
        for match in _BOUNDARY.finditer(text)
        if match.group() == "\n" or not _is_abbreviation(text, match.start())
    ]
    ends.append(len(text))
    return ends


def trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    """``text[start:end]`` without the white space around it, as (start, end): empty if blank."""
    piece = text[start:end]
    stripped = piece.lstrip()  # str.strip and str.isspace agree on what white space is
    start += len(piece) - len(stripped)
    return start, start + len(stripped.rstrip())


def _sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of every sentence, however long, without the white space around it."""
    found = []
    start = 0
    for end in sentence_ends(text):
        found.append(trimmed(text, start, end))
        start = end
    return [bounds for bounds in found if bounds[0] < bounds[1]]


def _word_windows(text: str, start: int, end: int, size: int) -> list[Span]:
    """The sentence, or windows of ``size`` words when it is longer (a run-on sentence longer
    than a passage is cut at word boundaries)."""
    count = len(_WORD.findall(text, start, end))
    if count <= size:
        return [Span(start, end, count)]
    words = list(_WORD.finditer(text, start, end))
    windows = []
    for first in range(0, len(words), size):
        chunk = words[first : first + size]
        windows.append(Span(chunk[0].start(), chunk[-1].end(), len(chunk)))
    return windows


def sentence_spans(text: str, max_words: int = LONGEST_SENTENCE) -> list[Span]:
    result: list[Span] = []
    for start, end in _sentences(text):
        result += _word_windows(text, start, end, max_words)
    return result
