"""The pages, walked through HTTP as people use them: no JavaScript needed, forms with CSRF tokens."""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

from bs4 import BeautifulSoup, Tag
from httpx import Response
from litestar import Litestar
from litestar.testing import TestClient

from kb.conflict_analysis.form import values_from_body
from tests.conflict_analysis.helpers import API, Raad
from tests.factories import COURT
from tests.helpers import assert_no_inline_code

FORM_ID = "analyse-formulier"


def soup_of(response: Response) -> BeautifulSoup:
    assert response.headers["content-type"].startswith("text/html"), response.headers
    return BeautifulSoup(response.text, "html.parser")


def the_form(soup: BeautifulSoup, selector: str = f"form#{FORM_ID}") -> Tag:
    form = soup.select_one(selector)
    assert isinstance(form, Tag), f"no {selector}"
    return form


def fill(form: Tag, values: dict[str, list[str]], **extra: str) -> dict[str, Any]:
    """What a browser would post: the form's hidden fields plus `values`, each of which must be
    a field of the form, and for choices one of the values the form offers."""
    offered: dict[str, set[str] | None] = {}
    data: dict[str, Any] = {}
    for element in form.find_all(["input", "select", "textarea"]):
        name = str(element.get("name") or "")
        if not name:
            continue
        kind = element.get("type", "") if element.name == "input" else element.name
        if kind == "hidden":
            data[name] = str(element.get("value", ""))
        elif kind in ("radio", "checkbox"):
            choices = offered.setdefault(name, set())
            assert choices is not None
            choices.add(str(element["value"]))
        elif kind == "select":
            offered[name] = {str(o.get("value", "")) for o in element.find_all("option")}
        else:
            offered[name] = None
    for name, items in values.items():
        assert name in offered, f"the form has no field {name}"
        allowed = offered[name]
        if allowed is not None:
            assert set(items) <= allowed, (name, items, allowed)
        data[name] = items if len(items) > 1 else items[0]
    return data | extra


def post_form(client: TestClient[Litestar], form: Tag, data: dict[str, Any]) -> Response:
    action = str(form.get("action"))
    return client.post(action, data=data, follow_redirects=False)


def text_of(tag: Tag | None) -> str:
    assert isinstance(tag, Tag)
    return re.sub(r"\s+", " ", tag.get_text(" ")).strip()


# --- The walk: investigator, behavioural expert, judge -------------------------------------


