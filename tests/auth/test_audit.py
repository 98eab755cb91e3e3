"""The audit log: hash-chained, append-only in the database, verified by `kb audit verify`."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from kb.access import CurrentUser
from kb.auth import audit
from kb.auth.models import AuditEntry
from kb.cli import main
from tests.helpers import AppUnderTest, csrf_token, sign_in

JUDGE = CurrentUser(id=7, username="r.jansen", role="rechter", court="Rechtbank Amsterdam")


def _entries(engine: Engine) -> list[AuditEntry]:
    with Session(engine) as session:
        return list(session.execute(select(AuditEntry).order_by(AuditEntry.id)).scalars())


def _record_a_judge_read(session: Session, **extra: Any) -> AuditEntry:
    """JUDGE reading version 3 of analysis 42 from 192.0.2.7, as the analysis routes record it."""
    return audit.record(
        session,
        user=JUDGE,
        action="analysis.read",
        object_type="conflict_analysis",
        object_id=42,
        version=3,
        address="192.0.2.7",
        **extra,
    )


def _drop_triggers(engine: Engine) -> None:
    """What a DBA with full rights could do, and what the hash chain is there to reveal."""
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("ALTER TABLE audit_log DISABLE TRIGGER USER"))
        else:
            connection.execute(text("DROP TRIGGER audit_log_no_update"))
            connection.execute(text("DROP TRIGGER audit_log_no_delete"))


@pytest.fixture()
def logged(isolated: Callable[..., AppUnderTest]) -> Iterator[AppUnderTest]:
    """An app whose log holds real events: an account made, sign-ins, a failure, a token."""
    iso = isolated()
    person = iso.person("rechter")
    sign_in(iso.client(), person.username, "verkeerd-wachtwoord")
    client = iso.client(person)
    client.post("/afmelden", data={"_csrf_token": csrf_token(client)})
    yield iso


def test_events_are_recorded_with_who_what_when_and_where(logged: AppUnderTest) -> None:
    entries = _entries(logged.engine)
    assert [e.action for e in entries] == [
        "account.create",
        "auth.sign_in_failed",
        "auth.sign_in",
        "auth.token_issued",
        "auth.sign_out",
    ]
    sign_in_entry = entries[2]
    assert sign_in_entry.role == "rechter" and sign_in_entry.actor == entries[0].object_id
    assert sign_in_entry.address == "testclient" and sign_in_entry.object_type == "account"
    assert entries[1].actor is None  # nobody is known until the password matched


def test_every_entry_chains_to_the_one_before(logged: AppUnderTest) -> None:
    entries = _entries(logged.engine)
    assert entries[0].prev_hash == audit.GENESIS
    for before, after in itertools.pairwise(entries):
        assert after.prev_hash == before.hash
        assert after.id == before.id + 1
    with Session(logged.engine) as session:
        result = audit.verify(session)
    assert result == audit.VerifyResult(True, len(entries), head_hash=entries[-1].hash)


def test_record_is_the_building_block_for_analysis_reads(
    isolated: Callable[..., AppUnderTest],
) -> None:
    iso = isolated()
    with Session(iso.engine) as session:
        first = _record_a_judge_read(session)
        second = audit.record(session, user=None, action="analysis.read", object_id="43")
        assert second.prev_hash == first.hash  # two records in one transaction chain too
        session.commit()
    stored = _entries(iso.engine)[0]
    assert (stored.actor, stored.role, stored.object_id, stored.version, stored.address) == (
        "r.jansen",
        "rechter",
        "42",
        3,
        "192.0.2.7",
    )


@pytest.mark.parametrize(
    "statement",
    [
        pytest.param("UPDATE audit_log SET actor = 'iemand anders' WHERE id = 2", id="update"),
        pytest.param("DELETE FROM audit_log WHERE id = 2", id="delete"),
    ],
)
def test_the_database_refuses_changes(statement: str, logged: AppUnderTest) -> None:
    with pytest.raises(DBAPIError, match="append-only"), logged.engine.begin() as connection:
        connection.execute(text(statement))
    with Session(logged.engine) as session:
        assert audit.verify(session).ok


def _verify_cli(
    iso: AppUnderTest, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> tuple[int, str]:
    monkeypatch.setenv("KB_DATA_DIR", str(iso.settings.data_dir))
    monkeypatch.setenv("KB_DATABASE_URL", iso.engine.url.render_as_string(hide_password=False))
    monkeypatch.chdir(iso.settings.data_dir)  # no stray .env
    code = main(["audit", "verify"])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_kb_audit_verify_names_the_first_altered_entry(
    logged: AppUnderTest, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, output = _verify_cli(logged, monkeypatch, capsys)
    assert code == 0 and output.startswith("OK: 5 regels gecontroleerd")

    _drop_triggers(logged.engine)
    with logged.engine.begin() as connection:
        connection.execute(text("UPDATE audit_log SET address = '203.0.113.9' WHERE id = 3"))
    code, output = _verify_cli(logged, monkeypatch, capsys)
    assert code == 1
    assert "Auditlog gebroken bij regel 3:" in output
    assert "(2 regels daarvoor zijn in orde.)" in output


def test_a_rehashed_change_still_breaks_the_next_link(logged: AppUnderTest) -> None:
    _drop_triggers(logged.engine)
    with Session(logged.engine) as session, session.begin():
        entry = session.get(AuditEntry, 2)
        assert entry is not None
        entry.object_id = "iemand-anders"
        entry.hash = audit.entry_hash(entry.prev_hash, entry)
    with Session(logged.engine) as session:
        result = audit.verify(session)
    assert (result.ok, result.first_broken_id, result.checked) == (False, 3, 2)


def test_a_removed_entry_is_found(logged: AppUnderTest) -> None:
    _drop_triggers(logged.engine)
    with logged.engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_log WHERE id = 2"))
    with Session(logged.engine) as session:
        result = audit.verify(session)
    assert (result.ok, result.first_broken_id) == (False, 3)
    assert result.reason is not None and "missing" in result.reason


def test_the_beheerder_sees_metadata_and_never_detail(shared_app: AppUnderTest) -> None:
    iso = shared_app
    with Session(iso.engine) as session:
        _record_a_judge_read(session, detail={"note": "K1 wil bij vader wonen"})  # never shown
        session.commit()
    client = iso.client(iso.person("beheerder"))
    page = client.get("/beheer/audit")
    assert page.status_code == 200
    assert "K1 wil bij vader wonen" not in page.text
    assert "analyse gelezen" in page.text and "r.jansen" in page.text
    items = client.get("/api/v1/audit").json()["items"]
    read = next(item for item in items if item["action"] == "analysis.read")
    assert set(read) == {
        "id",
        "at",
        "actor",
        "role",
        "action",
        "object_type",
        "object_id",
        "version",
        "address",
    }
    assert (read["object_id"], read["version"]) == ("42", 3)
