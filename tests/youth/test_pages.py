"""The pages for children and young people as HTML: safety first, a quick exit, nothing kept."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from bs4 import BeautifulSoup, Tag
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import Engine

from kb.interventions.analytics import SearchStats
from kb.interventions.catalogue import Catalogue
from kb.search.base import SearchBackend
from kb.youth.schemas import LEVELS
from kb.youth.service import load_youth_pages
from tests.helpers import CONTENT, assert_no_inline_code

Client = TestClient[Litestar]
LIBRARY = load_youth_pages(CONTENT)
PAGES = [
    "/jongeren",
    *(f"/jongeren/{code}" for code in LEVELS),
    *(f"/jongeren/{code}/hulp" for code in LEVELS),
    *(page.path for page in LIBRARY),
]
SAFETY_NUMBERS = ("112", "0800-0432", "0800-2000")


def get(client: Client, url: str, status: int = 200) -> BeautifulSoup:
    response = client.get(url, headers={"Accept": "text/html"})
    assert response.status_code == status, response.text[:300]
    return BeautifulSoup(response.text, "html.parser")


def words(tag: Tag | None) -> str:
    assert tag is not None
    return " ".join(tag.get_text(" ", strip=True).split())


def test_every_level_has_the_five_topics() -> None:
    for code in LEVELS:
        slugs = [page.slug for page in LIBRARY.level(code)]
        assert slugs == [
            "scheiden-bij-de-rechter",
            "praten-met-de-rechter",
            "bijzondere-curator",
            "de-raad",
            "niet-veilig",
        ], code


@pytest.mark.parametrize("url", PAGES)
def test_safety_numbers_come_before_anything_else(client: Client, url: str) -> None:
    page = get(client, url)
    body = page.body
    assert body is not None
    blocks = [child for child in body.children if isinstance(child, Tag)]
    # The skip link, then the safety bar: before the site header, the menu and the page itself.
    assert blocks[0].name == "a" and "skip-link" in blocks[0]["class"]
    safety = blocks[1]
    assert "youth-safety" in safety["class"]
    for number in SAFETY_NUMBERS:
        assert number in words(safety)
    assert {a["href"] for a in safety.select("a[href^='tel:']")} == {
        "tel:112",
        "tel:08000432",
        "tel:08002000",
    }


@pytest.mark.parametrize("url", PAGES)
def test_every_page_has_a_quick_exit_that_works_without_javascript(
    client: Client, url: str
) -> None:
    page = get(client, url)
    exit_link = page.select_one("a[data-quick-exit]")
    assert exit_link is not None and words(exit_link).startswith("Snel weg")
    # A plain link to a neutral site: it leaves without JavaScript, and sends no Referer.
    assert exit_link["href"].startswith("https://") and "noreferrer" in exit_link["rel"]
    assert page.select_one("script[src='/static/desk.js']") is not None
    assert_no_inline_code(page)


@pytest.mark.parametrize("url", PAGES)
def test_no_cookie_and_no_stored_copy(app: Litestar, url: str) -> None:
    with TestClient(app) as fresh:
        response = fresh.get(url, headers={"Accept": "text/html"})
        assert response.status_code == 200
        assert "set-cookie" not in response.headers
        assert not fresh.cookies
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["referrer-policy"] in {"same-origin", "no-referrer"}


def test_the_quick_exit_script_replaces_the_history_entry() -> None:
    script = (CONTENT.parent / "src/kb/static/desk.js").read_text(encoding="utf-8")
    assert "location.replace" in script and '"Escape"' in script


@pytest.mark.parametrize("page", list(LIBRARY), ids=lambda p: p.path)
def test_every_page_lists_its_sources(client: Client, page) -> None:  # type: ignore[no-untyped-def]
    html = get(client, page.path)
    listed = html.select("#bronnen-kop + p + ol a")
    assert [a["href"] for a in listed] == [str(s.url) for s in page.front.sources]
    if page.front.legal:
        cited = [words(c) for c in html.select(".cites")]
        assert cited and all(cited)


def test_help_lists_only_help_for_the_age(client: Client, kb_catalogue: Catalogue) -> None:
    young = {
        a["href"].rsplit("/", 1)[1]
        for a in get(client, "/jongeren/8-11/hulp").select(".help-card__title a")
    }
    older = {
        a["href"].rsplit("/", 1)[1]
        for a in get(client, "/jongeren/12-18/hulp").select(".help-card__title a")
    }
    # The kindgesprek starts at 12; Villa Pinedo at 10; the Kindertelefoon is for 8 to 18.
    assert "kindgesprek" not in young and "kindgesprek" in older
    assert {"villa-pinedo", "kindertelefoon"} <= young & older
    for slug in young | older:
        entry = kb_catalogue.get(slug)
        assert "kind" in entry.audience and entry.kind not in {"instrument", "richtlijn"}
        assert entry.status in {"actief", "lopend"}


def test_help_shows_the_young_peoples_text_first(client: Client, kb_catalogue: Catalogue) -> None:
    cards = get(client, "/jongeren/12-18/hulp").select(".help-card")
    slugs = [c.select_one("h2 a")["href"].rsplit("/", 1)[1] for c in cards]  # type: ignore[index]
    written = [bool(kb_catalogue.get(s).summary_jongeren) for s in slugs]
    assert written == sorted(written, reverse=True) and written[0]
    villa = cards[slugs.index("villa-pinedo")]
    assert kb_catalogue.get("villa-pinedo").summary_jongeren.split(".")[0] in words(villa)  # type: ignore[union-attr]


def test_visiting_stores_nothing(
    client: Client, prepared: tuple[Engine, SearchBackend], monkeypatch: pytest.MonkeyPatch
) -> None:
    """No row anywhere (sessions, audit, search analytics), and nothing queued for analytics."""
    recorded: list[str] = []
    monkeypatch.setattr(SearchStats, "record", lambda self, q, total: recorded.append(q))
    engine = prepared[0]
    before = _row_counts(engine)
    for url in PAGES:
        get(client, url)
    assert _row_counts(engine) == before
    assert recorded == []


def _row_counts(engine: Engine) -> dict[str, int]:
    tables = sa.inspect(engine).get_table_names()
    with engine.connect() as conn:
        return {
            t: conn.execute(sa.text(f'select count(*) from "{t}"')).scalar_one()
            for t in tables
            if t != "search_query_stats"  # other tests' searches may still be written to it
        }


@pytest.mark.parametrize(
    "url", ["/jongeren/5-7", "/jongeren/5-7/hulp", "/jongeren/8-11/bestaat-niet"]
)
def test_unknown_levels_and_pages_are_404(client: Client, url: str) -> None:
    page = get(client, url, 404)
    assert page.select_one("h1") is not None


def test_the_entry_page_shows_the_young_peoples_summary(
    client: Client, kb_catalogue: Catalogue
) -> None:
    entry = kb_catalogue.get("informele-rechtsingang")
    page = get(client, "/interventies/informele-rechtsingang")
    assert entry.summary_jongeren and " ".join(entry.summary_jongeren.split()) in words(page.main)


def test_the_menu_and_home_page_lead_to_the_section(client: Client) -> None:
    home = get(client, "/")
    assert home.select_one("nav.site-nav a[href='/jongeren']") is not None
