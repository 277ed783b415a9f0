"""Shared fixtures: the real embedding model (loaded once), the shared data, no outbound network."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

# Loads OpenVINO's libraries before usearch's (see its __init__): pytest imports this file before
# any test module, and a module that imports usearch itself (test_search_breadth) collected
# first would otherwise leave OpenVINO unable to compile the model and crash onnxruntime's import.
import search.store.embedded  # noqa: F401
from search.embedding import Embedder
from search.settings import EmbeddingSettings, Settings

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"
SEEDS = SHARED_DATA / "seeds"
MULTIHOP = SHARED_DATA / "multihop-rag"
MISSILE_QUESTION = "how far did the missile fly?"


def _is_loopback(address: object) -> bool:
    host = address[0] if isinstance(address, tuple) else address
    if not isinstance(host, str):
        return True  # unix sockets
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@pytest.fixture(autouse=True)
def _no_outbound_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests may talk to local servers (Elasticsearch, the API) but never to the internet."""
    real_connect = socket.socket.connect

    def guarded_connect(self: socket.socket, address: object) -> object:
        if self.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(address):
            raise RuntimeError(f"outbound network access in a test: {address!r}")
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    """The real packaged all-MiniLM-L6-v2, loaded once per test session."""
    return Embedder(EmbeddingSettings())


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "var")


@pytest.fixture(scope="session")
def seeds() -> Path:
    assert SEEDS.is_dir(), f"shared seed data missing at {SEEDS}"
    return SEEDS


@pytest.fixture
def data_dir(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path / "var"


@pytest.fixture(scope="session")
def seeded_settings(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Settings:
    """An embedded store holding the three seed reports, shared by read-only tests."""
    from tests.indexed import index_into, runtime_for

    settings = Settings(data_dir=tmp_path_factory.mktemp("seeded") / "var")
    runtime = runtime_for(settings, embedder)
    summary = index_into(runtime, SEEDS)
    runtime.close()
    assert summary.indexed == 3, summary
    return settings


@pytest.fixture
def seeded_runtime(seeded_settings: Settings, embedder: Embedder) -> Iterator[object]:
    from tests.indexed import runtime_for

    runtime = runtime_for(seeded_settings, embedder)
    yield runtime
    runtime.close()


@pytest.fixture(scope="module")
def base_url(seeded_settings: Settings, embedder: Embedder) -> Iterator[str]:
    """One real HTTP server over the seed articles per test module (browser and MCP tests)."""
    from tests.indexed import runtime_for
    from tests.ui.live import live_server

    runtime = runtime_for(seeded_settings, embedder)
    try:
        with live_server(runtime) as url:
            yield url
    finally:
        runtime.close()
