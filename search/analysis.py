"""The one text-analysis chain for BM25, shared by every store and applied to passages and queries.

Elasticsearch indexes the tokens this module produces with a plain ``whitespace`` analyzer, and the
embedded store does the same, so both backends see identical terms and rank alike.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from functools import lru_cache

import Stemmer

from search.answer_types import read_cues

# A number (keeping "2.7" and "1,000" whole) or a run of letters. Splitting digits from letters is
# what turns "700km" into "700" + "km".
_TOKEN = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_]+")
# The same on lower-cased text whose letters and digits are all ASCII (``term_counts``).
_PLAIN_TOKEN = re.compile(r"[0-9]+(?:[.,][0-9]+)*|[a-z]+")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")

STOP_WORDS = frozenset(
    """
    a about above after again against all am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further
    had has have having he her here hers herself him himself his how i if in into is it its itself
    just me more most my myself no nor not now of off on once only or other our ours ourselves out
    over own s same she should so some such t than that the their theirs them themselves then there
    these they this those through to too under until up very was we were what when where which
    while who whom why will with would you your yours yourself yourselves
    """.split()
)

# What ``term_counts`` depends on: sentence layouts stored with passages
# (``search.sentence_layout``) are trusted only while these are unchanged.
COUNT_RULES = (_TOKEN.pattern, _PLAIN_TOKEN.pattern, _NON_ASCII.pattern, sorted(STOP_WORDS))


@lru_cache(maxsize=1)
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("english")


def fold(text: str) -> str:
    """Lower-case and strip accents ("Café" -> "cafe") without changing anything else."""
    if text.isascii():  # nothing to decompose: the common case, ten times faster
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _normalise_number(token: str) -> str:
    # "1,000" and "1000" must meet; a decimal point is meaningful and stays.
    return token.replace(",", "")


def analyze(text: str) -> list[str]:
    """BM25 terms: folded, split at letter/digit boundaries, without stop words, stemmed."""
    words: list[str] = []
    numbers_at: list[int] = []
    for match in _TOKEN.finditer(fold(text)):
        token = match.group()
        if token[0].isdigit():
            numbers_at.append(len(words))
            words.append(_normalise_number(token))
        elif token not in STOP_WORDS:
            words.append(token)
    stems = _stemmer().stemWords(words)
    for index in numbers_at:
        stems[index] = words[index]
    return stems


def term_counts(text: str, spans: Sequence[tuple[int, int]]) -> list[int]:
    """How many terms ``analyze`` makes of each (start, end) slice of ``text``, found without
    folding the whole text or stemming (cheap): where each sentence's terms sit in a passage's
    stored term sequence. Exact for all but rare characters that folding splits ("½")."""
    lower = text.lower()
    if not _plain(lower):
        return [_slow_count(lower, start, end) for start, end in spans]
    counts = []
    for start, end in spans:
        tokens = _PLAIN_TOKEN.findall(lower, start, end)
        counts.append(len(tokens) - sum(map(STOP_WORDS.__contains__, tokens)))
    return counts


def _plain(lower: str) -> bool:
    """No letter or digit beyond ASCII (curly quotes and dashes are fine): then ``_PLAIN_TOKEN``
    finds exactly the tokens ``_TOKEN`` finds, at a third of the cost, and none needs folding."""
    return lower.isascii() or not any(ch.isalnum() for ch in set(_NON_ASCII.findall(lower)))


def _slow_count(lower: str, start: int, end: int) -> int:
    count = 0
    for token in _TOKEN.findall(lower, start, end):
        if token[0].isdigit() or (token if token.isascii() else fold(token)) not in STOP_WORDS:
            count += 1
    return count


def analyze_query(text: str) -> list[str]:
    """Query terms, each once: a repeated word must not count twice in either backend.

    Question words ("how far", "when", "how many") are cues for the answer type, not content:
    they are cut out first, so "how far" never matches "so far" (``search.answer_types``).
    """
    return list(dict.fromkeys(analyze(read_cues(text).content)))


def join_terms(terms: Iterable[str]) -> str:
    """The whitespace-separated form both stores index."""
    return " ".join(terms)
