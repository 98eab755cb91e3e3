"""The parents' and desk pages as HTML: plain language, safety first, forms that answer bad input."""

from __future__ import annotations

import io
import logging
from collections.abc import Mapping
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from bs4 import BeautifulSoup, Tag
from litestar import Litestar
from litestar.testing import TestClient
from pypdf import PdfReader

from kb.interventions.schemas import Entry
from kb.search.base import SearchBackend
from kb.vocabulary import ROUTE_FOR_PARENTS
from tests.helpers import assert_no_inline_code

Client = TestClient[Litestar]
UNSAFE = {"dwingende_controle", "acute_onveiligheid"}
THREE = ["ouderschap-blijft", "scheidingsloket-rotterdam", "ouderschapsbemiddeling"]

PAGES = [
    "/ouders",
    "/ouders/scheiden",
    "/ouders/kinderen",
    "/ouders/ouderschapsplan",
    "/hulp-in-de-buurt",
    "/hulp-in-de-buurt?gemeente=Rotterdam",
    "/hulp-in-de-buurt?provincie=Zeeland",
    "/wegwijzer",
    "/vergelijken",
    "/vergelijken?slug=kies&slug=dappere-dinos",
    "/folder",
    "/folder?" + "&".join(f"slug={s}" for s in THREE),
    "/toegankelijkheid",
]


