"""The monitor and the outcome form in a real browser: no WCAG 2.1 AA violation (axe-core), no
console error (the charts are inline SVG without styles or scripts, which the CSP allows)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Page

from kb.auth.startup import DEMO_PASSWORD
from tests.browser.axe import violations, with_axe
from tests.factories import realistic_case

API = "/api/v1/conflict-analyses"


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


def _token(api: httpx.Client, username: str) -> dict[str, str]:
    answer = api.post("/api/v1/auth/token", json={"username": username, "password": DEMO_PASSWORD})
    return {"Authorization": f"Bearer {answer.json()['token']}"}


@pytest.mark.parametrize("username", ["redacteur", "rechter"])
def test_the_monitor_has_no_wcag_violations(page: Page, username: str) -> None:
    _sign_in(page, username)
    page.goto("/monitor")
    assert page.locator("h1").inner_text().startswith("Monitor:")
    assert page.locator("svg.trend-chart").count() >= 1  # demo mode's invented outcomes
    assert violations(page) == []


def test_closing_a_case_has_no_wcag_violations(page: Page, live_url: str) -> None:
    with httpx.Client(base_url=live_url) as api:
        investigator = _token(api, "onderzoeker")
        made = api.post(API, json=realistic_case(), headers=investigator).json()
        api.post(f"{API}/{made['id']}/submit", headers=investigator)
        api.post(f"{API}/{made['id']}/approve", headers=_token(api, "gedragsdeskundige"))
    _sign_in(page, "onderzoeker")
    page.goto(f"/analyses/{made['id']}/afsluiten")
    assert violations(page) == []
    page.fill("#uitkomst-closed_on", "2099-01-01")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert page.locator(".error-summary").count() == 1
    assert violations(page) == []
    page.fill("#uitkomst-closed_on", "2026-01-31")
    page.check("#uitkomst-curator_appointed-ja")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert "Bewaard tot" in page.content()
    assert violations(page) == []
