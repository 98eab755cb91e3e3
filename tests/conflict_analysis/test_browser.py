"""analysis.js in Debian's Chromium: the live preview, input that survives a reload, autosave,
and no WCAG 2.1 AA violation on the analysis pages (axe-core).

Playwright's sync API allows one instance per thread, and `tests/browser` keeps its own open for
the whole session; so this module drives its Chromium from a thread of its own.
"""

from __future__ import annotations

import json
import re
import urllib.request
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from kb.auth.startup import DEMO_PASSWORD
from tests.browser.axe import violations, with_axe
from tests.browser.live import desktop_context, launch_chromium
from tests.conflict_analysis.helpers import API
from tests.factories import another_case, realistic_case

InBrowser = Callable[[Callable[[Page], None]], None]


def _call(url: str, body: Any = None, token: str | None = None) -> dict[str, Any]:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers=headers)
    with urllib.request.urlopen(request, timeout=30) as response:
        return dict(json.load(response))


def _token(live_url: str) -> str:
    credentials = {"username": "onderzoeker", "password": DEMO_PASSWORD}
    return str(_call(f"{live_url}/api/v1/auth/token", credentials)["token"])


@pytest.fixture(scope="module")
def in_browser(chromium: Path, live_url: str) -> Iterator[InBrowser]:
    """Run steps in a fresh tab of a Chromium owned by one worker thread, signed in as the demo
    investigator, with axe-core loaded; fails on any console error (a CSP violation is one)."""
    worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="chromium")
    playwright = worker.submit(lambda: sync_playwright().start()).result()
    browser = worker.submit(launch_chromium, playwright).result()

    def tab(steps: Callable[[Page], None]) -> None:
        context = desktop_context(browser, live_url)
        page = context.new_page()
        errors = with_axe(page)
        try:
            page.goto("/aanmelden")
            page.fill("#aanmelden-username", "onderzoeker")
            page.fill("#aanmelden-password", DEMO_PASSWORD)
            with page.expect_navigation():
                page.click("form button[type=submit]")
            steps(page)
        finally:
            context.close()
        assert errors == []

    yield lambda steps: worker.submit(tab, steps).result()
    worker.submit(browser.close).result()
    worker.submit(playwright.stop).result()
    worker.shutdown()


@pytest.fixture()
def draft(live_url: str) -> dict[str, Any]:
    """A draft of the demo investigator, made through the API."""
    return _call(f"{live_url}{API}", another_case(realistic_case()), _token(live_url))


def test_the_analysis_pages_have_no_wcag_violations(
    in_browser: InBrowser, draft: dict[str, Any]
) -> None:
    def steps(page: Page) -> None:
        for path in (
            "/analyses",
            "/analyses/nieuw",
            f"/analyses/{draft['id']}",
            f"/analyses/{draft['id']}/bewerken",
            f"/analyses/{draft['id']}/rapport",
        ):
            page.goto(path)
            assert violations(page) == [], path
        # The form with its error summary, which takes the focus.
        page.goto("/analyses/nieuw")
        with page.expect_navigation():
            page.click(".analysis-buttons button[value=opslaan]")
        expect(page.locator(".error-summary")).to_be_focused()
        assert violations(page) == []

    in_browser(steps)


def test_the_advice_follows_the_form_as_it_is_filled(
    in_browser: InBrowser, draft: dict[str, Any]
) -> None:
    def steps(page: Page) -> None:
        page.goto(f"/analyses/{draft['id']}/bewerken")
        expect(page.locator("#advies-voorbeeld")).to_contain_text("Zorgen over de veiligheid")
        page.check("#f-safety-acute_danger-ja")
        expect(page.locator("#advies-voorbeeld")).to_contain_text("Acuut onveilig")
        expect(page.locator("#advies-status")).to_have_text(
            re.compile("Veiligheid: acuut onveilig")
        )
        # Half a form: the safety gate first, the rest once the form is complete.
        page.fill("#f-case-case_number", "")
        expect(page.locator("#advies-voorbeeld")).to_contain_text("zodra het formulier volledig")

    in_browser(steps)


def test_unsaved_input_survives_a_reload(in_browser: InBrowser, draft: dict[str, Any]) -> None:
    def steps(page: Page) -> None:
        page.goto(f"/analyses/{draft['id']}/bewerken")
        expect(page.locator("#herstel")).to_be_hidden()
        page.fill("#f-assessment-summary", "Nog niet opgeslagen tekst")
        page.check("#f-children-0-wants_representation-ja")
        page.wait_for_timeout(600)  # the copy is written 300 ms after typing stops
        page.reload()
        summary = page.locator("#f-assessment-summary")
        expect(summary).not_to_have_value("Nog niet opgeslagen tekst")
        expect(page.locator("#herstel")).to_be_visible()
        page.click("#herstel-terugzetten")
        expect(summary).to_have_value("Nog niet opgeslagen tekst")
        expect(page.locator("#f-children-0-wants_representation-ja")).to_be_checked()
        expect(page.locator("#herstel")).to_be_hidden()

    in_browser(steps)


def test_autosave_saves_the_draft_with_its_etag(
    in_browser: InBrowser, draft: dict[str, Any], live_url: str
) -> None:
    def steps(page: Page) -> None:
        page.clock.install()
        page.goto(f"/analyses/{draft['id']}/bewerken")
        page.fill("#f-assessment-summary", "Automatisch opgeslagen in de browser")
        page.clock.run_for(21_000)
        expect(page.locator("#opslaan-status")).to_contain_text("Automatisch opgeslagen op")
        expect(page.locator('input[name="etag"]')).to_have_value('"1-2"')
        # The explicit save that follows uses the new ETag: no conflict with its own autosave.
        with page.expect_navigation():
            page.click(".analysis-buttons button[value=opslaan]")
        expect(page.locator(".notice[role=status]")).to_contain_text("Opgeslagen op")

    in_browser(steps)
    stored = _call(f"{live_url}{API}/{draft['id']}", token=_token(live_url))
    assert stored["body"]["assessment"]["summary"] == "Automatisch opgeslagen in de browser"
