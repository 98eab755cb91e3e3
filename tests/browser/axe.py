"""axe-core and the console in a Chromium tab: shared by the browser tests of every directory.

axe-core comes from the PyPI package axe-playwright-python, which bundles `axe.min.js`: a pinned
dev dependency installs it with the rest, and no npm or network step is needed in CI.
"""

from __future__ import annotations

from typing import Any

from axe_playwright_python.base import AXE_SCRIPT
from playwright.sync_api import ConsoleMessage, Page

WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def with_axe(page: Page) -> list[str]:
    """Load axe-core into every document of this tab; returns the list that collects the
    tab's console errors, for the caller to find empty at the end.

    The Content-Security-Policy (`script-src 'self'`, `style-src 'self'`) reports a blocked
    inline script or style as a console error, so an empty list also proves the pages need
    neither.
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
    return errors


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
