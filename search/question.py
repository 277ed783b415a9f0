"""Reading a question for what it names: outlets and publication days.

News questions say where and when ("…the report by CBSSports.com on October 12, 2023…"). Each
named outlet and day becomes a focused retrieval leg, so that every source the question asks about
is represented near the top, not only the one whose wording the question happens to echo.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from search.filters import SearchFilters

_MONTHS = (
    "january february march april may june july august september october november december"
).split()
_ISO_DAY = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})")
_WRITTEN_DAY = re.compile(r"\b(" + "|".join(_MONTHS) + r")\s+(\d{1,2}),?\s+(\d{4})\b", re.I)


@dataclass(frozen=True)
class QuestionFocus:
    outlets: list[str] = field(default_factory=list)
    days: list[date] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.outlets or self.days)

    def filters(self, base: SearchFilters | None) -> list[SearchFilters]:
        """One filter per named outlet and per named day, each narrowing ``base``."""
        base = base or SearchFilters()
        focused: list[SearchFilters] = []
        if not base.outlets:
            focused += [base.model_copy(update={"outlets": [outlet]}) for outlet in self.outlets]
        if not (base.published_after or base.published_before):
            for day in self.days:
                start = datetime(day.year, day.month, day.day, tzinfo=UTC)
                end = start + timedelta(days=1) - timedelta(seconds=1)
                focused.append(
                    base.model_copy(update={"published_after": start, "published_before": end})
                )
        return focused


def named_outlets(question: str, outlets: Iterable[str]) -> list[str]:
    """Known outlet names the question contains, longest first, without overlaps."""
    lowered = question.casefold()
    taken = [False] * len(lowered)
    found: list[str] = []
    for outlet in sorted({o for o in outlets if o and len(o) >= 3}, key=len, reverse=True):
        pattern = re.compile(r"(?<!\w)" + re.escape(outlet.casefold()) + r"(?!\w)")
        for match in pattern.finditer(lowered):
            if not any(taken[match.start() : match.end()]):
                taken[match.start() : match.end()] = [True] * (match.end() - match.start())
                found.append(outlet)
                break
    return found


def named_days(question: str) -> list[date]:
    days: list[date] = []
    for year, month, day in _ISO_DAY.findall(question):
        days.append(_safe_date(int(year), int(month), int(day)))
    for month, day, year in _WRITTEN_DAY.findall(question):
        days.append(_safe_date(int(year), _MONTHS.index(month.lower()) + 1, int(day)))
    return list(dict.fromkeys(day for day in days if day is not None))  # type: ignore[misc]


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def read_question(question: str, outlets: Iterable[str]) -> QuestionFocus:
    return QuestionFocus(outlets=named_outlets(question, outlets), days=named_days(question))
