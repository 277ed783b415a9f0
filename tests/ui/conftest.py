from collections.abc import Iterator

import pytest

from search.embedding import Embedder
from search.settings import Settings
from tests.indexed import runtime_for
from tests.ui.live import live_server


@pytest.fixture(scope="module")
def base_url(seeded_settings: Settings, embedder: Embedder) -> Iterator[str]:
    """One real server over the seed articles per test module."""
    runtime = runtime_for(seeded_settings, embedder)
    try:
        with live_server(runtime) as url:
            yield url
    finally:
        runtime.close()
