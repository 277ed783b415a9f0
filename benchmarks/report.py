"""The printed table and the JSON record of one benchmark run."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from benchmarks.config import BenchConfig

_COLUMNS = ("p50", "p95", "p99", "mean", "max")


def _latency_row(label: str, stats: dict[str, float]) -> str:
    cells = "".join(f"{stats.get(column, float('nan')):>9.2f}" for column in _COLUMNS)
    return f"  {label:<36}{cells}"


def _header(title: str) -> list[str]:
    return [title, f"  {'':<36}" + "".join(f"{column + ' ms':>9}" for column in _COLUMNS)]


def _build_lines(build: dict[str, Any]) -> list[str]:
    disk = build["disk_mb"]
    parts = ", ".join(f"{name} {size:,.0f}" for name, size in disk.items() if name != "total")
    rates = build["batch_passages_per_s"]
    return [
        f"build: {build['store_s']:,.1f} s in the store ({build['passages_per_s']:,.0f} passages/s,"
        f" {build['store_cpu_s']:,.1f} s CPU;"
        f" write {build['write_s']:,.1f} s + flush/close {build['flush_close_s']:,.1f} s);"
        f" corpus generation {build['generate_s']:,.1f} s not counted",
        f"  write rate by batch: first tenth {rates['first_tenth']:,.0f}/s, middle"
        f" {rates['middle_tenth']:,.0f}/s, last {rates['last_tenth']:,.0f}/s;"
        f" slowest batch {rates['slowest_batch_s']:.1f} s",
        f"  build process peak RSS {build['peak_rss_mb']:,.0f} MB",
        *_breakdown_lines("  where the build's time went", build.get("breakdown", {})),
        f"disk: {disk['total']:,.0f} MB ({parts})",
    ]


def _query_lines(query: dict[str, Any], queries: int) -> list[str]:
    unfiltered, filtered = query["unfiltered"], query["filtered_outlet"]
    lines = [
        f"query process: page cache {_page_cache(query)}; open {query['open_ms']:,.0f} ms;"
        f" RSS before open"
        f" {query['rss_before_open_mb']:,.0f} MB, after open {query['rss_after_open_mb']:,.0f} MB,"
        f" end {query['rss_end_mb']:,.0f} MB, peak {query['peak_rss_mb']:,.0f} MB",
        *_header(f"latency over {queries} queries"),
        _latency_row("bm25 leg", unfiltered["bm25"]),
        _latency_row("dense leg", unfiltered["dense"]),
        _latency_row("fuse (RRF)", unfiltered["fuse"]),
        _latency_row("hybrid (bm25 + dense + fuse)", unfiltered["hybrid"]),
        _latency_row("  hybrid, CPU time only", unfiltered["hybrid_cpu"]),
        _latency_row("filtered bm25 (outlet)", filtered["bm25"]),
        _latency_row("filtered dense (outlet)", filtered["dense"]),
        _latency_row("filtered hybrid (outlet)", filtered["hybrid"]),
        _latency_row("  filtered hybrid, CPU time only", filtered["hybrid_cpu"]),
        _latency_row("HybridRetriever.run (stub embedder)", query["retriever_run"]),
    ]
    if "rankings" in query:
        ranked, plain = query["rankings"]["unfiltered"], query["rankings"]["filtered_outlet"]
        lines += [
            _latency_row("  ... filtered (outlet)", query["retriever_run_filtered"]),
            *(
                [_latency_row("  ... filtered (week)", query["retriever_run_date_filtered"])]
                if "retriever_run_date_filtered" in query
                else []
            ),
            _latency_row("document_frequencies (one call)", query["document_frequencies"]),
            "  rankings, RRF on keys, hydrate the fused top_k only:",
            _latency_row("bm25_ranking", ranked["bm25"]),
            _latency_row("dense_ranking", ranked["dense"]),
            _latency_row("hydrate top_k", ranked["hydrate"]),
            _latency_row("hybrid via rankings", ranked["hybrid"]),
            _latency_row("filtered bm25_ranking (outlet)", plain["bm25"]),
            _latency_row("filtered dense_ranking (outlet)", plain["dense"]),
            _latency_row("filtered hybrid via rankings", plain["hybrid"]),
            *_thread_lines(query["queries_per_s_by_threads"]),
        ]
    for variant, stages in query.get("retriever_stages", {}).items():
        if stages:
            lines += [f"  HybridRetriever.run by Pipeline component ({variant}):"]
        lines += [_latency_row(f"    {name}", figures) for name, figures in stages.items()]
    for variant, parts in query.get("breakdown", {}).items():
        lines += _breakdown_lines(f"  where a {variant} hybrid query's time went", parts)
    return lines


def _thread_lines(by_kind: dict[str, Any]) -> list[str]:
    lines = ["  queries/s (CPU s per wall s, load average) from 1, 2, 4 threads:"]
    for kind, by_threads in by_kind.items():
        if not isinstance(by_threads, dict):  # a figure from before the per-leg breakdown
            return [f"  queries/s from 1, 2, 4 threads: {by_kind}"]
        cells = [
            f"{cell['queries_per_s']:,.0f} ({cell['cpu_per_wall']:.2f}, {cell['load_average']:.1f})"
            for cell in by_threads.values()
        ]
        lines.append(f"    {kind:<16}" + ", ".join(cells))
    return lines


def _ingest_lines(ingest: dict[str, Any]) -> list[str]:
    return [
        *_header(
            f"one-article ingest: {ingest['articles']} articles of"
            f" {ingest['mean_passages_per_article']} passages, one write + flush each"
        ),
        _latency_row("write + flush", ingest["write_and_flush_ms"]),
        _latency_row("seen by another process, both legs", ingest["visible_in_both_legs_ms"]),
        _latency_row("delete (one article)", ingest["delete_ms"]),
        f"  never seen: {ingest['never_visible']}; vector snapshot untouched by the writes:"
        f" {ingest['vector_snapshot_untouched_by_writes']}, by the deletes:"
        f" {ingest.get('vector_snapshot_untouched_by_deletes')}",
    ]


def _page_cache(query: dict[str, Any]) -> str:
    seconds = query.get("page_cache_warm_s")
    return "as found" if seconds is None else f"warmed first ({seconds:,.1f} s)"


def _breakdown_lines(title: str, parts: dict[str, dict[str, float]]) -> list[str]:
    if not parts:
        return []
    lines = [f"{title}:"]
    for label, tally in parts.items():
        if tally["calls"]:
            lines.append(
                f"    {label:<34}{tally['total_s']:>9.2f} s  {tally['cpu_s']:>9.2f} s CPU"
                f"  {tally['calls']:>8,.0f} calls  {tally['mean_ms']:>9.3f} ms/call"
            )
    return lines


def _baseline_lines(baseline: dict[str, Any], embedded: dict[str, Any]) -> list[str]:
    lines = [
        f"baseline: Haystack InMemoryDocumentStore, {baseline['documents']:,} documents, build"
        f" {baseline['build_s']:,.1f} s, RSS after build {baseline['rss_after_build_mb']:,.0f} MB",
        *_header(f"baseline latency over the first {baseline['queries']} queries"),
    ]
    for leg in ("bm25", "dense", "hybrid"):
        lines.append(_latency_row(f"baseline {leg}", baseline[leg]))
    for leg in ("bm25", "dense", "hybrid"):
        ratio = baseline[leg]["p50"] / max(embedded[leg]["p50"], 1e-9)
        lines.append(f"  p50 ratio baseline / embedded, {leg}: {ratio:,.0f}x")
    return lines


def render(result: dict[str, Any]) -> str:
    config = result["config"]
    lines = [
        f"embedded store benchmark: {result['passages']:,} passages, top_k {config['top_k']},"
        f" candidates {config['candidates']}, load avg {result['loadavg_start']}"
        f" -> {result['loadavg_end']}",
    ]
    if "build" in result:
        lines += _build_lines(result["build"])
    if "optimize" in result:
        optimize = result["optimize"]
        lines.append(
            f"optimize (keyword index as one segment): {optimize['seconds']} s,"
            f" peak RSS {optimize['peak_rss_mb']} MB"
        )
    lines += _query_lines(result["query"], config["queries"])
    if "ingest" in result:
        lines += _ingest_lines(result["ingest"])
    if "baseline" in result:
        embedded = result["query"]["unfiltered_first_baseline_queries"]
        lines += _baseline_lines(result["baseline"], embedded)
    return "\n".join(lines)


def json_path_for(config: BenchConfig) -> Path:
    stamp = time.strftime("%Y%m%d-%H%M%S")
    return config.out_dir / f"embedded-store-{config.passages}-{stamp}.json"


def write_json(result: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=2, default=str))
