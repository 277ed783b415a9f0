"""``newsdesk eval``: retrieval quality on labelled data, per mode, with the dataset's own metrics.

Several datasets in one command are printed side by side (per mode, per dataset), so a setting
that helps one set and hurts another shows at once. Registered by the CLI as
``app.command("eval")(eval_command)``; also runs on its own:

    python -m api.eval_command --dataset ../shared/data/multihop-rag \
        --dataset ../shared/data/scifact-train --mode all --index-dir /tmp/nd-eval
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from search.errors import NewsdeskError

if TYPE_CHECKING:
    from indexer.readers import ReadResult
    from search.embedding import Embedder
    from search.evaluation.datasets import EvalDataset
    from search.evaluation.report import EvalReport
    from search.results import Mode
    from search.settings import Settings

MODES: tuple[Mode, ...] = ("bm25", "dense", "hybrid")
_SHOWN_REJECTIONS = 10


class UsageError(NewsdeskError):
    """The options given cannot describe one evaluation."""


def load_embedder(settings: Settings) -> Embedder:
    """The embedding model, its cache under ``settings.cache_dir`` (tests replace this)."""
    from search.factory import build_embedder

    return build_embedder(settings)


def _articles(dataset: EvalDataset) -> Iterator[ReadResult]:
    """The corpus through newsdesk's own article validation; bad lines become rejections."""
    from indexer.readers.base import Rejection, from_record

    source = str(dataset.corpus)
    for item in dataset.corpus_lines():
        if item.record is None:
            yield Rejection(source, item.line, item.problem or "unreadable line")
        else:
            yield from_record(item.record, source, item.line)


def run_evaluation(
    dataset: EvalDataset,
    settings: Settings,
    *,
    root: Path,
    modes: Sequence[Mode] = MODES,
    top_k: int = 10,
    limit: int | None = None,
    progress: bool = True,
    embedder: Embedder | None = None,
) -> tuple[EvalReport, list[ReadResult]]:
    """Index the corpus under ``root`` (once: later runs find it unchanged), ask the questions
    in each mode and score them. Returns the report and the corpus lines rejected."""
    from api.runtime import Runtime
    from search.evaluation.report import EvalReport, ModeScores
    from search.evaluation.runner import (
        PLANS,
        collect,
        forget_query_embeddings,
        retriever_search,
        score,
    )
    from search.evaluation.workspace import workspace_settings
    from search.factory import build_store
    from search.retriever import HybridRetriever

    questions = dataset.questions[:limit] if limit else dataset.questions
    if not questions:
        raise UsageError("no questions to evaluate")
    store_settings, cache_settings = workspace_settings(settings, root, dataset.fingerprint())
    embedder = embedder or load_embedder(cache_settings)
    store = build_store(store_settings, embedder.dim, embedder.stamp)
    retriever = HybridRetriever(store, embedder, store_settings.retrieval)
    runtime = Runtime(store_settings, embedder, store, retriever)
    plan = PLANS[dataset.kind]
    depth = plan.depth(top_k)
    report = EvalReport(dataset.kind, questions=len(questions), skipped=dataset.skipped)
    try:
        summary = runtime.indexer().index(_articles(dataset), progress=progress)
        for mode in modes:
            forget_query_embeddings(retriever)
            run = collect(
                retriever_search(retriever, mode, depth),
                questions,
                desc=f"querying {mode}",
                progress=progress,
            )
            report.modes[mode] = ModeScores(
                score(plan, questions, run.rankings), run.latency_ms(50), run.latency_ms(95)
            )
    finally:
        runtime.close()
    report.index = {
        "read": summary.read,
        "indexed": summary.indexed,
        "unchanged": summary.unchanged,
        "rejected": summary.rejected,
        "passages_written": summary.passages,
        "dir": str(store_settings.data_dir),
    }
    report.settings = {
        "top_k": top_k,
        "depth": depth,
        "limit": limit,
        **store_settings.model_dump(
            mode="json", exclude={"data_dir", "store", "elasticsearch", "api"}
        ),
    }
    return report, list(summary.rejections)


def _settings(split: dict[str, Any], retrieval: dict[str, Any]) -> Settings:
    """The configured settings with the command's overrides applied and validated."""
    from pydantic import ValidationError

    from search.settings import RetrievalSettings, SplitSettings, get_settings

    base = get_settings()
    try:
        return base.model_copy(
            update={
                "split": SplitSettings.model_validate(
                    base.split.model_dump() | {k: v for k, v in split.items() if v is not None}
                ),
                "retrieval": RetrievalSettings.model_validate(
                    base.retrieval.model_dump()
                    | {k: v for k, v in retrieval.items() if v is not None}
                ),
            }
        )
    except ValidationError as error:
        problems = "; ".join(
            f"--{str(item['loc'][0]).replace('_', '-')}: {item['msg']}" for item in error.errors()
        )
        raise UsageError(problems) from None


def _datasets(
    articles: Path | None,
    queries: Path | None,
    beir: Path | None,
    beir_split: str,
    folders: Sequence[str],
) -> dict[str, EvalDataset]:
    """Every dataset the options name, by a short unique name, in the order given."""
    from search.evaluation.datasets import load_beir, load_folder, load_multihop

    found: list[tuple[str, EvalDataset]] = []
    if articles is not None or queries is not None:
        if articles is None or queries is None:
            raise UsageError("give --articles FILE and --queries FILE together")
        name = articles.parent.name if articles.stem == "articles" else articles.stem
        found.append((name or "multihop", load_multihop(articles, queries)))
    if beir is not None:
        found.append((beir.resolve().name or "beir", load_beir(beir, beir_split)))
    for folder in folders:
        found.append((Path(folder.partition("@")[0]).resolve().name, load_folder(folder)))
    if not found:
        raise UsageError("give --dataset DIR, or --articles FILE and --queries FILE, or --beir DIR")
    named: dict[str, EvalDataset] = {}
    for name, dataset in found:
        unique, number = name, 2
        while unique in named:
            unique, number = f"{name}-{number}", number + 1
        named[unique] = dataset
    return named


