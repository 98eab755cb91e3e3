"""The desk's and parents' pages of issue 13 in Debian's Chromium: no WCAG 2.1 AA violation at a
phone's width (375 px) and a desktop's, "Snel weg" leaving without a way Back, and the guide's
result on paper."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, Route

from kb.auth.startup import DEMO_PASSWORD
from kb.desk.routes import QUICK_EXIT_URL
from tests.browser.axe import violations, with_axe
from tests.browser.test_accessibility import fill_guide

WIDTHS = [pytest.param(375, id="phone"), pytest.param(1280, id="desktop")]
THREE = "slug=ouderschap-blijft&slug=dappere-dinos&slug=kindertelefoon"
PAGES = [
    "/",
    "/ouders",
    "/en/ouders",
    "/en/ouders/scheiden",
    "/en/ouders/kinderen",
    "/en/ouders/ouderschapsplan",
    "/wegwijzer",
    "/hulp-in-de-buurt?gemeente=Ede",
    f"/folder?{THREE}",
    "/folder",
    "/interventies?age=abc",
]


@pytest.fixture(params=WIDTHS)
def sized_page(request: pytest.FixtureRequest, browser: Browser, live_url: str) -> Iterator[Page]:
    """A tab of its own profile at the width asked, with axe-core and no console error."""
    context = browser.new_context(
        base_url=live_url, viewport={"width": request.param, "height": 900}, locale="nl-NL"
    )
    tab = context.new_page()
    errors = with_axe(tab)
    # The neutral site of "Snel weg" answers here, without the network.
    tab.route(f"{QUICK_EXIT_URL}**", lambda route: _neutral(route))
    yield tab
    context.close()
    assert errors == []


def _neutral(route: Route) -> None:
    route.fulfill(status=200, content_type="text/html", body="<title>Zoeken</title>")


def sign_in(page: Page, username: str) -> None:
    page.goto("/aanmelden")
    page.fill("#aanmelden-username", username)
    page.fill("#aanmelden-password", DEMO_PASSWORD)
    with page.expect_navigation():
        page.click("form.panel button[type=submit]")


@pytest.mark.parametrize("path", PAGES)
def test_page_has_no_wcag_violations_at_either_width(sized_page: Page, path: str) -> None:
    response = sized_page.goto(path)
    assert response is not None and response.status in (200, 422)
    assert violations(sized_page) == []


def test_guide_result_and_desk_pages_have_no_violations(sized_page: Page) -> None:
    fill_guide(sized_page, "5, 9", "moeizaam", "ja", "Ede")
    assert violations(sized_page) == []
    sign_in(sized_page, "beheerder")
    for path in ("/beheer/loketten", "/beheer/loketten/profiel?gemeente=Ede"):
        sized_page.goto(path)
        assert violations(sized_page) == []
    sized_page.fill("#profiel-phone", "geen nummer")
    with sized_page.expect_navigation():
        sized_page.click("form.profile-form button[type=submit]")
    assert sized_page.title().startswith("Fout:")
    assert violations(sized_page) == []


def test_snel_weg_by_escape_leaves_no_way_back(sized_page: Page) -> None:
    sized_page.goto("/ouders")
    sized_page.goto("/wegwijzer")
    sized_page.fill("#wegwijzer-leeftijden", "7")
    with sized_page.expect_navigation():
        sized_page.keyboard.press("Escape")
    assert sized_page.url == QUICK_EXIT_URL
    sized_page.go_back()
    assert sized_page.url.endswith("/ouders")  # the guide was replaced, not left behind


def test_snel_weg_by_its_link(sized_page: Page) -> None:
    sized_page.goto("/hulp-in-de-buurt")
    sized_page.goto("/ouders/kinderen")
    exit_link = sized_page.locator("a[data-quick-exit]")
    assert exit_link.is_visible()
    box = exit_link.bounding_box()
    assert box is not None and box["y"] < 60  # at the top, where one looks first
    with sized_page.expect_navigation():
        exit_link.click()
    assert sized_page.url == QUICK_EXIT_URL
    sized_page.go_back()
    assert sized_page.url.endswith("/hulp-in-de-buurt")


def test_guide_result_prints_the_help_without_controls(sized_page: Page) -> None:
    fill_guide(sized_page, "5", "rustig", "nee", "Rotterdam")
    assert sized_page.locator("button[data-print]").is_visible()  # desk.js shows it
    sized_page.emulate_media(media="print")
    assert sized_page.locator(".help-card").first.is_visible()
    assert sized_page.locator(".answer-list").is_visible()
    for hidden in ("a[data-quick-exit]", ".choice--box", "button[data-print]", ".site-nav"):
        assert not sized_page.locator(hidden).first.is_visible(), hidden
