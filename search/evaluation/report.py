"""The evaluation result, as one JSON object keyed by mode or as a table for people.

JSON shape::

    {"hybrid": {"hits@4": 0.8, ..., "latency_p50_ms": 21.3, "latency_p95_ms": 40.2},
     "dataset": "multihop", "questions": 677, "skipped": 0,
     "index": {"read": 609, "indexed": 0, "unchanged": 609, ...}, "settings": {...}}
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from search.evaluation.datasets import DatasetKind

_TITLES: dict[str, str] = {"multihop": "MultiHop-RAG format", "beir": "BEIR format"}


@dataclass(frozen=True)
class ModeScores:
    metrics: dict[str, float]
    latency_p50_ms: float
    latency_p95_ms: float

    def to_json(self) -> dict[str, float]:
        return {
            **{name: round(value, 4) for name, value in self.metrics.items()},
            "latency_p50_ms": round(self.latency_p50_ms, 2),
            "latency_p95_ms": round(self.latency_p95_ms, 2),
        }


@dataclass
class EvalReport:
    dataset: DatasetKind
    questions: int
    skipped: int
    modes: dict[str, ModeScores] = field(default_factory=dict)
    index: dict[str, Any] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            **{mode: scores.to_json() for mode, scores in self.modes.items()},
            "dataset": self.dataset,
            "questions": self.questions,
            "skipped": self.skipped,
            "index": self.index,
            "settings": self.settings,
        }

    def table(self) -> str:
        """A fixed-width table, one row per mode, metrics as columns."""
        names = next(iter(self.modes.values())).metrics.keys() if self.modes else []
        header = ["mode", *names, "p50 ms", "p95 ms"]
        rows = [
            [
                mode,
                *(f"{value:.4f}" for value in scores.metrics.values()),
                f"{scores.latency_p50_ms:.1f}",
                f"{scores.latency_p95_ms:.1f}",
            ]
            for mode, scores in self.modes.items()
        ]
        widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

        def line(cells: list[str]) -> str:
            return "  ".join(
                cell.ljust(width) if i == 0 else cell.rjust(width)
                for i, (cell, width) in enumerate(zip(cells, widths, strict=True))
            )

        depth = self.settings.get("depth")
        title = (
            f"{_TITLES.get(self.dataset, self.dataset)}: {self.questions} questions "
            f"({self.skipped} skipped), {depth} passages retrieved per question"
        )
        return "\n".join([title, line(header), *(line(row) for row in rows)])
