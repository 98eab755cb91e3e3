"""Regression tests for the findings of the attack on the running product (issue 11) that
concern the analysis's access and input rules and the hardening of every request: each test is
named after its finding."""

from __future__ import annotations

from typing import Any

import pytest
from alembic import command
from bs4 import BeautifulSoup
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import Connection, Engine, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from kb.auth.models import AuditEntry
from kb.conflict_analysis.models import AnalysisVersion
from kb.db import alembic_config, make_engine
from kb.search.base import SearchBackend
from kb.settings import Settings
from tests.conflict_analysis.helpers import API, Raad
from tests.factories import COURT, OFFICE

OTHER_COURT = "Rechtbank Den Haag"

# --- Finding 1: a submitted version keeps its court -------------------------------------------


def _listed(client: TestClient[Litestar], analysis_id: int) -> list[dict[str, Any]]:
    listed = client.get(API)
    assert listed.status_code == 200, listed.text
    return [row for row in listed.json() if row["id"] == analysis_id]


def _reads(client: TestClient[Litestar], analysis_id: int, version: int | None = None) -> list[int]:
    """The statuses of every way to read one version: JSON, report, PDF, and the pages."""
    query = f"?version={version}" if version else ""
    page_query = f"?versie={version}" if version else ""
    paths = [
        f"{API}/{analysis_id}{query}",
        f"{API}/{analysis_id}/report{query}",
        f"{API}/{analysis_id}/report.pdf{query}",
        f"/analyses/{analysis_id}/rapport{page_query}",
    ]
    return [client.get(path).status_code for path in paths]


def test_finding_01_submitted_version_keeps_its_court(
    raad: Raad, case: dict[str, Any], prepared: tuple[Engine, SearchBackend]
) -> None:
    amsterdam, den_haag = raad.judge, raad.make("rechter", court=OTHER_COURT)
    first = raad.submitted(case)
    url = f"{API}/{first['id']}"

    # A re-assessment whose draft moves the case to Den Haag.
    draft = raad.investigator.post(f"{url}/reassessments").json()
    case["case"] |= {"court": OTHER_COURT, "case_number": "C/09/123456 / FA RK 26-1"}
    saved = raad.investigator.put(url, json=case, headers={"If-Match": draft["etag"]})
    assert saved.status_code == 200, saved.text
    assert saved.json()["court"] == OTHER_COURT

    # Version 1 is still Amsterdam's alone: every way to read it, and the list.
    assert _reads(amsterdam, first["id"]) == [200] * 4
    assert amsterdam.get(url).json()["court"] == COURT
    assert [
        (r["version"], r["court"], r["case_number"]) for r in _listed(amsterdam, first["id"])
    ] == [(1, COURT, first["case_number"])]
    assert _reads(den_haag, first["id"]) == [404] * 4
    assert _reads(den_haag, first["id"], version=1) == [404] * 4
    assert _listed(den_haag, first["id"]) == []

    # Version 2 is submitted for Den Haag: each judge reads the version of their own court.
    assert raad.investigator.post(f"{url}/submit").status_code == 200
    assert raad.expert.post(f"{url}/approve").status_code == 200
    mine = den_haag.get(url).json()
    assert (mine["version"], mine["court"]) == (2, OTHER_COURT)
    assert [v["version"] for v in mine["versions"]] == [2]
    assert _reads(den_haag, first["id"], version=1) == [404] * 4
    assert [(r["version"], r["court"]) for r in _listed(den_haag, first["id"])] == [
        (2, OTHER_COURT)
    ]
    # The report compares only with versions its reader may read: no change list from Amsterdam's.
    report = BeautifulSoup(den_haag.get(f"{url}/report").text, "html.parser")
    assert COURT not in report.get_text()

    theirs = amsterdam.get(url).json()
    assert (theirs["version"], theirs["court"]) == (1, COURT)
    assert [v["version"] for v in theirs["versions"]] == [1]
    assert _reads(amsterdam, first["id"], version=2) == [404] * 4
    assert [(r["version"], r["court"]) for r in _listed(amsterdam, first["id"])] == [(1, COURT)]

    # The database holds each version's own court, and the investigator sees both.
    with Session(prepared[0]) as session:
        courts = session.execute(
            select(AnalysisVersion.version, AnalysisVersion.court)
            .where(AnalysisVersion.analysis_id == first["id"])
            .order_by(AnalysisVersion.version)
        ).all()
    assert [tuple(row) for row in courts] == [(1, COURT), (2, OTHER_COURT)]
    assert [v["version"] for v in raad.investigator.get(url).json()["versions"]] == [1, 2]


