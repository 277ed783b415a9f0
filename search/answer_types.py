"""Question words as cues for the kind of answer wanted, never as words to match.

"How far did the missile fly?" asks for a distance. Its words "how far" must not match every
"… so far" headline, and its answer ("It travelled roughly 700 kilometres") shares no word with
it. So the cue is cut out of the question before analysis (both stores get the same terms) and
kept as an answer type: retrieval evidence for the second stage and the highlight.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

AnswerType = Literal["distance", "speed", "duration", "amount", "count", "date", "person", "place"]

_NUMBER = r"\d[\d,.]*"
_NUMBER_WORD = (
    r"(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|"
    r"hundreds?|thousands?|millions?|billions?|dozens?)"
)
_DISTANCE = (
    _NUMBER + r"\s*-?\s*(?:km|kilomet\w*|kms|mi|miles?|metres?|meters?|m|feet|ft|nautical)\b"
)
_SPEED = _NUMBER + r"\s*(?:km/h|kph|mph|knots?|mach)\b|\bmach\s*\d"
_DURATION = (
    rf"(?:{_NUMBER}|\b{_NUMBER_WORD})\s*-?\s*(?:seconds?|minutes?|hours?|days?|weeks?|months?|"
    r"years?|decades?)\b"
)
_MONEY = (
    r"[$€£¥]\s*" + _NUMBER + r"|" + _NUMBER + r"\s*(?:dollars|euros|pounds|yen|million|billion|"
    r"trillion|%|percent|per cent)\b"
)
_COUNT = rf"{_NUMBER}|\b{_NUMBER_WORD}\b"
_DATE = (
    r"\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|yesterday|today|tomorrow|"
    r"january|february|march|april|may|june|july|august|september|october|november|december|"
    r"(?:19|20)\d\d)\b"
)
# A person's name: two capitalised words (not the first word of a sentence).
_PERSON = r"(?<=[a-z,;] )[A-Z][a-z]+(?: [A-Z]\.)? [A-Z][a-z'’]+"
_PLACE = r"\b(?:in|at|near|from|to|across|outside)\s+(?:the\s+)?[A-Z][a-z]+"

# What an answering sentence contains, per type. Person and place are case-sensitive (names).
ANSWER_PATTERNS: dict[AnswerType, re.Pattern[str]] = {
    "distance": re.compile(_DISTANCE, re.I),
    "speed": re.compile(_SPEED, re.I),
    "duration": re.compile(_DURATION, re.I),
    "amount": re.compile(_MONEY, re.I),
    "count": re.compile(_COUNT, re.I),
    "date": re.compile(_DATE, re.I),
    "person": re.compile(_PERSON),
    "place": re.compile(_PLACE),
}
# Types whose answer pattern is specific enough to tell an answering passage from any other
# (almost every news passage holds a number, a name or "in <Place>").
SPECIFIC_TYPES: frozenset[AnswerType] = frozenset(
    {"distance", "speed", "duration", "amount", "date"}
)

# (type, the question words that ask for it). The whole match is cut out of the analysed
# question; "(?!-)" keeps "how far-right" a content word.
_CUES: tuple[tuple[AnswerType, str], ...] = (
    ("distance", r"\bhow (?:far|high|deep|wide|tall|close)\b(?!-)"),
    ("speed", r"\bhow fast\b(?!-)"),
    ("duration", r"\bhow long\b(?!-)|\bhow soon\b|\bhow often\b"),
    ("amount", r"\bhow much\b(?!-)"),
    ("count", r"\bhow many\b|\bhow old\b(?!-)"),
    ("date", r"\b(?:in |on )?(?:what|which) (?:time|date|day|year|month)\b|\bwhen\b"),
    ("person", r"\bwho(?:m|se)?\b"),
    ("place", r"\bwhere\b|\b(?:in )?(?:what|which) (?:country|city|town|state|region)\b"),
)
_CUE = re.compile("|".join(f"(?P<{kind}>{pattern})" for kind, pattern in _CUES), re.I)
_CLAUSE_START = re.compile(r"[.?!;:,\n]")
_AUXILIARY = re.compile(
    r"\s+(?:did|does|do|is|was|were|are|will|would|can|could|has|have|had|should|might|may)\b",
    re.I,
)
_LEAD_IN = re.compile(r"(?:and|but|or|so|then|exactly|just|precisely|roughly)", re.I)
# Content words that say which type a "what" question wants ("What was the range of the
# missile?"); they stay terms. Elsewhere they ask for nothing ("a broad range of cells").
_WHAT = r"\b(?:what|which)\b(?:\s+[\w'’]+){0,3}?\s+"
_INDICATIVE: tuple[tuple[AnswerType, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(_WHAT + words, re.I))
    for kind, words in (
        ("distance", r"(?:distance|range|altitude)\b"),
        ("speed", r"speed\b"),
        ("duration", r"duration\b"),
        ("amount", r"(?:cost|price|worth)\b"),
        ("count", r"number of\b"),
    )
)


@dataclass(frozen=True)
class QuestionCues:
    """The answer type a question asks for, and the question with its question words removed."""

    answer_type: AnswerType | None
    content: str

    @property
    def pattern(self) -> re.Pattern[str] | None:
        return ANSWER_PATTERNS[self.answer_type] if self.answer_type else None

    @property
    def specific(self) -> bool:
        return self.answer_type in SPECIFIC_TYPES


def _asks(question: str, match: re.Match[str]) -> bool:
    """ "how far" always asks; "when", "who" and "where" open the question ("Who won?") or a clause
    with an auxiliary ("…, and when did it end?"), not a relative ("the man who", ", when
    discussing")."""
    if match.group().lower().startswith("how"):
        return True
    before = question[: match.start()]
    if not before.strip():
        return True
    clause = _CLAUSE_START.split(before)[-1].strip()
    opens = not clause or bool(_LEAD_IN.fullmatch(clause))
    return opens and bool(_AUXILIARY.match(question, match.end()))


# Every hit's highlight reads its question's cues again (ten or more per question).
@lru_cache(maxsize=4096)
def read_cues(question: str) -> QuestionCues:
    """The first asking cue decides the type; every cue's words are removed."""
    found: AnswerType | None = None
    pieces: list[str] = []
    last = 0
    for match in _CUE.finditer(question):
        if found is None and _asks(question, match):
            found = next(kind for kind, _ in _CUES if match.group(kind))  # type: ignore[assignment]
        pieces += [question[last : match.start()], " "]
        last = match.end()
    pieces.append(question[last:])
    if found is None:
        found = next((kind for kind, words in _INDICATIVE if words.search(question)), None)
    return QuestionCues(found, "".join(pieces))