def test_investigator_expert_and_judge_walk_through_the_pages(
    raad: Raad, case: dict[str, Any]
) -> None:
    investigator, expert, judge = raad.investigator, raad.expert, raad.judge

    # The investigator starts from the list and creates an analysis with the form.
    listing = soup_of(investigator.get("/analyses"))
    assert listing.select_one('a[href="/analyses/nieuw"]')
    new = soup_of(investigator.get("/analyses/nieuw"))
    assert_no_inline_code(new)
    legends = [text_of(legend) for legend in new.select("legend.analysis-section__legend")]
    assert legends == [
        "1. Zaak en procedure",
        "2. Veiligheid",
        "3. Conflict",
        "4. Kinderen",
        "5. Ouders",
        "6. Beschermende en belemmerende factoren",
        "7. Hulpverlening",
        "8. Afweging",
    ]
    created = post_form(investigator, the_form(new), fill(the_form(new), values_from_body(case)))
    assert created.status_code == 303, created.text
    edit_path = created.headers["location"]
    analysis_id = int(edit_path.split("/")[2])
    assert edit_path == f"/analyses/{analysis_id}/bewerken"

    # The form comes back filled in, with the advice computed for it.
    edit = soup_of(investigator.get(edit_path))
    assert "aangemaakt" in text_of(edit.select_one(".notice"))
    form = the_form(edit)
    assert form.select_one("#f-case-case_number")["value"] == case["case"]["case_number"]
    assert form.select_one("#f-safety-partner_violence-dwingende_controle").has_attr("checked")
    assert "Benoem een bijzondere curator" in text_of(edit.select_one("#advies-voorbeeld"))

    # Save a change, then save and submit in one go.
    values = values_from_body(case)
    values["assessment.summary"] = ["Na het huisbezoek: K1 zit klem tussen de ouders."]
    saved = post_form(investigator, form, fill(form, values, actie="opslaan"))
    assert saved.status_code == 303 and saved.headers["location"] == edit_path
    edit = soup_of(investigator.get(edit_path))
    assert "Opgeslagen op " in text_of(edit.select_one(".notice"))
    form = the_form(edit)
    assert form.select_one('input[name="etag"]')["value"] == '"1-2"'
    submitted = post_form(investigator, form, fill(form, values, actie="indienen"))
    assert submitted.status_code == 303
    assert submitted.headers["location"] == f"/analyses/{analysis_id}"
    dossier = soup_of(investigator.get(f"/analyses/{analysis_id}"))
    assert "Ter accordering" in text_of(dossier.select_one(".status-badge"))
    assert not dossier.select_one(f'a[href="/analyses/{analysis_id}/bewerken"]')

    # The behavioural expert finds it waiting and approves it.
    waiting = soup_of(expert.get("/analyses"))
    assert waiting.select_one(
        f'table[aria-describedby="lijst-wachtend"] a[href="/analyses/{analysis_id}"]'
    )
    page = soup_of(expert.get(f"/analyses/{analysis_id}"))
    approve = the_form(page, f'form[action="/analyses/{analysis_id}/accorderen"]')
    approved = post_form(expert, approve, fill(approve, {}))
    assert approved.status_code == 303
    page = soup_of(expert.get(f"/analyses/{analysis_id}"))
    assert "geaccordeerd" in text_of(page.select_one(".notice"))
    assert "Ingediend" in text_of(page.select_one(".status-badge"))

    # The judge finds it in the court's list and reads the report, first page first.
    court = soup_of(judge.get("/analyses"))
    link = court.select_one(f'a[href="/analyses/{analysis_id}/rapport"]')
    assert link and case["case"]["case_number"] in text_of(link)
    report = soup_of(judge.get(f"/analyses/{analysis_id}/rapport"))
    assert_no_inline_code(report)
    first = text_of(report.select_one(".report__first-page"))
    assert first.index("Veiligheid: Zorgen over de veiligheid") < first.index("Bijzondere curator")
    assert "Berekend advies: Benoem een bijzondere curator" in first
    assert "Ik wil gewoon dat ze ophouden met ruzie maken." in first
    assert "Aanbevolen hulp" in first and re.search(r"bewijskracht [0-5] van 5", first)
    assert "CONCEPT" not in text_of(report.select_one(".report"))
    pdf = judge.get(f"/analyses/{analysis_id}/rapport.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")

    # Back at the investigator's list: submitted, with the date of the next re-assessment.
    rows = soup_of(investigator.get("/analyses")).select("table tbody tr")
    row = next(r for r in rows if r.select_one(f'a[href="/analyses/{analysis_id}"]'))
    assert "Ingediend" in text_of(row)
    assert re.search(r"\d{1,2} \w+ 20\d\d", text_of(row))


def test_reassessing_from_the_page_opens_a_new_draft(raad: Raad, case: dict[str, Any]) -> None:
    made = raad.submitted(case)
    page = soup_of(raad.investigator.get(f"/analyses/{made['id']}"))
    form = the_form(page, f'form[action="/analyses/{made["id"]}/herijken"]')
    started = post_form(raad.investigator, form, fill(form, {}))
    assert started.status_code == 303
    edit = soup_of(raad.investigator.get(started.headers["location"]))
    assert "Herijking gestart" in text_of(edit.select_one(".notice"))
    assert "versie 2" in text_of(edit.select_one("h1"))
    assert the_form(edit).select_one('input[name="etag"]')["value"] == '"2-1"'