_ROWS_BEFORE_0006 = [
    """INSERT INTO account (id, username, role, office, password_hash, active, demo, auth_version,
       created_at) VALUES (1, 'onderzoeker', 'raadsonderzoeker', 'Raad Amsterdam', 'x', true,
       false, 1, CURRENT_TIMESTAMP)""",
    """INSERT INTO analysis (id, case_number, court, office, author_id, created_at)
       VALUES (1, 'C/13/1', 'Rechtbank Amsterdam', 'Raad Amsterdam', 1, CURRENT_TIMESTAMP)""",
    *(
        f"""INSERT INTO analysis_version (id, analysis_id, version, revision, status, body,
        recommendation, computed_advice, final_advice, safety_level, reassess_by, evaluated_on,
        author_id, created_at, updated_at) VALUES ({number}, 1, {number}, 1, '{status}', '{{}}',
        '{{}}', 'niet_nodig', 'niet_nodig', 'geen', '2026-06-01', '2026-01-01', 1,
        CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"""
        for number, status in ((1, "ingediend"), (2, "concept"))
    ),
]


def _migrate(engine: Engine, target: str, down: bool = False) -> None:
    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, target)


def _submitted_is_final(connection: Connection) -> None:
    with pytest.raises(DBAPIError, match="ingediend"), connection.begin_nested():
        connection.execute(text("UPDATE analysis_version SET revision = 2 WHERE version = 1"))


def test_finding_01_migration_gives_each_version_its_court(
    settings: Settings, empty_database: str
) -> None:
    engine = make_engine(settings.model_copy(update={"database_url": empty_database}))
    _migrate(engine, "0005")
    with engine.begin() as connection:
        for statement in _ROWS_BEFORE_0006:
            connection.execute(text(statement))
    _migrate(engine, "0006")
    with engine.begin() as connection:
        rows = connection.execute(
            text("SELECT version, court, case_number FROM analysis_version ORDER BY version")
        ).all()
        assert [tuple(r) for r in rows] == [(1, COURT, "C/13/1"), (2, COURT, "C/13/1")]
        _submitted_is_final(connection)  # the trigger is back
        connection.execute(
            text(f"UPDATE analysis_version SET court = '{OTHER_COURT}' WHERE version = 2")
        )
    # Down again: the case takes the newest version's court, as the draft used to leave it.
    _migrate(engine, "0005", down=True)
    with engine.begin() as connection:
        assert connection.execute(text("SELECT court FROM analysis")).scalar() == OTHER_COURT
        _submitted_is_final(connection)
    engine.dispose()


# --- Finding 13: refused reads are audited ----------------------------------------------------


def _refusals(
    engine: Engine, analysis_id: int
) -> list[tuple[str | None, int | None, dict[str, Any]]]:
    with Session(engine) as session:
        entries = session.scalars(
            select(AuditEntry)
            .where(AuditEntry.action == "analysis.refused")
            .where(AuditEntry.object_id == str(analysis_id))
            .order_by(AuditEntry.id)
        ).all()
        return [(e.role, e.version, dict(e.detail)) for e in entries]


def test_finding_13_refused_read_audited(
    raad: Raad, case: dict[str, Any], prepared: tuple[Engine, SearchBackend]
) -> None:
    made = raad.submitted(case)
    url = f"{API}/{made['id']}"
    stranger = raad.make("rechter", court=OTHER_COURT)
    colleague = raad.make("raadsonderzoeker", office=OFFICE)

    assert stranger.get(url).status_code == 404
    assert stranger.get(f"/analyses/{made['id']}/rapport").status_code == 404
    assert raad.judge.get(f"{url}?version=7").status_code == 404
    # A colleague of the office may read it, but not start the author's re-assessment.
    assert colleague.post(f"{url}/reassessments").status_code == 403

    assert _refusals(prepared[0], made["id"]) == [
        ("rechter", None, {"via": "api", "asked": "analysis.read"}),
        ("rechter", None, {"via": "pagina", "asked": "analysis.read"}),
        ("rechter", 7, {"via": "api", "asked": "analysis.read"}),
        ("raadsonderzoeker", 1, {"via": "api", "asked": "analysis.reassess"}),
    ]
    # An analysis that does not exist is refused and recorded in the same way.
    assert stranger.get(f"{API}/2147483000").status_code == 404
    assert _refusals(prepared[0], 2147483000) == [
        ("rechter", None, {"via": "api", "asked": "analysis.read"})
    ]
