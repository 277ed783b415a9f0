"""The search page in a real browser (Debian's Chromium driven by Playwright) over a live server."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
from playwright.sync_api import Page, expect

from tests.conftest import MISSILE_QUESTION

SEVEN_HUNDRED_KM = re.compile(r"700\s?(km|kilometres)")


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


def test_the_page_shows_the_time_read_and_the_syntax_help(base_url: str, page: Page) -> None:
    page.goto(f"{base_url}/")
    page.get_by_text("Search tips").click()
    expect(page.locator("#syntax-help")).to_contain_text('outlet:"The Guardian"')

    question = page.get_by_label("Question")
    question.fill('what was reported in March 2026 about the "ballistic missile"?')
    question.press("Enter")
    expect(page.locator("#reading")).to_contain_text("Time read: Mar 1, 2026 – Mar 31, 2026")
    expect(page.locator("#reading")).to_contain_text("only articles published then")
    expect(page.get_by_role("status")).to_contain_text("No passages match")  # seeds are undated
