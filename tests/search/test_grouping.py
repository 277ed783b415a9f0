from haystack import Document

from search.fusion import FusedCandidate
from search.grouping import group_candidates


def _candidate(passage: str, article: str, cluster: str | None) -> FusedCandidate:
    meta = {"article_id": article, "cluster_id": cluster}
    return FusedCandidate(document=Document(id=passage, content=passage, meta=meta))


def test_copies_fold_into_the_best_ranked_passage_of_their_story() -> None:
    ranked = [
        _candidate("a1", "a", "story"),
        _candidate("b1", "b", "story"),
        _candidate("x1", "x", None),
        _candidate("a2", "a", "story"),
        _candidate("b2", "b", "story"),
        _candidate("c1", "c", "story"),
    ]
    groups = group_candidates(ranked)
    assert [group.leader.document.id for group in groups] == ["a1", "x1", "a2"]
    assert [other.document.id for other in groups[0].others] == ["b1", "c1"]
    assert groups[1].others == [] and groups[2].others == []


def test_articles_without_copies_keep_every_passage() -> None:
    ranked = [_candidate("a1", "a", "a"), _candidate("a2", "a", "a")]
    assert [group.leader.document.id for group in group_candidates(ranked)] == ["a1", "a2"]
