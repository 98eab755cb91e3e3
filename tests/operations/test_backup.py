"""`kb backup` and `kb restore` as a round trip: the data of an installation in use, backed up,
wiped and restored, is the same row for row in every table (whatever tables there are), the
audit chain verifies, and the search index is built again from the restored content."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from litestar.testing import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from kb.app import create_app, prepare
from kb.cli import main
from kb.db import make_engine
from kb.operations.running import (
    SERVER_APPLICATION_NAME,
    exclusive_server_lock,
    hold_server_lock,
)
from kb.search.select import choose_backend
from kb.settings import Settings
from tests.factories import COURT, OFFICE, realistic_case
from tests.helpers import CONTENT, SEARCH, create_person, get_token
from tests.operations.helpers import all_rows

API = "/api/v1/conflict-analyses"


@dataclass
class Installation:
    """A data dir, database, content and search folders of its own, as `kb` reads them."""

    settings: Settings
    folder: Path

    def files(self) -> dict[str, str]:
        """Every file of content/ and search/ with its SHA-256."""
        return {
            str(path.relative_to(self.folder)): hashlib.sha256(path.read_bytes()).hexdigest()
            for top in (self.settings.content_dir, self.settings.search_dir)
            for path in sorted(top.rglob("*"))
            if path.is_file()
        }


@pytest.fixture()
def installation(
    empty_database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Installation:
    """An installation in use: accounts, analyses with versions, reads, tokens, a failed sign-in."""
    shutil.copytree(CONTENT, tmp_path / "content")
    shutil.copytree(SEARCH, tmp_path / "search")
    env = {
        "KB_DATA_DIR": str(tmp_path / "data"),
        "KB_DATABASE_URL": empty_database,
        "KB_CONTENT_DIR": str(tmp_path / "content"),
        "KB_SEARCH_DIR": str(tmp_path / "search"),
        "KB_DEMO": "1",
        "KB_PASSWORD_HASHING": "CHEAPEST",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(tmp_path)  # no stray .env
    settings = Settings()
    engine, backend = prepare(settings)
    people = {
        role: create_person(engine, settings, role, **scope)
        for role, scope in (
            ("raadsonderzoeker", {"office": OFFICE}),
            ("gedragsdeskundige", {"office": OFFICE}),
            ("rechter", {"court": COURT}),
        )
    }
    with TestClient(create_app(settings, engine, backend)) as client:
        bearer = {
            role: {"Authorization": f"Bearer {get_token(client, p.username, p.password)}"}
            for role, p in people.items()
        }
        made = client.post(API, json=realistic_case(), headers=bearer["raadsonderzoeker"])
        assert made.status_code == 201, made.text
        number = made.json()["id"]
        for step, who in (("submit", "raadsonderzoeker"), ("approve", "gedragsdeskundige")):
            assert client.post(f"{API}/{number}/{step}", headers=bearer[who]).status_code == 200
        assert client.get(f"{API}/{number}", headers=bearer["rechter"]).status_code == 200
        again = client.post(f"{API}/{number}/reassessments", headers=bearer["raadsonderzoeker"])
        assert again.status_code == 201, again.text
        wrong = {"username": people["rechter"].username, "password": "niet-het-wachtwoord"}
        assert client.post("/api/v1/auth/token", json=wrong).status_code == 401
    engine.dispose()
    return Installation(settings, tmp_path)


def _wipe(installation: Installation) -> None:
    """Lose everything the backup holds: the database, the index, content/ and search/."""
    settings = installation.settings
    url = make_url(settings.resolved_database_url)
    if url.get_backend_name() == "sqlite":
        shutil.rmtree(settings.data_dir)
    else:
        engine = create_engine(url)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()
        shutil.rmtree(settings.index_dir, ignore_errors=True)
    shutil.rmtree(settings.content_dir)
    shutil.rmtree(settings.search_dir)


def test_backup_wipe_restore_gives_back_the_same_installation(
    installation: Installation, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = installation.settings.resolved_database_url
    before, files = all_rows(url), installation.files()
    assert before["analysis_version"] and before["audit_log"] and before["account"]

    archive = tmp_path / "backups" / "kb.tar.gz"
    assert main(["backup", str(archive)]) == 0
    assert archive.stat().st_mode & 0o077 == 0  # readable by its owner only
    _wipe(installation)
    assert main(["restore", str(archive)]) == 0
    assert "zoekindex opnieuw gebouwd" in capsys.readouterr().out

    assert all_rows(url) == before  # every table, row for row
    assert installation.files() == files
    assert main(["audit", "verify"]) == 0
    settings = installation.settings
    backend = choose_backend(settings)
    assert backend.exists()  # built by the restore, before any server starts
    entries = list((settings.content_dir / "interventions").glob("*.md"))
    assert backend.health()["documents"] == len(entries)
    engine = make_engine(settings)
    with TestClient(create_app(settings, engine, backend)) as client:
        found = client.get("/api/v1/interventions?q=ouderschap")
        assert found.status_code == 200 and found.json()["total"] > 0
    engine.dispose()


def test_restore_undoes_what_happened_after_the_backup(
    installation: Installation, tmp_path: Path
) -> None:
    url = installation.settings.resolved_database_url
    before = all_rows(url)
    archive = tmp_path / "kb.tar.gz"
    assert main(["backup", str(archive)]) == 0
    engine, _ = prepare(installation.settings)
    create_person(engine, installation.settings, "beheerder")
    engine.dispose()
    (installation.settings.content_dir / "interventions" / "nieuw.md").write_text("x")
    assert all_rows(url) != before
    assert main(["restore", str(archive)]) == 0
    assert all_rows(url) == before
    assert not (installation.settings.content_dir / "interventions" / "nieuw.md").exists()


def _rewrite_manifest(archive: Path, target: Path, **changes: object) -> None:
    with tarfile.open(archive, "r:gz") as source, tarfile.open(target, "w:gz") as copy:
        for member in source.getmembers():
            data = source.extractfile(member) if member.isfile() else None
            if member.name == "manifest.json" and data is not None:
                manifest = json.loads(data.read()) | changes
                raw = json.dumps(manifest).encode()
                member.size = len(raw)
                copy.addfile(member, io.BytesIO(raw))
            else:
                copy.addfile(member, data)


@pytest.fixture()
def backed_up(installation: Installation, tmp_path: Path) -> Iterator[Path]:
    """The installation's backup, and a check afterwards that a refusal changed nothing."""
    archive = tmp_path / "kb.tar.gz"
    assert main(["backup", str(archive)]) == 0
    url = installation.settings.resolved_database_url
    before = all_rows(url)
    yield archive
    assert all_rows(url) == before


