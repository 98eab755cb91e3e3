"""Issue 12, the workflow: incomplete drafts, returning with comments, the work list, one open
case per office, the court fixed after the first submit, and blocks added without JavaScript."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import Engine, update
from sqlalchemy.orm import Session

from kb.conflict_analysis.form import body_from_values, edited, values_from_body
from kb.conflict_analysis.models import AnalysisVersion
from kb.search.base import SearchBackend
from tests.conflict_analysis.helpers import API, Raad
from tests.conflict_analysis.test_pages import fill, post_form, soup_of, text_of, the_form
from tests.factories import OFFICE, another_case
from tests.helpers import Person, csrf_token

TASKS = "/api/v1/me/tasks"


def _half(case: dict[str, Any]) -> dict[str, Any]:
    """A draft as typed on the first visit: the case and the safety, nothing more."""
    return {"case": case["case"], "safety": case["safety"]}


# --- 1. Incomplete drafts ---------------------------------------------------------------------


def test_a_partial_draft_is_stored_with_what_it_lacks_and_submit_lists_it(
    raad: Raad, case: dict[str, Any]
) -> None:
    made = raad.created(_half(case))
    assert made["status"] == "concept" and made["complete"] is False
    assert made["recommendation"] is None
    missing = {tuple(m["loc"]) for m in made["missing"]}
    assert {("conflict",), ("children",), ("parents",), ("assessment",)} <= missing
    assert all(m["msg"].startswith("Nog niet ingevuld") for m in made["missing"])

    url = f"{API}/{made['id']}"
    refused = raad.investigator.post(f"{url}/submit")
    assert refused.status_code == 422
    assert {tuple(e["loc"]) for e in refused.json()["errors"]} == missing

    done = raad.investigator.put(url, json=case, headers={"If-Match": made["etag"]})
    assert done.status_code == 200 and done.json()["complete"] is True
    assert done.json()["missing"] == [] and done.json()["recommendation"] is not None
    assert raad.investigator.post(f"{url}/submit").status_code == 200


@pytest.mark.parametrize(
    ("change", "loc"),
    [
        pytest.param({"case": {"court": "Rechtbank Nergens"}}, ["case", "court"], id="court"),
        pytest.param({"children": [{"ref": "Jan"}]}, ["children", 0, "ref"], id="child-name"),
        pytest.param({"case": {"earlier_procedures": "twee"}}, ["case", "earlier_procedures"]),
    ],
)
def test_a_draft_may_be_incomplete_never_wrong(
    raad: Raad, change: dict[str, Any], loc: list[Any]
) -> None:
    response = raad.create(change)
    assert response.status_code == 422
    assert [e["loc"] for e in response.json()["errors"]] == [loc]


def test_an_empty_body_is_not_stored(raad: Raad) -> None:
    assert raad.create({}).status_code == 422


def test_the_page_saves_a_half_filled_form_and_links_what_is_missing(
    raad: Raad, case: dict[str, Any]
) -> None:
    new = the_form(soup_of(raad.investigator.get("/analyses/nieuw")))
    values = {k: v for k, v in values_from_body(case).items() if k.startswith("case.")}
    saved = post_form(raad.investigator, new, fill(new, values, actie="opslaan"))
    assert saved.status_code == 303, saved.text
    edit = soup_of(raad.investigator.get(saved.headers["location"]))
    assert "Opgeslagen als concept op " in text_of(edit.select_one(".notice"))
    assert " om " in text_of(edit.select_one(".notice"))
    assert edit.select_one(".error-summary") is None
    links = edit.select("#ontbreekt a")
    assert links and all(edit.find(id=a["href"].removeprefix("#")) for a in links)

    # "Opslaan en aanbieden" on an incomplete draft: saved, not offered, the list shown.
    form = the_form(edit)
    offered = post_form(raad.investigator, form, fill(form, values, actie="indienen"))
    assert offered.status_code == 422
    page = soup_of(offered)
    assert page.select("#ontbreekt a") and "Aanbieden kan pas" in text_of(
        page.select_one(".notice")
    )


# --- 2. Returning with comments ---------------------------------------------------------------


def test_the_expert_returns_a_version_with_a_comment_kept_with_it(
    raad: Raad, case: dict[str, Any]
) -> None:
    made = raad.created(case)
    url = f"{API}/{made['id']}"
    assert raad.investigator.post(f"{url}/submit").status_code == 200
    assert raad.expert.post(f"{url}/return", json={"comment": " "}).status_code == 422
    assert raad.investigator.post(f"{url}/return", json={"comment": "x"}).status_code == 403

    back = raad.expert.post(f"{url}/return", json={"comment": "Hoor K2 ook."})
    assert back.status_code == 200, back.text
    assert back.json()["status"] == "concept"
    assert [(c["role"], c["text"]) for c in back.json()["comments"]] == [
        ("gedragsdeskundige", "Hoor K2 ook.")
    ]
    # Only while it awaits approval.
    assert raad.expert.post(f"{url}/return", json={"comment": "nog eens"}).status_code == 409

    # The investigator sees it in the form and on the work list; resubmits; the comment stays.
    edit = soup_of(raad.investigator.get(f"/analyses/{made['id']}/bewerken"))
    assert "Hoor K2 ook." in text_of(edit.select_one("#opmerkingen-kop").parent)
    kinds = {(t["analysis_id"], t["kind"]) for t in raad.investigator.get(TASKS).json()}
    assert (made["id"], "teruggestuurd") in kinds
    assert raad.investigator.post(f"{url}/submit").status_code == 200
    approved = raad.expert.post(f"{url}/approve").json()
    assert [c["text"] for c in approved["comments"]] == ["Hoor K2 ook."]


def test_the_return_form_on_the_dossier_page(raad: Raad, case: dict[str, Any]) -> None:
    made = raad.created(case)
    raad.investigator.post(f"{API}/{made['id']}/submit")
    page = soup_of(raad.expert.get(f"/analyses/{made['id']}"))
    form = the_form(page, "form.analysis-return")
    empty = post_form(raad.expert, form, fill(form, {}))
    assert empty.status_code == 422 and soup_of(empty).select_one("#f-comment-fout")
    sent = post_form(raad.expert, form, fill(form, {"comment": ["Graag de bron van factor 2."]}))
    assert sent.status_code == 303
    assert raad.investigator.get(f"{API}/{made['id']}").json()["status"] == "concept"


# --- 3. The work list ---------------------------------------------------------------------------


def test_each_role_sees_its_own_work(raad: Raad, case: dict[str, Any]) -> None:
    waiting = raad.created(case)
    raad.investigator.post(f"{API}/{waiting['id']}/submit")
    done = raad.submitted(another_case(case))
    expert = {(t["analysis_id"], t["kind"]) for t in raad.expert.get(TASKS).json()}
    assert (waiting["id"], "ter_accordering") in expert
    assert all(kind == "ter_accordering" for _, kind in expert)

    mine = raad.investigator.get(TASKS).json()
    assert all(t["url"].startswith("/analyses/") for t in mine)
    dates = [t["due"] or t["since"][:10] for t in mine]
    assert dates == sorted(dates)
    assert done["final_advice"] == "benoemen"
    report_by = dt.date.fromisoformat(done["recommendation"]["curator"]["report_by"])
    judge = {(t["analysis_id"], t["kind"]) for t in raad.judge.get(TASKS).json()}
    due_soon = report_by <= dt.date.today() + dt.timedelta(days=14)
    assert ((done["id"], "curatorrapport") in judge) is due_soon
    assert raad.make("beheerder").get(TASKS).json() == []


def test_a_reassessment_past_due_is_on_the_list_marked_overdue(
    raad: Raad, case: dict[str, Any], prepared: tuple[Engine, SearchBackend]
) -> None:
    made = raad.created(case)
    # Set the date while the row is still a draft (a submitted row never changes).
    with Session(prepared[0]) as session, session.begin():
        session.execute(
            update(AnalysisVersion)
            .where(AnalysisVersion.analysis_id == made["id"])
            .values(reassess_by=dt.date.today() - dt.timedelta(days=3))
        )
    url = f"{API}/{made['id']}"
    raad.investigator.post(f"{url}/submit")
    raad.expert.post(f"{url}/approve")
    tasks = [t for t in raad.investigator.get(TASKS).json() if t["analysis_id"] == made["id"]]
    assert [(t["kind"], t["overdue"]) for t in tasks][:1] == [("herijking", True)]


def test_the_work_page_and_signing_in_lands_there(raad: Raad, case: dict[str, Any]) -> None:
    made = raad.created(case)
    raad.investigator.post(f"{API}/{made['id']}/submit")
    page = soup_of(raad.expert.get("/werk"))
    assert page.select_one("h1").get_text() == "Uw werklijst"
    assert page.find("a", href=f"/analyses/{made['id']}") is not None
    assert raad.make("redacteur").get("/werk", follow_redirects=False).status_code == 303

    fresh = raad.make("anoniem") if False else None
    del fresh


# --- 5. One open analysis per case number; the court fixed -----------------------------------


def test_one_open_analysis_per_case_number_per_office(raad: Raad, case: dict[str, Any]) -> None:
    first = raad.created(case)
    spaced = copy.deepcopy(case)
    spaced["case"]["case_number"] = "  " + case["case"]["case_number"].lower() + " "
    again = raad.create(spaced)
    assert again.status_code == 422
    assert again.json()["errors"][0]["loc"] == ["case", "case_number"]
    assert f"analyse {first['id']}" in again.json()["errors"][0]["msg"]
    # Another office may hold the same case number.
    other = raad.make("raadsonderzoeker", office=OFFICE + " Noord")
    assert other.post(API, json=case).status_code == 201


def test_the_court_is_fixed_after_the_first_submit(raad: Raad, case: dict[str, Any]) -> None:
    made = raad.created(case)
    url = f"{API}/{made['id']}"
    moved = copy.deepcopy(case)
    moved["case"]["court"] = "Rechtbank Den Haag"
    before = raad.investigator.put(url, json=moved, headers={"If-Match": made["etag"]})
    assert before.status_code == 200  # not yet submitted: still free
    back = raad.investigator.put(url, json=case, headers={"If-Match": before.json()["etag"]})
    raad.investigator.post(f"{url}/submit")
    returned = raad.expert.post(f"{url}/return", json={"comment": "Nog één ding."}).json()
    refused = raad.investigator.put(url, json=moved, headers={"If-Match": returned["etag"]})
    assert back.status_code == 200 and refused.status_code == 422
    assert refused.json()["errors"][0]["loc"] == ["case", "court"]


# --- 6. Any number of blocks, lists as lists --------------------------------------------------


def test_removing_a_block_leaves_out_its_fields_only() -> None:
    values = {"children.0.ref": ["K1"], "children.1.ref": ["K2"], "children.10.ref": ["K11"]}
    assert edited(values, "verwijderen:children.1") == {
        "children.0.ref": ["K1"],
        "children.10.ref": ["K11"],
    }
    assert edited(values, "verwijderen:case.1") == values
    assert edited(values, "toevoegen:children") == values


def test_short_lists_are_check_boxes_plus_lines() -> None:
    values = {
        "children.0.ref": ["K1"],
        "children.0.stress_signals": ["slapen", "school"],
        "children.0.stress_signals_anders": ["buikpijn\n\nnachtmerries\nslapen"],
    }
    body, _ = body_from_values(values)
    assert body["children"][0]["stress_signals"] == ["slapen", "school", "buikpijn", "nachtmerries"]
    back = values_from_body(body)
    assert back["children.0.stress_signals"] == ["slapen", "school"]
    assert back["children.0.stress_signals_anders"] == ["buikpijn\nnachtmerries"]


def test_a_fifth_child_is_added_and_one_removed_without_javascript(
    raad: Raad, case: dict[str, Any]
) -> None:
    five = copy.deepcopy(case)
    five["children"] += [five["children"][0] | {"ref": f"K{n}", "contact": []} for n in range(3, 6)]
    made = raad.created(five)
    edit_path = f"/analyses/{made['id']}/bewerken"
    form = the_form(soup_of(raad.investigator.get(edit_path)))
    assert form.select_one("#f-children-4-ref") is not None  # the fifth
    assert form.select_one("#f-children-5-ref") is not None  # and an empty sixth
    values = values_from_body(five)
    removed = post_form(raad.investigator, form, fill(form, values, actie="verwijderen:children.1"))
    assert removed.status_code == 303 and removed.headers["location"].endswith("#f-children")
    refs = [
        c["ref"] for c in raad.investigator.get(f"{API}/{made['id']}").json()["body"]["children"]
    ]
    assert refs == ["K1", "K3", "K4", "K5"]


def test_the_form_has_the_sticky_advice_panel_hidden_without_javascript(
    raad: Raad, case: dict[str, Any]
) -> None:
    made = raad.created(case)
    page = soup_of(raad.investigator.get(f"/analyses/{made['id']}/bewerken"))
    panel = page.select_one("aside#advies-paneel")
    assert panel is not None and panel.has_attr("hidden")
    # Without JavaScript the advice of the saved draft is on the page itself.
    assert "Benoem een bijzondere curator" in text_of(page.select_one("#advies-voorbeeld"))


def test_signing_in_without_a_destination_lands_on_the_work_list(
    raad: Raad, user_factory: Callable[..., Person]
) -> None:
    person = user_factory("gedragsdeskundige", office=OFFICE)
    anonymous = raad.make(None)
    answer = anonymous.post(
        "/aanmelden",
        data={
            "_csrf_token": csrf_token(anonymous),
            "username": person.username,
            "password": person.password,
            "next": "/",
        },
        follow_redirects=False,
    )
    assert answer.status_code == 303 and answer.headers["location"] == "/werk"
