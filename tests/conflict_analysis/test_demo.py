"""Demo mode's three invented cases: seeded once, through the service (valid, audited), marked
as invented on the list, the work list, the dossier and the report."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from kb.app import create_app, prepare
from kb.auth.audit import verify
from kb.auth.models import AuditEntry
from kb.auth.startup import DEMO_PASSWORD
from kb.clock import today
from kb.conflict_analysis.demo import SEEDED_KEY, seed_demo_analyses
from kb.conflict_analysis.models import Analysis, AnalysisVersion
from kb.db import make_engine, migrate, read_meta
from kb.interventions.catalogue import CatalogueStore
from kb.search.base import SearchBackend
from kb.settings import Settings
from tests.helpers import Clients, get_token, sign_in

MARK = "Verzonnen demonstratiezaak"


@pytest.fixture()
def demo(
    settings: Settings, prepared: tuple[Engine, SearchBackend], empty_database: str, tmp_path: Path
) -> Iterator[tuple[Settings, Engine]]:
    """Demo mode with its cases on a database of its own, prepared as `kb serve` does."""
    own = settings.model_copy(
        update={"database_url": empty_database, "demo_cases": True, "data_dir": tmp_path}
    )
    engine, _ = prepare(own)
    yield own, engine
    engine.dispose()


def _versions(engine: Engine) -> list[tuple[str, int, str, bool, bool]]:
    with Session(engine) as session:
        rows = session.execute(
            select(
                AnalysisVersion.case_number,
                AnalysisVersion.version,
                AnalysisVersion.status,
                AnalysisVersion.complete,
                Analysis.demo,
            )
            .join(Analysis)
            .order_by(AnalysisVersion.case_number, AnalysisVersion.version)
        ).all()
    return [tuple(row) for row in rows]  # type: ignore[misc]


def test_demo_mode_seeds_three_invented_cases_in_the_workflows_states(
    demo: tuple[Settings, Engine],
) -> None:
    _, engine = demo
    assert _versions(engine) == [
        ("DEMO-2026-001", 1, "concept", False, True),
        ("DEMO-2026-002", 1, "ter_accordering", True, True),
        ("DEMO-2026-003", 1, "ingediend", True, True),
        ("DEMO-2026-003", 2, "ingediend", True, True),
    ]
    with Session(engine) as session:
        actions = session.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.object_type == "conflict_analysis")
            .order_by(AuditEntry.id)
        ).all()
        # Made through the service, so every step is in the audit trail, and the chain holds.
        assert actions.count("analysis.create") == 3
        assert actions.count("analysis.approve") == 2
        assert "analysis.reassess" in actions
        assert verify(session).ok


def test_a_restart_does_not_seed_again(demo: tuple[Settings, Engine]) -> None:
    settings, engine = demo
    again, _ = prepare(settings)
    again.dispose()
    assert len(_versions(engine)) == 4


def test_servers_starting_together_seed_once(
    settings: Settings, prepared: tuple[Engine, SearchBackend], empty_database: str
) -> None:
    own = settings.model_copy(update={"database_url": empty_database})
    engine = make_engine(own)
    migrate(engine)
    from kb.auth.service import AuthConfig
    from kb.auth.startup import seed_demo_accounts

    with Session(engine) as session:
        seed_demo_accounts(session, AuthConfig.from_settings(own))
        session.commit()
    catalogue = CatalogueStore(prepared[0]).current()
    made: list[int] = []
    start = threading.Barrier(2)

    def seed() -> None:
        with Session(engine) as session:
            start.wait()
            made.append(seed_demo_analyses(session, catalogue, today()))
            session.commit()

    threads = [threading.Thread(target=seed) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(made) == [0, 3]
    assert len(_versions(engine)) == 4
    with Session(engine) as session:
        assert read_meta(session, SEEDED_KEY) == today().isoformat()
    engine.dispose()


def test_without_demo_accounts_nothing_is_seeded_nor_marked(
    settings: Settings, prepared: tuple[Engine, SearchBackend], empty_database: str
) -> None:
    engine = make_engine(settings.model_copy(update={"database_url": empty_database}))
    migrate(engine)
    with Session(engine) as session:
        assert seed_demo_analyses(session, CatalogueStore(prepared[0]).current(), today()) == 0
        session.commit()
        assert read_meta(session, SEEDED_KEY) is None
        assert session.scalar(select(func.count()).select_from(Analysis)) == 0
    engine.dispose()


def _signed_in(app: Litestar, clients: Clients, username: str) -> TestClient[Litestar]:
    client = clients.new(app)
    assert sign_in(client, username, DEMO_PASSWORD).status_code in (200, 303)
    return client


def test_the_demo_accounts_see_the_invented_cases_marked_as_such(
    demo: tuple[Settings, Engine], prepared: tuple[Engine, SearchBackend]
) -> None:
    settings, engine = demo
    app = create_app(settings, engine, prepared[1])
    clients = Clients()
    try:
        judge = _signed_in(app, clients, "rechter")
        listing = judge.get("/analyses")
        assert listing.status_code == 200
        # The judge reads the submitted case only, and it says it is invented.
        assert "DEMO-2026-003" in listing.text
        assert "DEMO-2026-002" not in listing.text
        assert MARK in listing.text
        with Session(engine) as session:
            reassessed = session.scalar(
                select(Analysis.id)
                .join(AnalysisVersion)
                .where(AnalysisVersion.case_number == "DEMO-2026-003")
            )
        report = judge.get(f"/analyses/{reassessed}/rapport")
        assert report.status_code == 200
        assert MARK in report.text
        assert "Wat is er veranderd sinds versie 1" in report.text
        pdf_page = judge.get(f"/analyses/{reassessed}/rapport.pdf")
        assert pdf_page.status_code == 200

        expert = _signed_in(app, clients, "gedragsdeskundige")
        work = expert.get("/werk")
        assert "DEMO-2026-002" in work.text
        assert MARK in work.text

        investigator = _signed_in(app, clients, "onderzoeker")
        work = investigator.get("/werk")
        assert "DEMO-2026-001" in work.text
        with Session(engine) as session:
            concept = session.scalar(
                select(Analysis.id)
                .join(AnalysisVersion)
                .where(AnalysisVersion.case_number == "DEMO-2026-001")
            )
        dossier = investigator.get(f"/analyses/{concept}")
        assert dossier.status_code == 200
        assert MARK in dossier.text
        token = get_token(clients.new(app), "onderzoeker", DEMO_PASSWORD)
        api = clients.new(app).get(
            f"/api/v1/conflict-analyses/{concept}", headers={"Authorization": f"Bearer {token}"}
        )
        assert api.status_code == 200, api.text
        assert api.json()["demo"] is True
    finally:
        clients.close()
