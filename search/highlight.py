"""The answer highlight: the sentence of a passage that best answers the question.

Lexical and cheap (microseconds per hit): a sentence scores by the idf mass of the question's terms
it contains, plus a bonus when it holds the kind of answer the question asks for ("how far" wants
a distance, "when" a date). A pronoun sentence like "It travelled roughly 700 kilometres" shares no
word with "how far did the missile fly?" but is the answer, and the answer type finds it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from search.analysis import analyze
from search.sentences import sentence_spans

_NUMBER = r"\d[\d,.]*"
_DISTANCE = re.compile(
    _NUMBER + r"\s*-?\s*(km|kilomet\w*|kms|mi|miles?|metres?|meters?|m|feet|ft|nautical)\b",
    re.I,
)
_DURATION = re.compile(
    _NUMBER + r"\s*-?\s*(seconds?|minutes?|hours?|days?|weeks?|months?|years?)\b", re.I
)
_SPEED = re.compile(_NUMBER + r"\s*(km/h|kph|mph|knots?|mach)\b|\bmach\s*\d", re.I)
_DATE = re.compile(
    r"\b(monday|tuesday|wednesday|thursday|friday|saturday|sunday|yesterday|today|tomorrow|"
    r"january|february|march|april|may|june|july|august|september|october|november|december|"
    r"(19|20)\d\d)\b",
    re.I,
)
_QUANTITY = re.compile(_NUMBER)
_MONEY = re.compile(
    r"[$€£¥]\s*" + _NUMBER + r"|" + _NUMBER + r"\s*(dollars|euros|pounds|yen|million|billion)", re.I
)

# (what the question asks, what an answering sentence contains), most specific first.
ANSWER_TYPES: tuple[tuple[re.Pattern[str], re.Pattern[str]], ...] = (
    (
        re.compile(r"\bhow (far|high|deep|wide|tall)\b|\b(distance|range|altitude)\b", re.I),
        _DISTANCE,
    ),
    (re.compile(r"\bhow fast\b|\bspeed\b", re.I), _SPEED),
    (re.compile(r"\bhow long\b|\bduration\b", re.I), _DURATION),
    (re.compile(r"\bhow much\b|\b(cost|price|worth)\b", re.I), _MONEY),
    (re.compile(r"\bhow many\b|\bnumber of\b", re.I), _QUANTITY),
    (re.compile(r"\bwhen\b|\bwhat (time|date|day|year)\b", re.I), _DATE),
)
ANSWER_BONUS = 0.6


@dataclass(frozen=True)
class Highlighted:
    text: str
    start: int  # offsets into the passage text
    end: int


def answer_pattern(question: str) -> re.Pattern[str] | None:
    for asks, answers in ANSWER_TYPES:
        if asks.search(question):
            return answers
    return None


def best_sentence(
    question: str, passage: str, term_weights: Mapping[str, float]
) -> Highlighted | None:
    """The highest-scoring sentence; ties go to the earlier one."""
    total = sum(term_weights.values()) or 1.0
    wanted = answer_pattern(question)
    best: tuple[float, int, int] | None = None
    for span in sentence_spans(passage):
        sentence = passage[span.start : span.end]
        terms = set(analyze(sentence))
        score = sum(weight for term, weight in term_weights.items() if term in terms) / total
        if wanted is not None and wanted.search(sentence):
            score += ANSWER_BONUS
        if best is None or score > best[0]:
            best = (score, span.start, span.end)
    if best is None:
        return None
    return Highlighted(passage[best[1] : best[2]], best[1], best[2])
