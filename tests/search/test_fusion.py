import pytest
from haystack import Document

from search.fusion import fuse


def _docs(*pairs: tuple[str, float]) -> list[Document]:
    return [Document(id=doc_id, content=doc_id, score=score) for doc_id, score in pairs]


def test_rrf_sums_weighted_reciprocal_ranks() -> None:
    bm25 = _docs(("a", 9.0), ("b", 5.0))
    dense = _docs(("b", 0.9), ("c", 0.8))
    fused = fuse({"bm25": bm25, "dense": dense}, {"bm25": 2.0, "dense": 1.0}, rrf_k=10)
    scores = {candidate.document.id: candidate.fused for candidate in fused}
    assert scores["a"] == pytest.approx(2 / 11)
    assert scores["b"] == pytest.approx(2 / 12 + 1 / 11)
    assert scores["c"] == pytest.approx(1 / 12)
    assert [candidate.document.id for candidate in fused] == ["b", "a", "c"]


def test_every_candidate_keeps_its_rank_and_score_per_leg() -> None:
    fused = fuse({"bm25": _docs(("a", 3.0)), "dense": _docs(("b", 0.5), ("a", 0.4))}, {})
    by_id = {candidate.document.id: candidate for candidate in fused}
    assert by_id["a"].legs["bm25"].rank == 1
    assert by_id["a"].legs["dense"].rank == 2
    assert by_id["a"].legs["dense"].score == pytest.approx(0.4)
    assert "bm25" not in by_id["b"].legs


def test_weighted_fusion_min_max_normalises_each_leg() -> None:
    bm25 = _docs(("a", 10.0), ("b", 5.0), ("c", 0.0))
    dense = _docs(("c", 0.9), ("a", 0.1))
    fused = fuse({"bm25": bm25, "dense": dense}, {"bm25": 1.0, "dense": 1.0}, method="weighted")
    scores = {candidate.document.id: candidate.fused for candidate in fused}
    assert scores == pytest.approx({"a": 1.0, "b": 0.5, "c": 1.0})


def test_a_zero_weight_silences_a_leg() -> None:
    fused = fuse(
        {"bm25": _docs(("a", 1.0)), "dense": _docs(("b", 1.0))}, {"bm25": 0.0, "dense": 1.0}
    )
    assert fused[0].document.id == "b"


def test_empty_legs_fuse_to_nothing() -> None:
    assert fuse({"bm25": [], "dense": []}, {}) == []
