"""The ``newsdesk`` command line: index, search, stats, serve."""

from __future__ import annotations

import json
import sys
import time
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from api.eval_command import eval_command
from search.errors import NewsdeskError
from search.results import Mode, SearchResponse
from search.settings import Settings, get_settings

# A bulk import this large leaves the keyword index in about ten segments; one segment takes
# ~30 % off the deep search question-aware legs share at a million passages, for ~20 s of
# rewriting (benchmarks/bench_keyword_segments.py).
OPTIMIZE_AFTER_PASSAGES = 100_000

app = typer.Typer(
    help="Hybrid search over news archives.", no_args_is_help=True, add_completion=False
)


def _fail(error: Exception) -> typer.Exit:
    typer.echo(f"error: {error}", err=True)
    return typer.Exit(code=2)


def _runtime():
    from api.runtime import Runtime

    return Runtime.start(get_settings())


@app.command()
def index(
    paths: Annotated[list[Path], typer.Argument(help="JSONL or .txt files, or directories")],
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="no progress bar")] = False,
    replace_legacy_ids: Annotated[
        bool,
        typer.Option(
            "--replace-legacy-ids",
            help="delete copies of these .txt files that an older newsdesk stored under their "
            "file names",
        ),
    ] = False,
    optimize_after: Annotated[
        bool,
        typer.Option(
            "--optimize/--no-optimize",
            help=f"after a run writing {OPTIMIZE_AFTER_PASSAGES:,} passages or more, merge the "
            "keyword index into one segment (as 'newsdesk optimize')",
        ),
    ] = True,
) -> None:
    """Index articles; prints read / indexed / unchanged / rejected counts."""
    from indexer.legacy_ids import LegacyTextIds
    from indexer.readers import count_records, read_paths

    try:
        runtime = _runtime()
    except NewsdeskError as error:
        raise _fail(error) from None
    legacy = LegacyTextIds()
    try:
        total = None if quiet else count_records(paths)
        items = legacy.watch(read_paths(paths))
        summary = runtime.indexer().index(items, progress=not quiet, total=total)
        old_ids = legacy.duplicates(runtime.store)
        if old_ids and replace_legacy_ids:
            runtime.delete_articles(old_ids)
        if optimize_after and summary.passages >= OPTIMIZE_AFTER_PASSAGES:
            typer.echo("optimizing the keyword index (a bulk import leaves it in many segments)")
            runtime.store.optimize()
    except NewsdeskError as error:
        raise _fail(error) from None
    finally:
        runtime.close()
    if old_ids:
        typer.echo(
            f"note: {len(old_ids)} of these .txt files (e.g. {old_ids[0]!r}) "
            + (
                "had a copy stored under its file name by an older newsdesk: removed"
                if replace_legacy_ids
                else "also have a copy stored under their file name by an older newsdesk; "
                "run again with --replace-legacy-ids to remove those copies"
            ),
            err=True,
        )
    for rejection in summary.rejections:
        typer.echo(f"rejected {rejection}", err=True)
    typer.echo(
        f"read {summary.read}, indexed {summary.indexed}, unchanged {summary.unchanged}, "
        f"rejected {summary.rejected} ({summary.passages} passages written)"
    )
    if summary.rejected:
        raise typer.Exit(code=1)


def _print_hits(response: SearchResponse) -> None:
    if not response.hits:
        typer.echo("no results")
    for rank, hit in enumerate(response.hits, start=1):
        source = hit.source
        where = " · ".join(
            part for part in (source.outlet, source.published_at, source.url) if part
        )
        typer.echo(f"{rank}. [{hit.score:.4f}] {source.title}" + (f" ({where})" if where else ""))
        typer.echo(f"   {hit.text[:400]}" + ("…" if len(hit.text) > 400 else ""))
    typer.echo(f"{len(response.hits)} hits in {response.took_ms} ms ({response.mode})")
    if response.time is not None:
        read = response.time
        period = f"{read.after or '…'} to {read.before or '…'}" if read.applied else None
        parts = [
            f"period {period} ({read.applied})" if period else None,
            "newest preferred" if read.recency else None,
            f"as of {read.as_of}" if read.as_of else None,
        ]
        typer.echo("time read: " + "; ".join(part for part in parts if part))
    if response.syntax is not None and response.syntax.dropped_phrases:
        dropped = ", ".join(f'"{phrase}"' for phrase in response.syntax.dropped_phrases)
        typer.echo(f"phrases found nowhere, searched as words: {dropped}")
    if response.next_page_token:
        typer.echo(f"more: --page-token {response.next_page_token}")


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="the question")],
    top_k: Annotated[int, typer.Option("--top-k", "-k", min=1, max=100)] = 10,
    mode: Annotated[str, typer.Option("--mode", "-m", help="hybrid, bm25 or dense")] = "hybrid",
    sort: Annotated[str, typer.Option("--sort", help="relevance or date")] = "relevance",
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="read the archive as of this day (YYYY-MM-DD)")
    ] = None,
    page_token: Annotated[
        str | None, typer.Option("--page-token", help="the next_page_token of the previous page")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the API's JSON response")] = False,
) -> None:
    """Ask a question; prints ranked passages with their sources.

    The query may hold "exact phrases", -word and -"phrase" exclusions, and the fields
    outlet:, author:, lang:, after: and before: (e.g. outlet:"The Guardian" after:2026-03).
    """
    if mode not in ("hybrid", "bm25", "dense"):
        raise _fail(ValueError(f"--mode must be hybrid, bm25 or dense, not {mode!r}"))
    if sort not in ("relevance", "date"):
        raise _fail(ValueError(f"--sort must be relevance or date, not {sort!r}"))
    if not query.strip():
        raise _fail(ValueError("the query is blank"))
    try:
        day = date.fromisoformat(as_of) if as_of else None
    except ValueError:
        raise _fail(ValueError(f"--as-of must be a day (YYYY-MM-DD), not {as_of!r}")) from None
    try:
        runtime = _runtime()
        try:
            response = runtime.retriever.search(
                query.strip(),
                top_k=top_k,
                mode=mode_of(mode),
                sort=sort,
                as_of=day,
                page_token=page_token,
            )
        finally:
            runtime.close()
    except NewsdeskError as error:
        raise _fail(error) from None
    if as_json:
        typer.echo(response.model_dump_json(indent=2))
    else:
        _print_hits(response)


