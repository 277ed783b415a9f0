"""What the query syntax and the question's time words do to a search: filters and preferences.

``search.query_syntax`` and ``search.time_reading`` read; this module decides, against the
archive and the caller's own filters:

- phrases and exclusions become analysed term sequences in the filters (both legs, both stores);
  a phrase found nowhere in the archive (or nowhere together with the phrases before it) is
  dropped and reported, because people also use double quotes for emphasis ("the "unprecedented"
  storm") and one such word must not empty the results; a quoted outlet name stays an outlet;
- ``outlet:``/``author:``/``lang:`` narrow the caller's filters (both must hold);
- ``after:``/``before:``, the caller's ``as_of`` and a period next to a reporting word ("what was
  reported in March 2026") bound the publication date; any other period is a preference (a
  focused leg), and "latest"/"most recent" a recency preference.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from search.analysis import analyze
from search.filters import SearchFilters, keyword
from search.query_syntax import ParsedQuery
from search.results import SyntaxRead, TimeRead
from search.store.protocol import PassageStore
from search.time_reading import TimeReading


@dataclass(frozen=True)
class Constraints:
    """The caller's filters narrowed by the query; ``satisfiable`` is False when they cannot
    all hold (``outlet:A`` asked inside a request filtered to outlet B, or after > before)."""

    filters: SearchFilters | None
    preferred: SearchFilters | None = None
    recency: bool = False
    satisfiable: bool = True
    syntax: SyntaxRead | None = None
    time: TimeRead | None = None


def day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def day_end(day: date) -> datetime:
    return datetime.combine(day, time(23, 59, 59), tzinfo=UTC)


def _narrowed(caller: list[str] | None, asked: Sequence[str]) -> tuple[list[str] | None, bool]:
    """Both lists must hold: their overlap (compared as filters compare), or unsatisfiable."""
    if not asked:
        return caller, True
    if not caller:
        return list(asked), True
    allowed = {keyword(value) for value in caller}
    kept = [value for value in asked if keyword(value) in allowed]
    return kept or None, bool(kept)


def _later(first: datetime | None, second: datetime | None) -> datetime | None:
    return max(filter(None, (first, second)), default=None)


def _earlier(first: datetime | None, second: datetime | None) -> datetime | None:
    return min(filter(None, (first, second)), default=None)


def _sequences(texts: Sequence[str]) -> list[tuple[tuple[str, ...], str]]:
    """(analysed terms, as written) of each text that keeps any term after analysis."""
    return [(terms, text) for text in texts if (terms := tuple(analyze(text)))]


def constrain(
    parsed: ParsedQuery,
    reading: TimeReading,
    filters: SearchFilters | None,
    store: PassageStore,
    *,
    as_of: date | None = None,
) -> Constraints:
    """The effective filters and preferences for ``parsed`` (the question's syntax) and
    ``reading`` (its time words); ``as_of`` is the caller's explicit reference day, if any."""
    base = filters or SearchFilters()
    outlets, outlets_ok = _narrowed(base.outlets, parsed.outlets)
    authors, authors_ok = _narrowed(base.authors, parsed.authors)
    languages, languages_ok = _narrowed(base.languages, parsed.languages)

    # A quoted outlet name ("The New York Times") names a source, read as such by the focused
    # legs; as a phrase it would demand the name inside the passage's text.
    outlet_names = {keyword(name) for name in store.outlets()}
    quoted = [text for text in parsed.phrases if keyword(text) not in outlet_names]
    kept: list[tuple[tuple[str, ...], str]] = []
    dropped: list[str] = [text for text in quoted if not analyze(text)]
    for terms, text in _sequences(quoted):
        # Phrases must all hold; one that would leave nothing in the archive is dropped.
        together = SearchFilters(phrases=[*(done for done, _ in kept), terms])
        if store.count_matching(together):
            kept.append((terms, text))
        else:
            dropped.append(text)
    excluded = _sequences([*parsed.excluded_words, *parsed.excluded_phrases])

    after = _later(base.published_after, day_start(parsed.after) if parsed.after else None)
    before = _earlier(base.published_before, day_end(parsed.before) if parsed.before else None)
    if as_of:
        # The caller's reference day bounds what the archive knew. "As of July 2023" inside a
        # question only sets the day its time words count from: it usually dates a fact.
        before = _earlier(before, day_end(as_of))
    period = (
        (day_start(reading.after) if reading.after else None),
        (day_end(reading.before) if reading.before else None),
    )
    preferred = None
    if reading.firm:
        after, before = _later(after, period[0]), _earlier(before, period[1])
    elif any(period):
        preferred = SearchFilters(published_after=period[0], published_before=period[1])

    narrowed = base.model_copy(
        update={
            "outlets": outlets,
            "authors": authors,
            "languages": languages,
            "published_after": after,
            "published_before": before,
            "phrases": [terms for terms, _ in kept] or None,
            "excluded": [terms for terms, _ in excluded] or None,
        }
    )
    dates_ok = not (after and before and after > before)
    satisfiable = outlets_ok and authors_ok and languages_ok and dates_ok
    if preferred is not None:
        preferred = narrowed.model_copy(
            update={
                "published_after": _later(narrowed.published_after, preferred.published_after),
                "published_before": _earlier(narrowed.published_before, preferred.published_before),
            }
        )
    return Constraints(
        filters=None if narrowed.is_empty() else narrowed,
        preferred=preferred,
        recency=reading.recency,
        satisfiable=satisfiable,
        syntax=_syntax_read(parsed, [text for _, text in kept], dropped),
        time=_time_read(reading, as_of),
    )


def _syntax_read(parsed: ParsedQuery, phrases: list[str], dropped: list[str]) -> SyntaxRead | None:
    if not parsed.has_syntax:
        return None
    return SyntaxRead(
        text=parsed.text,
        phrases=phrases,
        dropped_phrases=dropped,
        excluded=[*parsed.excluded_words, *parsed.excluded_phrases],
        outlets=list(parsed.outlets),
        authors=list(parsed.authors),
        languages=list(parsed.languages),
        after=parsed.after,
        before=parsed.before,
    )


def _time_read(reading: TimeReading, as_of: date | None) -> TimeRead | None:
    if not reading and as_of is None:
        return None
    has_period = bool(reading.after or reading.before)
    return TimeRead(
        after=reading.after,
        before=reading.before,
        applied=("filter" if reading.firm else "preference") if has_period else None,
        recency=reading.recency,
        as_of=reading.as_of or as_of,
        words=list(reading.words),
    )
