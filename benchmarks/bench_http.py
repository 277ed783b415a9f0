"""HTTP load on ``POST /v1/search``: requests/s and latency percentiles, real model, N clients.

Run on demand from the repository root, on a store built by ``bench_embedded_store`` (its
vectors are synthetic; each question is embedded by the real model, in the server):

    .venv/bin/python -m benchmarks.bench_http --store /work/bench-scale/store-100k \\
        --backend openvino --clients 16 --duration 30 --warmup 5

The server is ``newsdesk serve`` (``--workers`` uvicorn processes, embedding on ``--backend``)
on 127.0.0.1 only, over a scratch data folder whose ``embedded`` entry links to ``--store``.
A store records which model and backend its vectors come from, and the server refuses to embed
questions with another (``search/store/model_stamp.py``). The synthetic vectors come from no
model at all, so when ``--backend`` differs from the recorded one the benchmark serves a scratch
*copy* of the store (under ``--scratch``, deleted afterwards) whose record names ``--backend``;
the output says so (``restamped``). ``--store`` itself is never written. The
clients are asyncio tasks sharing one httpx connection pool, each sending its next question as
soon as the previous answer arrives, for ``--duration`` seconds after ``--warmup`` untimed ones.
Questions cycle through the MultiHop-RAG dev split and the SciFact training queries in a fixed
order: more distinct texts than the server's query-vector cache holds (1,024), so every request
runs the model. The clients share the machine's cores with the server; say so with the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import platform
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path

import httpx

from benchmarks.config import DEFAULT_OUT, REPO
from benchmarks.measure import percentiles
from benchmarks.report import write_json
from search.embedding import model_stamp
from search.settings import EmbeddingSettings, get_settings
from search.store.model_stamp import META_KEY

SHARED = REPO.parent / "shared" / "data"
QUESTION_FILES = (
    (SHARED / "multihop-rag" / "queries_dev.jsonl", "question"),
    (SHARED / "scifact-train" / "queries.jsonl", "text"),
)
_READY_TIMEOUT_S = 300.0
_STOP_TIMEOUT_S = 60.0


def questions() -> list[str]:
    found: list[str] = []
    for path, field in QUESTION_FILES:
        with path.open(encoding="utf-8") as handle:
            found += [json.loads(line)[field] for line in handle if line.strip()]
    return list(dict.fromkeys(question[:1000] for question in found))


def process_tree(root: int) -> list[int]:
    """``root`` and all its descendants (the uvicorn supervisor and its workers), from /proc."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            pid, rest = stat.read_text().split(" (", 1)
        except OSError:
            continue  # the process ended meanwhile
        children.setdefault(int(rest.rsplit(") ", 1)[1].split()[1]), []).append(int(pid))
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo += children.get(pid, [])
    return tree


def usage(pids: list[int]) -> tuple[float, float]:
    """CPU seconds used so far (user + system) and resident MiB now, summed over ``pids``."""
    ticks, rss_pages = 0, 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(") ", 1)[1].split()
            rss_pages += int(Path(f"/proc/{pid}/statm").read_text().split()[1])
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK"), rss_pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_rss_mb(pids: list[int]) -> dict[int, float]:
    """Each process's peak resident MiB so far (VmHWM), for what one worker costs."""
    peaks = {}
    for pid in pids:
        try:
            status = Path(f"/proc/{pid}/status").read_text().splitlines()
        except OSError:
            continue
        for line in status:
            if line.startswith("VmHWM:"):
                peaks[pid] = round(int(line.split()[1]) / 1024, 1)
    return peaks


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def recorded_model(store: Path) -> str | None:
    """The model id ``store`` records for its vectors (None: none recorded, i.e. torch's)."""
    catalog = f"{(store / 'catalog.sqlite3').resolve().as_uri()}?mode=ro"
    with closing(sqlite3.connect(catalog, uri=True)) as db:
        row = db.execute("SELECT value FROM meta WHERE key = ?", (META_KEY,)).fetchone()
    return None if row is None else str(row[0])


@contextmanager
def stamped_for(store: Path, embedding: EmbeddingSettings, scratch: Path) -> Iterator[Path]:
    """``store`` if its vectors are recorded as ``embedding``'s, else a copy recorded so."""
    stamp = model_stamp(embedding)
    if stamp.held(recorded_model(store), has_vectors=True) == stamp.model_id:
        yield store
        return
    scratch.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="nd-http-store-", dir=scratch) as folder:
        copy = Path(folder) / "embedded"
        shutil.copytree(store, copy)
        with closing(sqlite3.connect(copy / "catalog.sqlite3")) as db, db:
            db.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                (META_KEY, stamp.model_id),
            )
        yield copy


