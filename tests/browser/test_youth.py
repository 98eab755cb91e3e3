"""The pages for young people in Debian's Chromium: WCAG 2.1 AA at phone and desktop widths,
readable at 375 px, and a quick exit that leaves without a trace in the tab's history."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, Route

from tests.browser.axe import violations, with_axe

PAGES = [
    pytest.param("/jongeren", id="index"),
    pytest.param("/jongeren/8-11", id="level-8-11"),
    pytest.param("/jongeren/8-11/praten-met-de-rechter", id="page-8-11"),
    pytest.param("/jongeren/12-18/bijzondere-curator", id="page-12-18"),
    pytest.param("/jongeren/12-18/niet-veilig", id="unsafe-12-18"),
    pytest.param("/jongeren/12-18/hulp", id="help-12-18"),
]
WIDTHS = [pytest.param(375, id="phone"), pytest.param(1280, id="desktop")]
NEUTRAL = "https://www.google.nl/"


@pytest.fixture(autouse=True)
def _with_axe(page: Page) -> Iterator[None]:
    errors = with_axe(page)
    yield
    assert errors == []


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("path", PAGES)
def test_no_wcag_violations_and_nothing_wider_than_the_screen(
    page: Page, path: str, width: int
) -> None:
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(path)
    assert violations(page) == []
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at {width}px"


def test_the_safety_bar_is_on_the_first_screen_of_a_phone(page: Page) -> None:
    page.set_viewport_size({"width": 375, "height": 667})
    page.goto("/jongeren/8-11/de-raad")
    box = page.locator(".youth-safety").bounding_box()
    assert box is not None and box["y"] + box["height"] <= 667
    assert page.locator(".quick-exit__link").is_visible()


def _neutral_site(route: Route) -> None:
    # The neutral site stands in for the real one: the test machine has no internet.
    route.fulfill(status=200, content_type="text/html", body="<title>Google</title><p>Zoeken</p>")


@pytest.mark.parametrize("how", ["click", "escape"])
def test_quick_exit_leaves_and_replaces_the_history_entry(page: Page, how: str) -> None:
    page.route(NEUTRAL, _neutral_site)
    page.goto("/jongeren")
    page.goto("/jongeren/12-18/niet-veilig")
    length = page.evaluate("history.length")
    with page.expect_navigation(url=NEUTRAL):
        if how == "click":
            page.click(".quick-exit__link")
        else:
            page.keyboard.press("Escape")
    # Replaced, not added: the page about feeling unsafe is no longer in the tab's history.
    assert page.evaluate("history.length") == length
    page.go_back()
    assert page.url.endswith("/jongeren")
