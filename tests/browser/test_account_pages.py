"""The account pages of domain §9.6 in a real browser: the beheerder's invitation, the
activation page and the user's own account page (with their error states) have no WCAG 2.1 AA
violation."""

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
    username = f"browser-{os.urandom(3).hex()}"
    page.fill("#account-username", username)
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

    # Signed in, the new redacteur's own account page: as it opens, refused, and changed.
    page.goto("/aanmelden")
    page.fill("#aanmelden-username", username)
    page.fill("#aanmelden-password", "vlinder-kompas-regenton-fluit")
    with page.expect_navigation():
        page.click("form.panel button[type=submit]")
    page.goto("/account")
    assert violations(page) == []
    page.fill("#account-current_password", "niet-mijn-wachtwoord")
    page.fill("#account-new_password", "zeilboot-lantaarn-mossel-kiezel")
    page.fill("#account-new_password_repeat", "zeilboot-lantaarn-mossel-kiezel")
    with page.expect_navigation():
        page.click("form[action='/account/wachtwoord'] button[type=submit]")
    assert page.title().startswith("Fout:")
    assert violations(page) == []
    page.fill("#account-current_password", "vlinder-kompas-regenton-fluit")
    page.fill("#account-new_password", "zeilboot-lantaarn-mossel-kiezel")
    page.fill("#account-new_password_repeat", "zeilboot-lantaarn-mossel-kiezel")
    with page.expect_navigation():
        page.click("form[action='/account/wachtwoord'] button[type=submit]")
    assert "Uw wachtwoord is gewijzigd" in page.locator("[role=status]").inner_text()
    assert violations(page) == []