@contextmanager
def serving(store: Path, port: int, embedding: EmbeddingSettings, workers: int) -> Iterator[str]:
    """``newsdesk serve`` over ``store`` on 127.0.0.1:``port``, until the block ends."""
    with tempfile.TemporaryDirectory(prefix="nd-http-") as scratch:
        data = Path(scratch) / "var"
        data.mkdir()
        (data / "embedded").symlink_to(store.resolve(), target_is_directory=True)
        environment = {
            **os.environ,
            "NEWSDESK_DATA_DIR": str(data),
            "NEWSDESK_EMBEDDING__BACKEND": embedding.backend,
            "HF_HUB_OFFLINE": "1",
        }
        command = [sys.executable, "-m", "api.cli", "serve", "--host", "127.0.0.1"]
        if workers > 1:
            command += ["--workers", str(workers)]
        log = Path(scratch) / "server.log"
        with log.open("wb") as output:
            server = subprocess.Popen(
                [*command, "--port", str(port)],
                cwd=REPO,
                env=environment,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_ready(url, server, log, workers)
            yield url, server.pid
        finally:
            _stop(server, log)


def _stop(server: subprocess.Popen[bytes], log: Path) -> None:
    """SIGTERM, as an operator stops a server; one still running a minute later is a product
    bug: killed (with its workers) so that no server outlives the run, then reported."""
    tree = process_tree(server.pid)
    server.terminate()
    try:
        server.wait(timeout=_STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        for pid in tree:
            with suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        server.wait()
        raise SystemExit(
            f"the server did not stop within {_STOP_TIMEOUT_S} s of SIGTERM (killed):\n"
            f"{log.read_text()[-2000:]}"
        ) from None


def _wait_ready(url: str, server: subprocess.Popen[bytes], log: Path, workers: int) -> None:
    """Until ``/health`` answers and every worker has started: connections made while one is
    still loading all go to the others, and keep-alive clients stay there for the whole run."""
    deadline = time.monotonic() + _READY_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server exited:\n{log.read_text()[-2000:]}")
        started = log.read_text(errors="replace").count("Application startup complete")
        try:
            if httpx.get(f"{url}/health", timeout=5).status_code == 200 and started >= workers:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"the server at {url} did not answer /health in {_READY_TIMEOUT_S} s")


async def load(
    url: str, texts: list[str], clients: int, warmup_s: float, duration_s: float
) -> dict[str, object]:
    """``clients`` closed-loop clients; latencies of requests that start after the warm-up."""
    next_text = itertools.cycle(texts).__next__
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    answered = 0  # warm-up included
    started = time.perf_counter()
    measure_from, stop_at = started + warmup_s, started + warmup_s + duration_s
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)

    async def client(http: httpx.AsyncClient) -> None:
        nonlocal answered
        while (sent := time.perf_counter()) < stop_at:
            try:
                response = await http.post("/v1/search", json={"q": next_text(), "top_k": 10})
                status = str(response.status_code)
            except httpx.HTTPError as error:
                status = type(error).__name__
            answered += 1
            if sent >= measure_from:
                latencies.append((time.perf_counter() - sent) * 1000)
                statuses[status] = statuses.get(status, 0) + 1

    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=60) as http:
        await asyncio.gather(*(client(http) for _ in range(clients)))
    measured = time.perf_counter() - measure_from
    errors = sum(count for status, count in statuses.items() if status != "200")
    return {
        "requests": len(latencies),
        "requests_with_warmup": answered,
        "errors": errors,
        "statuses": statuses,
        "seconds": round(measured, 2),
        "requests_per_s": round(len(latencies) / measured, 1),
        "latency_ms": percentiles(latencies),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path, required=True, help="an embedded store folder")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--duration", type=float, default=30.0, help="measured seconds")
    parser.add_argument("--warmup", type=float, default=5.0, help="untimed seconds first")
    parser.add_argument(
        "--backend",
        choices=("openvino", "onnx", "torch"),
        default=None,
        help="the server's embedding backend (default: the configured one, openvino unless set)",
    )
    parser.add_argument("--workers", type=int, default=1, help="server processes")
    parser.add_argument(
        "--scratch",
        type=Path,
        default=Path(tempfile.gettempdir()),
        help="where a restamped copy of --store goes (deleted afterwards)",
    )
    parser.add_argument("--port", type=int, default=0, help="0: any free port")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT / "bench_http.json")
    args = parser.parse_args(argv)
    if not (args.store / "catalog.sqlite3").exists():
        raise SystemExit(f"{args.store} holds no embedded store")
    texts = questions()
    embedding = get_settings().embedding
    if args.backend is not None:
        embedding = embedding.model_copy(update={"backend": args.backend})
    with (
        stamped_for(args.store, embedding, args.scratch) as store,
        serving(store, args.port or _free_port(), embedding, args.workers) as (url, server),
    ):
        restamped = store != args.store
        if restamped:
            print(
                f"serving a copy of {args.store} whose synthetic vectors are recorded as"
                f" {embedding.backend}'s (restamped; the store itself is unchanged)"
            )
        health = httpx.get(f"{url}/health", timeout=30).json()
        loadavg_start = os.getloadavg()
        server_pids = process_tree(server)
        cpu_start, _ = usage(server_pids)
        client_start = time.process_time()
        result = asyncio.run(load(url, texts, args.clients, args.warmup, args.duration))
        client_cpu_s = time.process_time() - client_start
        cpu_end, rss_mb = usage(server_pids)
        peaks = peak_rss_mb(server_pids)
    answered = max(int(result["requests_with_warmup"]), 1)
    server_cpu_ms = (cpu_end - cpu_start) * 1000 / answered
    report = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
        "loadavg": [round(x, 2) for x in (*loadavg_start, *os.getloadavg())],
        "store": str(args.store),
        "passages": health.get("passages"),
        "model": health.get("model"),
        "backend": embedding.backend,
        "restamped": restamped,
        "workers": args.workers,
        "clients": args.clients,
        "distinct_questions": len(texts),
        **result,
        "server": {
            "processes": len(server_pids),
            "rss_mb": round(rss_mb),
            # The supervisor of --workers N is the first and the smallest.
            "peak_rss_mb_by_process": [peaks[pid] for pid in server_pids if pid in peaks],
            "cpu_ms_per_request": round(server_cpu_ms, 1),
        },
        "client_cpu_ms_per_request": round(client_cpu_s * 1000 / answered, 1),
    }
    latency = report["latency_ms"]
    assert isinstance(latency, dict)
    print(
        f"{report['passages']:,} passages, {embedding.backend}, {args.workers} worker(s),"
        f" {args.clients} clients, {result['seconds']} s:"
        f" {result['requests_per_s']} requests/s, {result['errors']} errors;"
        f" p50 {latency.get('p50')} ms, p95 {latency.get('p95')} ms, p99 {latency.get('p99')} ms;"
        f" server {server_cpu_ms:.1f} CPU ms per request, {rss_mb:,.0f} MiB resident"
        f" (peak by process {report['server']['peak_rss_mb_by_process']});"
        f" clients {report['client_cpu_ms_per_request']} CPU ms per request;"
        f" load {report['loadavg']}"
    )
    write_json(report, args.out)
    print(f"JSON: {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
