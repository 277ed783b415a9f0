"""What flows between the retrieval components. Immutable, so a Pipeline passes them uncopied
(Haystack deep-copies every component input otherwise: 100 Documents per leg, per query)."""

from __future__ import annotations

from dataclasses import dataclass

from haystack import Document

from search.fusion import FusedCandidate, Ranked
from search.results import FusionWeights


@dataclass(frozen=True)
class LegRankings:
    """One leg's answers: the main ranking, then one per focused filter (in the analysis' order),
    as (store key, score) pairs (Documents are accepted too). ``best``: the main ranking's first
    passage, read for the fusion's signals."""

    leg: str
    main: tuple[Ranked, ...] = ()
    focused: tuple[tuple[Ranked, ...], ...] = ()
    best: Document | None = None

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
