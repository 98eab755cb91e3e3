"""The analysis's workflow pages in a real browser, on demo mode with its invented cases: the work
list of each role, the form with blocks added, the return form (empty and with its error), the
dossier with comments and the judge's report have no WCAG 2.1 AA violation."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from kb.auth.startup import DEMO_PASSWORD
from tests.browser.axe import violations, with_axe
from tests.browser.live import desktop_context, running_app

MARK = "Verzonnen demonstratiezaak"


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory: pytest.TempPathFactory, chromium: Path) -> Iterator[str]:
    """A server of its own, with demo mode's invented cases (the shared one leaves them out)."""
    with running_app(tmp_path_factory.mktemp("demo-cases"), env={"KB_DEMO_CASES": "1"}) as url:
        yield url


@pytest.fixture()
def demo_page(browser: Browser, demo_url: str) -> Iterator[Page]:
    context: BrowserContext = desktop_context(browser, demo_url)
    tab = context.new_page()
    errors = with_axe(tab)
    yield tab
    context.close()
    assert errors == []


def _sign_in(page: Page, username: str) -> None:
    page.context.clear_cookies()
    page.goto("/aanmelden")
    page.fill("#aanmelden-username", username)
    page.fill("#aanmelden-password", DEMO_PASSWORD)
    with page.expect_navigation():
        page.click("form.panel button[type=submit]")


def _open(page: Page, case_number: str) -> None:
    with page.expect_navigation():
        page.click(f"a:text-is('{case_number}')")


def test_the_workflow_pages_have_no_wcag_violations(demo_page: Page) -> None:
    page = demo_page
    _sign_in(page, "gedragsdeskundige")
    page.goto("/werk")
    assert MARK in page.inner_text("main")
    assert violations(page) == []
    _open(page, "DEMO-2026-002")
    assert violations(page) == []  # the dossier with the return form
    with page.expect_navigation():
        page.click("form.analysis-return button[type=submit]")
    assert page.locator("#f-comment[aria-invalid=true]").count() == 1
    assert violations(page) == []  # the return form with its error
    page.fill("#f-comment", "Beschrijf hoe K1 de overdracht beleeft.")
    with page.expect_navigation():
        page.click("form.analysis-return button[type=submit]")

    _sign_in(page, "onderzoeker")
    page.goto("/werk")
    assert "Teruggestuurd met opmerkingen" in page.inner_text("main")
    assert violations(page) == []
    page.goto("/analyses")
    _open(page, "DEMO-2026-002")
    assert "Beschrijf hoe K1 de overdracht beleeft." in page.inner_text("main")
    assert violations(page) == []  # the dossier with comments
    page.goto("/werk")
    _open(page, "DEMO-2026-001")  # the concept's form
    for _ in range(2):
        with page.expect_navigation():
            page.click("button[value='toevoegen:children']")
    assert page.locator("#advies-paneel").is_visible()
    assert violations(page) == []  # the form with blocks added and the advice panel

    _sign_in(page, "rechter")
    page.goto("/werk")
    assert violations(page) == []
    page.goto("/analyses")
    assert MARK in page.inner_text("main")
    _open(page, "DEMO-2026-003")
    assert "Wat is er veranderd" in page.inner_text("main")
    assert MARK in page.inner_text("main")
    assert violations(page) == []
