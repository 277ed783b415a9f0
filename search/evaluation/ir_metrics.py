"""Standard ranked-retrieval metrics (nDCG@k, Recall@k) computed by ranx, a maintained library.

One adapter, so the library can be swapped in one place. ranx is imported on first use only:
its import pulls in numba, pandas and scipy (seconds), and its first evaluation compiles its
kernels (cached afterwards in ranx's ``__pycache__``).

Usage:
    ranked_metrics({"q1": {"a": 1}}, {"q1": ["b", "a"]}, ["ndcg@10", "recall@10"])
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence


def ranked_metrics(
    qrels: Mapping[str, Mapping[str, int]],
    rankings: Mapping[str, Sequence[str]],
    metrics: Sequence[str],
) -> dict[str, float]:
    """Mean of each metric over the questions of ``qrels``.

    ``qrels`` maps a question id to its judged documents and their grades (> 0 is relevant;
    nDCG uses the grade as the gain, as trec_eval does). ``rankings`` maps a question id to
    document ids, best first and distinct; a question absent from it retrieved nothing.
    Metric names are ranx's: ``ndcg@10``, ``recall@20``...
    """
    if not qrels:
        raise ValueError("no questions to score")
    if not metrics:
        return {}
    with warnings.catch_warnings():
        # Compiling ranx's LaTeX report templates warns about escape sequences (Python 3.12+).
        warnings.simplefilter("ignore", DeprecationWarning)
        from ranx import Qrels, Run, evaluate

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
        # ranx orders by score: strictly decreasing scores keep our order, ties never arise.
        run[query] = {doc: float(len(ranked) - rank) for rank, doc in enumerate(ranked)}
    with warnings.catch_warnings():
        # numba warns about an internal integer cast while compiling ranx's kernels.
        warnings.filterwarnings("ignore", message="unsafe cast from uint64 to int64")
        scores = evaluate(Qrels(judged), Run(run), list(metrics), make_comparable=False)
    if isinstance(scores, dict):
        return {name: float(value) for name, value in scores.items()}
    return {metrics[0]: float(scores)}
