"""`kb purge` (domain.md §7, §9.7): closed cases past the retention period are gone, their
outcomes stay in the monitor unchanged, the purge is audited and the audit chain still holds."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import Engine, inspect, select, text, update
from sqlalchemy.orm import Session

from kb.auth import audit
from kb.auth.models import AuditEntry
from kb.cli import main
from kb.conflict_analysis.models import Analysis, AnalysisVersion
from kb.monitor.models import CaseClosure, CaseOutcome
from kb.monitor.retention import PURGE, purge
from tests.conflict_analysis.helpers import API, Raad
from tests.factories import OFFICE
from tests.helpers import AppUnderTest
from tests.monitor.helpers import OUTCOME

CASE_NUMBER = "C/13/999001 / FA RK 26-0001"
OWN_WORDS = "Ik wil gewoon bij allebei kunnen zijn, zonder ruzie."


@pytest.fixture()
def raad_here(counting: AppUnderTest) -> Raad:
    """The Raad and the court on an app of its own, so counts and the purge touch nothing else."""
    return Raad(
        investigator=counting.client(counting.person("raadsonderzoeker", office=OFFICE)),
        expert=counting.client(counting.person("gedragsdeskundige", office=OFFICE)),
        judge=counting.client(counting.person("rechter", court="Rechtbank Amsterdam")),
        make=lambda role, **scope: counting.client(counting.person(role, **scope)),  # type: ignore[arg-type]
    )


def _closed(raad: Raad, case: dict[str, Any], number: str, **outcome: Any) -> int:
    case["case"]["case_number"] = number
    case["children"][0]["own_words"] = OWN_WORDS
    case["interventions_tried"] = []  # this app's database holds no knowledge base
    made = raad.submitted(case)
    closed = raad.investigator.post(f"{API}/{made['id']}/outcome", json={**OUTCOME, **outcome})
    assert closed.status_code == 201, closed.text
    return int(made["id"])


def _age(engine: Engine, analysis_id: int, days: int) -> None:
    """Pretend the case was closed `days` ago."""
    with Session(engine) as session, session.begin():
        session.execute(
            update(CaseClosure)
            .where(CaseClosure.analysis_id == analysis_id)
            .values(closed_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=days))
        )


def _everything_as_text(engine: Engine) -> str:
    """Every row of every table, as text: where a purged case's words must no longer be."""
    parts = []
    with engine.connect() as connection:
        for table in inspect(engine).get_table_names():
            for row in connection.execute(text(f'SELECT * FROM "{table}"')):
                parts.append(repr(tuple(row)))
    return "\n".join(parts)


def test_a_purge_deletes_the_closed_case_keeps_the_monitor_and_is_audited(
    counting: AppUnderTest, raad_here: Raad, case: dict[str, Any]
) -> None:
    engine = counting.engine
    old = _closed(raad_here, case, CASE_NUMBER)
    recent = _closed(raad_here, case, "C/13/999002 / FA RK 26-0002")
    open_case = raad_here.submitted(case)["id"]
    _age(engine, old, 800)
    editor = counting.client(counting.person("redacteur"))
    before = editor.get("/api/v1/monitor.csv").text
    assert raad_here.judge.get(f"{API}/{old}").status_code == 200

    with Session(engine) as session:
        dry = purge(session, 730, dry_run=True)
        session.rollback()
    assert (dry.cases, dry.versions) == (1, 1)
    assert raad_here.judge.get(f"{API}/{old}").status_code == 200  # a dry run deletes nothing

    with Session(engine) as session:
        done = purge(session, 730)
        session.commit()
    assert (done.cases, done.versions) == (1, 1)

    # Nothing of the purged case is readable: not through the API, the pages or the database.
    for client in (raad_here.judge, raad_here.investigator, raad_here.expert):
        assert client.get(f"{API}/{old}").status_code == 404
        assert client.get(f"{API}/{old}/report").status_code == 404
        assert client.get(f"/analyses/{old}/afsluiten").status_code == 404
        assert old not in {a["id"] for a in client.get(API).json()}
    stored = _everything_as_text(engine)
    assert CASE_NUMBER not in stored and OWN_WORDS in stored  # the others still hold their words
    with Session(engine) as session:
        assert session.get(Analysis, old) is None
        assert not session.scalars(
            select(AnalysisVersion).where(AnalysisVersion.analysis_id == old)
        ).all()
        assert session.get(CaseClosure, old) is None
        assert session.get(CaseClosure, recent) is not None
        assert session.get(Analysis, open_case) is not None
        # Two outcomes still counted, one of them linked to nothing any more.
        assert len(session.scalars(select(CaseOutcome)).all()) == 2
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == PURGE)).one()
        assert entry.actor is None and entry.object_id is None
        assert entry.detail == {
            "cases": 1,
            "versions": 1,
            "retention_days": 730,
            "closed_before": entry.detail["closed_before"],
        }
        assert audit.verify(session).ok

    # The monitor's figures, to the last cell, are what they were.
    assert editor.get("/api/v1/monitor.csv").text == before


def test_kb_purge_on_the_command_line(
    counting: AppUnderTest,
    raad_here: Raad,
    case: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    old = _closed(raad_here, case, CASE_NUMBER)
    _age(counting.engine, old, 40)
    monkeypatch.setenv("KB_DATABASE_URL", counting.settings.resolved_database_url)
    monkeypatch.setenv("KB_DATA_DIR", str(counting.settings.data_dir))
    monkeypatch.setenv("KB_RETENTION_DAYS", "30")
    assert main(["purge", "--dry-run"]) == 0
    assert "Proefdraai: 1 afgesloten zaken (1 versies)" in capsys.readouterr().out
    assert raad_here.judge.get(f"{API}/{old}").status_code == 200
    assert main(["purge"]) == 0
    assert "Verwijderd: 1 afgesloten zaken met 1 versies" in capsys.readouterr().out
    assert raad_here.judge.get(f"{API}/{old}").status_code == 404
    assert main(["audit", "verify"]) == 0
    assert main(["purge"]) == 0
    assert "Verwijderd: 0 afgesloten zaken" in capsys.readouterr().out
