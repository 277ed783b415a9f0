"""``newsdesk serve`` in a child process, as an operator starts it, for tests over real HTTP."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.conftest import REPO

STARTUP_S = 120.0
STOP_S = 60.0
# What the server logs once it listens, on the free port it took itself (a port the test picked
# and handed over could be taken by another process in between).
LISTENING = re.compile(r"Uvicorn running on (http://127\.0\.0\.1:\d+)")


@dataclass
class Served:
    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def _listening(log: Path) -> str | None:
    """The server's URL, once it has logged it."""
    found = LISTENING.search(log.read_text(errors="replace"))
    return found.group(1) if found else None


def healthy(url: str) -> bool:
    try:
        return httpx.get(f"{url}/health", timeout=5).status_code == 200
    except httpx.TransportError:
        return False


@contextmanager
def served(data_dir: Path, workers: int = 1, **environment: str) -> Iterator[Served]:
    """A server over ``data_dir`` on a free port, once it answers ``/health``. Stopped with
    SIGTERM at the end; one still running ``STOP_S`` later is killed, with its workers, and the
    test fails."""
    log = data_dir.parent / f"server-{time.time_ns()}.log"
    command = [sys.executable, "-m", "api.cli", "serve", "--port", "0"]
    if workers > 1:
        command += ["--workers", str(workers)]
    with log.open("wb") as output:
        process = subprocess.Popen(
            command,
            cwd=REPO,
            env={**os.environ, "NEWSDESK_DATA_DIR": str(data_dir), **environment},
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: the workers can be killed with it
        )
    try:
        deadline = time.monotonic() + STARTUP_S
        while (url := _listening(log)) is None or not healthy(url):
            assert process.poll() is None, log.read_text(errors="replace")[-3000:]
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.3)
        yield Served(url, process, log)
    finally:
        if process.poll() is None:
            process.terminate()
        try:
            process.wait(timeout=STOP_S)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            raise AssertionError(f"the server ignored SIGTERM for {STOP_S} s (killed)") from None
        finally:
            print(log.read_text(errors="replace")[-3000:])  # shown when the test fails
