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

    @property
    def title(self) -> str:
        depth = self.settings.get("depth")
        return (
            f"{_TITLES.get(self.dataset, self.dataset)}: {self.questions} questions "
            f"({self.skipped} skipped), {depth} passages retrieved per question"
        )

    def columns(self) -> list[str]:
        names = next(iter(self.modes.values())).metrics.keys() if self.modes else []
        return [*names, "p50 ms", "p95 ms"]

    def cells(self, mode: str) -> list[str]:
        scores = self.modes.get(mode)
        if scores is None:
            return ["-"] * len(self.columns())
        return [
            *(f"{value:.4f}" for value in scores.metrics.values()),
            f"{scores.latency_p50_ms:.1f}",
            f"{scores.latency_p95_ms:.1f}",
        ]

    def table(self) -> str:
        """A fixed-width table, one row per mode, metrics as columns."""
        header = ["mode", *self.columns()]
        rows = [[mode, *self.cells(mode)] for mode in self.modes]
        return "\n".join([self.title, *_aligned([header, *rows])])


def side_by_side(reports: dict[str, EvalReport]) -> str:
    """Several datasets in one table: one row per mode, each dataset's metrics as a column
    group headed by its name (so no setting can look good on one set unnoticed)."""
    modes = list(dict.fromkeys(mode for report in reports.values() for mode in report.modes))
    groups = [["", *([""] * (len(r.columns()) - 1))] for r in reports.values()]
    for group, name in zip(groups, reports, strict=True):
        group[0] = f"[{name}]"
    header = ["mode", *(c for report in reports.values() for c in report.columns())]
    names = ["", *(cell for group in groups for cell in group)]
    rows = [[mode, *(c for r in reports.values() for c in r.cells(mode))] for mode in modes]
    titles = [f"{name}: {report.title}" for name, report in reports.items()]
    return "\n".join([*titles, *_aligned([names, header, *rows])])


def _aligned(rows: list[list[str]]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [
        "  ".join(
            cell.ljust(width) if i == 0 else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        ).rstrip()
        for row in rows
    ]