# --- Errors on the form ---------------------------------------------------------------------


def test_errors_are_summarised_at_the_top_and_each_links_to_its_field(
    raad: Raad, case: dict[str, Any]
) -> None:
    new = soup_of(raad.investigator.get("/analyses/nieuw"))
    values = values_from_body(case)
    values["children.1.birth_year"] = ["twintig"]
    values["conflict.glasl_step"] = ["9"]
    values["children.0.contact.A.refusal_reason"] = ["beinvloed"]
    del values["safety.acute_danger"]
    values["assessment.deviation.advice"] = ["niet_nodig"]
    values["interventions_tried.0.slug"] = ["kinderen-uit-de-knel"]
    response = post_form(raad.investigator, the_form(new), fill(the_form(new), values))
    assert response.status_code == 422
    page = soup_of(response)
    assert_no_inline_code(page)
    assert page.select_one("title").get_text().startswith("Fout:")
    summary = page.select_one(".error-summary")
    assert summary is not None and summary.get("role") == "alert"
    links = summary.select("a")
    messages = {text_of(a) for a in links}
    # A field left empty is no error while it is a draft: it is listed at submit (issue 12).
    assert messages == {
        "Kind 1, contact met ouder A: Een reden van weigering (refusal_reason) hoort alleen bij "
        "contact 'weigering' of 'verlies'.",
        "Kind 2, geboortejaar: Moet een geheel getal zijn.",
        "Afweging, Afwijking van het advies, reden van afwijken: Wie van het berekende advies "
        "afwijkt, schrijft op waarom.",
    }
    for a in links:
        target = page.find(id=a["href"].removeprefix("#"))
        assert target is not None, a["href"]
    # At the field: the message, aria-invalid, and the input kept as typed.
    birth = page.select_one("#f-children-1-birth_year")
    assert birth["value"] == "twintig" and birth["aria-invalid"] == "true"
    assert "f-children-1-birth_year-fout" in birth["aria-describedby"]
    assert text_of(page.select_one("#f-children-1-birth_year-fout")).endswith(
        "Moet een geheel getal zijn."
    )
    assert page.select_one("#f-case-case_number")["value"] == case["case"]["case_number"]
    # Safety is not complete, and it comes first: no advice yet.
    assert "zodra de veiligheid is ingevuld" in text_of(page.select_one("#advies-voorbeeld"))


def test_unknown_help_is_refused_at_its_field(raad: Raad, case: dict[str, Any]) -> None:
    made = raad.created(case)
    token = the_form(soup_of(raad.investigator.get(f"/analyses/{made['id']}/bewerken")))
    data = fill(token, {}) | {
        k: v[0] if len(v) == 1 else v for k, v in values_from_body(case).items()
    }
    data["interventions_tried.0.slug"] = "bestaat-niet"
    page = soup_of(raad.investigator.post(f"/analyses/{made['id']}/bewerken", data=data))
    [link] = page.select(".error-summary a")
    assert link["href"] == "#f-interventions_tried-0-slug"
    assert "Onbekende interventie 'bestaat-niet'" in text_of(link)


def test_form_posts_without_a_csrf_token_are_refused(raad: Raad, case: dict[str, Any]) -> None:
    data = {k: v[0] for k, v in values_from_body(case).items()}
    response = raad.investigator.post("/analyses/", data=data, follow_redirects=False)
    assert response.status_code == 403
    assert raad.investigator.post("/analyses/voorbeeld", data=data).status_code == 403


# --- Concurrency on the page ----------------------------------------------------------------


