"""Whether a server is running on this data: a restore must never pull the database out from
under one.

Two signs, because a server can run on this host or on another:
- every server process of this host holds a shared lock on `kb-server.lock` in the data dir
  (`hold_server_lock`); a restore takes the same lock exclusively, so neither can start while
  the other runs;
- on PostgreSQL, every server process names its connections `kb serve` (libpq's
  `application_name`), so a restore sees the servers of every host in `pg_stat_activity`.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO

from sqlalchemy import Engine, text

from kb.errors import OperationRefusedError, StartupRefusedError
from kb.settings import Settings

__all__ = [
    "LOCK_FILE",
    "SERVER_APPLICATION_NAME",
    "ServerLock",
    "exclusive_server_lock",
    "hold_server_lock",
    "name_server_connections",
    "servers_connected",
]

LOCK_FILE = "kb-server.lock"
SERVER_APPLICATION_NAME = "kb serve"


@dataclass
class ServerLock:
    """The open lock file; the lock lasts as long as this object (and the process) does."""

    file: IO[str]

    def release(self) -> None:
        self.file.close()


def _open_lock(settings: Settings) -> IO[str]:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return (settings.data_dir / LOCK_FILE).open("a+", encoding="utf-8")


def hold_server_lock(settings: Settings) -> ServerLock:
    """Take the shared lock a server holds while it runs; refuses while a restore holds it."""
    file = _open_lock(settings)
    try:
        fcntl.flock(file, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        file.close()
        raise StartupRefusedError(
            f"Er loopt een herstel (kb restore) op {settings.data_dir}: start de server daarna."
        ) from None
    return ServerLock(file)


def name_server_connections() -> None:
    """Name this process's (and its children's) PostgreSQL connections as a server's."""
    os.environ["PGAPPNAME"] = SERVER_APPLICATION_NAME


def servers_connected(engine: Engine) -> int:
    """How many server connections other than our own PostgreSQL has to this database."""
    if engine.dialect.name != "postgresql":
        return 0
    with engine.connect() as connection:
        count = connection.execute(
            text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND application_name = :name AND pid <> pg_backend_pid()"
            ),
            {"name": SERVER_APPLICATION_NAME},
        ).scalar_one()
    return int(count)


@contextmanager
def exclusive_server_lock(settings: Settings) -> Iterator[None]:
    """Hold the data dir against servers for the duration; refuses when one is running here."""
    file = _open_lock(settings)
    try:
        try:
            fcntl.flock(file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise OperationRefusedError(
                f"Er draait een server op {settings.data_dir} (kb serve): stop die eerst. "
                "Er is niets gewijzigd."
            ) from None
        yield
    finally:
        file.close()
