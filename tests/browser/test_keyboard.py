"""Keyboard only: search, filters, the guide and the comparison work without a mouse."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from playwright.sync_api import Page

MAX_TABS = 150


def tab_to(page: Page, selector: str) -> None:
    """Press Tab until `selector` has focus, and check that the focus can be seen."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
            assert outline != "none", f"{selector} has focus but no visible focus ring"
            return
    raise AssertionError(f"Tab never reached {selector}")


def query(page: Page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def test_search_with_the_keyboard(page: Page) -> None:
    page.goto("/interventies")
    tab_to(page, "#zoekterm")
    page.keyboard.type("omgang")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert query(page)["q"] == ["omgang"]
    assert "resulta" in page.locator("#resultaten-kop").inner_text()
    assert page.locator(".result").count() > 0


def test_apply_a_filter_with_the_keyboard(page: Page) -> None:
    page.goto("/interventies")
    tab_to(page, "#filter-kind")
    page.keyboard.press("ArrowDown")  # from "Alle soorten" to the first kind
    chosen = page.eval_on_selector("#filter-kind", "s => s.value")
    assert chosen
    tab_to(page, ".filter-form button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert query(page)["kind"] == [chosen]
    assert page.locator(".active-filters .chip").count() == 1


def fill_guide_with_keys(page: Page, ages: str, talk_steps: int, safety_steps: int) -> None:
    """Type the ages; in each radio group, Space picks the first answer, arrows move on."""
    page.goto("/wegwijzer")
    tab_to(page, "#wegwijzer-leeftijden")
    page.keyboard.type(ages)
    for steps in (talk_steps, safety_steps):
        page.keyboard.press("Tab")
        page.keyboard.press("Space")
        for _ in range(steps):
            page.keyboard.press("ArrowDown")
    tab_to(page, "form.guide-form button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("h1").inner_text() == "Uitkomst van de wegwijzer"


def test_guide_with_the_keyboard(page: Page) -> None:
    fill_guide_with_keys(page, "5", talk_steps=0, safety_steps=0)
    answers = page.locator(".answers").inner_text()
    assert "5 jaar" in answers and "Meestal rustig" in answers
    assert page.locator(".safety-first").count() == 0
    assert page.locator("ol.help-list > li").count() > 0


def test_unsafe_guide_with_the_keyboard_shows_veilig_thuis_first(page: Page) -> None:
    fill_guide_with_keys(page, "5, 9", talk_steps=1, safety_steps=2)
    assert "Ja" in page.locator(".answers").inner_text()
    first = page.locator("main h1 + *")
    assert "safety-first" in (first.get_attribute("class") or "")
    assert "0800-2000" in first.inner_text()


def test_choose_and_compare_with_the_keyboard(page: Page) -> None:
    page.goto("/vergelijken")
    for slug in ("kies", "dappere-dinos"):
        tab_to(page, f"#vergelijken-{slug}")
        page.keyboard.press("Space")
    tab_to(page, "form.choose-form button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert query(page)["slug"] == ["dappere-dinos", "kies"] or query(page)["slug"] == [
        "kies",
        "dappere-dinos",
    ]
    headers = page.locator("table.compare thead th").all_inner_texts()
    assert headers[1:] == ["Dappere Dino's", "KIES"]


def test_choose_from_the_guide_result_with_the_keyboard(page: Page) -> None:
    fill_guide_with_keys(page, "8", talk_steps=0, safety_steps=0)
    boxes = page.locator("input[name=slug]")
    assert boxes.count() >= 2
    for index in (0, 1):
        box_id = boxes.nth(index).get_attribute("id")
        tab_to(page, f"#{box_id}")
        page.keyboard.press("Space")
    tab_to(page, ".choose-actions button:not([formaction])")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert urlsplit(page.url).path == "/vergelijken"
    assert page.locator("table.compare thead th").count() == 3
