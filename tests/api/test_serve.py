"""``newsdesk serve`` stops promptly on SIGTERM, even in the middle of concurrent searches."""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path

import httpx

from search.settings import Settings
from tests.api.served import served

CLIENTS = 8
STOP_WITHIN_S = 20.0


def _searching(url: str, start: threading.Barrier, stop: threading.Event, out: list[int]) -> None:
    """Searches one after another, from the first moment, until told to stop or refused."""
    with httpx.Client(base_url=url, timeout=60) as http:
        start.wait()
        asked = 0
        while not stop.is_set():
            # Distinct questions, so each one runs the model rather than the query cache.
            question = f"how far did missile {threading.get_ident()}-{asked} fly?"
            try:
                out.append(http.post("/v1/search", json={"q": question}).status_code)
            except httpx.TransportError:
                return  # the server is stopping: closed, or no longer accepting
            asked += 1


def test_a_server_answering_concurrent_searches_stops_promptly_on_sigterm(
    seeded_settings: Settings, tmp_path: Path
) -> None:
    data = tmp_path / "var"
    shutil.copytree(seeded_settings.data_dir, data)
    with served(data) as server:
        start, stop, statuses = threading.Barrier(CLIENTS + 1), threading.Event(), []
        clients = [
            threading.Thread(target=_searching, args=(server.url, start, stop, statuses))
            for _ in range(CLIENTS)
        ]
        for client in clients:
            client.start()
        start.wait()  # the server's first searches arrive together: its model's first calls
        deadline = time.monotonic() + 60
        while len(statuses) < 2 * CLIENTS and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(statuses) >= 2 * CLIENTS, f"{len(statuses)} searches answered in 60 s"

        sent = time.monotonic()
        server.process.terminate()  # searches still in flight
        server.process.wait(timeout=STOP_WITHIN_S)
        stopped_after = time.monotonic() - sent
        stop.set()
        for client in clients:
            client.join(timeout=60)
    assert stopped_after < STOP_WITHIN_S
    assert set(statuses) == {200}  # searches in flight at SIGTERM were answered, not cut
    assert "Finished server process" in server.output()
