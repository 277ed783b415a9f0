"""The first component: the question read against the archive."""

from __future__ import annotations

from datetime import date
from typing import Any

from haystack import component, default_from_dict, default_to_dict

from search.filters import SearchFilters
from search.query_analysis import QueryAnalysis, analyse
from search.results import Mode
from search.retrieval.serde import shared_from_dict, shared_to_dict
from search.store.protocol import PassageStore


@component
class QueryReader:
    """Reads a question: BM25 terms and their idf, the answer type, the outlets and days it
    names (each a focused leg, at most ``max_focus_legs``), how keyword-like it is.

    Usage:
        reader = QueryReader(store)
        analysis = reader.run(query="how far did the missile fly?")["analysis"]
        analysis.terms, analysis.cues.answer_type  # ("missil", "fli"), "distance"
    """

    def __init__(
        self, store: PassageStore, question_aware: bool = True, max_focus_legs: int = 4
    ) -> None:
        if max_focus_legs < 0:
            raise ValueError(f"max_focus_legs must not be negative, got {max_focus_legs}")
        self.store = store
        self.question_aware = question_aware
        self.max_focus_legs = max_focus_legs

    @component.output_types(analysis=QueryAnalysis)
    def run(
        self,
        query: str,
        mode: Mode = "hybrid",
        filters: SearchFilters | None = None,
        as_of: date | None = None,
    ) -> dict[str, QueryAnalysis]:
        """``as_of``: the day to read the archive as of (relative time words count from it, and
        nothing published after it is returned); by default today, without that bound."""
        return {
            "analysis": analyse(
                query,
                self.store,
                mode=mode,
                filters=filters,
                question_aware=self.question_aware,
                max_focus_legs=self.max_focus_legs,
                as_of=as_of,
            )
        }

    def to_dict(self) -> dict[str, Any]:
        return default_to_dict(
            self,
            store=shared_to_dict(self.store),
            question_aware=self.question_aware,
            max_focus_legs=self.max_focus_legs,
        )

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> QueryReader:
        data["init_parameters"]["store"] = shared_from_dict(data["init_parameters"]["store"])
        return default_from_dict(cls, data)
