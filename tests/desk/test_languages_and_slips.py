"""Issue 13's smaller items: the parents' pages in English through the Babel catalogue with the
right `lang`, the quick exit, the desk worker's municipality filled in, the home page's links,
the favicon, and the language slips."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from bs4 import BeautifulSoup
from litestar import Litestar
from litestar.testing import TestClient

import kb
from kb.desk.routes import PARENT_PAGES, QUICK_EXIT_URL
from kb.web.i18n import load_catalogues
from tests.desk.test_pages import get, guide, text
from tests.helpers import ClientAs

Client = TestClient[Litestar]
TRANSLATIONS = Path(kb.__file__).parent / "translations"
TEMPLATES = Path(kb.__file__).parent / "templates"


# --- English ----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", list(PARENT_PAGES))
def test_each_parents_page_is_in_english_too(client: Client, path: str) -> None:
    dutch = get(client, path)
    english = get(client, f"/en{path}")
    assert dutch.html["lang"] == "nl" and english.html["lang"] == "en"
    to_english = dutch.select_one(".language-switch a")
    assert to_english["href"] == f"/en{path}" and to_english["hreflang"] == "en"
    assert to_english["lang"] == "en"
    back = english.select_one(".language-switch a")
    assert back["href"] == path and back["lang"] == "nl"
    assert "Dutch only" in text(english.find("main"))  # the knowledge base is not translated


def _outside_dutch_parts(page: BeautifulSoup) -> str:
    main = page.find("main")
    assert main is not None
    for part in main.select("[lang=nl]"):
        part.decompose()
    return text(main)


@pytest.mark.parametrize("path", list(PARENT_PAGES))
def test_no_dutch_sentence_is_left_on_an_english_page(client: Client, path: str) -> None:
    english = _outside_dutch_parts(get(client, f"/en{path}"))
    dutch = get(client, path).find("main")
    assert dutch is not None
    for element in dutch.select("h1, h2, h3, p, li"):
        sentence = text(element)
        if len(sentence) > 25 and not element.select("[lang]"):
            assert sentence not in english, sentence


@pytest.mark.parametrize("path", list(PARENT_PAGES))
def test_english_links_stay_english_or_say_they_lead_to_dutch(client: Client, path: str) -> None:
    main = get(client, f"/en{path}").find("main")
    assert main is not None
    for link in main.select("a[href^='/']"):
        href = str(link["href"])
        if href in PARENT_PAGES:
            assert link.get("hreflang") == "nl" and link.get("lang") == "nl", link
        elif href.startswith("/en/"):
            assert href.removeprefix("/en") in PARENT_PAGES
        else:
            assert link.get("hreflang") == "nl", link


def test_the_catalogue_translates_every_text_the_templates_mark() -> None:
    marked = {
        message
        for _, _, message, _, _ in extract_from_dir(
            TEMPLATES,
            method_map=[("**.html", "jinja2")],
            options_map={"**.html": {"extensions": "jinja2.ext.i18n"}},
        )
    }
    with (TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po").open("rb") as source:
        catalogue = read_po(source)
    translated = {m.id: m.string for m in catalogue if m.id}
    assert marked == set(translated), "run `make translations` and translate what is new"
    assert all(translated.values())
    assert not [m.id for m in catalogue if m.id and m.fuzzy]


def test_catalogues_compile_at_start_and_dutch_needs_none() -> None:
    catalogues = load_catalogues(TRANSLATIONS)
    assert set(catalogues) == {"nl", "en"}
    assert catalogues["en"].gettext("Voor ouders") == "For parents"
    assert catalogues["nl"].gettext("Voor ouders") == "Voor ouders"


def test_other_pages_stay_dutch(client: Client) -> None:
    assert get(client, "/").html["lang"] == "nl"
    assert get(client, "/en/wegwijzer", 404).html["lang"] == "nl"


# --- Snel weg ---------------------------------------------------------------------------------

QUICK_EXIT_PAGES = [*PARENT_PAGES, "/wegwijzer", "/hulp-in-de-buurt", "/en/ouders"]


@pytest.mark.parametrize("path", QUICK_EXIT_PAGES)
def test_quick_exit_is_a_plain_link_to_a_neutral_site(client: Client, path: str) -> None:
    page = get(client, path)
    exits = page.select("a[data-quick-exit]")
    assert len(exits) == 1
    assert exits[0]["href"] == QUICK_EXIT_URL and QUICK_EXIT_URL.startswith("https://")
    assert "noreferrer" in exits[0]["rel"]
    assert page.select_one("script[src='/static/desk.js']") is not None


def test_the_guides_result_has_the_quick_exit_and_a_print_button(client: Client) -> None:
    page = guide(client, leeftijden="5", omgang="rustig", veiligheid="ja")
    assert page.select_one("a[data-quick-exit]") is not None
    button = page.select_one("button[data-print]")
    assert button is not None and button.has_attr("hidden")  # shown by desk.js, where it works
    assert "Printen" in text(page.select_one(".print-hint"))


def test_quick_exit_script_leaves_without_history_and_on_escape() -> None:
    script = (Path(kb.__file__).parent / "static" / "desk.js").read_text()
    assert "location.replace" in script and '"Escape"' in script


# --- The desk worker's municipality -----------------------------------------------------------


def test_a_desk_worker_finds_their_municipality_filled_in(client_as: ClientAs) -> None:
    desk = client_as("loketmedewerker", municipality="Rotterdam")
    form = get(desk, "/wegwijzer")
    assert form.select_one("#wegwijzer-gemeente")["value"] == "Rotterdam"
    local = get(desk, "/hulp-in-de-buurt")
    assert text(local.find("h1")) == "Hulp in Rotterdam"
    assert local.select_one("#plaats-gemeente")["value"] == "Rotterdam"
    chosen = get(desk, "/hulp-in-de-buurt?provincie=Zeeland")
    assert text(chosen.find("h1")) == "Hulp in Zeeland"


def test_nobody_else_gets_a_municipality_filled_in(client_as: ClientAs) -> None:
    for who in (None, "redacteur"):
        client = client_as(who)
        assert get(client, "/wegwijzer").select_one("#wegwijzer-gemeente")["value"] == ""
        assert text(get(client, "/hulp-in-de-buurt").find("h1")) == "Hulp bij u in de buurt"


# --- Home page, favicon, slips ----------------------------------------------------------------


def test_home_page_links_to_the_guide_local_help_and_handout(client: Client) -> None:
    page = get(client, "/")
    hrefs = {a["href"] for a in page.find("main").select("a")}
    assert {"/wegwijzer", "/hulp-in-de-buurt", "/folder", "/ouders", "/en/ouders"} <= hrefs
    lead = text(page.select_one(".lead"))
    assert "hoe u eraan komt" in lead and " je " not in f" {lead} "


def test_the_handout_chooser_speaks_to_u_not_je(client: Client) -> None:
    lead = text(get(client, "/folder").select_one(".lead"))
    assert " je " not in f" {lead} " and "hoe u eraan komt" in lead


def test_the_error_page_names_fields_in_dutch_without_code(client: Client) -> None:
    page = get(client, "/interventies?age=abc", 422)
    item = page.select_one(".error-list li")
    assert text(item) == "Leeftijd kind : Moet een geheel getal zijn."
    assert item.find("code") is None and "age" not in text(item).split()


def test_favicon(client: Client) -> None:
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/x-icon"
    assert response.content[:4] == b"\x00\x00\x01\x00"  # an ICO file's header
    icon = get(client, "/").select_one("link[rel=icon]")
    assert icon is not None and icon["href"] == "/favicon.ico"
