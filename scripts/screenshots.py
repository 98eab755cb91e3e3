"""Full-page screenshots of the parents' pages, taken in Debian's Chromium from the real app.

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots] [--width 1280]
    .venv/bin/python scripts/screenshots.py --phone      # 375 px wide, into docs/screenshots/phone

Starts the app on a free port of 127.0.0.1 with a temporary data dir (the same way the browser
tests do), takes the parents' home page, a guide result and a comparison, and prints the paths.
Then it has the demo accounts write, re-assess and approve a realistic (invented) analysis
through the API, and renders the first two pages of the judge's report PDF to PNG (PDFium).
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
from collections.abc import Callable
import tempfile
import urllib.request
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import pypdfium2 as pdfium  # noqa: E402
from playwright.sync_api import Page, sync_playwright  # noqa: E402
from tests.browser.live import launch_chromium, running_app  # noqa: E402
from tests.factories import realistic_case  # noqa: E402

from kb.auth.startup import DEMO_PASSWORD  # noqa: E402

COMPARE = "/vergelijken?slug=kies&slug=dappere-dinos&slug=kinderen-uit-de-knel"


def _guide_result(page: Page) -> None:
    """A parent of a 5- and a 9-year-old in Rotterdam, who talks calmly with the other parent."""
    page.goto("/wegwijzer")
    page.fill("#wegwijzer-leeftijden", "5, 9")
    page.check("#wegwijzer-omgang-rustig")
    page.check("#wegwijzer-veiligheid-nee")
    page.fill("#wegwijzer-gemeente", "Rotterdam")
    with page.expect_navigation():
        page.click("form.guide-form button[type=submit]")


def _unsafe_guide_result(page: Page) -> None:
    page.goto("/wegwijzer")
    page.fill("#wegwijzer-leeftijden", "5, 9")
    page.check("#wegwijzer-omgang-moeizaam")
    page.check("#wegwijzer-veiligheid-ja")
    with page.expect_navigation():
        page.click("form.guide-form button[type=submit]")


def _desk_handout(page: Page) -> None:
    """A desk worker's handout, with the desk's profile filled in by the beheerder first."""
    _sign_in(page, "beheerder")
    page.goto("/beheer/loketten/profiel?gemeente=Amsterdam")
    page.fill("#profiel-name", "Scheidingsloket Amsterdam (voorbeeld)")
    page.fill("#profiel-address", "Voorbeeldstraat 1, Amsterdam")
    page.fill("#profiel-opening_hours", "woensdag en vrijdag 9.00 tot 12.00 uur, zonder afspraak")
    page.fill("#profiel-phone", "020-000 00 00")
    page.fill("#profiel-notes", "Voorbeeldgegevens voor deze schermafbeelding.")
    with page.expect_navigation():
        page.click("form.profile-form button[type=submit]")
    page.context.clear_cookies()
    _sign_in(page, "loket")
    page.goto("/folder?slug=dappere-dinos&slug=kinderen-uit-de-knel&slug=kindertelefoon")


def _sign_in(page: Page, username: str) -> None:
    page.goto("/aanmelden")
    page.fill("#aanmelden-username", username)
    page.fill("#aanmelden-password", "kennisbank-demo")
    with page.expect_navigation():
        page.click("form.panel button[type=submit]")


def _work_list(page: Page) -> None:
    """The demo behavioural expert's work list: the invented case awaiting approval."""
    page.context.clear_cookies()
    _sign_in(page, "gedragsdeskundige")
    page.goto("/werk")


def _form_with_advice(page: Page) -> str:
    """The demo investigator's draft, halfway down, with the sticky advice panel (JavaScript)."""
    page.context.clear_cookies()
    _sign_in(page, "onderzoeker")
    page.goto("/werk")
    with page.expect_navigation():
        page.click("text=DEMO-2026-001")
    page.wait_for_selector("#advies-paneel:not([hidden])")
    page.locator("#conflict-kop, fieldset").nth(2).scroll_into_view_if_needed()
    return "viewport"  # the panel sticks to the window's bottom: a full page would not show it


SHOTS = {
    "zoeken-omgangsregeling.png": lambda page: page.goto("/interventies?q=omgangsregeling"),
    "zoeken-huiselijk-geweld.png": lambda page: page.goto(
        "/interventies?q=huiselijk+geweld+scheiding"
    ),
    "interventie-kinderen-uit-de-knel.png": lambda page: page.goto(
        "/interventies/kinderen-uit-de-knel"
    ),
    "home.png": lambda page: page.goto("/"),
    "ouders.png": lambda page: page.goto("/ouders"),
    "parents-en.png": lambda page: page.goto("/en/ouders"),
    "wegwijzer.png": lambda page: page.goto("/wegwijzer"),
    "wegwijzer-uitslag.png": _guide_result,
    "wegwijzer-uitslag-onveilig.png": _unsafe_guide_result,
    "vergelijken.png": lambda page: page.goto(COMPARE),
    "hulp-in-de-buurt.png": lambda page: page.goto("/hulp-in-de-buurt?gemeente=Ede"),
    "folder-loket.png": _desk_handout,
    "werklijst-gedragsdeskundige.png": _work_list,
    "analyse-formulier-advies.png": _form_with_advice,
}

