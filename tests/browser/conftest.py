"""Fixtures for the tests in a real browser: one Chromium per session, on the served app
(`live_url`, in `tests/conftest.py`, which the analysis's browser tests use too)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from tests.browser.live import desktop_context, launch_chromium


@pytest.fixture(scope="session")
def browser(chromium: Path, live_url: str) -> Iterator[Browser]:
    """One headless Chromium for the whole session: starting one costs about a second."""
    with sync_playwright() as playwright:
        launched = launch_chromium(playwright)
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def browser_context(browser: Browser, live_url: str) -> Iterator[BrowserContext]:
    """One browser profile for the session, on a desktop-sized window; tests clear its cookies."""
    context = desktop_context(browser, live_url)
    yield context
    context.close()


@pytest.fixture()
def page(browser_context: BrowserContext) -> Iterator[Page]:
    """A fresh tab with no cookies."""
    browser_context.clear_cookies()
    tab = browser_context.new_page()
    yield tab
    tab.close()
