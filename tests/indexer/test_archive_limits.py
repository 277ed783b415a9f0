"""A small WARC.gz that inflates to gigabytes is refused with a reason, in bounded memory."""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable
from pathlib import Path

from indexer.readers import Rejection, read_bytes, read_file
from indexer.readers.archives import MAX_PAGE_BYTES
from search.articles import Article
from tests.indexer.fixtures.bombs import encoded_bomb, zeros_bomb

MB = 1_000_000


def _peak_bytes(read: Callable[[], list]) -> tuple[list, int]:
    tracemalloc.start()
    try:
        results = read()
        return results, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_an_upload_inflating_beyond_the_cap_is_refused_whole(tmp_path: Path) -> None:
    data = zeros_bomb(tmp_path / "bomb.warc.gz", 64 * MB).read_bytes()
    assert len(data) < MB // 4
    results, peak = _peak_bytes(lambda: list(read_bytes(data, "bomb.warc.gz", 8 * MB)))
    assert len(results) == 1 and isinstance(results[0], Rejection)
    assert "decompresses to more than 8,000,000 bytes" in str(results[0])
    assert peak < 4 * MB, peak


def test_an_upload_under_the_cap_is_read(tmp_path: Path) -> None:
    data = zeros_bomb(tmp_path / "small.warc.gz", 2 * MB).read_bytes()
    results = list(read_bytes(data, "small.warc.gz", 8 * MB))
    assert [type(item) for item in results] == [Rejection, Article]  # NULs are no article


def test_a_page_too_large_is_skipped_and_the_rest_read(tmp_path: Path) -> None:
    # No total cap on a local file; memory stays bounded by the page cap (plus warcio's buffers,
    # which inflate one 16 KB block at a time), not by the archive's inflated size.
    inflated = 200 * MB
    path = zeros_bomb(tmp_path / "local.warc.gz", inflated)
    results, peak = _peak_bytes(lambda: list(read_file(path)))
    assert isinstance(results[0], Rejection)
    assert f"over {MAX_PAGE_BYTES:,} bytes once decompressed" in str(results[0])
    assert isinstance(results[1], Article) and "ferry" in results[1].body
    assert peak < inflated // 2, peak  # ~75 MB, the same at 300 MB


def test_a_gzip_encoded_page_is_capped_too(tmp_path: Path) -> None:
    data = encoded_bomb(tmp_path / "encoded.warc", 2 * MAX_PAGE_BYTES).read_bytes()
    assert len(data) < MB
    results = list(read_bytes(data, "encoded.warc", 8 * MB))
    assert isinstance(results[0], Rejection) and "once decompressed" in str(results[0])
    assert isinstance(results[1], Article)
