"""More results and date order on the search page, over the seeds and the repo's samples (the
seeds alone are one story: too few stories for a second page)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from search.embedding import Embedder
from search.settings import Settings
from tests.conftest import REPO, SEEDS
from tests.indexed import index_into, runtime_for
from tests.ui.live import live_server


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Iterator[str]:
    settings = Settings(data_dir=tmp_path_factory.mktemp("pages") / "var")
    runtime = runtime_for(settings, embedder)
    samples = REPO / "examples" / "sample-articles.jsonl"
    assert index_into(runtime, SEEDS, samples).indexed == 8
    try:
        with live_server(runtime) as url:
            yield url
    finally:
        runtime.close()


def test_more_results_continue_the_list_without_repeats(base_url: str, page: Page) -> None:
    page.goto(f"{base_url}/")
    page.get_by_label("Results", exact=True).select_option("5")
    question = page.get_by_label("Question")
    question.fill("fictional news -Japan")
    question.press("Enter")
    expect(page.locator("#results > li")).to_have_count(5)
    page.get_by_role("button", name="More results").click()
    expect(page.locator("#results > li").nth(5)).to_contain_text("6.")
    texts = page.locator("#results .hit-text").all_inner_texts()
    assert len(texts) > 5 and len(texts) == len(set(texts))  # page 2 repeats nothing
    assert not any("Japan" in text for text in texts)


def test_newest_first_orders_by_date(base_url: str, page: Page) -> None:
    page.goto(f"{base_url}/?q=fictional&sort=date&top_k=5")
    expect(page.locator("#results > li")).to_have_count(5)
    days = page.locator("#results time").evaluate_all("nodes => nodes.map(n => n.dateTime)")
    assert days == sorted(days, reverse=True) and len(days) == 5
