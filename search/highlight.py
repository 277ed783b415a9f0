"""The answer highlight: the sentence of a passage that best answers the question.

Lexical and cheap (microseconds per hit): a sentence scores by the idf mass of the question's terms
it contains, plus a bonus when it holds the kind of answer the question asks for ("how far" wants
a distance, "when" a date). A pronoun sentence like "It travelled roughly 700 kilometres" shares no
word with "how far did the missile fly?" but is the answer, and the answer type finds it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from search.analysis import analyze
from search.answer_types import read_cues
from search.coverage import QuestionShares
from search.passage_sentences import SentenceTerms
from search.sentences import sentence_spans

# Names and places are in nearly every news sentence: only the other types earn the bonus.
_BONUS_TYPES = frozenset({"distance", "speed", "duration", "amount", "count", "date"})
ANSWER_BONUS = 0.6


@dataclass(frozen=True)
class Highlighted:
    text: str
    start: int  # offsets into the passage text
    end: int


def answer_pattern(question: str) -> re.Pattern[str] | None:
    """What a sentence answering ``question`` contains, when that tells sentences apart."""
    cues = read_cues(question)
    return cues.pattern if cues.answer_type in _BONUS_TYPES else None


def best_sentence(
    question: str,
    passage: str,
    term_weights: Mapping[str, float],
    sentences: Sequence[SentenceTerms] | None = None,
) -> Highlighted | None:
    """The highest-scoring sentence; ties go to the earlier one. ``sentences``: the passage's
    sentences with their terms, when already worked out (``search.passage_sentences``)."""
    total = sum(term_weights.values()) or 1.0
    wanted = answer_pattern(question)
    if sentences is None:
        sentences = [
            SentenceTerms(s.start, s.end, frozenset(analyze(passage[s.start : s.end])))
            for s in sentence_spans(passage)
        ]
    shares = QuestionShares(term_weights)
    best: tuple[float, int, int] | None = None
    for sentence in sentences:
        score = shares.held(sentence.terms) / total
        if wanted is not None and wanted.search(passage, sentence.start, sentence.end):
            score += ANSWER_BONUS
        if best is None or score > best[0]:
            best = (score, sentence.start, sentence.end)
    if best is None:
        return None
    return Highlighted(passage[best[1] : best[2]], best[1], best[2])
