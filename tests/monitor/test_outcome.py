"""Closing a case with its outcome (contracts.md): who may, when, what is checked, what is audited."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from kb.auth.models import AuditEntry
from kb.monitor.models import CaseClosure, CaseOutcome
from kb.search.base import SearchBackend
from tests.conflict_analysis.helpers import API, Raad
from tests.factories import COURT, OFFICE
from tests.helpers import csrf_token
from tests.monitor.helpers import OUTCOME

PROBLEM = "application/problem+json"


def _outcome(raad: Raad, analysis_id: int, body: dict[str, Any] | None = None) -> Any:
    return raad.investigator.post(f"{API}/{analysis_id}/outcome", json=body or OUTCOME)


def test_its_investigator_closes_a_submitted_case_and_the_outcome_is_kept_apart(
    raad: Raad, case: dict[str, Any], prepared: tuple[Engine, SearchBackend]
) -> None:
    made = raad.submitted(case)
    response = _outcome(raad, made["id"])
    assert response.status_code == 201, response.text
    out = response.json()
    # The procedure started on 2024-09-01 (the case) and ended on 2026-02-15.
    assert out["procedure_days"] == 532
    assert out["court"] == COURT and out["closed_on"] == "2026-03-31"
    assert out["municipal_support"] is None  # unknown stays unknown
    with Session(prepared[0]) as session:
        closure = session.get(CaseClosure, made["id"])
        assert closure is not None
        fact = session.get(CaseOutcome, closure.outcome_id)
        assert fact is not None
        assert (fact.court, fact.year, fact.procedure_days) == (COURT, 2026, 532)
        assert (fact.settled_by_mediation, fact.curator_appointed) == (False, True)
        assert fact.synthetic is False
        entry = session.scalars(
            select(AuditEntry).where(
                AuditEntry.action == "analysis.close", AuditEntry.object_id == str(made["id"])
            )
        ).one()
    # Metadata only: none of the outcome's answers is in the audit log.
    assert entry.detail == {"via": "api"} and entry.version == 1

    again = _outcome(raad, made["id"])
    assert again.status_code == 409 and again.headers["content-type"].startswith(PROBLEM)


def test_a_case_closes_only_once_its_last_version_is_submitted(
    raad: Raad, case: dict[str, Any]
) -> None:
    made = raad.created(case)
    assert _outcome(raad, made["id"]).status_code == 409
    raad.investigator.post(f"{API}/{made['id']}/submit")
    assert _outcome(raad, made["id"]).status_code == 409
    raad.expert.post(f"{API}/{made['id']}/approve")
    raad.investigator.post(f"{API}/{made['id']}/reassessments")  # a new concept version
    assert _outcome(raad, made["id"]).status_code == 409


def test_only_its_own_investigator_closes_it(raad: Raad, case: dict[str, Any]) -> None:
    made = raad.submitted(case)
    colleague = raad.make("raadsonderzoeker", office=OFFICE)
    other_judge = raad.make("rechter", court="Rechtbank Den Haag")
    url = f"{API}/{made['id']}/outcome"
    assert colleague.post(url, json=OUTCOME).status_code == 403
    assert raad.expert.post(url, json=OUTCOME).status_code == 403  # the role may not
    assert raad.judge.post(url, json=OUTCOME).status_code == 403
    assert other_judge.post(url, json=OUTCOME).status_code == 403
    assert raad.investigator.post(f"{API}/999999999/outcome", json=OUTCOME).status_code == 404


def test_an_outcome_that_does_not_fit_the_case_gets_field_errors_and_nothing_is_written(
    raad: Raad, case: dict[str, Any], prepared: tuple[Engine, SearchBackend]
) -> None:
    made = raad.submitted(case)
    bad = {
        **OUTCOME,
        "closed_on": "2024-01-01",  # before the procedure began
        "procedure_ended_on": "2099-01-01",  # in the future
        "curator_appointed": False,
        "curator_disciplinary": True,  # a disciplinary case without a curator
    }
    response = _outcome(raad, made["id"], bad)
    assert response.status_code == 422
    fields = {tuple(e["loc"]) for e in response.json()["errors"]}
    assert fields == {("closed_on",), ("procedure_ended_on",), ("curator_disciplinary",)}
    wrong_types = _outcome(raad, made["id"], {"closed_on": "gisteren", "curator_appointed": "ja"})
    assert wrong_types.status_code == 422
    assert {e["loc"][0] for e in wrong_types.json()["errors"]} == {"closed_on", "curator_appointed"}
    with Session(prepared[0]) as session:
        assert session.get(CaseClosure, made["id"]) is None


def test_the_page_closes_the_case_and_then_shows_the_outcome(
    raad: Raad, case: dict[str, Any]
) -> None:
    made = raad.submitted(case)
    page = f"/analyses/{made['id']}/afsluiten"
    shown = raad.investigator.get(page)
    assert shown.status_code == 200 and 'name="closed_on"' in shown.text
    form = {
        "_csrf_token": csrf_token(raad.investigator, page),
        "closed_on": "2026-04-01",
        "procedure_ended_on": "",
        "settled_by_mediation": "ja",
        "curator_appointed": "nee",
        "municipal_support": "",
        "curator_disciplinary": "ja",  # refused: there was no curator
    }
    refused = raad.investigator.post(page, data=form)
    assert refused.status_code == 422 and "Alleen in te vullen" in refused.text
    form["curator_disciplinary"] = ""
    done = raad.investigator.post(page, data=form, follow_redirects=False)
    assert done.status_code == 303
    after = raad.investigator.get(page)
    assert "De zaak is afgesloten" in after.text and "Bewaard tot" in after.text
    # The judge of the court reads it, without a form.
    judged = raad.judge.get(page)
    assert judged.status_code == 200 and "Bewaard tot" in judged.text
    assert 'name="closed_on"' not in judged.text


def test_a_closed_case_takes_no_new_version_and_frees_its_case_number(
    raad: Raad, case: dict[str, Any]
) -> None:
    made = raad.submitted(case)
    assert _outcome(raad, made["id"]).status_code == 201
    # Over: no re-assessment of a closed case (the purge would delete it with the rest).
    again = raad.investigator.post(f"{API}/{made['id']}/reassessments")
    assert again.status_code == 409, again.text
    assert "afgesloten" in again.json()["detail"]
    # The office may start a new analysis under the same case number.
    fresh = raad.investigator.post(API, json=case)
    assert fresh.status_code == 201, fresh.text
