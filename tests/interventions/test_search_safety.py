"""The search page and entry pages after issue 13: safety first for questions about violence,
contra-indications on every card, compare and handout from results and entries, wide tables."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from bench.relevance import load_queries
from bs4 import BeautifulSoup, Tag
from litestar import Litestar
from litestar.testing import TestClient

from kb.search.analysis import DutchAnalyzer
from kb.search.config import UNSAFE_TOPIC, load_search_config
from kb.vocabulary import JOINT_FORMAT_CONTRAINDICATIONS
from tests.helpers import REPO, SEARCH

Client = TestClient[Litestar]
ANALYZER = DutchAnalyzer(load_search_config(SEARCH))


def _soup(client: Client, url: str) -> BeautifulSoup:
    response = client.get(url, headers={"Accept": "text/html"})
    assert response.status_code == 200, response.text[:300]
    return BeautifulSoup(response.text, "html.parser")


def _cards(soup: BeautifulSoup) -> list[Tag]:
    return soup.select("ol.result-list > li.result")


def _slug(card: Tag) -> str:
    link = card.select_one(".result__title a")
    assert link is not None
    return str(link["href"]).rsplit("/", 1)[-1]


def _violence_queries() -> list[str]:
    queries = load_queries(REPO / "bench" / "queries.yaml")
    return [q.q for q in queries if UNSAFE_TOPIC in ANALYZER.topics(q.q)]


def test_the_judged_questions_hold_violence_queries() -> None:
    assert len(_violence_queries()) >= 8


@pytest.mark.parametrize("q", _violence_queries())
def test_no_joint_format_in_the_top_three_without_its_warning(client: Client, q: str) -> None:
    """Issue 13's target, for every judged query about violence: Veilig Thuis above the results,
    and every joint format among the first three marked 'Niet bij onveiligheid'."""
    api = client.get("/api/v1/interventions", params={"q": q, "per_page": 3}).json()
    soup = _soup(client, "/interventies?" + "q=" + q)
    callout = soup.select_one(".safety-callout")
    assert callout is not None and "0800-2000" in callout.get_text()
    heading = soup.find(id="resultaten-kop")
    assert heading is not None and callout.find_next(id="resultaten-kop") is heading
    for item, card in zip(api["items"], _cards(soup)[:3], strict=False):
        assert _slug(card) == item["slug"]
        if set(item["contraindications"]) & set(JOINT_FORMAT_CONTRAINDICATIONS):
            assert card.select_one(".flag--unsafe") is not None, item["slug"]
            assert "result--joint" in card["class"]


def test_no_callout_for_other_questions(client: Client) -> None:
    soup = _soup(client, "/interventies?q=omgangsregeling")
    assert soup.select_one(".safety-callout") is None


def test_cards_show_contraindications_and_the_unsafe_badge(client: Client) -> None:
    soup = _soup(client, "/interventies?q=scheidingsmediation")
    card = next(c for c in _cards(soup) if _slug(c) == "scheidingsmediation")
    contra = card.select_one(".result__contra")
    assert contra is not None and "dwingende controle" in contra.get_text()
    assert card.select_one(".flag--unsafe") is not None
    # Not marked as a joint format in red unless the question is about violence.
    assert "result--joint" not in card["class"]


def test_compare_and_handout_from_the_results(client: Client) -> None:
    soup = _soup(client, "/interventies?q=omgang")
    form = soup.select_one("form.choose-results")
    assert form is not None and form["action"] == "/vergelijken" and form["method"] == "get"
    boxes = form.select("input[type=checkbox][name=slug]")
    assert [b["value"] for b in boxes] == [_slug(c) for c in _cards(soup)]
    for box in boxes:
        label = form.find("label", attrs={"for": box["id"]})
        assert label is not None and label.get_text(strip=True)
    actions = {b.get_text(strip=True): b.get("formaction") for b in form.find_all("button")}
    assert actions == {"Vergelijk de gekozen hulp": None, "Maak een folder": "/folder"}
    first = _cards(soup)[0]
    handout = first.select_one(".result__choose a")
    assert handout is not None and handout["href"] == f"/folder?slug={_slug(first)}"


def test_the_compare_and_handout_targets_answer(client: Client) -> None:
    """What the result form and the links send is accepted by the desk's pages."""
    soup = _soup(client, "/interventies?q=omgang")
    slugs = [_slug(c) for c in _cards(soup)[:3]]
    query = "&".join(f"slug={s}" for s in slugs)
    for path in ("/vergelijken", "/folder"):
        response = client.get(f"{path}?{query}")
        assert response.status_code == 200, path
        for slug in slugs:
            assert f"/interventies/{slug}" in response.text or slug in response.text


def test_entry_page_offers_handout_and_comparison(client: Client) -> None:
    soup = _soup(client, "/interventies/masic")
    links = {a.get_text(strip=True): a["href"] for a in soup.select(".entry__actions a")}
    assert links["Maak een folder met deze hulp"] == "/folder?slug=masic"
    compare = parse_qs(urlsplit(links["Vergelijk met verwante hulp"]).query)["slug"]
    assert compare[0] == "masic" and 2 <= len(compare) <= 4
    assert client.get(links["Vergelijk met verwante hulp"]).status_code == 200


def test_entry_page_of_a_joint_format_warns(client: Client) -> None:
    assert _soup(client, "/interventies/scheidingsmediation").select_one(".notice--unsafe")
    assert _soup(client, "/interventies/masic").select_one(".notice--unsafe") is None


def test_wide_tables_can_be_scrolled_by_keyboard_and_say_so(client: Client) -> None:
    soup = _soup(client, "/interventies/kinderen-uit-de-knel")
    wrap = soup.select_one(".table-wrap")
    assert wrap is not None and wrap.get("tabindex") == "0" and wrap.get("role") == "region"
    cue = soup.find(id=wrap["aria-describedby"])
    assert cue is not None and "Schuif" in cue.get_text()


def test_the_css_shows_the_cue_on_phones() -> None:
    css = (Path(REPO) / "src" / "kb" / "static" / "kb.css").read_text(encoding="utf-8")
    assert any(
        ".table-cue {\n    display: block" in block
        for block in _blocks(css, "@media (max-width: 48rem)")
    )


def _blocks(css: str, head: str) -> list[str]:
    """The contents of each block that starts with `head`, up to its own closing brace."""
    found = []
    start = css.find(head)
    while start != -1:
        opening = css.index("{", start)
        depth, end = 0, opening
        for end in range(opening, len(css)):
            depth += {"{": 1, "}": -1}.get(css[end], 0)
            if depth == 0:
                break
        found.append(css[opening + 1 : end])
        start = css.find(head, end)
    return found
