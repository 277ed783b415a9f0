"""The timed child processes of ``bench_indexing``: ``newsdesk index`` on one backend, and plain
sentence-transformers embedding the same passages (the baseline).

Each runs in a fresh process, so its wall time covers everything a user waits for (start-up,
imports, model load, reading, splitting, embedding, writing) and its peak RSS is its own.

The baseline also runs on its own:

    python -m benchmarks.indexing_runs articles.jsonl --batch-size 32
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
_WRITTEN = re.compile(r"\((\d+) passages written\)")


@dataclass(frozen=True)
class ChildRun:
    """Wall seconds from spawn to exit, the child's CPU seconds (all threads) and peak RSS."""

    seconds: float
    cpu_seconds: float
    peak_rss_mb: float
    output: str
    load_before: float
    load_after: float


def run_child(command: list[str], env: dict[str, str]) -> ChildRun:
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    assert process.stdout is not None
    output = process.stdout.read()
    # wait4, not wait: the child's own rusage (peak RSS, CPU), not the sum over all children.
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({process.returncode}):\n{output[-3000:]}")
    return ChildRun(
        seconds=seconds,
        cpu_seconds=usage.ru_utime + usage.ru_stime,
        peak_rss_mb=usage.ru_maxrss / 1024,
        output=output,
        load_before=load_before,
        load_after=os.getloadavg()[0],
    )


def child_env(**settings: str | None) -> dict[str, str]:
    """This process's environment with ``NEWSDESK_*`` overrides (None removes one)."""
    env = dict(os.environ, HF_HUB_OFFLINE="1", HAYSTACK_TELEMETRY_ENABLED="False")
    for name, value in settings.items():
        key = f"NEWSDESK_{name.upper()}"
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def newsdesk_index(articles: Path, env: dict[str, str]) -> tuple[ChildRun, int]:
    """``newsdesk index`` as a user runs it; returns the run and the passages it wrote."""
    run = run_child([sys.executable, "-m", "api.cli", "index", str(articles), "--quiet"], env)
    found = _WRITTEN.search(run.output)
    if found is None:
        raise RuntimeError(f"no passage count in the output of newsdesk index:\n{run.output}")
    return run, int(found.group(1))


def baseline(articles: Path, env: dict[str, str], batch_size: int) -> tuple[ChildRun, dict]:
    """Plain sentence-transformers (torch) on the passages newsdesk would embed."""
    command = [sys.executable, "-m", "benchmarks.indexing_runs", str(articles)]
    run = run_child([*command, "--batch-size", str(batch_size)], env)
    return run, json.loads(run.output.strip().splitlines()[-1])


def _baseline_main() -> None:
    parser = argparse.ArgumentParser(description="sentence-transformers on newsdesk's passages")
    parser.add_argument("articles", type=Path)
    parser.add_argument("--batch-size", type=int, default=32)
    args = parser.parse_args()

    from indexer.readers import read_paths
    from indexer.splitting import split_passages
    from search.articles import Article
    from search.embedding import resolve_model
    from search.passages import embedding_text, passage_document
    from search.settings import get_settings

    settings = get_settings()
    started = time.perf_counter()
    texts = [
        embedding_text(
            passage_document(article, index, span.start, span.end),
            include_title=settings.embedding.include_title,
        )
        for article in read_paths([args.articles])
        if isinstance(article, Article)
        for index, span in enumerate(
            split_passages(article.body, settings.split.passage_words, settings.split.overlap_words)
        )
    ]
    read_s = time.perf_counter() - started

    import torch
    from sentence_transformers import SentenceTransformer

    started = time.perf_counter()
    model = SentenceTransformer(resolve_model(settings.embedding.model), device="cpu")
    load_s = time.perf_counter() - started
    started, cpu_started = time.perf_counter(), time.process_time()
    model.encode(texts, batch_size=args.batch_size, normalize_embeddings=True)
    encode_s = time.perf_counter() - started
    result = {
        "passages": len(texts),
        "read_split_s": round(read_s, 2),
        "load_s": round(load_s, 2),
        "encode_s": round(encode_s, 2),
        "encode_cpu_s": round(time.process_time() - cpu_started, 2),
        "torch_threads": torch.get_num_threads(),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    _baseline_main()
