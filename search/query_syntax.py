"""The search box's small query language, parsed here so user text never reaches a store's parser.

    "exact phrase"      passages must hold these words in this order
    -word  -"a phrase"  passages must not hold them
    outlet:Reuters  outlet:"The Guardian"  author:"Jane Doe"  lang:en
    after:2026-01-01  before:2026-03  (YYYY, YYYY-MM or YYYY-MM-DD; both ends inclusive)

Anything that does not parse as syntax is kept as plain words and never raises: an unbalanced quote
is just a character, ``note:`` or ``https://…`` are words, ``after:yesterday`` is two words. What
the dense leg embeds is the question with the syntax taken out (phrase words stay, quotes go).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

# Straight and typographic double quotes: people paste phrases from news pages.
_QUOTES = '"“”„'
_FIELD_NAMES = {
    "outlet": "outlet",
    "source": "outlet",
    "author": "author",
    "by": "author",
    "lang": "language",
    "language": "language",
    "after": "after",
    "since": "after",
    "before": "before",
    "until": "before",
}
_DATE_VALUE = re.compile(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")
_Q = _QUOTES
_TOKEN = re.compile(
    rf"""
    (?P<negated>-)?
    (?:
        (?P<field>[A-Za-z]+):(?:[{_Q}](?P<quoted_value>[^{_Q}]*)[{_Q}]|(?P<value>[^\s{_Q}]+))
      | [{_Q}](?P<phrase>[^{_Q}]*)[{_Q}]
      | (?P<word>[^\s]+)
    )
    """,
    re.VERBOSE,
)
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class ParsedQuery:
    """A query with its syntax read; every part is a tuple, empty when the query has none."""

    text: str
    phrases: tuple[str, ...] = ()
    excluded_words: tuple[str, ...] = ()
    excluded_phrases: tuple[str, ...] = ()
    outlets: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    after: date | None = None
    before: date | None = None

    @property
    def has_syntax(self) -> bool:
        return any(
            (
                self.phrases,
                self.excluded_words,
                self.excluded_phrases,
                self.outlets,
                self.authors,
                self.languages,
                self.after,
                self.before,
            )
        )


def _bound(value: str, *, end: bool) -> date | None:
    """A date, month or year as its first day (``end=False``) or its last day (``end=True``)."""
    match = _DATE_VALUE.fullmatch(value)
    if match is None:
        return None
    year, month, day = (int(part) if part else None for part in match.groups())
    assert year is not None
    try:
        if month is None:
            return date(year, 12, 31) if end else date(year, 1, 1)
        if day is None:
            last = calendar.monthrange(year, month)[1]
            return date(year, month, last if end else 1)
        return date(year, month, day)
    except ValueError:
        return None


def _clean(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def parse_query(query: str) -> ParsedQuery:
    """Split ``query`` into plain words and syntax; never raises."""
    words: list[str] = []
    phrases: list[str] = []
    excluded_words: list[str] = []
    excluded_phrases: list[str] = []
    fields: dict[str, list[str]] = {"outlet": [], "author": [], "language": []}
    after: date | None = None
    before: date | None = None

    for match in _TOKEN.finditer(query):
        negated = bool(match.group("negated"))
        field = match.group("field")
        if field is not None:
            name = _FIELD_NAMES.get(field.lower())
            value = _clean(match.group("quoted_value") or match.group("value") or "")
            if name is None or not value or negated:
                words.append(_clean(match.group().replace('"', " ")))
                continue
            if name in fields:
                fields[name].append(value)
                continue
            bound = _bound(value, end=name == "before")
            if bound is None:
                words.append(f"{field} {value}")
            elif name == "after":
                after = bound if after is None else max(after, bound)
            else:
                before = bound if before is None else min(before, bound)
            continue
        phrase = match.group("phrase")
        if phrase is not None:
            phrase = _clean(phrase)
            if not phrase:
                continue
            if negated:
                excluded_phrases.append(phrase)
            else:
                phrases.append(phrase)
                words.append(phrase)
            continue
        word = match.group("word")
        # "-5 degrees" is a number, not an exclusion; a lone "-" is punctuation.
        if negated and word[0].isalpha():
            excluded_words.append(word.strip(_QUOTES))
        else:
            words.append(match.group())

    return ParsedQuery(
        text=_clean(" ".join(words)),
        phrases=tuple(dict.fromkeys(phrases)),
        excluded_words=tuple(dict.fromkeys(excluded_words)),
        excluded_phrases=tuple(dict.fromkeys(excluded_phrases)),
        outlets=tuple(dict.fromkeys(fields["outlet"])),
        authors=tuple(dict.fromkeys(fields["author"])),
        languages=tuple(dict.fromkeys(fields["language"])),
        after=after,
        before=before,
    )
