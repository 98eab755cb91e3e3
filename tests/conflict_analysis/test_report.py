"""The judge's report: its first page, facts apart from opinions, what changed, and the PDF."""

from __future__ import annotations

import copy
import io
import re
from typing import Any

from bs4 import BeautifulSoup, Tag
from pypdf import PdfReader

from kb.conflict_analysis.report import EMPTY, advice_changes, body_changes
from kb.conflict_analysis.rules import evaluate
from kb.conflict_analysis.schemas import AnalysisBody
from tests.conflict_analysis.helpers import API, Raad
from tests.factories import TODAY, realistic_case


def words(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


def html(response: Any) -> BeautifulSoup:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    return BeautifulSoup(response.text, "html.parser")


def section(soup: BeautifulSoup, selector: str) -> str:
    found = soup.select_one(selector)
    assert isinstance(found, Tag), selector
    return words(found.get_text(" "))


def test_the_pdf_holds_the_advice_and_every_reason(
    on_a_fixed_day: None, raad: Raad, case: dict[str, Any]
) -> None:
    made = raad.submitted(case)
    response = raad.judge.get(f"{API}/{made['id']}/report.pdf")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == (
        f'inline; filename="conflictanalyse-{made["id"]}-versie-1.pdf"'
    )
    assert response.content.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) >= 2  # the summary has a page of its own, the details follow
    pages = [words(page.extract_text()) for page in reader.pages]
    first, everything = pages[0], " ".join(pages)
    # One page on top: safety, the advice with every reason and its basis, the children's own
    # words and the recommended help; the details follow on the next pages.
    assert "Veiligheid: Zorgen over de veiligheid" in first
    assert "Bijzondere curator: benoem een bijzondere curator" in first
    curator = made["recommendation"]["curator"]
    assert len(curator["reasons"]) >= 5
    # Lines break anywhere ("ECLI:NL:HR:" / "2005:AR4850"), so compare without white space.
    for reason in curator["reasons"]:
        assert squeezed(reason["text"]) in squeezed(first), reason["text"]
        assert squeezed(reason["basis"]) in squeezed(first), reason["basis"]
    assert "Ik wil gewoon dat ze ophouden met ruzie maken." in first
    for match in made["recommendation"]["interventions"]:
        assert match["title"] in first
    assert "De analyse in detail" not in first and "De analyse in detail" in everything
    assert "Ouder B lijkt K1 onder druk te zetten." in everything
    assert reader.metadata is not None and "rapport voor de rechter" in str(reader.metadata.title)


def test_the_first_page_comes_first_then_changes_then_details(
    raad: Raad, case: dict[str, Any]
) -> None:
    made = raad.submitted(case)
    soup = html(raad.judge.get(f"{API}/{made['id']}/report"))
    order = [
        el.get("class", [""])[0]
        for el in soup.select(".report > section, .report > header, .report > footer")
    ]
    assert order == [
        "report__header",
        "report__first-page",
        "report__changes",
        "report__details",
        "report__footer",
    ]
    first = section(soup, ".report__first-page")
    headings = [words(h.get_text()) for h in soup.select(".report__first-page h2")]
    assert headings[1:] == [
        "Veiligheid: Zorgen over de veiligheid",
        "Bijzondere curator: benoem een bijzondere curator",
        "Wat de kinderen zelf zeggen",
        "Aanbevolen hulp",
    ]
    assert "K1 (11 jaar)" in first or "K1 (" in first
    assert "K2" in first and "niet gehoord" in first
    for match in made["recommendation"]["interventions"]:
        assert f"{match['title']} — bewijskracht {match['evidence_level']} van 5" in first
    assert "Dit is de eerste ingediende versie" in section(soup, ".report__changes")


def test_facts_and_opinions_stand_apart(raad: Raad, case: dict[str, Any]) -> None:
    made = raad.submitted(case)
    soup = html(raad.judge.get(f"/analyses/{made['id']}/rapport"))
    facts = section(soup, ".statements__group--feit")
    opinions = section(soup, ".statements__group--mening")
    assert "K1 weigert sinds maart" in facts and "onder druk" not in facts
    assert "Ouder B lijkt K1 onder druk te zetten." in opinions and "weigert" not in opinions
    assert "Bron: omgangsregistratie. Wederhoor: de andere partij heeft gereageerd" in facts
    assert "Wederhoor: de andere partij heeft niet gereageerd" in opinions
    labels = [words(label.get_text()) for label in soup.select(".statement .statement-label")]
    assert labels == ["Feit", "Mening"]


