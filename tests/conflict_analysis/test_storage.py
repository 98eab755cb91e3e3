"""Storage: the tables match their migration, a submitted row refuses changes in the database
itself, and two saves racing in separate transactions cannot both win."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

import kb.models  # noqa: F401  (every table on the metadata, as Alembic sees it)
from kb.conflict_analysis.models import Analysis, AnalysisVersion
from kb.db import Base
from kb.errors import StaleVersionError
from kb.search.base import SearchBackend
from tests.conflict_analysis.helpers import API, Direct, Raad
from tests.factories import another_case

OURS = {"analysis", "analysis_version", "analysis_comment", "due_notice"}


def _tables_of(diff: Any) -> set[str]:
    """The tables a difference from `compare_metadata` is about (it nests some in lists)."""
    if isinstance(diff, list):
        return set().union(*(_tables_of(d) for d in diff))
    found = set()
    for part in diff:
        name = getattr(part, "name", None)
        table = getattr(part, "table", None)
        if isinstance(part, str) and part in OURS:
            found.add(part)
        elif name in OURS:
            found.add(str(name))
        elif table is not None and getattr(table, "name", None) in OURS:
            found.add(str(table.name))
    return found


def test_the_migration_builds_exactly_the_models(prepared: tuple[Engine, SearchBackend]) -> None:
    with prepared[0].connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = [d for d in compare_metadata(context, Base.metadata) if _tables_of(d)]
    assert differences == []


def test_the_database_refuses_to_change_a_submitted_version(
    raad: Raad, case: dict[str, Any], prepared: tuple[Engine, SearchBackend]
) -> None:
    made = raad.submitted(case)
    statements = [
        "UPDATE analysis_version SET body = recommendation WHERE analysis_id = :id",
        "UPDATE analysis_version SET recommendation = body WHERE analysis_id = :id",
        "UPDATE analysis_version SET status = 'concept' WHERE analysis_id = :id",
        "UPDATE analysis_version SET final_advice = 'niet_nodig' WHERE analysis_id = :id",
    ]
    for statement in statements:
        with pytest.raises(DBAPIError, match="ingediend"), prepared[0].begin() as connection:
            connection.execute(text(statement), {"id": made["id"]})
    assert raad.judge.get(f"{API}/{made['id']}").json()["body"] == made["body"]


def test_the_database_lets_a_draft_change_and_a_closed_case_be_purged(
    raad: Raad, case: dict[str, Any], prepared: tuple[Engine, SearchBackend]
) -> None:
    draft = raad.created(case)
    done = raad.submitted(another_case(case))
    with prepared[0].begin() as connection:
        changed = connection.execute(
            text("UPDATE analysis_version SET revision = revision WHERE analysis_id = :id"),
            {"id": draft["id"]},
        )
        assert changed.rowcount == 1
        # Retention: a closed case goes as a whole, its submitted versions with it.
        connection.execute(text("DELETE FROM analysis WHERE id = :id"), {"id": done["id"]})
    with Session(prepared[0]) as session:
        left = session.scalars(
            select(AnalysisVersion.id).where(AnalysisVersion.analysis_id == done["id"])
        ).all()
        assert left == [] and session.get(Analysis, done["id"]) is None


def test_two_saves_racing_in_their_own_transactions_cannot_both_win(
    case: dict[str, Any], prepared: tuple[Engine, SearchBackend], direct: Direct
) -> None:
    engine, _ = prepared
    made = direct(lambda service: service.create(case))
    start = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def save(summary: str) -> None:
        body = {**case, "assessment": {**case["assessment"], "summary": summary}}
        with Session(engine) as session:
            service = direct.service(session)
            start.wait()
            try:
                service.save(made.id, body, (made.etag,))
                session.commit()
                outcomes[summary] = "saved"
            except StaleVersionError as exc:
                session.rollback()
                outcomes[summary] = f"stale {exc.current_etag}"

    threads = [threading.Thread(target=save, args=(name,)) for name in ("eerste", "tweede")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes.values()) == ["saved", 'stale "1-2"'], outcomes
    winner = next(name for name, outcome in outcomes.items() if outcome == "saved")
    with Session(engine) as session:
        version = session.scalars(
            select(AnalysisVersion).where(AnalysisVersion.analysis_id == made.id)
        ).one()
        assert (version.revision, version.body["assessment"]["summary"]) == (2, winner)