def test_a_stale_page_save_keeps_the_input_and_offers_to_overwrite(
    raad: Raad, case: dict[str, Any]
) -> None:
    made = raad.created(case)
    edit_path = f"/analyses/{made['id']}/bewerken"
    tab_1 = the_form(soup_of(raad.investigator.get(edit_path)))
    tab_2 = the_form(soup_of(raad.investigator.get(edit_path)))
    values = values_from_body(case)
    values["assessment.summary"] = ["Eerste tabblad"]
    assert post_form(raad.investigator, tab_1, fill(tab_1, values)).status_code == 303
    values["assessment.summary"] = ["Tweede tabblad"]
    stale = post_form(raad.investigator, tab_2, fill(tab_2, values))
    assert stale.status_code == 412
    page = soup_of(stale)
    assert "Iemand anders heeft deze analyse intussen opgeslagen" in text_of(
        page.select_one(".warning")
    )
    form = the_form(page)
    assert text_of(form.select_one("#f-assessment-summary")) == "Tweede tabblad"
    assert form.select_one('input[name="etag"]')["value"] == '"1-2"'
    # Saving again, knowingly, replaces the other save.
    assert post_form(raad.investigator, form, fill(form, values)).status_code == 303
    stored = raad.investigator.get(f"{API}/{made['id']}").json()
    assert stored["body"]["assessment"]["summary"] == "Tweede tabblad"


# --- The live preview and autosave for analysis.js ------------------------------------------


def test_the_preview_shows_safety_first_then_the_whole_advice(
    raad: Raad, case: dict[str, Any]
) -> None:
    form = the_form(soup_of(raad.investigator.get("/analyses/nieuw")))
    token = fill(form, {})["_csrf_token"]
    empty = raad.investigator.post("/analyses/voorbeeld", data={"_csrf_token": token})
    assert empty.status_code == 200
    assert (
        "vul eerst de veiligheid in" in soup_of(empty).select_one("[data-summary]")["data-summary"]
    )

    safety_only = {k: v for k, v in values_from_body(case).items() if k.startswith("safety.")}
    partial = soup_of(raad.investigator.post("/analyses/voorbeeld", data=fill(form, safety_only)))
    assert "Veiligheid: Zorgen over de veiligheid" in text_of(partial)
    assert "Bijzondere curator" not in text_of(partial)

    full = soup_of(
        raad.investigator.post("/analyses/voorbeeld", data=fill(form, values_from_body(case)))
    )
    summary = full.select_one("[data-summary]")["data-summary"]
    assert summary.startswith("Voorlopig advies: benoem een bijzondere curator")
    assert len(full.select(".reason-table tbody tr")) >= 3
    # The behavioural expert may preview too; the judge may not.
    assert raad.judge.post("/analyses/voorbeeld", data={"_csrf_token": token}).status_code in (403,)


def test_autosave_saves_complete_drafts_and_answers_in_json(
    raad: Raad, case: dict[str, Any]
) -> None:
    made = raad.created(case)
    form = the_form(soup_of(raad.investigator.get(f"/analyses/{made['id']}/bewerken")))
    url = f"/analyses/{made['id']}/autosave"
    values = values_from_body(case)
    values["assessment.summary"] = ["Automatisch opgeslagen tekst"]

    saved = raad.investigator.post(url, data=fill(form, values))
    assert saved.status_code == 200 and saved.json()["saved"] is True
    assert saved.json()["etag"] == '"1-2"'

    stale = raad.investigator.post(url, data=fill(form, values))  # still the old etag
    assert stale.status_code == 412
    assert stale.json() | {"message": ""} == {
        "saved": False,
        "conflict": True,
        "etag": '"1-2"',
        "message": "",
    }

    # An incomplete draft is saved too (issue 12), with what it still lacks.
    incomplete = dict(values)
    del incomplete["safety.acute_danger"]
    half = raad.investigator.post(url, data=fill(form, incomplete, etag='"1-2"'))
    assert half.status_code == 200 and half.json()["saved"] is True
    assert (half.json()["complete"], half.json()["missing"]) == (False, 1)
    assert "Nog in te vullen: 1 veld." in half.json()["message"]
    stored = raad.investigator.get(f"{API}/{made['id']}").json()
    assert stored["body"]["assessment"]["summary"] == "Automatisch opgeslagen tekst"
    assert stored["complete"] is False and stored["recommendation"] is None
    assert stored["missing"] == [{"loc": ["safety", "acute_danger"], "msg": "Nog niet ingevuld."}]

    # A wrong value is still refused, and nothing is saved.
    wrong = dict(values) | {"case.earlier_procedures": ["veel"]}
    refused = raad.investigator.post(url, data=fill(form, wrong, etag=half.json()["etag"]))
    assert refused.status_code == 422 and refused.json()["problems"] == 1


