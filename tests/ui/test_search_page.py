"""The search page in a real browser (Debian's Chromium driven by Playwright) over a live server."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.conftest import MISSILE_QUESTION

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SEVEN_HUNDRED_KM = re.compile(r"700\s?(km|kilometres)")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert CHROMIUM.exists(), f"{CHROMIUM} is missing: run `bash infra/install-browser.sh` as root"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 390, "height": 844})  # a phone's width
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()


def test_missile_question_shows_the_answer_and_its_source(
    base_url: str, page: Page, tmp_path: Path
) -> None:
    expected = httpx.post(f"{base_url}/v1/search", json={"q": MISSILE_QUESTION}).json()["hits"][0]
    external: list[str] = []
    page.on(
        "request",
        lambda request: None if request.url.startswith(base_url) else external.append(request.url),
    )

    page.goto(f"{base_url}/")
    question = page.get_by_label("Question")
    expect(question).to_be_focused()
    question.fill(MISSILE_QUESTION)
    question.press("Enter")

    first = page.locator("#results > li").first
    expect(first.locator(".hit-text")).to_contain_text(SEVEN_HUNDRED_KM)
    expect(first.locator(".hit-title")).to_contain_text(expected["source"]["title"])
    expect(first.locator(".hit-meta")).to_contain_text(expected["source"]["outlet"] or "Unknown")
    if expected.get("highlight"):
        expect(first.locator("mark")).to_contain_text(SEVEN_HUNDRED_KM)
    expect(page.get_by_role("status")).to_contain_text("passages in")
    first.get_by_text("Score breakdown").click()
    expect(first.locator(".hit-scores dl")).to_contain_text("Fused score")
    expect(first.locator(".hit-scores dl")).to_contain_text("chosen for this question")

    screenshot = tmp_path / "missile-question.png"
    page.screenshot(path=str(screenshot), full_page=True)
    print(f"screenshot: {screenshot}")
    assert screenshot.is_file() and screenshot.stat().st_size > 0
    assert external == [], f"the page loaded something from outside: {external}"


def test_empty_results_and_an_unreachable_backend_are_explained(base_url: str, page: Page) -> None:
    page.goto(f"{base_url}/?q=missile&after=2000-01-01&before=2000-01-02")
    expect(page.get_by_role("status")).to_contain_text("No passages match")

    page.route("**/v1/search", lambda route: route.fulfill(status=503, json={"detail": "down"}))
    page.get_by_label("Question").fill(MISSILE_QUESTION)
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("alert")).to_contain_text("unavailable")

    page.route("**/v1/search", lambda route: route.abort())
    page.get_by_label("Question").press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("Can't reach the search service")
