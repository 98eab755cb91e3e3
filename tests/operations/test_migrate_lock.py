"""Migrations run once, under a lock, when several workers or hosts start together."""

from __future__ import annotations

import fcntl
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from kb.db import MIGRATION_LOCK, alembic_config, make_engine, migrate
from kb.settings import Settings
from tests.helpers import REPO


def _settings(database: str, tmp_path: object) -> Settings:
    return Settings(data_dir=tmp_path, database_url=database, _env_file=None)  # type: ignore[call-arg, arg-type]


@contextmanager
def _holding_the_lock(database: str) -> Iterator[None]:
    """What a process migrating right now holds: the advisory lock, or SQLite's lock file."""
    url = make_url(database)
    if url.get_backend_name() == "sqlite":
        with open(f"{url.database}.migrate.lock", "a+", encoding="utf-8") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            yield
        return
    engine = create_engine(database)
    with engine.connect() as connection:
        connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK})
        try:
            yield
        finally:
            connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK})
    engine.dispose()


def _head(database: str) -> tuple[str | None, str]:
    engine = create_engine(database)
    current = None
    if inspect(engine).has_table("alembic_version"):
        with engine.connect() as connection:
            current = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    head = ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
    engine.dispose()
    return current, str(head)


def test_a_migration_waits_while_another_process_migrates(
    empty_database: str, tmp_path: object
) -> None:
    engine = make_engine(_settings(empty_database, tmp_path))
    migrating = threading.Thread(target=migrate, args=(engine,))
    with _holding_the_lock(empty_database):
        migrating.start()
        time.sleep(1.0)
        assert migrating.is_alive()  # waiting for the lock, not migrating beside the holder
        assert _head(empty_database)[0] is None
    migrating.join(timeout=60)
    assert not migrating.is_alive()
    current, head = _head(empty_database)
    assert current == head
    engine.dispose()


def test_workers_starting_together_migrate_once(empty_database: str, tmp_path: object) -> None:
    script = (
        "import sys; from kb.db import make_engine, migrate; from kb.settings import Settings; "
        "migrate(make_engine(Settings(data_dir=sys.argv[2], database_url=sys.argv[1], "
        "_env_file=None)))"
    )
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", script, empty_database, str(tmp_path)],
            cwd=REPO,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    for worker in workers:
        _, errors = worker.communicate(timeout=120)
        assert worker.returncode == 0, errors
    current, head = _head(empty_database)
    assert current == head
