"""The judge's report in Debian's Chromium: no WCAG 2.1 AA violation (axe-core), on screen and
as printed, for a submitted re-assessment that shows what changed.

Playwright's sync API allows one instance per thread, and `tests/browser` keeps its own open for
the whole session; so this module drives its Chromium from a thread of its own.
"""

from __future__ import annotations

import copy
import json
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, sync_playwright

from kb.auth.startup import DEMO_PASSWORD
from tests.browser.axe import violations, with_axe
from tests.browser.live import desktop_context, launch_chromium
from tests.conflict_analysis.helpers import API
from tests.factories import realistic_case


def _call(url: str, method: str = "GET", body: Any = None, **headers: str) -> dict[str, Any]:
    headers = {"Content-Type": "application/json"} | headers
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers=headers, method=method)
    with urllib.request.urlopen(request, timeout=60) as response:
        return dict(json.load(response))


def _bearer(live_url: str, username: str) -> dict[str, str]:
    credentials = {"username": username, "password": DEMO_PASSWORD}
    token = _call(f"{live_url}/api/v1/auth/token", "POST", credentials)["token"]
    return {"Authorization": f"Bearer {token}"}


def _reassessed(live_url: str) -> int:
    """A re-assessed analysis of the demo investigator, approved twice by the demo expert."""
    investigator = _bearer(live_url, "onderzoeker")
    expert = _bearer(live_url, "gedragsdeskundige")
    case = realistic_case()
    case["case"]["case_number"] = "C/13/750002 / FA RK 26-1002"  # unlike any demo case
    case["safety"] |= {"partner_violence": "vermoeden", "violence_forms": ["dwingende_controle"]}
    made = _call(f"{live_url}{API}", "POST", case, **investigator)
    url = f"{live_url}{API}/{made['id']}"
    _call(f"{url}/submit", "POST", **investigator)
    _call(f"{url}/approve", "POST", **expert)
    draft = _call(f"{url}/reassessments", "POST", **investigator)
    changed = copy.deepcopy(case)
    changed["safety"]["police_involved"] = True
    _call(url, "PUT", changed, **investigator, **{"If-Match": draft["etag"]})
    _call(f"{url}/submit", "POST", **investigator)
    _call(f"{url}/approve", "POST", **expert)
    return int(made["id"])


def _as_judge(live_url: str, steps: Any) -> None:
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        context = desktop_context(browser, live_url)
        page = context.new_page()
        errors = with_axe(page)
        page.goto("/aanmelden")
        page.fill("#aanmelden-username", "rechter")
        page.fill("#aanmelden-password", DEMO_PASSWORD)
        with page.expect_navigation():
            page.click("form button[type=submit]")
        try:
            steps(page)
        finally:
            browser.close()
        assert errors == []


def test_the_report_has_no_wcag_violations_on_screen_or_printed(
    chromium: Path, live_url: str
) -> None:
    analysis = _reassessed(live_url)

    def steps(page: Page) -> None:
        page.goto(f"/analyses/{analysis}/rapport")
        assert page.locator(".report__changes table").count() == 2  # what changed, twice
        assert "vermoeden van dwingende controle" in page.inner_text(".report__first-page")
        assert violations(page) == []
        page.emulate_media(media="print")
        assert violations(page) == []

    with ThreadPoolExecutor(max_workers=1) as worker:
        worker.submit(_as_judge, live_url, steps).result()
