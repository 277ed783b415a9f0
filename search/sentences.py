"""Sentence boundaries with character offsets, tuned for news text (offline, no NLTK data).

Haystack's sentence splitter downloads NLTK data at run time, and its rules merge news sentences
around possessives; this one is a small set of rules with abbreviations and initials handled.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_WORD = re.compile(r"\S+")
# A sentence ends at . ! or ? (plus closing quotes or brackets) before white space and a capital,
# digit or opening quote; a line break always ends one (headlines, datelines, list items).
_BOUNDARY = re.compile(r"[.!?][\"'”’)\]]*(?=\s+[\"'“‘(\[]?[A-Z0-9])|\n")
_ABBREVIATIONS = frozenset(
    """mr mrs ms dr prof sen rep gov gen col lt sgt capt st jr sr inc corp co ltd vs no
    jan feb mar apr jun jul aug sep sept oct nov dec u.s u.k u.n e.u a.m p.m""".split()
)
_LAST_WORD = re.compile(r"([\w.]+)\.$")


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


def _sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of every sentence, however long, without the white space around it."""
    found = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        if match.group() != "\n" and _is_abbreviation(text, match.start()):
            continue
        found.append(_trimmed(text, start, match.end()))
        start = match.end()
    found.append(_trimmed(text, start, len(text)))
    return [bounds for bounds in found if bounds[0] < bounds[1]]


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    piece = text[start:end]
    stripped = piece.lstrip()  # str.strip and str.isspace agree on what white space is
    start += len(piece) - len(stripped)
    return start, start + len(stripped.rstrip())


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


def sentence_spans(text: str, max_words: int = 10_000) -> list[Span]:
    result: list[Span] = []
    for start, end in _sentences(text):
        result += _word_windows(text, start, end, max_words)
    return result


def sentence_bounds(text: str, max_words: int = 10_000) -> list[tuple[int, int]]:
    """``sentence_spans`` as (start, end) pairs, without counting words where no cut can fall:
    what reading passages at query time needs, at a third of the cost."""
    result: list[tuple[int, int]] = []
    for start, end in _sentences(text):
        if end - start < 2 * max_words:  # words are separated: fewer than max_words fit
            result.append((start, end))
        else:
            result += [(s.start, s.end) for s in _word_windows(text, start, end, max_words)]
    return result
