"""An entry's history on its page, opened, in a real browser: axe-core finds no violation, and
the changes table is reached without JavaScript's help (a `details` element)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from playwright.sync_api import Browser

from tests.browser.axe import violations, with_axe
from tests.browser.live import desktop_context, running_app
from tests.helpers import FIXTURE_CONTENT, SEARCH


def test_an_opened_history_has_no_wcag_violations(browser: Browser, tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, content)
    data = tmp_path / "data"
    data.mkdir()
    with running_app(data, content_dir=content) as url:
        alpha = content / "interventions" / "alpha-groep.md"
        alpha.write_text(
            alpha.read_text(encoding="utf-8").replace("status: actief", "status: gestopt"),
            encoding="utf-8",
        )
        env = {k: v for k, v in os.environ.items() if not k.startswith("KB_")}
        env |= {"KB_DATA_DIR": str(data), "KB_CONTENT_DIR": str(content)}
        env |= {"KB_SEARCH_DIR": str(SEARCH), "KB_DEMO": "1"}
        subprocess.run(
            [sys.executable, "-m", "kb.cli", "index"], env=env, cwd=data, check=True, timeout=120
        )
        context = desktop_context(browser, url)
        try:
            page = context.new_page()
            errors = with_axe(page)
            page.goto("/interventies/alpha-groep#geschiedenis")
            page.click("#geschiedenis details summary")
            assert page.locator("#geschiedenis table.history-changes").is_visible()
            assert violations(page) == []
            assert errors == []
        finally:
            context.close()
