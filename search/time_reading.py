"""Reading time out of a news question, relative to a reference day (``as_of``).

News questions carry time in words: "what was reported last week", "the latest on the bridge
repairs", "in March 2026", "as of 1 February 2026". Three kinds of reading, kept apart because
they mean different things to the ranking:

- a **period** ("yesterday", "last week", "past 3 months", "since March", "in March 2026"), with
  ``firm=True`` only when a reporting word stands next to it ("what was *reported* last week",
  "*news* from March 2026", "last week's *coverage*"). Without one the words usually say when
  something *happened* ("spent $26.3 billion in 2021", "his performance last week", "the highest
  since 2001") and the period is only a preference, never a filter that could empty the results;
- **recency** ("the latest on…", "most recent reports", "newest"): prefer newer articles;
- **as of** a day ("as of 1 February 2026"): the archive as it stood then.

Exact days ("on October 12, 2023") are read by ``search.question`` (they become focused legs).
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

_MONTHS = (
    "january february march april may june july august september october november december"
).split()
_MONTH_ABBREVIATIONS = {name[:3]: index for index, name in enumerate(_MONTHS, start=1)}
_MONTH_NAME = r"(?:" + "|".join(_MONTHS) + r"|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)"
_NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
}  # fmt: skip
_COUNT = r"(?P<count>\d{1,3}|" + "|".join(_NUMBER_WORDS) + r")"
_UNIT = r"(?P<unit>day|week|month|year)s?"
_YEAR = r"(?P<year>(?:19|20)\d\d)"
# A reporting word shortly before a named month or year makes it the publication period.
_REPORTING_WORDS = (
    r"(?:report\w*|publish\w*|written|wrote|coverage|covered|news|articles?|stories|story|"
    r"headlines?|press|posted)"
)
_REPORTING_BEFORE = re.compile(r"\b" + _REPORTING_WORDS + r"\b(?:\W+\w+){0,2}\W*$", re.I)
_REPORTING_AFTER = re.compile(r"^(?:'s)?(?:\W+\w+){0,1}\W+" + _REPORTING_WORDS + r"\b", re.I)
# "the latest on…", "most recent reports", "newest" alone: about the news, not "his latest book".
_RECENCY = re.compile(
    r"(?:^\W*|\b)(?:the )?(?:latest|newest|most recent)\b"
    r"(?=\W*$|(?:\W+\w+){0,2}?\W+(?:on|about|regarding|in|from|news|reports?|updates?|"
    r"developments?|coverage|articles?|stories|headlines)\b)",
    re.I,
)

_PATTERNS: dict[str, re.Pattern[str]] = {
    "as_of": re.compile(
        r"\bas of (?:(?P<day>\d{1,2})(?:st|nd|rd|th)? (?P<month>" + _MONTH_NAME + r")\.?,?"
        r"|(?P<month2>" + _MONTH_NAME + r")\.? (?:(?P<day2>\d{1,2})(?:st|nd|rd|th)?,? )?)"
        r" ?" + _YEAR + r"\b",
        re.I,
    ),
    "day_word": re.compile(r"\b(?P<word>today|yesterday)\b", re.I),
    "this_last": re.compile(
        r"\b(?P<which>this|last|past|previous) (?P<unit>week|month|year)\b", re.I
    ),
    "earlier_this": re.compile(r"\bearlier this (?P<unit>week|month|year)\b", re.I),
    "past_n": re.compile(
        r"\b(?:in the )?(?:last|past|previous) " + _COUNT + " " + _UNIT + r"\b", re.I
    ),
    "ago": re.compile(r"\b" + _COUNT + " " + _UNIT + r" ago\b", re.I),
    "since": re.compile(
        r"\bsince (?:(?P<month>" + _MONTH_NAME + r")\.?,? ?)?(?:" + _YEAR + r")?\b", re.I
    ),
    "month_year": re.compile(
        r"\b(?:in |during |from )?(?P<month>" + _MONTH_NAME + r")\.?,? (?:of )?" + _YEAR + r"\b",
        re.I,
    ),
    "year": re.compile(r"\b(?:in|during) " + _YEAR + r"\b", re.I),
}


@dataclass(frozen=True)
class TimeReading:
    """How a question's time was read. Dates are inclusive days; None means open."""

    after: date | None = None
    before: date | None = None
    firm: bool = False
    recency: bool = False
    as_of: date | None = None
    words: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.after or self.before or self.recency or self.as_of)


def _month_number(name: str) -> int:
    return _MONTH_ABBREVIATIONS[name.lower()[:3]]


