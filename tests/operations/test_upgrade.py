"""An upgrade from the first release: its database, with the data it wrote, migrated to this
release's schema by `alembic upgrade head`, and then used.

The dumps in tests/fixtures/release1 were written by the first release's own code (commit
426f863, migration 0004) through its command line and API; `make_fixture.py` there says how.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from litestar.testing import TestClient
from sqlalchemy import text
from sqlalchemy.orm import Session

from kb.app import create_app, prepare
from kb.auth import audit
from kb.db import alembic_config, make_engine, migrate
from kb.settings import Settings
from tests.helpers import CONTENT, FIXTURES, SEARCH
from tests.operations.helpers import load_sql

RELEASE1 = FIXTURES / "release1"
# The accounts and password the first release's data was made with (make_fixture.py).
PASSWORD = "release-een-wachtwoord-2026"
API = "/api/v1/conflict-analyses"


@pytest.fixture()
def release1(database_kind: str, empty_database: str, tmp_path: Path) -> Settings:
    """Settings over a database holding the first release's schema (0004) and data."""
    dump = gzip.decompress((RELEASE1 / f"{database_kind}.sql.gz").read_bytes()).decode()
    load_sql(empty_database, dump)
    return Settings(
        data_dir=tmp_path / "data",
        database_url=empty_database,
        content_dir=CONTENT,
        search_dir=SEARCH,
        demo=True,  # the first release's data has its demo accounts
        password_hashing="CHEAPEST",
        _env_file=None,  # type: ignore[call-arg]
    )


def _revision(settings: Settings) -> str:
    engine = make_engine(settings)
    with engine.connect() as connection:
        value = connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
    engine.dispose()
    return str(value)


def _bearer(client: TestClient, username: str) -> dict[str, str]:  # type: ignore[type-arg]
    answer = client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['token']}"}


def test_the_first_release_upgrades_with_its_data(release1: Settings) -> None:
    assert _revision(release1) == "0004"
    engine = make_engine(release1)
    migrate(engine)  # alembic upgrade head, as kb serve and kb index run it
    head = ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
    assert _revision(release1) == head
    with Session(engine) as session:
        before = audit.verify(session)
    assert before.ok, before.reason
    assert before.checked == 19  # every entry the first release wrote, still chained
    engine.dispose()

    engine, backend = prepare(release1)  # re-indexes today's content over the old rows
    with TestClient(create_app(release1, engine, backend)) as client:
        judge = _bearer(client, "j.rechter")
        submitted = client.get(f"{API}/1", headers=judge)
        assert submitted.status_code == 200, submitted.text
        body = submitted.json()
        assert body["status"] == "ingediend"
        assert body["case_number"] == body["body"]["case"]["case_number"]
        assert body["case_number"] == "C/13/700001 / FA RK 25-1"
        assert body["court"] == "Rechtbank Amsterdam"  # filled per version by 0006
        report = client.get(f"{API}/1/report", headers=judge)
        assert report.status_code == 200

        investigator = _bearer(client, "r.onderzoeker")
        draft = client.get(f"{API}/2", headers=investigator)
        assert draft.status_code == 200, draft.text
        assert draft.json()["status"] == "concept"
        changed = draft.json()["body"]
        changed["assessment"]["summary"] = "Bijgewerkt na de upgrade."
        saved = client.put(
            f"{API}/2", json=changed, headers=investigator | {"If-Match": draft.headers["ETag"]}
        )
        assert saved.status_code == 200, saved.text
        # A draft is not the judge's to read, now as then (not even to learn it exists).
        assert client.get(f"{API}/2", headers=judge).status_code == 404

        found = client.get("/api/v1/interventions?q=ouderschap")
        assert found.status_code == 200 and found.json()["total"] > 0
    with Session(engine) as session:
        after = audit.verify(session)
    assert after.ok, after.reason
    assert after.checked > before.checked  # the reads and the save since, chained after them
    engine.dispose()