# Pages read mostly on a phone: taken only with --phone.
PHONE_SHOTS = {
    "jongeren-8-11-praten-met-de-rechter.png": lambda page: page.goto(
        "/jongeren/8-11/praten-met-de-rechter"
    ),
    "jongeren-12-18-bijzondere-curator.png": lambda page: page.goto(
        "/jongeren/12-18/bijzondere-curator"
    ),
}


def _take(page: Page, shots: dict[str, Callable[[Page], object]], out: Path) -> None:
    """Each page in full, unless its visit answers "viewport" (what the window shows)."""
    for name, visit in shots.items():
        whole = visit(page) != "viewport"
        path = out / name
        page.screenshot(path=str(path), full_page=whole)
        print(path.relative_to(REPO) if path.is_relative_to(REPO) else path)


ANALYSES = "/api/v1/conflict-analyses"
PDF_PAGES = {1: "rapport-pdf-pagina-1.png", 2: "rapport-pdf-pagina-2.png"}


def _api(
    url: str, method: str = "GET", body: Any = None, token: str = "", etag: str = ""
) -> tuple[bytes, dict[str, str]]:
    headers = {"Content-Type": "application/json"} | ({"If-Match": etag} if etag else {})
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers=headers, method=method)
    with urllib.request.urlopen(request, timeout=60) as response:
        return response.read(), dict(response.headers)


def _token(url: str, username: str) -> str:
    body, _ = _api(
        f"{url}/api/v1/auth/token", "POST", {"username": username, "password": DEMO_PASSWORD}
    )
    return str(json.loads(body)["token"])


def _report_pdf(url: str) -> bytes:
    """The judge's PDF of a re-assessed analysis: version 2, with what changed since version 1."""
    investigator, expert = _token(url, "onderzoeker"), _token(url, "gedragsdeskundige")
    case = realistic_case()
    # A case number of its own: a demo case with the realistic one may already be open.
    case["case"]["case_number"] = "C/13/750001 / FA RK 26-1001"
    made = json.loads(_api(f"{url}{ANALYSES}", "POST", case, investigator)[0])
    analysis = f"{url}{ANALYSES}/{made['id']}"
    _api(f"{analysis}/submit", "POST", token=investigator)
    _api(f"{analysis}/approve", "POST", token=expert)
    draft = json.loads(_api(f"{analysis}/reassessments", "POST", token=investigator)[0])
    changed = copy.deepcopy(case)
    changed["safety"]["police_involved"] = True
    changed["children"][0]["own_words"] = "Ik wil bij mama blijven wonen, maar papa ook zien."
    _api(analysis, "PUT", changed, investigator, etag=draft["etag"])
    _api(f"{analysis}/submit", "POST", token=investigator)
    _api(f"{analysis}/approve", "POST", token=expert)
    return _api(f"{analysis}/report.pdf", token=_token(url, "rechter"))[0]


def _pdf_pages(pdf: bytes, out: Path) -> list[Path]:
    document = pdfium.PdfDocument(pdf)
    paths = []
    for number, name in PDF_PAGES.items():
        path = out / name
        document[number - 1].render(scale=150 / 72).to_pil().save(path)
        paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "screenshots")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--phone", action="store_true", help="375 px wide, into …/phone")
    args = parser.parse_args(argv)
    if args.phone:
        args.width, args.out = 375, args.out / "phone"
    args.out.mkdir(parents=True, exist_ok=True)
    with (
        tempfile.TemporaryDirectory(prefix="kb-screenshots-") as data_dir,
        # With demo mode's invented cases, for the work list and the analysis form.
        running_app(Path(data_dir), env={"KB_DEMO_CASES": "1"}) as url,
        sync_playwright() as playwright,
    ):
        browser = launch_chromium(playwright)
        context = browser.new_context(
            base_url=url, viewport={"width": args.width, "height": 900}, locale="nl-NL"
        )
        page = context.new_page()
        _take(page, {**SHOTS, **PHONE_SHOTS} if args.phone else SHOTS, args.out)
        browser.close()
        for path in _pdf_pages(_report_pdf(url), args.out):
            print(path.relative_to(REPO) if path.is_relative_to(REPO) else path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