# --- Access to the pages -------------------------------------------------------------------


def test_pages_follow_the_access_rules(raad: Raad, case: dict[str, Any]) -> None:
    made = raad.submitted(case)
    report = f"/analyses/{made['id']}/rapport"
    assert raad.make("rechter", court="Rechtbank Den Haag").get(report).status_code == 404
    for role in ("beheerder", "loketmedewerker", "redacteur"):
        client = raad.make(role)
        for path in ("/analyses", report, f"/analyses/{made['id']}", "/analyses/nieuw"):
            response = client.get(path)
            assert response.status_code == 403, (role, path)
            assert case["case"]["case_number"] not in response.text
    anonymous = raad.make(None).get(report, follow_redirects=False)
    assert anonymous.status_code == 302 and anonymous.headers["location"].startswith("/aanmelden")
    # A judge never sees the Raad's buttons.
    page = soup_of(raad.judge.get(f"/analyses/{made['id']}"))
    assert not page.select("form[action$='herijken'], form[action$='accorderen']")


def test_the_edit_page_of_a_submitted_version_sends_you_to_the_analysis(
    raad: Raad, case: dict[str, Any]
) -> None:
    made = raad.submitted(case)
    response = raad.investigator.get(f"/analyses/{made['id']}/bewerken", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == f"/analyses/{made['id']}"
    page = soup_of(raad.investigator.get(response.headers["location"]))
    assert "ingediend en kan niet meer veranderen" in text_of(page.select_one(".notice"))


def test_pages_advertise_their_json(raad: Raad, case: dict[str, Any]) -> None:
    made = raad.submitted(case)
    assert raad.judge.get("/analyses").headers["link"] == (
        f'<{API}>; rel="alternate"; type="application/json"'
    )
    link = raad.judge.get(f"/analyses/{made['id']}").headers["link"]
    assert link.startswith(f"<{API}/{made['id']}?version=1>")


def test_the_list_groups_by_what_each_role_has_to_do(raad: Raad, case: dict[str, Any]) -> None:
    draft = raad.created(case)
    raad.investigator.post(f"{API}/{draft['id']}/submit")
    page = soup_of(raad.expert.get("/analyses"))
    waiting = page.select_one('table[aria-describedby="lijst-wachtend"]')
    assert waiting is not None and waiting.select_one(f'a[href="/analyses/{draft["id"]}"]')
    judge_page = soup_of(raad.judge.get("/analyses"))
    assert COURT in text_of(judge_page.select_one(".lead"))
    assert not judge_page.select_one(f'a[href^="/analyses/{draft["id"]}"]')
    by_status: dict[str, int] = defaultdict(int)
    for badge in soup_of(raad.investigator.get("/analyses")).select(".status-badge"):
        by_status[text_of(badge)] += 1
    assert by_status["Ter accordering"] >= 1


def test_a_strange_etag_on_the_form_is_a_stale_version_not_an_error(
    raad: Raad, case: dict[str, Any]
) -> None:
    made = raad.created(case)
    form = the_form(soup_of(raad.investigator.get(f"/analyses/{made['id']}/bewerken")))
    for etag in ('"²-1"', '"' + "9" * 5000 + '-1"', ""):
        data = fill(form, values_from_body(case), etag=etag)
        response = post_form(raad.investigator, form, data)
        assert response.status_code in (412, 428), (etag[:10], response.status_code)
