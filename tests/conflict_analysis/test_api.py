"""The conflict-analysis API of contracts.md: workflow, versions, concurrency, access and audit."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from kb.access import Caller, CurrentUser
from kb.auth import audit
from kb.auth.models import AuditEntry
from kb.cli import main
from kb.conflict_analysis.advisor import Advisor
from kb.conflict_analysis.service import AnalysisService
from kb.errors import PermissionDeniedError
from kb.interventions.catalogue import Catalogue
from kb.search.base import SearchBackend
from kb.settings import Settings
from tests.conflict_analysis.helpers import API, Raad
from tests.factories import COURT, OFFICE, another_case
from tests.helpers import csrf_token

PROBLEM = "application/problem+json"


def problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body = dict(response.json())
    assert body["status"] == status and body["title"] and body["detail"]
    return body


# --- The workflow -----------------------------------------------------------------------------


def test_create_answers_201_with_a_concept_its_recommendation_and_an_etag(
    raad: Raad, case: dict[str, Any]
) -> None:
    response = raad.create(case)
    assert response.status_code == 201
    made = response.json()
    assert made["version"] == 1 and made["status"] == "concept"
    assert response.headers["etag"] == made["etag"] == '"1-1"'
    assert response.headers["location"] == f"{API}/{made['id']}"
    assert made["office"] == OFFICE and made["court"] == COURT
    rec = made["recommendation"]
    # Coercive control: mediation-like help is excluded, and the curator advice is to appoint.
    assert rec["safety"]["level"] == "zorgen"
    assert rec["safety"]["excluded_contraindications"] == [
        "dwingende_controle",
        "acute_onveiligheid",
    ]
    assert rec["curator"]["advice"] == "benoemen"
    assert {r["code"] for r in rec["curator"]["reasons"]} >= {"veiligheid", "klem", "belang"}
    assert all(r["basis"] for r in rec["curator"]["reasons"])
    assert "ouderschap-blijft" not in {m["slug"] for m in rec["interventions"]}  # it failed
    assert rec["reassess_by"] == made["recommendation"]["reassess_by"]


def test_the_whole_workflow_and_a_reassessment(raad: Raad, case: dict[str, Any]) -> None:
    made = raad.created(case)
    url = f"{API}/{made['id']}"

    case["assessment"]["summary"] = "Na het tweede gesprek: K1 zit duidelijk klem."
    saved = raad.investigator.put(url, json=case, headers={"If-Match": made["etag"]})
    assert saved.status_code == 200, saved.text
    assert saved.json()["revision"] == 2 and saved.headers["etag"] == '"1-2"'

    submitted = raad.investigator.post(f"{url}/submit")
    assert submitted.status_code == 200 and submitted.json()["status"] == "ter_accordering"
    # The judge does not see it until it is approved.
    problem(raad.judge.get(url), 404)

    approved = raad.expert.post(f"{url}/approve")
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "ingediend"
    assert approved.json()["approved_by"] and approved.json()["approved_at"]

    read = raad.judge.get(url)
    assert read.status_code == 200
    assert read.json()["body"]["assessment"]["summary"] == case["assessment"]["summary"]
    assert read.headers["etag"] == read.json()["etag"]

    again = raad.investigator.post(f"{url}/reassessments")
    assert again.status_code == 201, again.text
    v2 = again.json()
    assert (v2["version"], v2["status"], v2["revision"]) == (2, "concept", 1)
    assert v2["body"] == read.json()["body"]  # copied from the last submitted version
    assert [v["version"] for v in v2["versions"]] == [1, 2]

    # The judge still reads version 1: version 2 is a draft.
    assert raad.judge.get(url).json()["version"] == 1
    assert raad.investigator.get(url).json()["version"] == 2
    assert raad.investigator.get(url, params={"version": 1}).json()["status"] == "ingediend"
    problem(raad.judge.get(url, params={"version": 2}), 404)


def test_a_second_reassessment_while_one_runs_is_a_conflict(
    raad: Raad, case: dict[str, Any]
) -> None:
    made = raad.submitted(case)
    url = f"{API}/{made['id']}"
    assert raad.investigator.post(f"{url}/reassessments").status_code == 201
    body = problem(raad.investigator.post(f"{url}/reassessments"), 409)
    assert "herijking" in body["detail"]


def test_a_deviation_keeps_both_advices_on_record(raad: Raad, case: dict[str, Any]) -> None:
    case["assessment"]["deviation"] = {
        "advice": "overwegen",
        "reason": "Een jeugdbeschermer is al betrokken en spreekt de kinderen wekelijks.",
    }
    made = raad.created(case)
    curator = made["recommendation"]["curator"]
    assert curator["advice"] == "benoemen"
    assert curator["final_advice"] == made["final_advice"] == "overwegen"
    assert made["deviation_reason"].startswith("Een jeugdbeschermer")


def test_a_deviation_without_a_reason_is_refused(raad: Raad, case: dict[str, Any]) -> None:
    case["assessment"]["deviation"] = {"advice": "niet_nodig", "reason": "  "}
    body = problem(raad.create(case), 422)
    assert {
        "loc": ["assessment", "deviation", "reason"],
        "msg": ("Wie van het berekende advies afwijkt, schrijft op waarom."),
    } in body["errors"]


def test_evaluate_stores_nothing(
    raad: Raad, case: dict[str, Any], prepared: tuple[Engine, SearchBackend]
) -> None:
    with Session(prepared[0]) as session:
        before = session.scalars(select(AuditEntry.id)).all()
    for client in (raad.investigator, raad.expert):
        response = client.post(f"{API}/evaluate", json=case)
        assert response.status_code == 200, response.text
        assert response.json()["curator"]["advice"] == "benoemen"
    with Session(prepared[0]) as session:
        after = session.scalars(select(AuditEntry.id)).all()
    assert len(after) == len(before)
    assert raad.judge.post(f"{API}/evaluate", json=case).status_code == 403


# --- Concurrency ------------------------------------------------------------------------------


def test_two_saves_of_the_same_revision_one_wins_one_is_stale_and_nothing_is_lost(
    raad: Raad, case: dict[str, Any]
) -> None:
    made = raad.created(case)
    url = f"{API}/{made['id']}"
    mine = {**case, "assessment": {**case["assessment"], "summary": "Tekst van tabblad 1"}}
    theirs = {**case, "assessment": {**case["assessment"], "summary": "Tekst van tabblad 2"}}

    first = raad.investigator.put(url, json=mine, headers={"If-Match": made["etag"]})
    second = raad.investigator.put(url, json=theirs, headers={"If-Match": made["etag"]})
    assert first.status_code == 200
    body = problem(second, 412)
    assert '"1-2"' in body["detail"]  # the loser learns the current ETag
    assert raad.investigator.get(url).json()["body"]["assessment"]["summary"] == (
        "Tekst van tabblad 1"
    )

    # The loser still holds its body: with the new ETag it saves, and both texts exist.
    current = raad.investigator.get(url)
    merged = {
        **theirs,
        "assessment": {**theirs["assessment"], "summary": "Tekst van tabblad 1 + tabblad 2"},
    }
    retry = raad.investigator.put(url, json=merged, headers={"If-Match": current.headers["etag"]})
    assert retry.status_code == 200
    assert retry.json()["body"]["assessment"]["summary"] == "Tekst van tabblad 1 + tabblad 2"
    assert retry.json()["revision"] == 3


@pytest.mark.parametrize(
    ("header", "status"),
    [
        pytest.param(None, 428, id="missing"),
        pytest.param("", 428, id="empty"),
        pytest.param("*", 428, id="star"),
        pytest.param('"1-99"', 412, id="unknown-revision"),
        pytest.param('W/"1-1"', 412, id="weak"),
        pytest.param("1-1", 412, id="unquoted"),
        pytest.param('"2-1"', 412, id="other-version"),
    ],
)
def test_put_needs_the_current_etag(
    raad: Raad, case: dict[str, Any], header: str | None, status: int
) -> None:
    made = raad.created(case)
    headers = {} if header is None else {"If-Match": header}
    body = problem(raad.investigator.put(f"{API}/{made['id']}", json=case, headers=headers), status)
    if status == 428:
        assert "If-Match" in body["detail"]


def test_an_if_match_list_with_the_current_etag_matches(raad: Raad, case: dict[str, Any]) -> None:
    made = raad.created(case)
    headers = {"If-Match": '"1-0", "1-1"'}
    assert (
        raad.investigator.put(f"{API}/{made['id']}", json=case, headers=headers).status_code == 200
    )


def test_submit_with_a_stale_etag_is_refused(raad: Raad, case: dict[str, Any]) -> None:
    made = raad.created(case)
    url = f"{API}/{made['id']}"
    raad.investigator.put(url, json=case, headers={"If-Match": made["etag"]})
    problem(raad.investigator.post(f"{url}/submit", headers={"If-Match": made["etag"]}), 412)
    assert raad.investigator.get(url).json()["status"] == "concept"


# --- A submitted version cannot change ------------------------------------------------------


def test_a_submitted_version_cannot_be_changed_through_any_route(
    raad: Raad, case: dict[str, Any]
) -> None:
    made = raad.submitted(case)
    url = f"{API}/{made['id']}"
    etag = made["etag"]
    changed = {**case, "assessment": {**case["assessment"], "child_interest_at_stake": "nee"}}

    problem(raad.investigator.put(url, json=changed, headers={"If-Match": etag}), 409)
    problem(raad.investigator.post(f"{url}/submit"), 409)
    problem(raad.expert.post(f"{url}/approve"), 409)
    problem(raad.expert.put(url, json=changed, headers={"If-Match": etag}), 403)
    problem(raad.judge.put(url, json=changed, headers={"If-Match": etag}), 403)
    # Nor through the pages (CSRF token and all).
    token = csrf_token(raad.investigator, "/analyses")
    page = raad.investigator.post(
        f"/analyses/{made['id']}/bewerken",
        data={"_csrf_token": token, "etag": etag, "case.case_number": "anders"},
    )
    assert page.status_code == 409
    autosave = raad.investigator.post(
        f"/analyses/{made['id']}/autosave",
        data={"_csrf_token": token, "etag": etag, "case.case_number": "anders"},
    )
    assert autosave.status_code == 409 and autosave.json()["saved"] is False
    for action in ("indienen", "accorderen"):
        client = raad.investigator if action == "indienen" else raad.expert
        token = csrf_token(client, "/analyses")
        response = client.post(
            f"/analyses/{made['id']}/{action}", data={"_csrf_token": token, "etag": etag}
        )
        assert response.status_code == 409, action

    after = raad.judge.get(url).json()
    assert after["body"] == made["body"] and after["etag"] == etag
    assert after["body"]["assessment"]["child_interest_at_stake"] == "ja"


# --- Access -----------------------------------------------------------------------------------


def test_who_may_read(raad: Raad, case: dict[str, Any]) -> None:
    made = raad.submitted(case)
    url = f"{API}/{made['id']}"
    colleague = raad.make("raadsonderzoeker", office=OFFICE)
    elsewhere = {
        "other court's judge": raad.make("rechter", court="Rechtbank Den Haag"),
        "other office's investigator": raad.make("raadsonderzoeker", office="Raad Rotterdam"),
        "other office's expert": raad.make("gedragsdeskundige", office="Raad Rotterdam"),
    }
    for client in (raad.investigator, colleague, raad.expert, raad.judge):
        assert client.get(url).status_code == 200
        assert client.get(f"{url}/report").status_code == 200
    for who, client in elsewhere.items():
        for path in (url, f"{url}/report", f"{url}/report.pdf"):
            assert problem(client.get(path), 404)["detail"], who
    # Roles that never see case data get 403, without a word of content.
    for role in ("beheerder", "loketmedewerker", "redacteur"):
        client = raad.make(role)
        for path in (url, f"{url}/report", f"{url}/report.pdf", API):
            response = client.get(path)
            assert response.status_code == 403, (role, path)
            assert "745123" not in response.text and "K1" not in response.text
    assert problem(raad.make(None).get(url), 401)


def test_a_missing_analysis_is_404_for_everyone(raad: Raad) -> None:
    for client in (raad.investigator, raad.expert, raad.judge):
        problem(client.get(f"{API}/999999"), 404)
    problem(raad.investigator.put(f"{API}/999999", json={}, headers={"If-Match": '"1-1"'}), 404)


def test_who_may_change(raad: Raad, case: dict[str, Any]) -> None:
    made = raad.created(case)
    url = f"{API}/{made['id']}"
    colleague = raad.make("raadsonderzoeker", office=OFFICE)
    headers = {"If-Match": made["etag"]}
    # A colleague of the office may read, not change, submit or reassess.
    assert colleague.get(url).status_code == 200
    problem(colleague.put(url, json=case, headers=headers), 403)
    problem(colleague.post(f"{url}/submit"), 403)
    # The expert may not approve a draft, nor one of another office.
    problem(raad.expert.post(f"{url}/approve"), 409)
    assert raad.investigator.post(f"{url}/submit").status_code == 200
    other_expert = raad.make("gedragsdeskundige", office="Raad Utrecht")
    problem(other_expert.post(f"{url}/approve"), 404)
    problem(raad.investigator.post(f"{url}/approve"), 403)
    problem(colleague.post(f"{url}/reassessments"), 403)
    # Only investigators create.
    for client in (raad.expert, raad.judge):
        problem(client.post(API, json=case), 403)


def test_an_investigator_without_an_office_cannot_create(
    case: dict[str, Any], prepared: tuple[Engine, SearchBackend], kb_catalogue: Catalogue
) -> None:
    # Accounts cannot be made without their scope, so the service is asked directly.
    investigator = CurrentUser(id=1, username="zonder-vestiging", role="raadsonderzoeker")
    with Session(prepared[0]) as session:
        service = AnalysisService(session, Advisor(kb_catalogue), Caller(investigator))
        with pytest.raises(PermissionDeniedError, match="vestiging"):
            service.create(case)


# --- Lists ------------------------------------------------------------------------------------


def test_the_list_shows_each_role_its_own(raad: Raad, case: dict[str, Any]) -> None:
    draft = raad.created(case)
    submitted = raad.submitted(another_case(case))
    assert {draft["id"], submitted["id"]} <= {r["id"] for r in raad.investigator.get(API).json()}
    assert {draft["id"], submitted["id"]} <= {r["id"] for r in raad.expert.get(API).json()}
    judge_rows = {r["id"]: r for r in raad.judge.get(API).json()}
    assert submitted["id"] in judge_rows and draft["id"] not in judge_rows
    row = judge_rows[submitted["id"]]
    assert row["status"] == "ingediend" and row["reassess_by"]
    other_judge = raad.make("rechter", court="Rechtbank Den Haag")
    assert submitted["id"] not in {r["id"] for r in other_judge.get(API).json()}


# --- Audit ------------------------------------------------------------------------------------


def test_every_read_and_write_is_audited_and_the_chain_holds(
    raad: Raad, case: dict[str, Any], prepared: tuple[Engine, SearchBackend]
) -> None:
    made = raad.submitted(case)
    url = f"{API}/{made['id']}"
    raad.judge.get(url)
    raad.judge.get(f"{url}/report")
    raad.judge.get(f"{url}/report.pdf")
    v2 = raad.investigator.post(f"{url}/reassessments").json()
    raad.investigator.put(url, json=case, headers={"If-Match": v2["etag"]})
    with Session(prepared[0]) as session:
        entries = session.scalars(
            select(AuditEntry)
            .where(AuditEntry.object_type == "conflict_analysis")
            .where(AuditEntry.object_id == str(made["id"]))
            .order_by(AuditEntry.id)
        ).all()
        actions = [(e.action, e.version, e.role) for e in entries]
        assert actions == [
            ("analysis.create", 1, "raadsonderzoeker"),
            ("analysis.submit", 1, "raadsonderzoeker"),
            ("analysis.approve", 1, "gedragsdeskundige"),
            ("analysis.read", 1, "rechter"),
            ("analysis.read", 1, "rechter"),
            ("analysis.read", 1, "rechter"),
            ("analysis.reassess", 2, "raadsonderzoeker"),
            ("analysis.edit", 2, "raadsonderzoeker"),
        ]
        assert [e.detail.get("purpose") for e in entries[3:6]] == ["lezen", "rapport", "pdf"]
        # Metadata only: never a word of the case.
        for entry in entries:
            assert set(entry.detail) <= {"via", "status", "purpose"}
            assert "745123" not in str(entry.detail)
        assert audit.verify(session).ok


def test_kb_audit_verify_passes_after_a_whole_workflow(
    raad: Raad,
    case: dict[str, Any],
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    made = raad.submitted(case)
    raad.judge.get(f"{API}/{made['id']}/report")
    monkeypatch.setenv("KB_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("KB_DATABASE_URL", settings.resolved_database_url)
    monkeypatch.chdir(settings.data_dir)  # no stray .env
    assert main(["audit", "verify"]) == 0
    assert capsys.readouterr().out.startswith("OK:")


def test_refused_reads_leave_no_content_in_the_log(
    raad: Raad, case: dict[str, Any], prepared: tuple[Engine, SearchBackend]
) -> None:
    made = raad.submitted(case)
    raad.make("rechter", court="Rechtbank Den Haag").get(f"{API}/{made['id']}")
    with Session(prepared[0]) as session:
        reads = session.scalars(
            select(AuditEntry)
            .where(AuditEntry.object_id == str(made["id"]))
            .where(AuditEntry.action == "analysis.read")
        ).all()
    assert reads == []  # a 404 rolls back: nothing was read


# --- Bad input, endpoint by endpoint -----------------------------------------------------------


BAD_REQUESTS = [
    pytest.param(
        "GET", "{url}?version=abc", {}, None, 422, ["query", "version"], id="version-text"
    ),
    pytest.param("GET", "{url}?version=0", {}, None, 422, ["query", "version"], id="version-0"),
    pytest.param("GET", "{url}?version=7", {}, None, 404, None, id="version-unknown"),
    pytest.param("GET", f"{API}/abc", {}, None, 404, None, id="id-text"),
    pytest.param(
        "GET", "{url}/report?version=-1", {}, None, 422, ["query", "version"], id="report-version"
    ),
    pytest.param(
        "GET", "{url}/report.pdf?version=9", {}, None, 404, None, id="pdf-version-unknown"
    ),
    pytest.param(
        "POST", "{url}/submit", {"If-Match": "rommel"}, None, 412, None, id="submit-garbage-etag"
    ),
    pytest.param("POST", "{url}/submit", {"If-Match": "*"}, None, 428, None, id="submit-star"),
    pytest.param("PUT", "{url}", {"If-Match": '"1-1"'}, b"", 422, ["body"], id="put-empty-body"),
    pytest.param("PUT", "{url}", {"If-Match": '"1-1"'}, b"{nee", 400, None, id="put-malformed"),
    pytest.param("POST", API, {}, b"[]", 422, [], id="create-a-list"),
    pytest.param("POST", API, {}, b"\xff\xfe", 400, None, id="create-not-utf8"),
    pytest.param(
        "POST", f"{API}/evaluate", {}, b'{"case": 1}', 422, ["case"], id="evaluate-case-number"
    ),
]


@pytest.mark.parametrize(("method", "path", "headers", "content", "status", "loc"), BAD_REQUESTS)
def test_bad_input_on_every_endpoint_gets_a_dutch_problem(
    raad: Raad,
    case: dict[str, Any],
    method: str,
    path: str,
    headers: dict[str, str],
    content: bytes | None,
    status: int,
    loc: list[Any] | None,
) -> None:
    made = raad.created(case)
    url = path.format(url=f"{API}/{made['id']}")
    if content is not None:
        headers = headers | {"Content-Type": "application/json"}
    response = raad.investigator.request(method, url, headers=headers, content=content)
    body = problem(response, status)
    english = r"\b(the|should|must|failed|malformed|required|invalid)\b"
    assert not re.search(english, body["detail"], re.IGNORECASE), body["detail"]
    if loc is not None:
        assert loc in [e["loc"] for e in body["errors"]], body["errors"]
        assert all(e["msg"] and "Input should" not in e["msg"] for e in body["errors"])


@pytest.mark.parametrize(
    ("path", "data", "status"),
    [
        pytest.param("/analyses/{id}?versie=abc", None, 422, id="page-version"),
        pytest.param("/analyses/{id}/indienen", {"etag": "rommel"}, 412, id="page-submit-stale"),
        pytest.param(
            "/analyses/{id}/accorderen", {"etag": '"1-1"'}, 403, id="page-approve-investigator"
        ),
    ],
)
def test_bad_input_on_the_pages_gets_a_dutch_page(
    raad: Raad, case: dict[str, Any], path: str, data: dict[str, str] | None, status: int
) -> None:
    made = raad.created(case)
    url = path.format(id=made["id"])
    if data is None:
        response = raad.investigator.get(url)
    else:
        token = csrf_token(raad.investigator, "/analyses")
        response = raad.investigator.post(url, data=data | {"_csrf_token": token})
    assert response.status_code == status
    assert response.headers["content-type"].startswith("text/html")
    assert '<html lang="nl">' in response.text


def test_the_openapi_document_describes_the_contract(raad: Raad) -> None:
    document = raad.investigator.get("/schema/openapi.json").json()
    paths = document["paths"]
    expected = {
        API: {"get", "post"},
        f"{API}/evaluate": {"post"},
        f"{API}/{{analysis_id}}": {"get", "put"},
        f"{API}/{{analysis_id}}/submit": {"post"},
        f"{API}/{{analysis_id}}/approve": {"post"},
        f"{API}/{{analysis_id}}/reassessments": {"post"},
        f"{API}/{{analysis_id}}/report": {"get"},
        f"{API}/{{analysis_id}}/report.pdf": {"get"},
    }
    assert {p: set(paths[p]) for p in expected} == expected
    body = paths[API]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert body["allOf"] == [{"$ref": "#/components/schemas/AnalysisBody"}]
    assert "AnalysisBody" in document["components"]["schemas"]
    put = paths[f"{API}/{{analysis_id}}"]["put"]
    assert {"If-Match"} <= {p["name"] for p in put["parameters"]}
    assert {"412", "428", "422"} <= set(put["responses"])
