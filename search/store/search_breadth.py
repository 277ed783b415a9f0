"""How wide a dense search looks before it keeps its top k, shared by both stores so that they
rank alike: Elasticsearch's kNN ``num_candidates`` and the embedded HNSW's search breadth
(usearch's ``expansion_search``) are the same number for the same k.
"""

from __future__ import annotations

MIN_CANDIDATES = 100
CANDIDATE_FACTOR = 4


def candidates(top_k: int) -> int:
    """Nearest neighbours a dense search of ``top_k`` results gathers before keeping them."""
    return max(MIN_CANDIDATES, CANDIDATE_FACTOR * top_k)
