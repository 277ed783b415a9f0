"""The last component: one hit per story, each with its answer sentence; as API hits and as
Haystack Documents (so a PromptBuilder or any other component can take them)."""

from __future__ import annotations

from typing import Any

from haystack import Document, component, default_from_dict, default_to_dict

from search.fusion import FusedCandidate, LegRank
from search.grouping import StoryGroup, group_candidates
from search.highlight import best_sentence
from search.paging import story_key
from search.query_analysis import QueryAnalysis
from search.results import (
    AlsoReportedBy,
    FusionWeights,
    Highlight,
    Hit,
    LegScore,
    ScoreBreakdown,
    Source,
)
from search.retrieval.passages import read_passages
from search.retrieval.serde import (
    optional_from_dict,
    optional_to_dict,
)
from search.retrieval.types import Candidates
from search.store.protocol import PassageStore


@component
class StoryHits:
    """Folds copies of one story into its best passage ("also reported by"), highlights the
    sentence that best answers the question, and returns the top ``top_k``.

    Usage:
        result = StoryHits().run(analysis=analysis, candidates=candidates, top_k=3)
        result["hits"][0].highlight.text, result["documents"][0].meta["outlet"]
    """

    def __init__(self, group: bool = True, store: PassageStore | None = None) -> None:
        self.group = group
        # Reads the passages it shows that ``PassageReader`` left unread (ranked past its depth).
        self.store = store

    @component.output_types(hits=list[Hit], documents=list[Document], more=bool)
    def run(
        self,
        analysis: QueryAnalysis,
        candidates: Candidates,
        top_k: int = 10,
        group: bool | None = None,
        seen: frozenset[str] = frozenset(),
    ) -> dict[str, Any]:
        """``seen``: keys (``search.paging``) of what earlier pages showed (``hit_keys``); a
        story shown before is skipped. ``more``: stories remain after these."""
        if top_k <= 0:
            raise ValueError(f"top_k must be positive, got {top_k}")
        grouping = self.group if group is None else group
        items = list(candidates.items)
        stories = group_candidates(items) if grouping else [StoryGroup(c) for c in items]
        if seen:  # what earlier pages showed is known by passage id: read every story
            stories = [story for story in self._read(stories) if not _shown_before(story, seen)]
        hits = [
            _hit(story.leader, story.others, analysis, candidates.weights)
            for story in self._read(stories[:top_k])
        ]
        return {
            "hits": hits,
            "documents": [_document(hit) for hit in hits],
            "more": len(stories) > top_k,
        }

    def _read(self, stories: list[StoryGroup]) -> list[StoryGroup]:
        unread = [
            candidate
            for story in stories
            for candidate in (story.leader, *story.others)
            if candidate.document is None
        ]
        if not unread:
            return stories
        if self.store is None:
            raise ValueError("StoryHits needs a store to read candidates that were not read")
        read = {candidate.key: candidate for candidate in read_passages(self.store, unread)}

        def current(candidate: FusedCandidate) -> FusedCandidate | None:
            return candidate if candidate.document is not None else read.get(candidate.key)

        complete = []
        for story in stories:
            leader = current(story.leader)
            if leader is not None:  # else deleted since it was ranked
                others = [other for other in map(current, story.others) if other is not None]
                complete.append(StoryGroup(leader, others, story.articles))
        return complete

    def to_dict(self) -> dict[str, Any]:
        return default_to_dict(self, group=self.group, store=optional_to_dict(self.store))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> StoryHits:
        parameters = data["init_parameters"]
        parameters["store"] = optional_from_dict(parameters.get("store"))
        return default_from_dict(cls, data)


def _shown_before(story: StoryGroup, seen: frozenset[str]) -> bool:
    """Its passage was a hit, or its article was listed as a copy, on an earlier page."""
    meta = story.leader.document.meta
    keys = {story_key(f"p:{story.leader.document.id}"), story_key(f"a:{meta['article_id']}")}
    return bool(keys & seen)


def hit_keys(hit: Hit) -> set[str]:
    """What a later page must not show again: this passage, and the copies listed with it (the
    leading article's other passages are hits of their own, as within one page)."""
    return {story_key(f"p:{hit.passage_id}")} | {
        story_key(f"a:{other.article_id}") for other in hit.also_reported_by
    }


def _highlight(candidate: FusedCandidate, analysis: QueryAnalysis) -> Highlight | None:
    document = candidate.document
    found = best_sentence(
        analysis.question, document.content or "", analysis.weights, candidate.sentences
    )
    if found is None:
        return None
    offset = int(document.meta["char_start"])
    return Highlight(text=found.text, char_start=offset + found.start, char_end=offset + found.end)


def _also_reported_by(candidate: FusedCandidate) -> AlsoReportedBy:
    meta = candidate.document.meta
    return AlsoReportedBy(
        article_id=meta["article_id"],
        outlet=meta.get("outlet"),
        title=meta["title"],
        url=meta.get("url"),
        published_at=meta.get("published_at"),
        passage_id=candidate.document.id,
    )


def _leg_score(leg: LegRank | None) -> LegScore | None:
    return None if leg is None else LegScore.model_construct(rank=leg.rank, score=leg.score)


def _hit(
    candidate: FusedCandidate,
    others: list[FusedCandidate],
    analysis: QueryAnalysis,
    weights: FusionWeights | None,
) -> Hit:
    document = candidate.document
    meta = document.meta
    second_stage = candidate.second_stage
    return Hit(
        passage_id=document.id,
        text=document.content or "",
        score=round(candidate.score, 6),
        scores=ScoreBreakdown(
            bm25=_leg_score(candidate.legs.get("bm25")),
            dense=_leg_score(candidate.legs.get("dense")),
            fused=round(candidate.fused, 6),
            weights=weights,
            focus_rank=candidate.focus_rank,
            second_stage=None if second_stage is None else round(second_stage, 6),
        ),
        source=Source(
            article_id=meta["article_id"],
            title=meta["title"],
            outlet=meta.get("outlet"),
            url=meta.get("url"),
            published_at=meta.get("published_at"),
            author=meta.get("author"),
            char_start=meta["char_start"],
            char_end=meta["char_end"],
        ),
        highlight=_highlight(candidate, analysis),
        also_reported_by=[_also_reported_by(other) for other in others],
    )


def _document(hit: Hit) -> Document:
    """The hit as a Haystack Document: the passage, its attribution and answer sentence."""
    return Document(
        id=hit.passage_id,
        content=hit.text,
        score=hit.score,
        meta={
            **hit.source.model_dump(),
            "highlight": hit.highlight.text if hit.highlight else None,
            "also_reported_by": [other.outlet or other.title for other in hit.also_reported_by],
        },
    )
