"""Reading what fusion keeps: the legs rank store keys, and only the candidates the next steps
look at are read from the store."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from haystack import component, default_from_dict, default_to_dict

from search.fusion import FusedCandidate
from search.retrieval.serde import shared_from_dict, shared_to_dict
from search.retrieval.types import Candidates
from search.store.protocol import PassageStore


def read_passages(
    store: PassageStore, candidates: Sequence[FusedCandidate]
) -> list[FusedCandidate]:
    """``candidates`` with their Documents; a passage deleted since it was ranked is dropped."""
    missing = [candidate.key for candidate in candidates if candidate.document is None]
    if not missing:
        return list(candidates)
    found = store.hydrate(missing)
    return [
        candidate if candidate.document is not None else candidate.replaced(document=document)
        for candidate in candidates
        if candidate.document is not None or (document := found.get(candidate.key)) is not None
    ]


@component
class PassageReader:
    """Reads the top ``depth`` candidates (what the second stage scores), and only the article
    and story of the others (what grouping needs); ``StoryHits`` reads any other passage it
    shows. At a million passages, reading every fused candidate (~250 for a question naming
    outlets) cost more than both legs' rankings.

    Usage:
        reader = PassageReader(store, depth=50)
        candidates = reader.run(candidates=fused)["candidates"]
        candidates.items[0].document.content
    """

    def __init__(self, store: PassageStore, depth: int = 50) -> None:
        if depth <= 0:
            raise ValueError(f"depth must be positive, got {depth}")
        self.store = store
        self.depth = depth

    @component.output_types(candidates=Candidates)
    def run(self, candidates: Candidates) -> dict[str, Candidates]:
        items = candidates.items
        head: list[FusedCandidate] = []
        at = 0
        while len(head) < self.depth and at < len(items):  # a deleted passage makes room
            batch = items[at : at + self.depth - len(head)]
            head += read_passages(self.store, batch)
            at += len(batch)
        unread = [item.key for item in items[at:] if item.document is None]
        stories = self.store.story_keys(unread) if unread else {}
        rest = [
            item if item.document is not None else item.replaced(story=story)
            for item in items[at:]
            if item.document is not None or (story := stories.get(item.key)) is not None
        ]
        return {"candidates": replace(candidates, items=(*head, *rest))}

    def to_dict(self) -> dict[str, Any]:
        return default_to_dict(self, store=shared_to_dict(self.store), depth=self.depth)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PassageReader:
        data["init_parameters"]["store"] = shared_from_dict(data["init_parameters"]["store"])
        return default_from_dict(cls, data)
