"""The pilot registry and the editors' pages in a real browser: no WCAG 2.1 AA violation, with
the duplicate warning shown while typing (JavaScript) and before saving. Nothing is approved
here: the served app writes into the repository's own content folder."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page

from kb.auth.startup import DEMO_PASSWORD
from tests.browser.axe import violations, with_axe


@pytest.fixture(autouse=True)
def _with_axe(page: Page) -> Iterator[None]:
    """axe-core in every document of the tab, and a failure on any console error (CSP too)."""
    errors = with_axe(page)
    yield
    assert errors == []


def _sign_in(page: Page, username: str) -> None:
    page.goto("/aanmelden")
    page.fill("#aanmelden-username", username)
    page.fill("#aanmelden-password", DEMO_PASSWORD)
    with page.expect_navigation():
        page.click("form.panel button[type=submit]")


def test_registering_a_pilot_and_reviewing_it(page: Page) -> None:
    _sign_in(page, "loket")
    page.goto("/pilots/nieuw")
    assert violations(page) == []
    page.fill("#voorstel-title", "Vrijwilligers begeleiden de omgang")
    page.fill("#voorstel-summary", "Getrainde vrijwilligers begeleiden bezoeken van kind en ouder.")
    page.locator("#vergelijkbaar a[href='/interventies/bor-humanitas']").wait_for()
    assert violations(page) == []
    with page.expect_navigation():
        page.click("button[value=indienen]")
    assert page.locator("button[value=indienen]").inner_text() == "Toch indienen"
    assert violations(page) == []
    with page.expect_navigation():
        page.click("button[value=indienen]")  # no source yet: the errors, in Dutch
    assert page.title().startswith("Fout:")
    assert violations(page) == []
    page.fill("#voorstel-source_title_1", "Humanitas")
    page.fill("#voorstel-source_url_1", "https://www.humanitas.nl/")
    page.fill("#voorstel-body", "## Doel\n\nOmgang begeleiden.")
    with page.expect_navigation():
        page.click("button[value=indienen]")
    assert page.locator("h1").inner_text() == "Mijn voorstellen"
    assert violations(page) == []

    page.context.clear_cookies()
    _sign_in(page, "redacteur")
    page.goto("/redactie")
    assert violations(page) == []
    with page.expect_navigation():
        page.locator("a[href^='/redactie/voorstellen/']").first.click()
    assert page.locator("table.diff").count() == 1
    assert violations(page) == []
    with page.expect_navigation():
        page.click("text=Eerst bewerken")
    assert violations(page) == []