def _month_span(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def _shift_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def _unit_span(unit: str, which: str, as_of: date) -> tuple[date, date]:
    """Calendar week (Monday first), month or year: this one so far, or the previous whole one."""
    unit = unit.lower()
    if unit == "week":
        start = as_of - timedelta(days=as_of.weekday())
        if which == "this":
            return start, as_of
        return start - timedelta(days=7), start - timedelta(days=1)
    if unit == "month":
        if which == "this":
            return as_of.replace(day=1), as_of
        previous = _shift_months(as_of.replace(day=1), -1)
        return _month_span(previous.year, previous.month)
    if which == "this":
        return date(as_of.year, 1, 1), as_of
    return date(as_of.year - 1, 1, 1), date(as_of.year - 1, 12, 31)


def _containing(unit: str, day: date) -> tuple[date, date]:
    """The whole calendar day, week, month or year that ``day`` falls in."""
    unit = unit.lower()
    if unit == "day":
        return day, day
    if unit == "week":
        start = day - timedelta(days=day.weekday())
        return start, start + timedelta(days=6)
    if unit == "month":
        return _month_span(day.year, day.month)
    return date(day.year, 1, 1), date(day.year, 12, 31)


def _back(as_of: date, count: int, unit: str) -> date:
    unit = unit.lower()
    if unit == "day":
        return as_of - timedelta(days=count)
    if unit == "week":
        return as_of - timedelta(weeks=count)
    return _shift_months(as_of, -count * (12 if unit == "year" else 1))


def _count(text: str) -> int:
    return int(text) if text.isdigit() else _NUMBER_WORDS[text.lower()]


def _masked(text: str, spans: Sequence[tuple[int, int]]) -> str:
    """Hide spans (outlet names such as "Business Today | Latest …") keeping offsets. Each
    becomes one filler word, not blanks: "Yardbarker reported" must not leave "reported" as the
    word right after a period ("… in 2022 than Yardbarker reported …")."""
    chars = list(text)
    for start, end in spans:
        chars[start:end] = "x" * (end - start)
    return "".join(chars)


def _as_of(question: str) -> tuple[date | None, str | None]:
    match = _PATTERNS["as_of"].search(question)
    if match is None:
        return None, None
    year = int(match.group("year"))
    month = _month_number(match.group("month") or match.group("month2"))
    day = match.group("day") or match.group("day2")
    try:
        if day:
            return date(year, month, int(day)), match.group()
        return _month_span(year, month)[1], match.group()
    except ValueError:
        return None, None


def _period(question: str, as_of: date) -> tuple[date | None, date | None, bool, str] | None:
    """The first period the question names: (after, before, firm, words)."""
    found = _named_period(question, as_of)
    if found is None:
        return None
    after, before, match = found
    return after, before, _reported(question, match), match.group()


def _named_period(
    question: str, as_of: date
) -> tuple[date | None, date | None, re.Match[str]] | None:
    found = _PATTERNS["day_word"].search(question)
    if found:
        day = as_of - timedelta(days=1 if found.group("word").lower() == "yesterday" else 0)
        return day, day, found
    for name in ("earlier_this", "this_last"):
        found = _PATTERNS[name].search(question)
        if found:
            which = "this" if name == "earlier_this" else found.group("which").lower()
            start, end = _unit_span(
                found.group("unit"), "this" if which == "this" else "last", as_of
            )
            if which in ("past", "previous") and name == "this_last":
                # "the past week" is the seven days up to today, not the calendar week before.
                start, end = _back(as_of, 1, found.group("unit")), as_of
            return start, end, found
    found = _PATTERNS["past_n"].search(question)
    if found:
        start = _back(as_of, _count(found.group("count")), found.group("unit"))
        return start, as_of, found
    found = _PATTERNS["ago"].search(question)
    if found:
        start, end = _containing(
            found.group("unit"), _back(as_of, _count(found.group("count")), found.group("unit"))
        )
        return start, end, found
    found = _PATTERNS["since"].search(question)
    if found and (found.group("month") or found.group("year")):
        year = int(found.group("year")) if found.group("year") else None
        if found.group("month"):
            month = _month_number(found.group("month"))
            if year is None:  # "since March": the latest March not after as_of
                year = as_of.year if month <= as_of.month else as_of.year - 1
            return date(year, month, 1), None, found
        assert year is not None
        return date(year, 1, 1), None, found
    found = _PATTERNS["month_year"].search(question)
    if found:
        start, end = _month_span(int(found.group("year")), _month_number(found.group("month")))
        return start, end, found
    found = _PATTERNS["year"].search(question)
    if found:
        year = int(found.group("year"))
        return date(year, 1, 1), date(year, 12, 31), found
    return None


def _reported(question: str, match: re.Match[str]) -> bool:
    """A reporting word just before or just after the period's words."""
    return bool(
        _REPORTING_BEFORE.search(question[: match.start()])
        or _REPORTING_AFTER.search(question[match.end() :])
    )


def read_time(question: str, as_of: date, *, ignore: Sequence[tuple[int, int]] = ()) -> TimeReading:
    """What ``question`` says about time, relative to ``as_of`` (or to a day it names itself).

    ``ignore`` lists character spans not to read (outlet names that contain time words).
    """
    text = _masked(question, ignore)
    named_as_of, as_of_words = _as_of(text)
    if as_of_words:
        text = text.replace(as_of_words, " " * len(as_of_words))
    reference = named_as_of or as_of
    words: list[str] = [as_of_words] if as_of_words else []
    after = before = None
    firm = False
    period = _period(text, reference)
    if period is not None:
        after, before, firm, period_words = period
        words.append(period_words)
    recency = _RECENCY.search(text)
    if recency:
        words.append(recency.group())
    return TimeReading(
        after=after,
        before=before,
        firm=firm,
        recency=recency is not None,
        as_of=named_as_of,
        words=tuple(word.strip() for word in words),
    )