def soup(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


def text(tag: Tag | None) -> str:
    assert tag is not None
    return " ".join(tag.get_text(" ", strip=True).split())


def get(client: Client, url: str, status: int = 200) -> BeautifulSoup:
    response = client.get(url, headers={"Accept": "text/html"})
    assert response.status_code == status, response.text[:500]
    assert response.headers["content-type"].startswith("text/html")
    return soup(response.text)


def guide(client: Client, expect: int = 200, **fields: str) -> BeautifulSoup:
    response = client.post("/wegwijzer", data=fields)
    assert response.status_code == expect, response.text[:500]
    assert response.headers["cache-control"] == "no-store"
    assert "set-cookie" not in response.headers, "the guide must not set a cookie"
    return soup(response.text)


def assert_labelled(page: BeautifulSoup) -> None:
    controls = [
        c
        for c in page.find_all(["input", "select", "textarea"])
        if c.get("type") not in {"hidden", "submit", "button"}
    ]
    for control in controls:
        assert page.find("label", attrs={"for": str(control.get("id"))}), control


def assert_summary_links_to_fields(page: BeautifulSoup) -> list[str]:
    """The error summary comes first after the heading and links to elements that exist."""
    summary = page.select_one(".error-summary")
    assert summary is not None
    assert summary.get("role") == "alert"
    targets = [str(a["href"]).removeprefix("#") for a in summary.select("a")]
    assert targets
    for target in targets:
        assert page.find(id=target) is not None, target
    assert page.title is not None and page.title.get_text().startswith("Fout: ")
    return targets


# --- Every page -------------------------------------------------------------------------------


@pytest.mark.parametrize("url", PAGES)
def test_page_is_dutch_labelled_and_free_of_inline_code(client: Client, url: str) -> None:
    page = get(client, url)
    assert page.html is not None and page.html.get("lang") == "nl"
    assert len(page.find_all("h1")) == 1
    assert page.find("main") is not None
    assert_no_inline_code(page)
    assert_labelled(page)


@pytest.mark.parametrize("url", PAGES)
def test_links_to_entries_resolve(client: Client, url: str) -> None:
    page = get(client, url)
    entries = {urlsplit(str(a["href"])).path for a in page.select("main a[href^='/interventies/']")}
    for path in entries:
        assert client.get(path).status_code == 200, path


@pytest.mark.parametrize(
    "url",
    ["/ouders", "/ouders/scheiden", "/ouders/kinderen", "/ouders/ouderschapsplan", "/wegwijzer"],
)
def test_veilig_thuis_comes_before_the_first_section(client: Client, url: str) -> None:
    main = get(client, url).find("main")
    assert isinstance(main, Tag)
    safety = main.select_one(".safety-box, .safety-line")
    assert safety is not None and "0800-2000" in text(safety)
    first_h2 = main.find("h2")
    assert first_h2 is not None
    assert safety in first_h2.find_all_previous() or first_h2 in safety.find_all()


def test_children_page_explains_how_a_child_is_heard(client: Client) -> None:
    body = text(get(client, "/ouders/kinderen").find("main"))
    for fact in (
        "12 jaar of ouder",
        "10 tot 15 minuten",
        "vanaf 8 jaar",
        "brief",
        "steunfiguur",
        "bijzondere curator",
    ):
        assert fact in body, fact


def test_parenting_plan_page_warns_against_mediation_when_unsafe(client: Client) -> None:
    body = text(get(client, "/ouders/ouderschapsplan").find("main"))
    assert "1 maart 2009" in body
    assert "niet veilig" in body and "Veilig Thuis" in body


# --- Local help -------------------------------------------------------------------------------


def test_local_help_shows_the_plain_summary_cost_and_route(
    client: Client, kb_items: Mapping[str, Entry]
) -> None:
    page = get(client, "/hulp-in-de-buurt?gemeente=Rotterdam")
    card = page.find(id="lokaal-scheidingsloket-rotterdam")
    assert isinstance(card, Tag)
    article = card.find_parent("article")
    loket = kb_items["scheidingsloket-rotterdam"]
    assert loket.summary_b1 and " ".join(loket.summary_b1.split()) in text(article)
    assert " ".join(loket.summary.split()) not in text(article)
    assert "Kosten: gratis" in text(article).replace("Kosten gratis", "Kosten: gratis")
    assert ROUTE_FOR_PARENTS["vrij_toegankelijk"] in text(article)
    assert "Overal in Nederland" in text(page.find("main"))


def test_local_help_for_a_place_without_help_says_what_to_do(client: Client) -> None:
    main = get(client, "/hulp-in-de-buurt?gemeente=Urk").find("main")
    assert "Vraag het wijkteam" in text(main)


@pytest.mark.parametrize(
    ("typed", "suggested"),
    [
        pytest.param("Utreht", "Utrecht", id="typo"),
        pytest.param("Midelburg", "Middelburg", id="typo-zeeland"),
    ],
)
def test_local_help_asks_which_municipality_was_meant(
    client: Client, typed: str, suggested: str
) -> None:
    page = get(client, f"/hulp-in-de-buurt?gemeente={typed}", status=422)
    assert f"Bedoelde u {suggested}" in text(page.find("main"))


@pytest.mark.parametrize(
    "query",
    [
        "gemeente=R2D2",
        "gemeente=Rotterdam&provincie=Zeeland",
        "provincie=Atlantis",
        "arrondissement=Mars",
        "gemeente=" + "x" * 500,
    ],
)
def test_local_help_answers_bad_input_with_the_form(client: Client, query: str) -> None:
    page = get(client, f"/hulp-in-de-buurt?{query}", status=422)
    assert_summary_links_to_fields(page)
    assert page.select_one("form.place-form") is not None


# --- The guide --------------------------------------------------------------------------------


def test_guide_form_posts_and_keeps_answers_out_of_the_address(client: Client) -> None:
    response = client.get("/wegwijzer")
    assert response.headers["cache-control"] == "no-store"
    assert "set-cookie" not in response.headers
    form = soup(response.text).select_one("form.guide-form")
    assert form is not None
    assert form["method"] == "post" and form["action"] == "/wegwijzer"
    assert form.get("autocomplete") == "off"


def result_slugs(page: BeautifulSoup) -> list[str]:
    return [str(box["value"]) for box in page.select("input[name=slug]")]


def test_guide_for_a_five_year_old_and_a_calm_separation(
    client: Client, kb_items: Mapping[str, Entry]
) -> None:
    page = guide(client, leeftijden="5", omgang="rustig", veiligheid="nee")
    assert page.select_one(".safety-first") is None
    slugs = result_slugs(page)
    assert slugs
    for slug in slugs:
        item = kb_items[slug]
        assert (item.age_min or 0) <= 5 <= (item.age_max if item.age_max is not None else 99)
        card = text(page.find(id=f"kies-titel-{slug}").find_parent("article"))  # type: ignore[union-attr]
        if item.summary_b1:
            assert " ".join(item.summary_b1.split()) in card
            assert " ".join(item.summary.split()) not in card


@pytest.mark.parametrize("answer", ["twijfel", "ja", "nu_gevaar"])
def test_unsafe_answer_puts_veilig_thuis_first_and_holds_back_joint_help(
    client: Client, kb_items: Mapping[str, Entry], answer: str
) -> None:
    page = guide(client, leeftijden="6, 11", omgang="moeizaam", veiligheid=answer)
    main = page.find("main")
    assert isinstance(main, Tag)
    first = main.find("h1").find_next_sibling()  # type: ignore[union-attr]
    assert isinstance(first, Tag) and "safety-first" in (first.get("class") or [])
    assert "Veilig Thuis" in text(first) and "0800-2000" in text(first)
    assert "dag en nacht" in text(first)
    if answer == "nu_gevaar":
        assert text(first.find("h2")).startswith("Is er nu gevaar? Bel 112")
    assert "mediation" in text(first)
    slugs = result_slugs(page)
    assert slugs
    for slug in slugs:
        assert not UNSAFE & set(kb_items[slug].contraindications), slug


def test_safe_answers_can_get_joint_help_that_unsafe_answers_do_not(
    client: Client, kb_items: Mapping[str, Entry]
) -> None:
    safe = result_slugs(guide(client, leeftijden="8", omgang="moeizaam", veiligheid="nee"))
    assert any(UNSAFE & set(kb_items[s].contraindications) for s in safe)


def test_guide_asks_which_municipality_was_meant(client: Client) -> None:
    page = guide(
        client, expect=422, leeftijden="8", omgang="moeizaam", veiligheid="nee", gemeente="Utreht"
    )
    assert set(assert_summary_links_to_fields(page)) == {"wegwijzer-gemeente"}
    assert "Bedoelde u Utrecht" in text(page.find("main"))


def test_guide_answers_bad_input_with_the_form_and_a_summary(client: Client) -> None:
    page = guide(client, expect=422, leeftijden="vijf", omgang="", veiligheid="misschien")
    targets = assert_summary_links_to_fields(page)
    assert set(targets) == {"wegwijzer-leeftijden", "wegwijzer-omgang", "wegwijzer-veiligheid"}
    field = page.find(id="wegwijzer-leeftijden")
    assert isinstance(field, Tag)
    assert field.get("aria-invalid") == "true" and field.get("value") == "vijf"
    assert "wegwijzer-leeftijden-fout" in str(field.get("aria-describedby"))


@pytest.mark.parametrize(
    "fields",
    [
        {},
        {"leeftijden": "5" * 5000, "omgang": "rustig", "veiligheid": "nee"},
        {"leeftijden": "5", "omgang": "rustig", "veiligheid": "nee", "gemeente": "\u0000"},
        {"leeftijden": "💥", "omgang": "💥", "veiligheid": "💥", "gemeente": "💥"},
        {"leeftijden": "5", "omgang": "rustig", "veiligheid": "nee", "extra": "x"},
    ],
)
def test_guide_never_fails_on_odd_input(client: Client, fields: dict[str, str]) -> None:
    response = client.post("/wegwijzer", data=fields)
    assert response.status_code in {200, 422}


def test_changing_the_answers_fills_the_form_in_again(client: Client) -> None:
    page = guide(client, leeftijden="5, 9", omgang="moeizaam", veiligheid="ja", gemeente="Delft")
    hidden = {str(i["name"]): str(i["value"]) for i in page.select(".inline-form input")}
    form = guide(client, 200, **hidden)
    assert form.select_one("form.guide-form") is not None
    assert form.find(id="wegwijzer-leeftijden").get("value") == "5, 9"  # type: ignore[union-attr]
    assert form.find(id="wegwijzer-omgang-moeizaam").has_attr("checked")  # type: ignore[union-attr]
    assert form.find(id="wegwijzer-veiligheid-ja").has_attr("checked")  # type: ignore[union-attr]


def test_guide_result_offers_comparison_and_handout(client: Client) -> None:
    page = guide(client, leeftijden="8", omgang="rustig", veiligheid="nee")
    form = page.select_one("form.choose-form")
    assert form is not None and form["method"] == "get" and form["action"] == "/vergelijken"
    assert [b.get("formaction") for b in form.select("button")] == [None, "/folder"]


# --- Comparison -------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [2, 3, 4])
def test_compare_puts_two_to_four_entries_side_by_side(client: Client, count: int) -> None:
    slugs = ["kies", "dappere-dinos", "kinderen-uit-de-knel", "scheidingsloket-rotterdam"][:count]
    page = get(client, "/vergelijken?" + "&".join(f"slug={s}" for s in slugs))
    table = page.select_one("table.compare")
    assert table is not None
    assert len(table.select("thead th[scope=col]")) == count + 1
    rows = [text(th) for th in table.select("tbody th[scope=row]")]
    for row in (
        "Bewijs dat het werkt",
        "Voor wie",
        "Leeftijd van het kind",
        "Vorm",
        "Bijeenkomsten",
        "Hoe komt u eraan?",
        "Kosten",
        "Waar te krijgen",
    ):
        assert row in rows
    region = page.select_one(".compare-wrap")
    assert region is not None and region.get("tabindex") == "0"


@pytest.mark.parametrize(
    "query",
    [
        "slug=kies",
        "slug=kies&slug=kies",
        "slug=a&slug=b&slug=c&slug=d&slug=e",
        "slug=kies&slug=bestaat-niet",
        "slug=kies&slug=..%2F..%2Fetc",
        "slug=" + "k" * 300 + "&slug=kies",
    ],
)
def test_compare_answers_bad_input_with_the_form(client: Client, query: str) -> None:
    page = get(client, f"/vergelijken?{query}", status=422)
    assert_summary_links_to_fields(page)
    assert page.select_one("form.choose-form") is not None


# --- Handout ----------------------------------------------------------------------------------


def test_handout_page_has_the_entries_routes_and_veilig_thuis(
    client: Client, kb_items: Mapping[str, Entry]
) -> None:
    page = get(client, "/folder?" + "&".join(f"slug={s}" for s in THREE))
    handout = text(page.select_one("article.handout"))
    for slug in THREE:
        assert kb_items[slug].title in handout
        for route in kb_items[slug].route:  # in a parent's words (how_to_get)
            assert ROUTE_FOR_PARENTS[route] in handout
    assert "Veilig Thuis" in handout and "0800-2000" in handout
    pdf_link = page.select_one("a[href^='/folder.pdf?']")
    assert pdf_link is not None


def pdf_text(client: Client, slugs: list[str]) -> tuple[str, int]:
    response = client.get("/folder.pdf?" + "&".join(f"slug={s}" for s in slugs))
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    return " ".join("\n".join(p.extract_text() for p in reader.pages).split()), len(reader.pages)


def test_handout_pdf_holds_titles_routes_and_veilig_thuis(
    client: Client, kb_items: Mapping[str, Entry]
) -> None:
    content, pages = pdf_text(client, THREE)
    assert pages == 1
    for slug in THREE:
        item = kb_items[slug]
        assert item.title in content
        assert item.route
        for route in item.route:
            assert ROUTE_FOR_PARENTS[route] in content
    assert "Veilig Thuis" in content and "0800-2000" in content and "112" in content


def test_handout_pdf_of_four_long_entries_still_fits_one_page(client: Client) -> None:
    longest = [
        "ouderschap-blijft",
        "kenniscentrum-kind-en-scheiding-haaglanden",
        "kinderen-uit-de-knel",
        "scheidingsspreekuur-hollands-kroon",
    ]
    _, pages = pdf_text(client, longest)
    assert pages == 1


@pytest.mark.parametrize("query", ["", "slug=bestaat-niet", "slug=a&slug=b&slug=c&slug=d&slug=e"])
def test_handout_pdf_answers_bad_input_with_the_html_form(client: Client, query: str) -> None:
    response = client.get(f"/folder.pdf?{query}")
    assert response.headers["content-type"].startswith("text/html")
    assert response.status_code == (200 if not query else 422)
    assert soup(response.text).select_one("form.choose-form") is not None


# --- Accessibility statement ------------------------------------------------------------------


def test_accessibility_statement_says_what_was_tested_and_what_is_not_known(
    client: Client,
) -> None:
    body = text(get(client, "/toegankelijkheid").find("main"))
    for fact in ("WCAG", "2.1", "axe-core", "Chromium", "toetsenbord", "deskundige", "PDF"):
        assert fact in body, fact


def test_the_guide_stores_and_logs_nothing(
    client: Client, prepared: tuple[sa.Engine, SearchBackend], caplog: pytest.LogCaptureFixture
) -> None:
    """No row in any table changes, and no log line holds an answer."""
    engine = prepared[0]

    def counts() -> dict[str, int]:
        with engine.connect() as connection:
            return {
                name: connection.execute(sa.text(f'SELECT count(*) FROM "{name}"')).scalar_one()
                for name in sa.inspect(connection).get_table_names()
            }

    before = counts()
    with caplog.at_level(logging.DEBUG):
        guide(
            client,
            leeftijden="7, 13",
            omgang="geen_contact",
            veiligheid="ja",
            gemeente="Zwijndrecht",
        )
    assert counts() == before
    assert "Zwijndrecht" not in caplog.text and "7, 13" not in caplog.text


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        pytest.param(
            b"leeftijden=5&leeftijden=6&omgang=rustig&veiligheid=nee",
            "application/x-www-form-urlencoded",
            200,
            id="repeated-field-takes-the-first",
        ),
        pytest.param(b'{"leeftijden": 5}', "application/json", 422, id="json"),
        pytest.param(b"\xff\xfe=%%%", "application/x-www-form-urlencoded", 422, id="garbage"),
    ],
)
def test_guide_answers_odd_bodies_with_the_form_or_a_result(
    client: Client, body: bytes, content_type: str, status: int
) -> None:
    response = client.post("/wegwijzer", content=body, headers={"content-type": content_type})
    assert response.status_code == status
    page = soup(response.text)
    assert page.select_one("form.guide-form" if status == 422 else ".answers") is not None
