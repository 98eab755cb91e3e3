"""The proposals API (contracts.md): register, the duplicate warning, edit with If-Match, approve
into a searchable content file, reject; every step in the audit log."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kb.auth.models import AuditEntry
from kb.interventions.loader import load_entry
from kb.interventions.schemas import EntryFrontMatter
from tests.helpers import AppUnderTest

PILOT: dict[str, Any] = {
    "about": None,
    "front_matter": {
        "title": "Ouders praten samen met een jurist en een pedagoog (pilot Testdorp)",
        "kind": "pilot",
        "status": "lopend",
        "summary": "Proef waarin scheidende ouders samen één gesprek voeren met een jurist en een "
        "pedagoog, voordat een van hen naar de rechter stapt.",
        "audience": ["ouders"],
        "pilot": {"start": 2026, "locations": ["Testdorp"], "evaluation_status": "lopend"},
        "sources": [{"title": "Testbron van de gemeente", "url": "https://example.org/pilot"}],
    },
    "body": "## Doel\n\nOuders helpen samen afspraken te maken.\n",
    "note": "Gezien op een congres.",
}


def _people(registry: AppUnderTest) -> tuple[Any, Any]:
    author = registry.client(registry.person("loketmedewerker", municipality="Amsterdam"))
    editor = registry.client(registry.person("redacteur"))
    return author, editor


def test_similar_finds_the_earlier_pilot_with_its_result(registry: AppUnderTest) -> None:
    author, _ = _people(registry)
    asked = {
        "title": "Rechter vraagt ouders eerst met de kinderen te praten",
        "summary": "Ouders voeren voor de zitting een gesprek met elk kind over het ouderschapsplan.",
    }
    answer = author.post("/api/v1/proposals/similar", json=asked)
    assert answer.status_code == 200, answer.text
    first = answer.json()["similar"][0]
    assert first["slug"] == "bruggesprek-rechtbank-overijssel"
    assert first["status"] == "afgerond" and "75%" in first["result"]


def test_similar_refuses_bad_input_and_anonymous(registry: AppUnderTest) -> None:
    author, _ = _people(registry)
    bad = author.post("/api/v1/proposals/similar", json={"title": 5, "kind": "raket"})
    assert bad.status_code == 422
    assert {tuple(e["loc"]) for e in bad.json()["errors"]} == {("title",), ("kind",)}
    assert registry.client().post("/api/v1/proposals/similar", json={}).status_code == 401


def test_create_answers_field_errors_and_stores_nothing(registry: AppUnderTest) -> None:
    author, editor = _people(registry)
    broken = {**PILOT, "front_matter": {**PILOT["front_matter"], "kind": "raket", "sources": []}}
    answer = author.post("/api/v1/proposals", json=broken)
    assert answer.status_code == 422
    locs = {tuple(e["loc"]) for e in answer.json()["errors"]}
    assert ("front_matter", "kind") in locs and ("front_matter", "sources") in locs
    assert editor.get("/api/v1/proposals").json() == []


def test_approve_writes_a_checked_file_that_reads_back_and_is_searchable(
    registry: AppUnderTest,
) -> None:
    author, editor = _people(registry)
    created = author.post("/api/v1/proposals", json=PILOT)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["status"] == "ingediend" and body["etag"] == created.headers["etag"]
    assert isinstance(body["similar"], list)

    approved = editor.post(
        f"/api/v1/proposals/{body['id']}/approve", headers={"If-Match": body["etag"]}
    )
    assert approved.status_code == 200, approved.text
    slug = approved.json()["slug"]
    assert approved.json()["url"] == f"/interventies/{slug}"

    # Round trip: the file passes the loader `kb check` uses and holds exactly what was proposed.
    path = registry.settings.content_dir / "interventions" / f"{slug}.md"
    entry = load_entry(path)
    proposed = editor.get(f"/api/v1/proposals/{body['id']}").json()
    written = entry.front_matter()
    for name, value in proposed["front_matter"].items():
        if name not in {"last_reviewed", "next_review"}:
            assert written[name] == value, name
    assert entry.body_markdown == proposed["body"]
    assert entry.verified is False  # a new entry's facts are the author's word until checked

    # Searchable in the same response cycle, and readable as an entry.
    found = registry.client().get("/api/v1/interventions", params={"q": "jurist pedagoog Testdorp"})
    assert slug in [item["slug"] for item in found.json()["items"]]
    assert registry.client().get(f"/api/v1/interventions/{slug}").status_code == 200


def test_a_correction_changes_only_what_it_names(registry: AppUnderTest) -> None:
    author, editor = _people(registry)
    current = registry.client().get("/api/v1/interventions/regierechter").json()
    front = {name: current[name] for name in PILOT_FIELDS if name in current}
    front["summary"] = current["summary"] + " Aangevuld door een professional."
    created = author.post(
        "/api/v1/proposals",
        json={"about": "regierechter", "front_matter": front, "body": "## Doel\n\nNieuwe tekst.\n"},
    )
    assert created.status_code == 201, created.text
    changed = {c["field"] for c in created.json()["changes"]}
    assert changed == {"summary", "body"}
    approved = editor.post(f"/api/v1/proposals/{created.json()['id']}/approve")
    assert approved.json()["slug"] == "regierechter"
    after = registry.client().get("/api/v1/interventions/regierechter").json()
    assert after["summary"].endswith("Aangevuld door een professional.")


PILOT_FIELDS = tuple(EntryFrontMatter.model_fields)


def test_concurrent_edits_get_412_and_nothing_is_lost(registry: AppUnderTest) -> None:
    author, editor = _people(registry)
    created = author.post("/api/v1/proposals", json=PILOT).json()
    url = f"/api/v1/proposals/{created['id']}"
    first = {**PILOT, "note": "eerste"}
    second = {**PILOT, "note": "tweede"}
    saved = author.put(url, json=first, headers={"If-Match": created["etag"]})
    assert saved.status_code == 200, saved.text
    stale = editor.put(url, json=second, headers={"If-Match": created["etag"]})
    assert stale.status_code == 412
    assert editor.get(url).json()["note"] == "eerste"
    assert editor.put(url, json=second).status_code == 428
    # An approval based on the old version is refused as well, and writes no file.
    refused = editor.post(f"{url}/approve", headers={"If-Match": created["etag"]})
    assert refused.status_code == 412
    assert editor.get(url).json()["status"] == "ingediend"


def test_reject_with_a_reason_then_nothing_changes(registry: AppUnderTest) -> None:
    author, editor = _people(registry)
    created = author.post("/api/v1/proposals", json=PILOT).json()
    url = f"/api/v1/proposals/{created['id']}"
    assert editor.post(f"{url}/reject", json={"reason": ""}).status_code == 422
    rejected = editor.post(f"{url}/reject", json={"reason": "Dubbel met een bestaand item."})
    assert rejected.status_code == 200 and rejected.json()["status"] == "afgewezen"
    mine = author.get(url).json()
    assert mine["reason"] == "Dubbel met een bestaand item."
    assert editor.post(f"{url}/approve").status_code == 409
    assert author.put(url, json=PILOT, headers={"If-Match": mine["etag"]}).status_code == 409


def test_who_may_do_what(registry: AppUnderTest) -> None:
    author, editor = _people(registry)
    other = registry.client(registry.person("rechter"))
    admin = registry.client(registry.person("beheerder"))
    created = author.post("/api/v1/proposals", json=PILOT).json()
    url = f"/api/v1/proposals/{created['id']}"
    assert other.get(url).status_code == 404  # someone else's proposal is not there for them
    assert other.get("/api/v1/proposals").json() == []
    assert author.post(f"{url}/approve").status_code == 403
    assert admin.post("/api/v1/proposals", json=PILOT).status_code == 403
    assert author.get("/api/v1/editorial/due").status_code == 403
    assert [p["id"] for p in editor.get("/api/v1/proposals?status=ingediend").json()] == [
        created["id"]
    ]
    assert editor.get("/api/v1/proposals?status=raar").status_code == 422


def test_every_step_is_audited(registry: AppUnderTest) -> None:
    author, editor = _people(registry)
    created = author.post("/api/v1/proposals", json=PILOT).json()
    url = f"/api/v1/proposals/{created['id']}"
    saved = author.put(url, json=PILOT, headers={"If-Match": created["etag"]}).json()
    editor.post(f"{url}/approve", headers={"If-Match": saved["etag"]})
    with Session(registry.engine) as session:
        actions = session.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.object_type == "proposal", AuditEntry.object_id == str(created["id"]))
            .order_by(AuditEntry.id)
        ).all()
    assert actions == ["proposal.create", "proposal.edit", "proposal.approve"]


def test_due_list(registry: AppUnderTest) -> None:
    _, editor = _people(registry)
    due = editor.get("/api/v1/editorial/due")
    assert due.status_code == 200
    assert set(due.json()) >= {
        "entries_past_review",
        "expired_ratings",
        "unchecked_sources",
        "searches_without_results",
    }
