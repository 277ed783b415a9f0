"""Indexing speed and retrieval quality per embedding backend, against plain sentence-transformers.

In one run, on the same documents: plain sentence-transformers (torch, batch 32) embeds the
passages newsdesk cuts (the baseline), then ``newsdesk index`` builds a fresh store with each
backend, in a fresh process each (wall time from spawn to exit, CPU time, peak RSS). Each store
is then scored by ``newsdesk eval``'s own code (``run_evaluation``), which finds every article
unchanged and so also shows that re-indexing writes nothing.

    python -m benchmarks.bench_indexing --dir /work/bench-embed/run
    # quick: 60 MultiHop articles, 300 SciFact abstracts, the questions answerable from them
    python -m benchmarks.bench_indexing --dir /tmp/bench-quick --articles 60 --scifact-docs 300

``--dir`` is emptied first (only if it holds an earlier run of this benchmark, or nothing).
To finish a run that was cut short without repeating what it measured, keep the folder (its
exports and corpus files are reused; a variant's unfinished index is rebuilt from nothing) and
run only what is missing:

    python -m benchmarks.bench_indexing --dir /work/bench-embed/run --keep --corpora scifact \
        --backends onnx,openvino --no-baseline
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks import indexing_data
from benchmarks.indexing_data import BenchCorpus
from benchmarks.indexing_runs import baseline, child_env, newsdesk_index, run_child

OUT = Path(__file__).resolve().parent / "out"
MARKER = ".bench-indexing"
BACKENDS = ("torch", "onnx", "openvino")
CORPORA = ("multihop", "scifact")


def _parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dir", type=Path, required=True, help="work folder (emptied first)")
    parser.add_argument("--articles", type=int, help="first N MultiHop-RAG articles (all: 609)")
    parser.add_argument("--questions", type=int, help="at most N MultiHop-RAG dev questions")
    parser.add_argument("--scifact-docs", type=int, help="first N SciFact abstracts (all: 5,183)")
    parser.add_argument("--scifact-questions", type=int, help="at most N SciFact train claims")
    parser.add_argument(
        "--corpora", default=",".join(CORPORA), help="comma-separated, from: multihop,scifact"
    )
    parser.add_argument(
        "--no-baseline",
        action="store_true",
        help="skip plain sentence-transformers (rows then have no ratio)",
    )
    parser.add_argument(
        "--keep", action="store_true", help="reuse --dir from an earlier run instead of emptying it"
    )
    parser.add_argument(
        "--backends",
        default=",".join(BACKENDS),
        help="comma-separated; backend:N runs it with N inference threads (e.g. openvino:1)",
    )
    parser.add_argument("--threads", type=int, help="inference threads (default: every core)")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--out", type=Path, default=OUT)
    return parser.parse_args()


def _fresh(directory: Path, keep: bool) -> None:
    if directory.exists() and any(directory.iterdir()) and not (directory / MARKER).exists():
        raise SystemExit(f"{directory} is not empty and not an earlier run of this benchmark")
    if keep:
        if not directory.exists():
            raise SystemExit(f"--keep: {directory} holds no earlier run")
        return
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    (directory / MARKER).touch()


@dataclass(frozen=True)
class Variant:
    """One ``newsdesk index`` configuration: a backend, and its inference threads if set."""

    backend: str
    threads: int | None

    @classmethod
    def parse(cls, spec: str, default_threads: int | None) -> Variant:
        backend, _, threads = spec.strip().partition(":")
        return cls(backend, int(threads) if threads else default_threads)

    @property
    def label(self) -> str:
        return self.backend + (f"-{self.threads}t" if self.threads else "")


def _settings(variant: Variant, args: argparse.Namespace):  # -> Settings
    from search.settings import Settings

    base = Settings()
    embedding = base.embedding.model_copy(
        update={
            "backend": variant.backend,
            "export_dir": args.dir / "exports",
            "threads": variant.threads,
            "batch_size": args.batch_size,
        }
    )
    return base.model_copy(update={"embedding": embedding})


def _env(variant: Variant, args: argparse.Namespace, data_dir: Path) -> dict[str, str]:
    return child_env(
        data_dir=str(data_dir),
        embedding__backend=variant.backend,
        embedding__export_dir=str(args.dir / "exports"),
        embedding__threads=str(variant.threads) if variant.threads else None,
        embedding__batch_size=str(args.batch_size),
    )


def _export(variant: Variant, args: argparse.Namespace) -> dict[str, Any]:
    """Build the backend's export before timing (once per install, not per index)."""
    command = [sys.executable, "-m", "api.cli", "model", "--json"]
    run = run_child(command, _env(variant, args, args.dir / "scratch"))
    return {"seconds": round(run.seconds, 1), **json.loads(run.output.strip().splitlines()[-1])}


def _speed(run: Any, passages: int) -> dict[str, Any]:
    return {
        "passages": passages,
        "seconds": round(run.seconds, 1),
        "passages_per_s": round(passages / run.seconds, 2),
        "cpu_seconds": round(run.cpu_seconds, 1),
        "passages_per_cpu_s": round(passages / run.cpu_seconds, 2),
        "peak_rss_mb": round(run.peak_rss_mb),
        "load": [round(run.load_before, 1), round(run.load_after, 1)],
    }


