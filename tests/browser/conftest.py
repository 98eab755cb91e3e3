"""Fixtures for the tests in a real browser: one app server and one Chromium per session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from tests.browser.live import CHROMIUM, launch_chromium, running_app


@pytest.fixture(scope="session")
def live_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The real app over the real content, served by uvicorn as in production."""
    if not CHROMIUM.exists():
        pytest.skip(f"Debian's Chromium is not installed at {CHROMIUM} (CI installs it in .ci/run)")
    with running_app(tmp_path_factory.mktemp("browser-data")) as url:
        yield url


@pytest.fixture(scope="session")
def browser(live_url: str) -> Iterator[Browser]:
    """One headless Chromium for the whole session: starting one costs about a second."""
    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def browser_context(browser: Browser, live_url: str) -> Iterator[BrowserContext]:
    """One browser profile for the session, on a desktop-sized window; tests clear its cookies."""
    context = browser.new_context(
        base_url=live_url, viewport={"width": 1280, "height": 900}, locale="nl-NL"
    )
    context.set_default_timeout(10_000)
    yield context
    context.close()


@pytest.fixture()
def page(browser_context: BrowserContext) -> Iterator[Page]:
    """A fresh tab with no cookies."""
    browser_context.clear_cookies()
    tab = browser_context.new_page()
    yield tab
    tab.close()
