"""WCAG 2.1 A and AA in a real browser: axe-core inside Debian's Chromium finds no violation."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page

from tests.browser.axe import violations, with_axe

THREE = "slug=ouderschap-blijft&slug=scheidingsloket-rotterdam&slug=ouderschapsbemiddeling"

PAGES = [
    pytest.param("/", id="home"),
    pytest.param("/interventies?q=omgang", id="search-results"),
    pytest.param("/interventies/kinderen-uit-de-knel", id="entry"),
    pytest.param("/ouders", id="parents"),
    pytest.param("/ouders/scheiden", id="parents-divorce"),
    pytest.param("/ouders/kinderen", id="parents-children"),
    pytest.param("/ouders/ouderschapsplan", id="parents-parenting-plan"),
    pytest.param("/hulp-in-de-buurt", id="local-help-form"),
    pytest.param("/hulp-in-de-buurt?gemeente=Rotterdam", id="local-help-rotterdam"),
    pytest.param("/hulp-in-de-buurt?gemeente=R2D2", id="local-help-error"),
    pytest.param("/wegwijzer", id="guide-form"),
    pytest.param(f"/folder?{THREE}", id="handout"),
    pytest.param("/folder", id="handout-chooser"),
    pytest.param("/vergelijken", id="compare-chooser"),
    pytest.param("/vergelijken?slug=kies", id="compare-error"),
    pytest.param(
        "/vergelijken?slug=kies&slug=dappere-dinos&slug=kinderen-uit-de-knel", id="compare"
    ),
    pytest.param("/toegankelijkheid", id="accessibility-statement"),
]


@pytest.fixture(autouse=True)
def _with_axe(page: Page) -> Iterator[None]:
    """axe-core in every document of the tab, and a failure on any console error (CSP too)."""
    errors = with_axe(page)
    yield
    assert errors == []


@pytest.mark.parametrize("path", PAGES)
def test_page_has_no_wcag_violations(page: Page, path: str) -> None:
    page.goto(path)
    assert violations(page) == []


def fill_guide(page: Page, ages: str, talk: str, safety: str, municipality: str = "") -> None:
    page.goto("/wegwijzer")
    page.fill("#wegwijzer-leeftijden", ages)
    page.check(f"#wegwijzer-omgang-{talk}")
    page.check(f"#wegwijzer-veiligheid-{safety}")
    page.fill("#wegwijzer-gemeente", municipality)
    with page.expect_navigation():
        page.click("form.guide-form button[type=submit]")


@pytest.mark.parametrize(
    ("ages", "talk", "safety", "municipality"),
    [
        pytest.param("5", "rustig", "nee", "Rotterdam", id="safe"),
        pytest.param("5, 9", "moeizaam", "ja", "", id="unsafe"),
        pytest.param("14", "geen_contact", "nu_gevaar", "", id="acute"),
    ],
)
def test_guide_result_has_no_wcag_violations(
    page: Page, ages: str, talk: str, safety: str, municipality: str
) -> None:
    fill_guide(page, ages, talk, safety, municipality)
    assert page.locator("h1").inner_text() == "Uitkomst van de wegwijzer"
    assert violations(page) == []


def test_guide_errors_have_no_wcag_violations(page: Page) -> None:
    page.goto("/wegwijzer")
    with page.expect_navigation():
        page.click("form.guide-form button[type=submit]")
    assert page.locator(".error-summary").is_visible()
    assert violations(page) == []
