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


def _is_abbreviation(text: str, period_at: int) -> bool:
    match = _LAST_WORD.search(text, max(0, period_at - 12), period_at + 1)
    if not match:
        return False
    word = match.group(1).lower()
    return word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha())


def _trimmed(text: str, start: int, end: int) -> Span | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start == end:
        return None
    return Span(start, end, len(_WORD.findall(text, start, end)))


def _word_windows(text: str, span: Span, size: int) -> list[Span]:
    """Cut a run-on sentence longer than a passage at word boundaries."""
    words = list(_WORD.finditer(text, span.start, span.end))
    windows = []
    for first in range(0, len(words), size):
        chunk = words[first : first + size]
        windows.append(Span(chunk[0].start(), chunk[-1].end(), len(chunk)))
    return windows


def sentence_spans(text: str, max_words: int = 10_000) -> list[Span]:
    spans: list[Span] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        if match.group() != "\n" and _is_abbreviation(text, match.start()):
            continue
        span = _trimmed(text, start, match.end())
        if span:
            spans.append(span)
        start = match.end()
    tail = _trimmed(text, start, len(text))
    if tail:
        spans.append(tail)
    result: list[Span] = []
    for span in spans:
        result += _word_windows(text, span, max_words) if span.words > max_words else [span]
    return result
