"""Everything read from the question before any leg runs: terms, their idf, the answer type,
the outlets and days it names, and how keyword-like it is.

Shared Python above the stores, so both stores receive the same terms and every later step
(legs, fusion, second stage, highlight) reads the question the same way.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from search.analysis import STOP_WORDS, analyze_query
from search.answer_types import QuestionCues, read_cues
from search.coverage import term_weights
from search.filters import SearchFilters, keyword
from search.query_constraints import Constraints, constrain
from search.query_syntax import parse_query
from search.question import QuestionFocus, read_question
from search.results import Mode
from search.store.protocol import PassageStore
from search.time_reading import read_time

_TOKEN = re.compile(r"[^\W_]+(?:[.'’][^\W_]+)*")
_SENTENCE_START = re.compile(r"(?:^\s*|[.?!:;]\s+|[\"“‘(]\s*)$")
_QUOTED = re.compile(r"[\"“‘'][^\"”’']{2,80}[\"”’']")


@dataclass(frozen=True)
class QueryAnalysis:
    """The question as every component reads it; immutable, so a pipeline passes it uncopied."""

    question: str
    mode: Mode = "hybrid"
    # What the dense leg embeds: the question without the outlets and days it names.
    dense_text: str = ""
    terms: tuple[str, ...] = ()
    # Lucene idf of each term in this archive (what the BM25 leg weighs it by).
    weights: Mapping[str, float] = field(default_factory=dict)
    cues: QuestionCues = field(default_factory=lambda: QuestionCues(None, ""))
    focus: QuestionFocus = field(default_factory=QuestionFocus)
    filters: SearchFilters | None = None
    # One narrowed filter per focused leg (named outlets and days), capped.
    focus_filters: tuple[SearchFilters, ...] = ()
    # Share of the question's content words that are names, numbers, quotes, outlets or dates.
    keyword_share: float = 0.0
    # For each named outlet (case-folded), the part of the question about it.
    outlet_clauses: Mapping[str, str] = field(default_factory=dict)
    # The query syntax and time words read, and what they did to the filters.
    constraints: Constraints = field(default_factory=lambda: Constraints(filters=None))

    @property
    def answerable(self) -> bool:
        """False when the filters cannot all hold: the legs return nothing."""
        return self.constraints.satisfiable

    def __deepcopy__(self, memo: dict[int, object]) -> QueryAnalysis:
        return self

    @property
    def total_weight(self) -> float:
        return sum(self.weights.values())


def keyword_share(cues: QuestionCues) -> float:
    """How keyword-like the question is (0 = a plain question, 1 = only names and numbers).

    A content word counts as a keyword when it is a number, capitalised where a sentence does
    not start, or inside quotes (outlets and days the question names are all of these).
    """
    text = cues.content
    quoted = [match.span() for match in _QUOTED.finditer(text)]
    words = keywords = 0
    for match in _TOKEN.finditer(text):
        token = match.group()
        if token.lower() in STOP_WORDS:
            continue
        words += 1
        inside_quotes = any(start < match.start() < end for start, end in quoted)
        capitalised = token[0].isupper() and not _SENTENCE_START.search(text[: match.start()])
        if token[0].isdigit() or capitalised or inside_quotes:
            keywords += 1
    if not words:
        return 0.0
    return keywords / words


_MIN_CLAUSE_TERMS = 3


def outlet_clauses(question: str, focus: QuestionFocus) -> dict[str, str]:
    """What the question asks of each outlet it names: "Does the article from Fortune claim A,
    while The Verge suggests B?" asks Fortune about A and The Verge about B.

    Outlets named together ("Fortune, The Verge and TechCrunch") share one clause. A group's
    clause runs from its last mention to the next group; when that is too short ("… reported
    by TechCrunch?"), the text before the group stands in, else the whole question.
    """
    mentions = sorted(
        (focus.positions[outlet], focus.positions[outlet] + len(outlet), outlet)
        for outlet in focus.outlets
        if outlet in focus.positions
    )
    groups: list[list[tuple[int, int, str]]] = []
    for mention in mentions:
        gap = question[groups[-1][-1][1] : mention[0]] if groups else ""
        if groups and len(analyze_query(gap)) < _MIN_CLAUSE_TERMS:
            groups[-1].append(mention)
        else:
            groups.append([mention])
    clauses: dict[str, str] = {}
    for index, group in enumerate(groups):
        following = groups[index + 1][0][0] if index + 1 < len(groups) else len(question)
        preceding = groups[index - 1][-1][1] if index else 0
        after = question[group[-1][1] : following]
        before = question[preceding : group[0][0]]
        clause = next(
            (text for text in (after, before) if len(analyze_query(text)) >= _MIN_CLAUSE_TERMS),
            question,
        )
        for _, _, outlet in group:
            if key := keyword(outlet):
                clauses[key] = clause
    return clauses


def analyse(
    question: str,
    store: PassageStore,
    *,
    mode: Mode = "hybrid",
    filters: SearchFilters | None = None,
    question_aware: bool = True,
    max_focus_legs: int = 4,
    as_of: date | None = None,
) -> QueryAnalysis:
    """Read ``question`` against ``store`` (document frequencies, outlet names, phrases).

    Its syntax (``search.query_syntax``) and time words (``search.time_reading``, relative to
    ``as_of``, else today) narrow ``filters``; what is left of the question is read as before.
    """
    parsed = parse_query(question)
    # Without syntax the question is read exactly as written (ranking exactly as before).
    text = parsed.text if parsed.has_syntax else question
    cues = read_cues(text)
    terms = analyze_query(text)
    # Pure bm25 / dense modes stay pure: no focused legs.
    focused = question_aware and mode == "hybrid"
    # Outlet names are read in every mode, so that "Business Today | Latest…" is no time word.
    named = read_question(text, store.outlets())
    focus = named if focused else QuestionFocus()
    reading = read_time(text, as_of or datetime.now(UTC).date(), ignore=named.mentions)
    constraints = constrain(parsed, reading, filters, store, as_of=as_of)
    narrowed = constraints.filters
    documents, frequencies = store.document_frequencies(terms) if terms else (0, {})
    focus_filters = list(focus.filters(narrowed, max_focus_legs)) if focus else []
    if focused and constraints.preferred is not None:
        focus_filters.append(constraints.preferred)
    return QueryAnalysis(
        question=text,
        mode=mode,
        dense_text=focus.without_mentions(text) if focus else text,
        terms=tuple(terms),
        weights=term_weights(terms, documents, frequencies),
        cues=cues,
        focus=focus,
        filters=narrowed,
        focus_filters=tuple(focus_filters),
        keyword_share=keyword_share(cues),
        outlet_clauses=outlet_clauses(text, focus),
        constraints=constraints,
    )
