"""Reading a question for what it names: outlets and publication days.

News questions say where and when ("…the report by CBSSports.com on October 12, 2023…"). Each
named outlet and day becomes a focused retrieval leg, so that every source the question asks about
is represented near the top, not only the one whose wording the question happens to echo.

Outlet names that are ordinary words ("The Age", "Wired", "Fortune", "The Verge") fire only on
real cues: written with their capitals, and, where capitals say nothing (the first word of a
sentence, a question in Title Case), quoted or followed by a reporting word ("Fortune reported").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache

from search.filters import SearchFilters

_MONTHS = (
    "january february march april may june july august september october november december"
).split()
_ISO_DAY = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})(T[\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?")
_EMPTY_QUOTES = re.compile(r"(['\"‘’“”])\s*(['\"‘’“”])")
_WRITTEN_DAY = re.compile(r"\b(" + "|".join(_MONTHS) + r")\s+(\d{1,2}),?\s+(\d{4})\b", re.I)
# A name with a digit, a dot, a bar, an inner capital or an acronym is no English phrase.
_DISTINCTIVE = re.compile(r"[^\w\s'’-]|\d|[a-z][A-Z]|\b[A-Z]{2,}\b")
_QUOTES = "'\"‘’“”"
_REPORTING = re.compile(
    r"\s*(?:['’]s\b|\s(?:reported|reports|report|says|said|article|articles|wrote|writes|"
    r"published|story|stories|piece|noted|notes|claims?|suggests?|states?|stated|coverage)\b)",
    re.I,
)
_SENTENCE_END = re.compile(r"[.?!:;]\s*$|^\s*$")
_WORD = re.compile(r"[^\W\d_]+")
_LEADING_THE = re.compile(r"^[Tt]he(?:\\)? ")


@dataclass(frozen=True)
class QuestionFocus:
    """Outlets and days the question names, in the order it names them."""

    outlets: list[str] = field(default_factory=list)
    days: list[date] = field(default_factory=list)
    # Where each is named (character offset), to keep the first ones when capped.
    positions: dict[str, int] = field(default_factory=dict, compare=False)
    # Every (start, end) of the question naming an outlet or a day.
    mentions: tuple[tuple[int, int], ...] = field(default=(), compare=False)

    def without_mentions(self, question: str) -> str:
        """The question with its outlet and day mentions cut out: what it asks about, for the
        dense leg ("…reported by TechCrunch on October 7, 2023" is not the topic)."""
        pieces, last = [], 0
        for start, end in self.mentions:
            pieces.append(question[last:start])
            last = max(last, end)
        pieces.append(question[last:])
        text = _EMPTY_QUOTES.sub(" ", "".join(pieces))
        return " ".join(text.split())

    def __bool__(self) -> bool:
        return bool(self.outlets or self.days)

    def filters(self, base: SearchFilters | None, limit: int | None = None) -> list[SearchFilters]:
        """One filter per named outlet and per named day, each narrowing ``base``; at most
        ``limit`` of them, the first named first (a question naming 90 outlets is not 90
        retrievals)."""
        base = base or SearchFilters()
        focused: list[tuple[int, SearchFilters]] = []
        if not base.outlets:
            focused += [
                (self.positions.get(outlet, 0), base.model_copy(update={"outlets": [outlet]}))
                for outlet in self.outlets
            ]
        if not (base.published_after or base.published_before):
            for day in self.days:
                start = datetime(day.year, day.month, day.day, tzinfo=UTC)
                end = start + timedelta(days=1) - timedelta(seconds=1)
                narrowed = base.model_copy(
                    update={"published_after": start, "published_before": end}
                )
                focused.append((self.positions.get(day.isoformat(), 0), narrowed))
        focused.sort(key=lambda pair: pair[0])
        return [narrowed for _, narrowed in focused[:limit]]


@dataclass(frozen=True)
class _OutletMatcher:
    """One regex for the distinctive names (any case) and one for the plain ones (as written)."""

    distinctive: re.Pattern[str] | None
    plain: re.Pattern[str] | None
    names: dict[str, str]  # matched text, case-folded for distinctive names -> outlet


def _alternation(names: list[str], flags: int) -> re.Pattern[str] | None:
    if not names:
        return None
    # Longest first, so "The Independent - Sports" wins over "The Independent" at one position;
    # a leading "The" may be written "the" ("the Verge report"): the capitals after it count.
    ordered = [_LEADING_THE.sub("[Tt]he ", re.escape(name)) for name in sorted(names, key=len)]
    return re.compile(r"(?<!\w)(?:" + "|".join(reversed(ordered)) + r")(?!\w)", flags)


def _as_written(text: str) -> str:
    return _LEADING_THE.sub("The ", text)


@lru_cache(maxsize=8)
def _matcher(outlets: tuple[str, ...]) -> _OutletMatcher:
    """Built once per outlet list (the archive's outlets change rarely), not per question."""
    usable = sorted({o.strip() for o in outlets if o and len(o.strip()) >= 3})
    distinctive = [o for o in usable if _DISTINCTIVE.search(o)]
    plain = [o for o in usable if not _DISTINCTIVE.search(o)]
    names = {o.casefold(): o for o in distinctive} | {o: o for o in plain}
    return _OutletMatcher(_alternation(distinctive, re.I), _alternation(plain, 0), names)


def _title_case(question: str) -> bool:
    """Capitals carry no signal when most words have them ("How Far Did The Missile Fly")."""
    words = _WORD.findall(question)
    return len(words) >= 4 and sum(w[0].isupper() for w in words) >= 0.75 * len(words)


def _cued(question: str, match: re.Match[str], capitals_count: bool) -> bool:
    """A plain name mid-sentence with its capitals is a name; elsewhere it needs quotes or a
    reporting word after it."""
    start, end = match.span()
    if start and question[start - 1] in _QUOTES:
        return True
    if capitals_count and not _SENTENCE_END.search(question[:start]):
        return True
    return bool(_REPORTING.match(question, end))


def _outlet_mentions(question: str, outlets: Iterable[str]) -> list[tuple[int, int, str]]:
    """(start, end, outlet) of every outlet mention, longest first without overlaps."""
    matcher = _matcher(tuple(outlets))
    spans: list[tuple[int, int, str]] = []
    if matcher.distinctive is not None:
        spans += [
            (m.start(), m.end(), matcher.names[m.group().casefold()])
            for m in matcher.distinctive.finditer(question)
        ]
    if matcher.plain is not None:
        capitals_count = not _title_case(question)
        spans += [
            (m.start(), m.end(), matcher.names[_as_written(m.group())])
            for m in matcher.plain.finditer(question)
            if _cued(question, m, capitals_count)
        ]
    taken: list[tuple[int, int, str]] = []
    for start, end, outlet in sorted(spans, key=lambda span: span[0] - span[1]):
        if not any(start < other_end and other_start < end for other_start, other_end, _ in taken):
            taken.append((start, end, outlet))
    return sorted(taken)


def _named(mentions: list[tuple[int, int, str]]) -> list[tuple[int, str]]:
    """Each outlet once, at its first mention."""
    found: dict[str, int] = {}
    for start, _, outlet in mentions:
        found.setdefault(outlet, start)
    return sorted((at, outlet) for outlet, at in found.items())


def named_outlets(question: str, outlets: Iterable[str]) -> list[str]:
    """Known outlet names the question names, in order of mention, without overlaps."""
    return [outlet for _, outlet in _named(_outlet_mentions(question, outlets))]


def _day_mentions(question: str) -> list[tuple[int, int, date]]:
    """(start, end, day) of every valid day written in the question."""
    found: list[tuple[int, int, date | None]] = []
    for match in _ISO_DAY.finditer(question):
        year, month, day = (int(part) for part in match.groups()[:3])
        found.append((match.start(), match.end(), _safe_date(year, month, day)))
    for match in _WRITTEN_DAY.finditer(question):
        month, day, year = match.groups()
        month_number = _MONTHS.index(month.lower()) + 1
        found.append((match.start(), match.end(), _safe_date(int(year), month_number, int(day))))
    return sorted((start, end, day) for start, end, day in found if day is not None)


def _named_days(mentions: list[tuple[int, int, date]]) -> list[tuple[int, date]]:
    first: dict[date, int] = {}
    for start, _, day in mentions:
        first.setdefault(day, start)
    return [(at, day) for day, at in first.items()]


def named_days(question: str) -> list[date]:
    """Days the question names (ISO or written out), in order of mention."""
    return [day for _, day in _named_days(_day_mentions(question))]


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def read_question(question: str, outlets: Iterable[str]) -> QuestionFocus:
    outlet_mentions = _outlet_mentions(question, outlets)
    day_mentions = _day_mentions(question)
    named = _named(outlet_mentions)
    days = _named_days(day_mentions)
    positions = {outlet: at for at, outlet in named} | {day.isoformat(): at for at, day in days}
    return QuestionFocus(
        outlets=[outlet for _, outlet in named],
        days=[day for _, day in days],
        positions=positions,
        mentions=tuple(sorted((start, end) for start, end, _ in [*outlet_mentions, *day_mentions])),
    )