def _baseline_row(corpus: BenchCorpus, args: argparse.Namespace) -> dict[str, Any]:
    """Plain sentence-transformers; its rates count the embedding alone (load and reading not)."""
    run, measured = baseline(corpus.articles, child_env(), args.batch_size)
    passages = measured["passages"]
    return {
        "corpus": corpus.name,
        "run": "sentence-transformers (torch), embedding only",
        "passages": passages,
        "seconds": measured["encode_s"],
        "passages_per_s": round(passages / measured["encode_s"], 2),
        "cpu_seconds": measured["encode_cpu_s"],
        "passages_per_cpu_s": round(passages / measured["encode_cpu_s"], 2),
        "peak_rss_mb": round(run.peak_rss_mb),
        "load": [round(run.load_before, 1), round(run.load_after, 1)],
        "ratio": 1.0,
        "cpu_ratio": 1.0,
        "process_seconds": round(run.seconds, 1),
        "detail": measured,
    }


def _workspace(corpus: BenchCorpus, variant: Variant, args: argparse.Namespace) -> Path:
    """One evaluation folder per corpus and variant: a variant never finds another's index."""
    return args.dir / f"eval-{corpus.name}-{variant.label}"


def _quality(corpus: BenchCorpus, variant: Variant, args: argparse.Namespace) -> dict[str, Any]:
    from api.eval_command import run_evaluation

    report, _ = run_evaluation(
        corpus.dataset,
        _settings(variant, args),
        root=_workspace(corpus, variant, args),
        modes=("hybrid", "dense", "bm25"),
        progress=False,
    )
    return {
        "questions": report.questions,
        **{mode: scores.metrics for mode, scores in report.modes.items()},
        "reindex": {key: report.index[key] for key in ("unchanged", "passages_written")},
    }


def _run_corpus(
    corpus: BenchCorpus, variants: list[Variant], args: argparse.Namespace
) -> list[dict]:
    from search.evaluation.workspace import workspace_settings

    base = None if args.no_baseline else _baseline_row(corpus, args)
    rows = [] if base is None else [base]
    if base is not None:
        print(_line(base), flush=True)
    for variant in variants:
        root, fingerprint = _workspace(corpus, variant, args), corpus.dataset.fingerprint()
        # An index left by an interrupted run would make this one look fast: start from nothing.
        shutil.rmtree(root, ignore_errors=True)
        store_settings, _ = workspace_settings(_settings(variant, args), root, fingerprint)
        env = _env(variant, args, store_settings.data_dir)
        run, written = newsdesk_index(corpus.articles, env)
        row = {"corpus": corpus.name, "run": f"newsdesk index, {variant.label}"}
        row |= _speed(run, written)
        if base is not None:
            row["ratio"] = round(row["passages_per_s"] / base["passages_per_s"], 2)
            row["cpu_ratio"] = round(row["passages_per_cpu_s"] / base["passages_per_cpu_s"], 2)
        row["quality"] = _quality(corpus, variant, args)
        rows.append(row)
        print(_line(row), flush=True)
    return rows


def _line(row: dict[str, Any]) -> str:
    quality = row.get("quality", {})
    scores = ", ".join(f"{name} {value:.4f}" for name, value in quality.get("hybrid", {}).items())
    # The single legs, by the metric both datasets report.
    for leg in ("dense", "bm25"):
        if "ndcg@10" in quality.get(leg, {}):
            scores += f"; {leg} ndcg@10 {quality[leg]['ndcg@10']:.4f}"
    return (
        f"{row['corpus']:<9} {row['run']:<46} {row['passages']:>6} passages "
        f"{row['seconds']:>8.1f} s {row['passages_per_s']:>7.1f}/s x{row.get('ratio', '-'):<5} "
        f"{row['passages_per_cpu_s']:>6.1f}/cpu-s x{row.get('cpu_ratio', '-'):<5} "
        f"RSS {row['peak_rss_mb']:>5} MB "
        f"load {row['load']} {scores}"
    )


def main() -> None:
    args = _parse()
    variants = [Variant.parse(spec, args.threads) for spec in args.backends.split(",") if spec]
    corpora_names = [name.strip() for name in args.corpora.split(",") if name.strip()]
    if unknown := set(corpora_names) - set(CORPORA):
        raise SystemExit(f"--corpora: unknown {sorted(unknown)}; choose from {CORPORA}")
    _fresh(args.dir, args.keep)
    exported = sorted({variant.backend for variant in variants} - {"torch"})
    exports = {backend: _export(Variant(backend, args.threads), args) for backend in exported}
    for backend, export in exports.items():
        print(f"export {backend}: {export['seconds']} s ({export['precision']})", flush=True)
    loaders = {
        "multihop": lambda: indexing_data.multihop(
            args.dir / "multihop", args.articles, args.questions
        ),
        "scifact": lambda: indexing_data.scifact(
            args.dir / "scifact", args.scifact_docs, args.scifact_questions
        ),
    }
    corpora = [loaders[name]() for name in corpora_names]
    rows: list[dict[str, Any]] = []
    for corpus in corpora:
        rows += _run_corpus(corpus, variants, args)
    record = {
        "args": {key: str(value) for key, value in vars(args).items()},
        "cpus": os.cpu_count(),
        "exports": exports,
        "rows": rows,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"indexing-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps(record, indent=2))
    print(f"written {path}")


if __name__ == "__main__":
    main()