def _modes(mode: str) -> list[Mode]:
    if mode == "all":
        return list(MODES)
    if mode not in MODES:
        raise UsageError(f"--mode must be bm25, dense, hybrid or all, not {mode!r}")
    return [mode]  # type: ignore[list-item] - checked above


def _echo_rejections(rejections: list[ReadResult]) -> None:
    for rejection in rejections[:_SHOWN_REJECTIONS]:
        typer.echo(f"rejected {rejection}", err=True)
    if len(rejections) > _SHOWN_REJECTIONS:
        typer.echo(f"... and {len(rejections) - _SHOWN_REJECTIONS} more rejected", err=True)


def eval_command(
    dataset: Annotated[
        list[str] | None,
        typer.Option(
            "--dataset",
            "-d",
            help="a dataset folder, BEIR or MultiHop-RAG layout (DIR or DIR@SPLIT); repeat to "
            "compare datasets side by side",
        ),
    ] = None,
    articles: Annotated[
        Path | None, typer.Option(help="articles JSONL (MultiHop-RAG / newsdesk format)")
    ] = None,
    queries: Annotated[
        Path | None, typer.Option(help="questions JSONL in MultiHop-RAG format")
    ] = None,
    beir: Annotated[
        Path | None, typer.Option(help="a BEIR folder: corpus.jsonl, queries.jsonl, qrels/")
    ] = None,
    beir_split: Annotated[str, typer.Option(help="qrels file to use, qrels/<split>.tsv")] = "test",
    mode: Annotated[str, typer.Option("--mode", "-m", help="bm25, dense, hybrid or all")] = "all",
    top_k: Annotated[
        int,
        typer.Option(
            "--top-k",
            "-k",
            min=1,
            max=1000,
            help="passages retrieved per question (at least the deepest cutoff: 20, BEIR 100)",
        ),
    ] = 10,
    index_dir: Annotated[
        Path | None,
        typer.Option(help="keep the index and embedding cache here (default: a temp dir)"),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
    limit: Annotated[
        int | None, typer.Option(min=1, help="evaluate only the first N questions")
    ] = None,
    fusion: Annotated[str | None, typer.Option(help="rrf or weighted")] = None,
    rrf_k: Annotated[float | None, typer.Option(help="RRF constant")] = None,
    bm25_weight: Annotated[float | None, typer.Option(help="BM25 leg weight")] = None,
    dense_weight: Annotated[float | None, typer.Option(help="dense leg weight")] = None,
    candidates: Annotated[int | None, typer.Option(help="candidates per leg")] = None,
    group: Annotated[
        bool | None, typer.Option("--group/--no-group", help="fold copies of one story")
    ] = None,
    passage_words: Annotated[int | None, typer.Option(help="words per passage")] = None,
    overlap_words: Annotated[int | None, typer.Option(help="words shared by passages")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="no progress bars")] = False,
) -> None:
    """Measure retrieval quality on labelled questions (MultiHop-RAG or BEIR format)."""
    from search.evaluation.workspace import embedder_settings

    try:
        modes = _modes(mode)
        settings = _settings(
            {"passage_words": passage_words, "overlap_words": overlap_words},
            {
                "fusion": fusion,
                "rrf_k": rrf_k,
                "bm25_weight": bm25_weight,
                "dense_weight": dense_weight,
                "candidates": candidates,
                "group": group,
            },
        )
        datasets = _datasets(articles, queries, beir, beir_split, dataset or [])
        reports: dict[str, EvalReport] = {}
        with ExitStack() as stack:
            root = index_dir or Path(
                stack.enter_context(tempfile.TemporaryDirectory(prefix="newsdesk-eval-"))
            )
            embedder = load_embedder(embedder_settings(settings, root))
            for name, labelled in datasets.items():
                report, rejections = run_evaluation(
                    labelled,
                    settings,
                    root=root,
                    modes=modes,
                    top_k=top_k,
                    limit=limit,
                    progress=not quiet,
                    embedder=embedder,
                )
                _echo_rejections(rejections)
                report.settings["index_dir"] = str(index_dir) if index_dir else None
                if index_dir is None:
                    report.index["dir"] = None  # a temporary directory, already removed
                reports[name] = report
    except NewsdeskError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(code=2) from None
    _print(reports, as_json)


def _print(reports: dict[str, EvalReport], as_json: bool) -> None:
    """One dataset: its report as before. Several: ``{"datasets": {name: report}}`` and the
    metrics side by side."""
    from search.evaluation.report import side_by_side

    if as_json:
        if len(reports) == 1:
            typer.echo(json.dumps(next(iter(reports.values())).to_json(), indent=2))
        else:
            body = {"datasets": {name: report.to_json() for name, report in reports.items()}}
            typer.echo(json.dumps(body, indent=2))
        return
    for name, report in reports.items():
        index = report.index
        label = f"index ({name})" if len(reports) > 1 else "index"
        typer.echo(
            f"{label}: read {index['read']}, indexed {index['indexed']}, unchanged "
            f"{index['unchanged']}, rejected {index['rejected']} ({index['dir'] or 'temporary'})"
        )
    if len(reports) == 1:
        typer.echo(next(iter(reports.values())).table())
    else:
        typer.echo(side_by_side(reports))


def main() -> None:
    typer.run(eval_command)


if __name__ == "__main__":
    main()
