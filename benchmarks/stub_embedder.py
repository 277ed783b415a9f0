"""Stands in for the model when the passages' vectors are synthetic (benchmarks only)."""

from __future__ import annotations

import numpy as np


class QuestionVectors:
    """Each question's vector, for whatever text of it the retriever embeds: the product embeds
    a question without the outlets and days it names, so a lookup by that text would miss.
    ``asking`` names the question being answered.

    Usage:
        embedder = QuestionVectors({"how far did it fly?": vector})
        embedder.asking("how far did it fly?")
        retriever.run(query="how far did it fly?")
    """

    def __init__(self, vectors: dict[str, np.ndarray]) -> None:
        self._vectors = vectors
        self._asked: np.ndarray | None = None

    def asking(self, question: str) -> None:
        self._asked = self._vectors[question]

    def embed_query(self, text: str) -> np.ndarray:
        found = self._vectors.get(text)
        if found is not None:
            return found
        if self._asked is None:
            raise KeyError(f"no vector for {text!r}, and no question being asked")
        return self._asked
