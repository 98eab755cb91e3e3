"""WCAG 2.1 A and AA in a real browser: axe-core inside Debian's Chromium finds no violation.

axe-core comes from the PyPI package axe-playwright-python, which bundles `axe.min.js`: a pinned
dev dependency installs it with the rest, and no npm or network step is needed in CI.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from axe_playwright_python.base import AXE_SCRIPT
from playwright.sync_api import ConsoleMessage, Page

WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

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
    """Load axe-core into every document of this tab, and fail on any console error.

    The Content-Security-Policy (`script-src 'self'`, `style-src 'self'`) reports a blocked
    inline script or style as a console error, so this also proves the pages need neither.
    """
    errors: list[str] = []

    def record(message: ConsoleMessage) -> None:
        # A 422 form page and the favicon Chromium asks for are expected failed loads.
        url = message.location.get("url", "")
        expected = url == page.url or url.endswith("/favicon.ico")
        if message.type == "error" and not (expected and "Failed to load" in message.text):
            errors.append(f"{message.text} ({url})")

    page.on("console", record)
    page.add_init_script(AXE_SCRIPT)
    yield
    assert errors == []


def violations(page: Page) -> list[str]:
    """axe-core's WCAG 2.1 A/AA violations on the page, one readable line each."""
    options: dict[str, Any] = {
        "runOnly": {"type": "tag", "values": WCAG_21_AA},
        "resultTypes": ["violations"],
    }
    found = page.evaluate("options => axe.run(document, options)", options)["violations"]
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(" ".join(map(str, n["target"])) for n in v["nodes"][:5])
        for v in found
    ]


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
