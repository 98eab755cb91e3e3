"""The HTML pages of the knowledge base: structure, labels, evidence, warnings and no inline code.

Counts (results, facets) are checked on the hand-counted fixture corpus (`corpus_client`); the
real content (`client`) is for what its named entries must show.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, get_args
from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import BeautifulSoup, Tag
from litestar import Litestar
from litestar.testing import TestClient

from kb.interventions.routes import url_with
from kb.interventions.schemas import Entry, Evidence, Rating, SearchItem, SearchPage
from kb.interventions.service import SearchParams
from kb.search.base import FACETS
from kb.vocabulary import (
    AUDIENCES,
    CONTRAINDICATIONS,
    EVIDENCE_EXPLANATIONS,
    FLAG_EXPLANATIONS,
    FLAGS,
    FORMATS,
    KINDS,
    LABELS,
    ROUTES,
    SCHEME_LABELS,
    STATUSES,
)
from kb.web.templating import dutch_date
from tests.helpers import FIXTURE_FACETS, FIXTURE_SLUGS, assert_no_inline_code

Client = TestClient[Litestar]
COUNT = re.compile(r"\((\d+)\)$")


def _soup(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


def _get(client: Client, url: str, status: int = 200) -> BeautifulSoup:
    response = client.get(url, headers={"Accept": "text/html"})
    assert response.status_code == status, response.text[:500]
    assert response.headers["content-type"].startswith("text/html")
    return _soup(response.text)


def _text(tag: Tag | None) -> str:
    assert tag is not None
    return " ".join(tag.get_text(" ", strip=True).split())


def _query(href: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(href).query)


def _labelled(soup: BeautifulSoup, control: Tag) -> bool:
    control_id = control.get("id")
    if control_id and soup.find("label", attrs={"for": control_id}):
        return True
    return control.find_parent("label") is not None


def _form_controls(soup: Tag) -> list[Tag]:
    controls = soup.find_all(["input", "select", "textarea"])
    return [c for c in controls if c.get("type") not in {"hidden", "submit", "button", "reset"}]


def _render(app: Litestar, template: str, **context: Any) -> BeautifulSoup:
    assert app.template_engine is not None
    return _soup(app.template_engine.get_template(template).render(**context))


def _flagged_entry(flag: str, **changes: Any) -> Entry:
    """An entry carrying `flag`: no real entry may, but the page must never hide one."""
    source = "https://example.org/beoordeling"
    data = {
        "slug": "voorbeeld-aanpak",
        "title": "Voorbeeldaanpak",
        "kind": "interventie",
        "status": "actief",
        "summary": "Een aanpak die alleen in deze test bestaat.",
        "ratings": [
            {
                "scheme": "cebc",
                "label": "Concerning Practice",
                "level": 0,
                "source_url": source,
                "flags": [flag],
            }
        ],
        "sources": [{"title": "Beoordeling", "url": source, "accessed": "2026-11-01"}],
        "last_reviewed": "2026-11-01",
        "next_review": "2027-11-01",
        "body_html": "<h2>Doel</h2><p>Alleen voor de test.</p>",
    }
    return Entry.model_validate(data | changes)


def _api(client: Client, url: str) -> Any:
    response = client.get(url)
    assert response.status_code == 200, response.text[:500]
    return response.json()


@pytest.fixture()
def pilot_slug(client: Client) -> str:
    """Any pilot in the real content, so the test follows the content rather than one file."""
    items = _api(client, "/api/v1/interventions?kind=pilot&per_page=1")["items"]
    if not items:
        pytest.skip("de kennisbank bevat geen pilot")
    return str(items[0]["slug"])


# --- Labels ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("group", "codes"),
    [
        pytest.param("kind", KINDS, id="kind"),
        pytest.param("kind_plural", KINDS, id="kind_plural"),
        pytest.param("status", STATUSES, id="status"),
        pytest.param("audience", AUDIENCES, id="audience"),
        pytest.param("format", FORMATS, id="format"),
        pytest.param("route", ROUTES, id="route"),
        pytest.param("contraindication", CONTRAINDICATIONS, id="contraindication"),
        pytest.param("flag", FLAGS, id="flag"),
        pytest.param("facet", FACETS, id="facet"),
        pytest.param("filter", tuple(SearchParams.model_fields), id="filter"),
    ],
)
def test_every_code_has_a_dutch_label(group: str, codes: tuple[str, ...]) -> None:
    assert set(codes) <= set(LABELS[group])


def test_every_level_scheme_and_flag_is_explained() -> None:
    assert set(EVIDENCE_EXPLANATIONS) == set(range(6))
    assert set(FLAG_EXPLANATIONS) == set(FLAGS)
    schemes = get_args(Rating.model_fields["scheme"].annotation)
    assert schemes and set(schemes) <= set(SCHEME_LABELS)
    assert SCHEME_LABELS["nji"] == "NJi Databank Effectieve Jeugdinterventies"
    assert SCHEME_LABELS["blueprints"] == "Blueprints (VS)"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param(dt.date(2026, 11, 29), "29 november 2026", id="date"),
        pytest.param(dt.date(2027, 3, 1), "1 maart 2027", id="no-leading-zero"),
        pytest.param(2015, "2015", id="bare-year"),
        pytest.param(None, "", id="missing"),
    ],
)
def test_dutch_date(value: Any, expected: str) -> None:
    assert dutch_date(value) == expected


@pytest.mark.parametrize(
    ("params", "changes", "expected"),
    [
        pytest.param({}, {}, {}, id="nothing"),
        pytest.param(
            {"q": "knel", "kind": "interventie", "page": 3},
            {"audience": "kind"},
            {"q": ["knel"], "kind": ["interventie"], "audience": ["kind"]},
            id="new-filter-resets-page",
        ),
        pytest.param(
            {"q": "knel", "kind": "interventie"},
            {"kind": None},
            {"q": ["knel"]},
            id="remove-filter",
        ),
        pytest.param(
            {"kind": "pilot", "per_page": 5},
            {"page": 2},
            {"kind": ["pilot"], "per_page": ["5"], "page": ["2"]},
            id="page-kept-with-filters",
        ),
        pytest.param({"q": "omgang"}, {"q": ""}, {}, id="empty-dropped"),
    ],
)
def test_url_with(
    params: dict[str, Any], changes: dict[str, Any], expected: dict[str, Any]
) -> None:
    url = url_with(SearchParams.model_validate(params), **changes)
    assert urlsplit(url).path == "/interventies"
    assert _query(url) == expected


# --- Home -----------------------------------------------------------------------------------


def test_home_has_landmarks_and_a_labelled_search(client: Client) -> None:
    soup = _get(client, "/")
    assert soup.html is not None and soup.html.get("lang") == "nl"
    assert len(soup.find_all("h1")) == 1
    main = soup.find_all("main")
    assert len(main) == 1 and main[0].get("id") == "inhoud"
    skip = soup.find("a", class_="skip-link")
    assert skip is not None and skip.get("href") == "#inhoud"
    assert _text(skip) == "Naar de inhoud"

    nav = soup.find("nav", attrs={"aria-label": "Hoofdmenu"})
    assert nav is not None
    links = {_text(a): a.get("href") for a in nav.find_all("a")}
    assert links == {
        "Home": "/",
        "Interventies zoeken": "/interventies",
        "Voor ouders": "/ouders",
        "Voor kinderen en jongeren": "/jongeren",
        "API-documentatie": "/schema",
    }

    search = soup.find("input", attrs={"name": "q"})
    assert search is not None and _labelled(soup, search)
    form = search.find_parent("form")
    assert (
        form is not None and form.get("action") == "/interventies" and form.get("method") == "get"
    )
    assert [_text(b) for b in form.find_all("button")] == ["Zoeken"]


def test_home_explains_audience_levels_and_browsing(corpus_client: Client) -> None:
    soup = _get(corpus_client, "/")
    overview = _api(corpus_client, "/api/v1/interventions?per_page=1")
    assert overview["facets"]["kind"] == FIXTURE_FACETS["kind"]
    text = _text(soup.find("main"))
    for audience in (
        "Rechters",
        "Raad voor de Kinderbescherming",
        "Gemeentelijke loketten",
        "Ouders",
    ):
        assert audience in text
    for level, explanation in EVIDENCE_EXPLANATIONS.items():
        assert explanation in text, level
    browse = {
        _query(str(a["href"]))["kind"][0]: a for a in soup.select("a[href^='/interventies?kind=']")
    }
    assert set(browse) == set(KINDS)
    for kind, count in overview["facets"]["kind"].items():
        count_tag = browse[kind].find_next_sibling(class_="count")
        assert _text(count_tag) == f"({count})"


def test_demo_banner_is_shown_in_demo_mode(client: Client) -> None:
    soup = _get(client, "/")
    banner = soup.find(class_="demo-banner")
    assert banner is not None and "DEMO" in _text(banner)


# --- Search page ----------------------------------------------------------------------------


def test_search_finds_kinderen_uit_de_knel_with_its_badge(client: Client) -> None:
    soup = _get(client, "/interventies?q=knel")
    expected = _api(client, "/api/v1/interventions/kinderen-uit-de-knel")["evidence"]
    link = soup.find("a", href="/interventies/kinderen-uit-de-knel")
    assert link is not None and _text(link) == "Kinderen uit de Knel"
    result = link.find_parent("article")
    assert result is not None
    badge = result.find(class_="evidence")
    assert badge is not None
    assert f"evidence--{expected['level']}" in badge["class"]
    assert (
        _text(badge.find(class_="evidence__level"))
        == f"Bewijsniveau Niveau {expected['level']} van 5"
    )
    assert _text(badge.find(class_="evidence__label")) == expected["label"]
    count = _text(soup.find(id="resultaten-kop"))
    assert re.fullmatch(r"\d+ resulta(at|ten) voor ‘knel’", count)


def test_search_result_count_matches_the_api(corpus_client: Client) -> None:
    soup = _get(corpus_client, "/interventies")
    total = _api(corpus_client, "/api/v1/interventions")["total"]
    assert total == len(FIXTURE_SLUGS)
    assert _text(soup.find(id="resultaten-kop")) == f"{total} resultaten"
    assert len(soup.select(".result-list > li")) == min(total, 20)


def test_every_form_control_has_a_label(client: Client) -> None:
    for url in ("/interventies", "/interventies?q=knel&kind=interventie&age=8"):
        soup = _get(client, url)
        controls = _form_controls(soup)
        assert controls
        unlabelled = [str(c.get("name")) for c in controls if not _labelled(soup, c)]
        assert unlabelled == []
        ids = [str(tag["id"]) for tag in soup.find_all(id=True)]
        assert len(ids) == len(set(ids)), "dubbele id's"


@pytest.mark.parametrize(
    "facet", ["kind", "audience", "route", "format", "status", "arrondissement"]
)
def test_filter_selects_show_their_facet_counts(corpus_client: Client, facet: str) -> None:
    soup = _get(corpus_client, "/interventies")
    counts = _api(corpus_client, "/api/v1/interventions")["facets"][facet]
    assert counts == FIXTURE_FACETS[facet]
    select = soup.find("select", attrs={"name": facet})
    assert select is not None
    shown = {}
    for option in select.find_all("option"):
        if option.get("value") == "":
            continue
        match = COUNT.search(_text(option))
        assert match, _text(option)
        shown[option["value"]] = int(match.group(1))
    assert {k: v for k, v in shown.items() if v} == counts


def _search_form(soup: BeautifulSoup) -> tuple[Tag, list[Tag]]:
    """The one search form and every field it submits: its own, and the filters beside the
    results that belong to it through their `form` attribute."""
    form = soup.find("form", id="zoekformulier")
    assert isinstance(form, Tag)
    assert form.get("method") == "get" and form.get("action") == "/interventies"
    linked = soup.find_all(attrs={"form": "zoekformulier"})
    return form, list(form.find_all(["input", "select", "button"])) + linked


def test_filter_form_has_every_filter_and_works_without_javascript(client: Client) -> None:
    """The search box and the filters are one form: "Filters toepassen" keeps the search word."""
    soup = _get(client, "/interventies")
    assert len(soup.find_all("form", attrs={"role": "search"})) == 1
    _, fields = _search_form(soup)
    names = {c.get("name") for c in fields if c.name != "button"}
    assert {
        "q",
        "kind",
        "evidence_min",
        "audience",
        "route",
        "format",
        "glasl_phase",
        "status",
        "age",
        "arrondissement",
        "contraindication_free",
    } <= names
    buttons = [_text(b) for b in fields if b.name == "button"]
    assert buttons == ["Zoeken", "Filters toepassen"]
    age = soup.find("input", attrs={"name": "age"})
    assert age is not None and age.get("type") == "number"
    for radio in soup.find_all("input", attrs={"name": "evidence_min"}):
        if radio.get("value"):
            assert COUNT.search(_text(soup.find("label", attrs={"for": radio["id"]})))
    contra = soup.find("select", attrs={"name": "contraindication_free"})
    assert contra is not None
    options = [_text(o) for o in contra.find_all("option")]
    assert "Zonder contra-indicatie: dwingende controle (intieme terreur)" in options


def test_filter_form_keeps_the_search_text_and_marks_the_choice(client: Client) -> None:
    soup = _get(client, "/interventies?q=omgangsregeling&kind=interventie&evidence_min=2")
    form, fields = _search_form(soup)
    box = form.find("input", attrs={"name": "q"})
    assert box is not None and box.get("value") == "omgangsregeling"
    # Nothing submits a filter twice (no hidden copies beside the linked fields).
    assert not [f for f in fields if f.get("type") == "hidden" and f.get("name") != "per_page"]
    selected = soup.select("select[name=kind] option[selected]")
    assert [o.get("value") for o in selected] == ["interventie"]
    checked = soup.select("input[name=evidence_min][checked]")
    assert [r.get("value") for r in checked] == ["2"]


def test_glasl_phases_name_their_steps(client: Client) -> None:
    """A judge thinking "Glasl 6" reads that step 6 is in phase 2."""
    soup = _get(client, "/interventies")
    labels = {
        r["value"]: _text(soup.find("label", attrs={"for": r["id"]}))
        for r in soup.find_all("input", attrs={"name": "glasl_phase"})
        if r.get("value")
    }
    assert labels["1"].startswith("Treden 1, 2 en 3: fase 1 (win-win)")
    assert labels["2"].startswith("Treden 4, 5 en 6: fase 2 (win-verlies)")
    assert labels["3"].startswith("Treden 7, 8 en 9: fase 3 (verlies-verlies)")


def test_filters_fold_away_so_results_come_first(client: Client) -> None:
    """On a phone the filter panel is closed (search.js opens it on wide screens) and the
    results follow right after it."""
    soup = _get(client, "/interventies?q=omgang&kind=voorziening")
    panel = soup.find("details", id="filterpaneel")
    assert isinstance(panel, Tag) and not panel.has_attr("open")
    assert "(1 actief)" in _text(panel.find("summary"))
    assert panel.find_next("section", id="resultaten") is not None


def test_active_filters_have_links_that_remove_one_filter(client: Client) -> None:
    soup = _get(client, "/interventies?q=knel&kind=interventie")
    chips = {_text(a): str(a["href"]) for a in soup.select(".active-filters a.chip")}
    kind_link = next(href for text, href in chips.items() if text.startswith("Soort: Interventie"))
    assert _query(kind_link) == {"q": ["knel"]}
    q_link = next(href for text, href in chips.items() if text.startswith("Zoekterm: knel"))
    assert _query(q_link) == {"kind": ["interventie"]}


def test_pagination_links_keep_the_filters(client: Client) -> None:
    total = _api(client, "/api/v1/interventions?audience=kind")["total"]
    if total <= 2:
        pytest.skip("te weinig items voor twee pagina's")
    soup = _get(client, "/interventies?audience=kind&per_page=2")
    nav = soup.find("nav", attrs={"aria-label": "Paginering"})
    assert nav is not None
    current = nav.find_all(True, attrs={"aria-current": "page"})
    assert [_text(c) for c in current] == ["1"]
    following = nav.find("a", attrs={"aria-label": "Volgende pagina"})
    assert following is not None and _text(following) == "Volgende"
    assert _query(str(following["href"])) == {
        "audience": ["kind"],
        "per_page": ["2"],
        "page": ["2"],
    }
    assert nav.find("a", attrs={"aria-label": "Vorige pagina"}) is None

    second = _get(client, str(following["href"]))
    nav = second.find("nav", attrs={"aria-label": "Paginering"})
    assert nav is not None
    assert [_text(c) for c in nav.find_all(True, attrs={"aria-current": "page"})] == ["2"]
    previous = nav.find("a", attrs={"aria-label": "Vorige pagina"})
    assert previous is not None and _text(previous) == "Vorige"
    assert _query(str(previous["href"])) == {"audience": ["kind"], "per_page": ["2"]}


def test_empty_result_gives_tips(client: Client) -> None:
    soup = _get(client, "/interventies?q=xyzzyplughqwerty")
    assert _text(soup.find(id="resultaten-kop")).startswith("Geen resultaten")
    empty = soup.find(class_="empty-state")
    assert empty is not None
    assert len(empty.find_all("li")) >= 2
    assert empty.find("a", href="/interventies") is not None
    assert soup.find("ol", class_="result-list") is None


def test_did_you_mean_links_to_the_suggestion(app: Litestar) -> None:
    params = SearchParams.model_validate({"q": "knl", "kind": "interventie"})
    result = SearchPage(total=0, page=1, per_page=20, items=[], facets={}, did_you_mean="knel")
    soup = _render(app, "interventions/list.html", params=params, result=result)
    paragraph = soup.find(class_="did-you-mean")
    assert paragraph is not None and _text(paragraph).startswith("Bedoelde u")
    link = paragraph.find("a")
    assert link is not None and _text(link) == "knel"
    assert _query(str(link["href"])) == {"q": ["knel"], "kind": ["interventie"]}


@pytest.mark.parametrize("flag", ["schadelijk", "geen_effect"])
def test_search_result_shows_a_warning_badge(app: Litestar, flag: str) -> None:
    item = SearchItem(
        slug="voorbeeld-aanpak",
        title="Voorbeeldaanpak",
        kind="interventie",
        status="actief",
        summary="Alleen voor de test.",
        evidence=Evidence(level=3, label="effectief — eerste aanwijzingen", flags=[flag]),
        audience=["ouders"],
        age_min=None,
        age_max=None,
        glasl_phases=[],
        contraindications=[],
        highlight="een <mark>voorbeeld</mark>",
    )
    result = SearchPage(total=1, page=1, per_page=20, items=[item], facets={})
    soup = _render(app, "interventions/list.html", params=SearchParams(), result=result)
    article = soup.find("article")
    assert article is not None
    warning = article.find(class_="flag--warning")
    assert warning is not None
    assert LABELS["flag"][flag].lower() in _text(warning).lower()
    assert [_text(m) for m in article.find_all("mark")] == ["voorbeeld"]


# --- Entry page -----------------------------------------------------------------------------


def test_entry_page_explains_evidence_and_lists_sources(client: Client) -> None:
    soup = _get(client, "/interventies/kinderen-uit-de-knel")
    entry = _api(client, "/api/v1/interventions/kinderen-uit-de-knel")
    assert len(soup.find_all("h1")) == 1
    assert _text(soup.find("h1")) == entry["title"]
    level = entry["evidence"]["level"]
    explanation = soup.find(class_="evidence-explanation")
    assert EVIDENCE_EXPLANATIONS[level] in _text(explanation)
    badge = soup.find(class_="evidence")
    assert badge is not None and f"evidence--{level}" in badge["class"]

    if entry["ratings"]:
        table = soup.find("table", class_="ratings")
        assert table is not None
        rows = table.select("tbody tr")
        assert len(rows) == len(entry["ratings"])
        for row, rating in zip(rows, entry["ratings"], strict=True):
            assert rating["label"] in _text(row)
        assert "bij benadering" in _text(table.find_parent("section"))

    section = soup.find("section", attrs={"aria-labelledby": "bronnen-kop"})
    assert section is not None
    hrefs = [a["href"] for a in section.select("ol li > a")]
    assert hrefs == [s["url"] for s in entry["sources"]]

    footer = soup.find("footer", class_="entry__footer")
    assert footer is not None
    facts = {
        _text(dt_tag): _text(dt_tag.find_next_sibling("dd")) for dt_tag in footer.find_all("dt")
    }
    assert facts["Laatst beoordeeld"] == dutch_date(dt.date.fromisoformat(entry["last_reviewed"]))
    assert facts["Volgende beoordeling"] == dutch_date(dt.date.fromisoformat(entry["next_review"]))
    json_link = footer.find("a", href="/api/v1/interventions/kinderen-uit-de-knel")
    assert json_link is not None
    alternate = soup.find("link", rel="alternate")
    assert alternate is not None and alternate.get("type") == "application/json"


def test_unverified_entry_says_so(client: Client) -> None:
    entry = _api(client, "/api/v1/interventions/kinderen-uit-de-knel")
    soup = _get(client, "/interventies/kinderen-uit-de-knel")
    notice = soup.find("section", attrs={"aria-labelledby": "niet-geverifieerd-kop"})
    if entry["verified"]:
        assert notice is None
    else:
        assert notice is not None
        assert "secundaire bron en is nog niet geverifieerd" in _text(notice)


def test_entry_facts_use_dutch_labels(client: Client) -> None:
    entry = _api(client, "/api/v1/interventions/kinderen-uit-de-knel")
    soup = _get(client, "/interventies/kinderen-uit-de-knel")
    section = soup.find("section", attrs={"aria-labelledby": "kenmerken-kop"})
    assert section is not None
    facts = {_text(d): _text(d.find_next_sibling("dd")) for d in section.find_all("dt")}
    if entry["glasl_phases"]:
        for phase in entry["glasl_phases"]:
            assert LABELS["glasl_phase"][str(phase)] in facts["Conflictfase (Glasl)"]
    for code in entry["contraindications"]:
        assert LABELS["contraindication"][code] in facts["Contra-indicaties"]


def test_pilot_entry_shows_its_pilot_block(client: Client, pilot_slug: str) -> None:
    soup = _get(client, f"/interventies/{pilot_slug}")
    block = soup.find("section", attrs={"aria-labelledby": "pilot-kop"})
    assert block is not None
    assert _text(block.find(id="pilot-kop")) == "Over de pilot"
    assert block.find("dl") is not None


@pytest.mark.parametrize("flag", ["schadelijk", "geen_effect"])
def test_flagged_entry_shows_an_unmissable_warning(app: Litestar, flag: str) -> None:
    soup = _render(app, "interventions/detail.html", entry=_flagged_entry(flag))
    heading = soup.find(id="waarschuwing-kop")
    assert heading is not None and heading.name == "h2"
    assert _text(heading) == "⚠ Waarschuwing"
    section = heading.find_parent("section")
    assert section is not None
    assert section.get("aria-labelledby") == heading.get("id")
    assert section.get("role") is None
    text = _text(section)
    assert LABELS["flag"][flag] in text
    assert FLAG_EXPLANATIONS[flag] in text
    assert "Concerning Practice" in text
    # The warning comes before the evidence details, so nobody scrolls past it.
    evidence = soup.find("section", attrs={"aria-labelledby": "bewijs-kop"})
    assert evidence is not None
    assert section in evidence.find_all_previous("section")
    assert soup.find(True, attrs={"role": "alert"}) is None


def test_entry_without_flags_has_no_warning(client: Client) -> None:
    soup = _get(client, "/interventies/kinderen-uit-de-knel")
    assert soup.find("section", attrs={"aria-labelledby": "waarschuwing-kop"}) is None


def test_stale_entry_and_empty_providers(app: Litestar) -> None:
    entry = _flagged_entry("onder_voorbehoud", last_reviewed="2024-11-01", next_review="2025-11-01")
    assert entry.stale and entry.providers == []
    soup = _render(app, "interventions/detail.html", entry=entry)
    stale = soup.find("section", attrs={"aria-labelledby": "verouderd-kop"})
    assert stale is not None and "1 november 2025" in _text(stale)
    providers = soup.find("section", attrs={"aria-labelledby": "aanbieders-kop"})
    assert "Geen aanbieders bekend in de kennisbank" in _text(providers)
    assert soup.find("section", attrs={"aria-labelledby": "waarschuwing-kop"}) is None


# --- Errors ---------------------------------------------------------------------------------


def test_404_is_a_dutch_page(client: Client) -> None:
    soup = _get(client, "/interventies/bestaat-niet", status=404)
    assert soup.html is not None and soup.html.get("lang") == "nl"
    assert _text(soup.find("h1")) == "Niet gevonden"
    main = soup.find("main")
    assert "Foutcode 404" in _text(main)
    assert "bestaat-niet" in _text(main)
    assert soup.find("nav", attrs={"aria-label": "Hoofdmenu"}) is not None


def test_invalid_filter_lists_the_field_in_dutch(client: Client) -> None:
    soup = _get(client, "/interventies?age=abc", status=422)
    assert _text(soup.find("h1")) == "Ongeldige invoer"
    items = [_text(li) for li in soup.select("section[aria-labelledby=fouten-kop] li")]
    assert items and items[0].startswith("Leeftijd kind")
    assert "geheel getal" in items[0]


# --- No inline code (a strict CSP will forbid it) ---------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/interventies",
        "/interventies?q=knel",
        "/interventies?q=xyzzyplughqwerty",
        "/interventies/kinderen-uit-de-knel",
        "/interventies/bestaat-niet",
        "/interventies?age=abc",
    ],
)
def test_pages_have_no_inline_scripts_or_styles(client: Client, url: str) -> None:
    response = client.get(url, headers={"Accept": "text/html"})
    assert_no_inline_code(_soup(response.text))


def test_pilot_and_warning_pages_have_no_inline_code(
    client: Client, app: Litestar, pilot_slug: str
) -> None:
    assert_no_inline_code(_get(client, f"/interventies/{pilot_slug}"))
    assert_no_inline_code(
        _render(app, "interventions/detail.html", entry=_flagged_entry("schadelijk"))
    )


def test_stylesheet_is_served(client: Client) -> None:
    response = client.get("/static/kb.css")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/css")
    assert "@media print" in response.text


def test_superseded_rating_is_kept_but_marked(app: Litestar) -> None:
    entry = _flagged_entry("onder_voorbehoud")
    old = entry.ratings[0].model_copy(update={"label": "Oud oordeel", "superseded": True})
    soup = _render(
        app,
        "interventions/detail.html",
        entry=entry.model_copy(update={"ratings": [old, *entry.ratings]}),
    )
    rows = soup.select("table.ratings tbody tr")
    assert len(rows) == 2
    assert "Vervangen door een nieuwer oordeel" in _text(rows[0])
    assert "Vervangen" not in _text(rows[1])


def _recognition(label: str, level: int, valid_until: str) -> dict[str, Any]:
    return {
        "scheme": "nji",
        "label": label,
        "level": level,
        "date": "2020-01-01",
        "valid_until": valid_until,
        "source_url": "https://example.org/beoordeling",
    }


@pytest.mark.parametrize(
    ("ratings", "level", "row_tags", "notices"),
    [
        pytest.param(
            [_recognition("Goede aanwijzingen", 4, "2025-01-01")],
            0,
            ["Erkenning verlopen op 1 januari 2025"],
            ["erkenning verlopen op 1 januari 2025"],
            id="expired",
        ),
        pytest.param(
            [
                _recognition("Goede aanwijzingen", 4, "2099-01-01"),
                _recognition("Goed onderbouwd", 2, "2099-01-01"),
            ],
            2,
            ["Bronnen spreken elkaar tegen", "Bronnen spreken elkaar tegen"],
            ["Bronnen spreken elkaar tegen."],
            id="disputed",
        ),
    ],
)
def test_expired_and_disputed_ratings_are_shown_and_labelled(
    app: Litestar,
    ratings: list[dict[str, Any]],
    level: int,
    row_tags: list[str],
    notices: list[str],
) -> None:
    entry = _flagged_entry("onder_voorbehoud", ratings=ratings)
    soup = _render(app, "interventions/detail.html", entry=entry)
    badge = soup.find(class_="evidence")
    assert badge is not None and f"evidence--{level}" in badge["class"]
    rows = soup.select("table.ratings tbody tr")
    assert len(rows) == len(ratings)
    for row, tag in zip(rows, row_tags, strict=True):
        assert tag in _text(row)
    summary = _text(soup.find(class_="evidence-summary"))
    for notice in notices:
        assert notice in summary


def test_search_as_you_type_fragment(client: Client) -> None:
    """`?partial=1` returns only the results region that search.js swaps in."""
    response = client.get("/interventies", params={"q": "knel", "partial": "1"})
    assert response.status_code == 200
    soup = _soup(response.text)
    assert soup.find("html") is None and soup.find("main") is None
    heading = soup.find(id="resultaten-kop")
    assert heading is not None and "resultaten" in heading.get_text()
    titles = [a.get_text(strip=True) for a in soup.select(".result__title a")]
    assert titles[0] == "Kinderen uit de Knel"


def test_search_page_works_without_javascript(client: Client) -> None:
    """The full page holds the same results, and the script is only an enhancement."""
    soup = _get(client, "/interventies?q=knel")
    assert soup.find(id="resultaten") is not None
    assert [s.get("src") for s in soup.find_all("script")] == ["/static/search.js"]
    assert soup.select_one("form[role=search]")["action"] == "/interventies"
