"""Standard ranked-retrieval metrics (nDCG@k, Recall@k) computed by the ir-measures library.

One adapter, so the library can be swapped in one place. ir-measures is imported on first use
only, and asked for its pytrec_eval provider by name: trec_eval's own C code computes the
numbers, in memory (nothing is downloaded, no file is written).

Usage:
    ranked_metrics({"q1": {"a": 1}}, {"q1": ["b", "a"]}, ["ndcg@10", "recall@10"])
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

# Our metric names (as plans and reports spell them) -> ir-measures' names.
_MEASURES = {"ndcg": "nDCG", "recall": "R"}


def ranked_metrics(
    qrels: Mapping[str, Mapping[str, int]],
    rankings: Mapping[str, Sequence[str]],
    metrics: Sequence[str],
) -> dict[str, float]:
    """Mean of each metric over the questions of ``qrels``.

    ``qrels`` maps a question id to its judged documents and their grades (> 0 is relevant;
    nDCG uses the grade as the gain, as trec_eval does). ``rankings`` maps a question id to
    document ids, best first and distinct; a question absent from it retrieved nothing.
    Metric names are ``ndcg@k`` and ``recall@k``: ``ndcg@10``, ``recall@20``...
    """
    if not qrels:
        raise ValueError("no questions to score")
    if not metrics:
        return {}
    import ir_measures

    measures = {name: _measure(ir_measures, name) for name in metrics}
    judged = {
        query: {doc: int(grade) for doc, grade in docs.items() if grade > 0}
        for query, docs in qrels.items()
    }
    run = {}
    for query, docs in judged.items():
        if not docs:
            raise ValueError(f"question {query!r} has no relevant document")
        ranked = list(rankings.get(query, ()))
        if len(set(ranked)) != len(ranked):
            raise ValueError(f"ranking for {query!r} repeats a document id")
        # trec_eval orders by score: strictly decreasing scores keep our order, ties never arise.
        run[query] = {doc: float(len(ranked) - rank) for rank, doc in enumerate(ranked)}
    # The mean runs over every question of the qrels: one missing from the run scores 0.
    scores = ir_measures.pytrec_eval.calc_aggregate(set(measures.values()), judged, run)
    return {name: float(scores[measure]) for name, measure in measures.items()}


def _measure(ir_measures: Any, name: str) -> Any:
    """The ir-measures measure for ``ndcg@k`` or ``recall@k``."""
    family, _, cutoff = name.partition("@")
    if family not in _MEASURES or not cutoff.isdigit() or int(cutoff) < 1:
        raise ValueError(f"unsupported metric {name!r}: expected ndcg@k or recall@k")
    return ir_measures.parse_measure(f"{_MEASURES[family]}@{int(cutoff)}")