def mode_of(value: str) -> Mode:
    return value  # type: ignore[return-value] - validated by the caller


@app.command()
def stats(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Count articles and passages in the store."""
    settings = get_settings()
    try:
        from search.factory import build_store

        store = build_store(settings, dim=_model_dim(settings))
        counts = store.counts()
        store.close()
    except NewsdeskError as error:
        raise _fail(error) from None
    if as_json:
        typer.echo(json.dumps({"articles": counts.articles, "passages": counts.passages}))
    else:
        typer.echo(f"{counts.articles} articles, {counts.passages} passages ({settings.store})")


@app.command()
def optimize() -> None:
    """Merge the keyword index into one segment after a bulk import (Elasticsearch: a force
    merge), so that searches read one posting list per term. Results do not change."""
    settings = get_settings()
    started = time.perf_counter()
    try:
        from search.factory import build_store

        store = build_store(settings, dim=_model_dim(settings))
        try:
            store.optimize()
        finally:
            store.close()
    except NewsdeskError as error:
        raise _fail(error) from None
    typer.echo(f"optimized the {settings.store} store in {time.perf_counter() - started:.1f} s")


def _model_dim(settings: Settings) -> int:
    # Counting needs no model, only its output size, which its files usually state.
    from search.embedding import embedding_dimension
    from search.factory import build_embedder

    return embedding_dimension(settings.embedding) or build_embedder(settings).dim


@app.command()
def reindex() -> None:
    """Rebuild the Elasticsearch indices from the stored articles and swap the alias atomically.

    Searches keep working during the rebuild. The embedded store has nothing to rebuild: its
    indexes are derived from its catalog and repaired on open.
    """
    settings = get_settings()
    if settings.store != "elasticsearch":
        typer.echo("the embedded store needs no reindex (its indexes rebuild themselves)")
        return
    from search.store.elasticsearch import ElasticsearchStore

    try:
        runtime = _runtime()
        try:
            store = runtime.store
            assert isinstance(store, ElasticsearchStore)
            summary = store.reindex()
        finally:
            runtime.close()
    except NewsdeskError as error:
        raise _fail(error) from None
    typer.echo(
        f"reindexed {summary.articles} articles, {summary.passages} passages: "
        + ", ".join(f"{old} -> {summary.current[alias]}" for alias, old in summary.previous.items())
    )


app.command("eval")(eval_command)


@app.command("model")
def model_command(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Prepare the embedding model for the configured backend and say what it is.

    The openvino and onnx backends are exported from the local model folder on first use
    (seconds, once); run this after installing to have it done before the first index.
    """
    from search.embedding import Embedder

    settings = get_settings().embedding
    started = time.perf_counter()
    try:
        embedder = Embedder(settings)
    except NewsdeskError as error:
        raise _fail(error) from None
    info = {
        "model_id": embedder.model_id,
        "backend": settings.backend,
        "precision": embedder.precision,
        "dim": embedder.dim,
        "files": str(embedder.files),
        "load_s": round(time.perf_counter() - started, 2),
    }
    if as_json:
        typer.echo(json.dumps(info))
    else:
        typer.echo("\n".join(f"{key}: {value}" for key, value in info.items()))


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="interface to bind")] = "127.0.0.1",
    port: Annotated[
        int, typer.Option(min=0, max=65535, help="port to listen on; 0: a free one, logged")
    ] = 8000,
    workers: Annotated[
        int, typer.Option(min=1, max=64, help="server processes, each with its own model and store")
    ] = 1,
) -> None:
    """Serve the HTTP API (and its OpenAPI docs at /docs)."""
    import uvicorn

    from api.app import create_app

    if workers == 1:
        uvicorn.run(create_app(get_settings()), host=host, port=port)
    else:
        from api.workers import serve_workers

        serve_workers(host, port, workers)


@app.command()
def mcp() -> None:
    """Serve the MCP tools (search_news, archive_overview) over stdio, for chatbot clients."""
    from api.mcp import run_stdio

    try:
        runtime = _runtime()
    except NewsdeskError as error:
        raise _fail(error) from None
    try:
        run_stdio(runtime)
    finally:
        runtime.close()


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
