"""The dataset's strict evidence rule, Hits@k and MRR@k on hand-made cases."""

import pytest

from search.evaluation.metrics import (
    contains_evidence,
    distinct_in_order,
    first_hit_rank,
    hits_at_k,
    mrr_at_k,
    squeeze,
)

EVIDENCE = "Storm Ciarán brought gusts of 104 mph to the Needles."


def test_squeeze_removes_every_kind_of_white_space() -> None:
    assert squeeze(" a\tb\nc\u00a0d  e\r\n") == "abcde"


@pytest.mark.parametrize(
    "passage",
    [
        f"Overnight: {EVIDENCE} Schools closed.",
        "Storm Ciarán brought gusts of 104 mph\nto the Needles.",  # a line break inside
        "Storm  Ciarán brought gusts of 104mph to the\tNeedles.",  # spaces added and removed
    ],
)
def test_white_space_differences_still_hit(passage: str) -> None:
    assert contains_evidence(passage, [EVIDENCE])


@pytest.mark.parametrize(
    "passage",
    [
        "Storm Ciarán brought gusts of 104 mph",  # the passage ends mid-sentence
        "gusts of 104 mph to the Needles. Schools closed.",  # starts mid-sentence
        "Storm Ciarán brought gusts of 105 mph to the Needles.",  # one character differs
        "storm ciarán brought gusts of 104 mph to the needles.",  # case differs
    ],
)
def test_partial_or_altered_evidence_does_not_hit(passage: str) -> None:
    assert not contains_evidence(passage, [EVIDENCE])


def test_any_one_of_several_evidence_texts_is_enough() -> None:
    assert contains_evidence("Ferries were cancelled.", [EVIDENCE, "Ferries were cancelled."])


def test_blank_evidence_never_hits() -> None:
    assert not contains_evidence("anything at all", [" \n"])
    assert first_hit_rank(["anything"], ["", "\t"]) is None


def test_first_hit_rank_is_one_based_and_counts_the_first_hit_only() -> None:
    passages = ["nothing", "still nothing", f"x {EVIDENCE}", EVIDENCE]
    assert first_hit_rank(passages, [EVIDENCE]) == 3
    assert first_hit_rank(passages[:2], [EVIDENCE]) is None
    assert first_hit_rank([], [EVIDENCE]) is None


def test_hits_at_4_and_10_boundaries() -> None:
    ranks = [1, 4, 5, 10, 11, None]
    assert hits_at_k(ranks, 4) == pytest.approx(2 / 6)  # ranks 1 and 4 count, 5 does not
    assert hits_at_k(ranks, 10) == pytest.approx(4 / 6)  # 10 counts, 11 does not


def test_mrr_is_the_mean_reciprocal_rank_of_the_first_hit_within_k() -> None:
    assert mrr_at_k([1, 2, 4, None], 10) == pytest.approx((1 + 1 / 2 + 1 / 4 + 0) / 4)
    assert mrr_at_k([10, 11], 10) == pytest.approx((1 / 10 + 0) / 2)
    assert mrr_at_k([1], 10) == 1.0


def test_metrics_refuse_nonsense() -> None:
    with pytest.raises(ValueError):
        hits_at_k([], 10)
    with pytest.raises(ValueError):
        mrr_at_k([1], 0)


def test_distinct_in_order_keeps_first_occurrences() -> None:
    assert distinct_in_order(["a", "b", "a", "c", "b"]) == ["a", "b", "c"]
