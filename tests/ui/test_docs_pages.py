"""Swagger UI (/docs) and ReDoc (/redoc) render in a real browser under the app's CSP, from files
the app serves itself."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

# Every CSP violation, whether or not the browser also logs it.
RECORD_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation",
    (event) => window.cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`));
"""

# ReDoc always renders its vendor's logo from a CDN (with no option to turn it off); the CSP
# refuses it and ReDoc hides the broken image. It is the one violation expected.
REDOC_LOGO = "img-src https://cdn.redoc.ly/redoc/logo-mini.svg"


@pytest.fixture
def watched(page: Page, base_url: str) -> Iterator[tuple[Page, list[str]]]:
    outside: list[str] = []  # answered from elsewhere (a request the CSP refused never finishes)
    own = (base_url, f"blob:{base_url}")
    page.on("requestfinished", lambda r: None if r.url.startswith(own) else outside.append(r.url))
    page.add_init_script(RECORD_VIOLATIONS)
    yield page, outside
    violations = [v for v in page.evaluate("window.cspViolations") if v != REDOC_LOGO]
    assert violations == []
    assert outside == [], f"loaded from outside: {outside}"


def test_swagger_ui_lists_the_operations(watched: tuple[Page, list[str]], base_url: str) -> None:
    page, _ = watched
    page.goto(f"{base_url}/docs")
    expect(page.locator(".opblock-summary-path", has_text="/v1/search").first).to_be_visible()
    expect(page.get_by_role("button", name="Authorize")).to_be_visible()  # the write key scheme


def test_redoc_lists_the_operations(watched: tuple[Page, list[str]], base_url: str) -> None:
    page, _ = watched
    page.goto(f"{base_url}/redoc")
    expect(page.get_by_text("/v1/tools/search_news").first).to_be_attached()
    expect(page.locator("h1", has_text="newsdesk")).to_be_visible()
