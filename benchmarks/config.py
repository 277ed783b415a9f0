"""The benchmark's settings, passed whole to each measuring process."""

from __future__ import annotations

import cProfile
import pstats
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO.parent / "shared" / "data" / "multihop-rag"
DEFAULT_OUT = REPO / "benchmarks" / "out"


@dataclass(frozen=True)
class BenchConfig:
    passages: int
    queries: int
    directory: Path
    top_k: int = 10
    candidates: int = 50
    batch_articles: int = 500
    seed: int = 13
    warmup: int = 10
    baseline_max: int = 100_000
    baseline_queries: int = 20
    data_dir: Path = DEFAULT_DATA
    out_dir: Path = DEFAULT_OUT
    reuse: bool = False
    profile: bool = False
    warm_page_cache: bool = True
    ingest_articles: int = 40
    optimize: bool = True

    @property
    def articles_path(self) -> Path:
        return self.data_dir / "articles.jsonl"

    @property
    def queries_path(self) -> Path:
        return self.data_dir / "queries_dev.jsonl"

    @property
    def with_baseline(self) -> bool:
        return self.baseline_queries > 0 and self.passages <= self.baseline_max


@contextmanager
def profiled(config: BenchConfig, name: str) -> Iterator[None]:
    """With ``--profile``, cProfile the block and write the top functions to ``out/``."""
    if not config.profile:
        yield
        return
    profile = cProfile.Profile()
    profile.enable()
    try:
        yield
    finally:
        profile.disable()
        config.out_dir.mkdir(parents=True, exist_ok=True)
        stem = config.out_dir / f"profile-{name}-{config.passages}"
        profile.dump_stats(f"{stem}.prof")
        with open(f"{stem}.txt", "w") as handle:
            stats = pstats.Stats(profile, stream=handle).strip_dirs()
            stats.sort_stats("cumulative").print_stats(45)
            stats.sort_stats("tottime").print_stats(30)
