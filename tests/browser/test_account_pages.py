"""The account pages of domain §9.6 in a real browser: the beheerder's invitation and the
activation page (with its error state) have no WCAG 2.1 AA violation."""

from __future__ import annotations

import os
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


def test_inviting_and_activating_have_no_wcag_violations(page: Page) -> None:
    page.goto("/aanmelden")
    page.fill("#aanmelden-username", "beheerder")
    page.fill("#aanmelden-password", DEMO_PASSWORD)
    with page.expect_navigation():
        page.click("form.panel button[type=submit]")
    page.goto("/beheer/accounts/nieuw")
    assert violations(page) == []
    page.fill("#account-username", f"browser-{os.urandom(3).hex()}")
    page.select_option("#account-role", "redacteur")
    with page.expect_navigation():
        page.click("form.panel button[type=submit]")
    assert page.locator("h1").inner_text().startswith("Uitnodiging voor")
    assert violations(page) == []
    link = page.input_value("#activeringslink")

    page.context.clear_cookies()  # the invited user, in a browser of their own
    page.goto(link)
    assert violations(page) == []
    for field in ("#activeren-password", "#activeren-password_repeat"):
        page.fill(field, "aaaaaaaaaaaa")
    with page.expect_navigation():
        page.click("form.panel button[type=submit]")
    assert page.title().startswith("Fout:")
    assert violations(page) == []
    for field in ("#activeren-password", "#activeren-password_repeat"):
        page.fill(field, "vlinder-kompas-regenton-fluit")
    with page.expect_navigation():
        page.click("form.panel button[type=submit]")
    assert page.locator("h1").inner_text() == "Uw wachtwoord is ingesteld"
    assert violations(page) == []