def test_restore_refuses_a_newer_schema(
    backed_up: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    newer = tmp_path / "newer.tar.gz"
    _rewrite_manifest(backed_up, newer, revision="9999")
    assert main(["restore", str(newer)]) == 1
    assert "nieuwer dan deze versie kent" in capsys.readouterr().err


def test_restore_refuses_while_a_server_runs_here(
    backed_up: Path, installation: Installation, capsys: pytest.CaptureFixture[str]
) -> None:
    server = hold_server_lock(installation.settings)
    try:
        assert main(["restore", str(backed_up)]) == 1
    finally:
        server.release()
    assert "Er draait een server" in capsys.readouterr().err


def test_a_server_does_not_start_during_a_restore(installation: Installation) -> None:
    from kb.errors import StartupRefusedError

    with exclusive_server_lock(installation.settings), pytest.raises(StartupRefusedError):
        hold_server_lock(installation.settings)


def test_restore_refuses_what_is_no_backup(
    installation: Installation, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(b"not an archive")
    assert main(["restore", str(junk)]) == 1
    assert "geen back-up" in capsys.readouterr().err


@pytest.mark.postgres
def test_restore_refuses_while_a_server_on_another_host_is_connected(
    backed_up: Path, installation: Installation, capsys: pytest.CaptureFixture[str]
) -> None:
    url = installation.settings.resolved_database_url
    if not url.startswith("postgresql"):
        pytest.skip("only PostgreSQL is shared between hosts")
    engine = create_engine(url, connect_args={"application_name": SERVER_APPLICATION_NAME})
    with engine.connect():
        assert main(["restore", str(backed_up)]) == 1
    engine.dispose()
    assert "servers (kb serve) met deze database verbonden" in capsys.readouterr().err
