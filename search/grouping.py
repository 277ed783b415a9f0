"""Story-level results: one hit per story, other outlets' copies listed with it.

Articles recognised at ingest as copies of one story share a ``cluster_id``. The best-ranked passage
of a story leads; the best passage of every other copy becomes an "also reported by" entry and the
copies' further passages are folded away. The leading article's own other passages are distinct
content, not copies, and stay separate hits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from search.fusion import FusedCandidate


@dataclass
class StoryGroup:
    leader: FusedCandidate
    others: list[FusedCandidate] = field(default_factory=list)
    articles: set[str] = field(default_factory=set)


def story_of(candidate: FusedCandidate) -> tuple[str, str]:
    """(article id, story id): read with the passage, or alone when it was not read."""
    if candidate.story is not None:
        return candidate.story
    meta = candidate.document.meta  # type: ignore[union-attr]
    article = str(meta["article_id"])
    return article, str(meta.get("cluster_id") or article)


def group_candidates(candidates: Sequence[FusedCandidate]) -> list[StoryGroup]:
    """Groups in the rank order of their leaders."""
    stories: dict[str, tuple[str, StoryGroup]] = {}  # story -> (its leader's article, group)
    ordered: list[StoryGroup] = []
    for candidate in candidates:
        article, story = story_of(candidate)
        found = stories.get(story)
        if found is None:
            group = StoryGroup(leader=candidate, articles={article})
            stories[story] = (article, group)
            ordered.append(group)
            continue
        leader_article, group = found
        if article == leader_article:
            ordered.append(StoryGroup(leader=candidate, articles={article}))
        elif article not in group.articles:
            group.others.append(candidate)
            group.articles.add(article)
    return ordered
