"""What flows between the retrieval components. Immutable, so a Pipeline passes them uncopied
(Haystack deep-copies every component input otherwise: 100 Documents per leg, per query)."""

from __future__ import annotations

from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

from haystack import Document

from search.fusion import FusedCandidate, Ranked
from search.results import FusionWeights

_AWAITED = frozenset({"main", "focused", "best", "seconds"})


@dataclass(frozen=True)
class LegRankings:
    """One leg's answers: the main ranking, then one per focused filter (in the analysis' order),
    as (store key, score) pairs (Documents are accepted too). ``best``: the main ranking's first
    passage, read for the fusion's signals.

    A leg still running in the background is ``LegRankings.later(leg, future)``: reading its
    rankings waits for it (and raises what it raised), so the two legs run side by side until
    fusion reads them.
    """

    leg: str
    main: tuple[Ranked, ...] = ()
    focused: tuple[tuple[Ranked, ...], ...] = ()
    best: Document | None = None
    # Wall time of the leg (its searches and, for the dense leg, embedding the question).
    seconds: float = 0.0
    pending: Future[LegRankings] | None = field(default=None, compare=False, repr=False)

    @classmethod
    def later(cls, leg: str, pending: Future[LegRankings]) -> LegRankings:
        return cls(leg, pending=pending)

    def __getattribute__(self, name: str) -> Any:
        if name in _AWAITED:
            pending = object.__getattribute__(self, "pending")
            if pending is not None:
                return getattr(pending.result(), name)
        return object.__getattribute__(self, name)

    def resolved(self) -> LegRankings:
        """The finished rankings, as plain values (to keep, pickle or copy)."""
        return LegRankings(self.leg, self.main, self.focused, self.best, self.seconds)

    def __deepcopy__(self, memo: dict[int, object]) -> LegRankings:
        return self


@dataclass(frozen=True)
class Candidates:
    """Ranked candidates, best first, with the fusion that ranked them."""

    items: tuple[FusedCandidate, ...] = ()
    weights: FusionWeights | None = None
    # True when the caller set fusion knobs for this request: their fusion is the ranking.
    requested: bool = False

    def __deepcopy__(self, memo: dict[int, object]) -> Candidates:
        return self
