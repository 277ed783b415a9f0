"""Small measuring helpers: percentiles, resident memory, on-disk size, a stopwatch."""

from __future__ import annotations

import resource
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np


def percentiles(samples_ms: list[float]) -> dict[str, float]:
    """p50/p95/p99/mean/max of latencies in milliseconds, rounded for reading."""
    if not samples_ms:
        return {}
    values = np.asarray(samples_ms, dtype=np.float64)
    p50, p95, p99 = np.percentile(values, [50, 95, 99])
    return {
        "n": float(values.size),
        "p50": round(float(p50), 3),
        "p95": round(float(p95), 3),
        "p99": round(float(p99), 3),
        "mean": round(float(values.mean()), 3),
        "max": round(float(values.max()), 3),
    }


def rss_now_mb() -> float:
    """This process's resident set size now (Linux /proc)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return float("nan")


def rss_peak_mb() -> float:
    """This process's peak resident set size (ru_maxrss is in KiB on Linux)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def read_through(directory: Path, chunk: int = 8 << 20) -> float:
    """Read every file once so the OS page cache holds them; returns the seconds it took.

    The process that then opens the store is still cold; only the kernel's cache is warm, as it
    would be on a server that has been answering for a while (and has the RAM for it).
    """
    started = time.perf_counter()
    buffer = bytearray(chunk)
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        with path.open("rb", buffering=0) as handle:
            while handle.readinto(buffer):
                pass
    return time.perf_counter() - started


def disk_usage_mb(directory: Path) -> dict[str, float]:
    """Bytes on disk per top-level entry of the store folder, and the total, in MiB."""
    sizes: dict[str, float] = {}
    for entry in sorted(directory.iterdir()):
        files = [entry] if entry.is_file() else [p for p in entry.rglob("*") if p.is_file()]
        sizes[entry.name] = sum(p.stat().st_size for p in files) / 2**20
    sizes["total"] = sum(sizes.values())
    return {name: round(size, 1) for name, size in sizes.items()}


class Stopwatch:
    """Accumulates wall and CPU seconds (all threads of this process) over ``with running():``.

    On a shared machine the CPU figure is the steadier one: wall time also counts the time this
    process waited for a core while other people's jobs ran.
    """

    def __init__(self) -> None:
        self.seconds = 0.0
        self.cpu_seconds = 0.0

    @contextmanager
    def running(self) -> Iterator[None]:
        started, cpu_started = time.perf_counter(), time.process_time()
        try:
            yield
        finally:
            self.seconds += time.perf_counter() - started
            self.cpu_seconds += time.process_time() - cpu_started


def elapsed_ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000.0