def test_the_report_of_a_reassessment_shows_what_changed(raad: Raad, case: dict[str, Any]) -> None:
    made = raad.submitted(case)
    url = f"{API}/{made['id']}"
    v2 = raad.investigator.post(f"{url}/reassessments").json()
    changed = copy.deepcopy(case)
    changed["safety"]["lethality_indicators"] = ["doodsbedreiging"]
    changed["children"][0]["own_words"] = "Ik wil bij mama blijven wonen."
    changed["assessment"]["statements"].append(
        {"text": "Ouder B bedreigde ouder A op 3 maart.", "kind": "feit", "source": "politie"}
    )
    saved = raad.investigator.put(url, json=changed, headers={"If-Match": v2["etag"]})
    assert saved.status_code == 200, saved.text
    raad.investigator.post(f"{url}/submit")
    assert raad.expert.post(f"{url}/approve").status_code == 200

    soup = html(raad.judge.get(f"{url}/report"))
    changes = soup.select_one(".report__changes")
    assert isinstance(changes, Tag)
    assert words(changes.select_one("h2").get_text()) == "Wat is er veranderd sinds versie 1"
    rows = {
        words(tr.select_one("th").get_text()): [words(td.get_text()) for td in tr.select("td")]
        for tr in changes.select("tbody tr")
    }
    assert rows["Veiligheid"] == ["Zorgen over de veiligheid", "Acuut onveilig"]
    assert rows["Veiligheid: letaliteitsindicatoren"] == [EMPTY, "Doodsbedreiging"]
    assert rows["Kind K1: eigen woorden"] == [
        "Ik wil gewoon dat ze ophouden met ruzie maken.",
        "Ik wil bij mama blijven wonen.",
    ]
    assert rows["Uitspraak: Ouder B bedreigde ouder A op 3 maart."][0] == EMPTY
    assert rows["Veiligheidssignaal: Letaliteitsindicatoren gemeld: doodsbedreiging"] == [
        EMPTY,
        "van toepassing",
    ]
    # The judge can still read version 1 as it was.
    old = html(raad.judge.get(f"{url}/report", params={"version": 1}))
    assert "Ik wil gewoon dat ze ophouden" in section(old, ".report__first-page")


def test_a_draft_report_says_it_is_a_draft(raad: Raad, case: dict[str, Any]) -> None:
    made = raad.created(case)
    soup = html(raad.investigator.get(f"/analyses/{made['id']}/rapport"))
    assert section(soup, ".report__draft").startswith("CONCEPT")


def test_body_changes_name_children_by_pseudonym_and_help_by_title() -> None:
    before = AnalysisBody.model_validate(realistic_case(), context={"today": TODAY})
    data = realistic_case()
    data["children"] = list(reversed(data["children"]))  # order alone is no change
    data["children"][0]["heard"] = True
    data["children"][0]["heard_by"] = ["raad", "rechter"]
    data["interventions_tried"][0]["outcome"] = "geweigerd"
    after = AnalysisBody.model_validate(data, context={"today": TODAY})
    titles = {"ouderschap-blijft": "Ouderschap Blijft"}
    assert [(c.label, c.before, c.after) for c in body_changes(before, after, titles)] == [
        ("Kind K2: gehoord", "nee", "ja"),
        ("Kind K2: gehoord door", EMPTY, "raad, rechter"),
        ("Hulp: Ouderschap Blijft", "Voortijdig gestopt", "Geweigerd"),
    ]
    assert body_changes(before, before, titles) == []


def test_advice_changes_list_reasons_that_came_and_went() -> None:
    calm = realistic_case()
    body = AnalysisBody.model_validate(calm, context={"today": TODAY})
    calmer = copy.deepcopy(calm)
    calmer["assessment"]["child_interest_at_stake"] = "twijfel"
    later = AnalysisBody.model_validate(calmer, context={"today": TODAY})
    before = evaluate(body, [], TODAY, "Amsterdam")
    after = evaluate(later, [], TODAY, "Amsterdam")
    changes = {c.label: (c.before, c.after) for c in advice_changes(before, after, {})}
    gone = [label for label, (_, now) in changes.items() if now == EMPTY]
    assert any("De raadsonderzoeker oordeelt" in label for label in gone)


def test_recommended_help_gives_each_reason_once(raad: Raad, case: dict[str, Any]) -> None:
    """Issue 12: the evidence and the availability stood in a sentence and again as bullets."""
    made = raad.submitted(case)
    matches = made["recommendation"]["interventions"]
    assert matches
    for path in (f"/analyses/{made['id']}/rapport", f"/analyses/{made['id']}"):
        client = raad.judge if path.endswith("rapport") else raad.investigator
        items = html(client.get(path)).select(".help-match")
        assert len(items) == len(matches), path
        for item, match in zip(items, matches, strict=True):
            text = words(item.get_text(" "))
            bullets = [words(li.get_text()) for li in item.select(".help-match__reasons li")]
            assert bullets == match["reasons"]
            for reason in match["reasons"]:
                assert text.count(reason) == 1, (path, reason)
            assert text.lower().count("bewijskracht") == 1, text
            assert text.lower().count("beschikbaar") <= 1, text
