"""Database: the declarative base and shared column types, small facts about the installation,
engine creation and migrations (Alembic, run programmatically)."""

from __future__ import annotations

import datetime as dt
import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    Connection,
    DateTime,
    Engine,
    LargeBinary,
    MetaData,
    String,
    Text,
    create_engine,
    event,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column
from sqlalchemy.types import TypeDecorator

from kb.clock import aware
from kb.settings import Settings

if TYPE_CHECKING:
    from alembic.config import Config as AlembicConfig

__all__ = [
    "Base",
    "JsonType",
    "Meta",
    "UtcDateTime",
    "WebSession",
    "make_engine",
    "migrate",
    "read_meta",
    "standalone",
    "write_meta",
]

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
CONNECT_TIMEOUT_S = 5
# Arbitrary constant naming the PostgreSQL advisory lock that lets one process migrate at a time.
MIGRATION_LOCK = 0x6B62_4D49  # "kbMI"

# Deterministic constraint names, so migrations read the same on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

JsonType = JSON().with_variant(JSONB(), "postgresql")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class UtcDateTime(TypeDecorator[dt.datetime]):
    """A moment stored with its time zone and always read back aware (SQLite forgets the zone;
    everything stored here is UTC), so rows turn into schemas without fixing each value."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_result_value(
        self, value: dt.datetime | None, dialect: Dialect
    ) -> dt.datetime | None:
        return aware(value) if value is not None else None


class Meta(Base):
    """Small facts about the installation, e.g. the hash of the content last indexed."""

    __tablename__ = "kb_meta"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class WebSession(Base):
    """Server-side page sessions when no Redis is configured (a Litestar `Store`)."""

    __tablename__ = "web_session"

    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    value: Mapped[bytes] = mapped_column(LargeBinary)
    expires_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, index=True)


def read_meta(session: Session, key: str) -> str | None:
    row = session.get(Meta, key)
    return row.value if row is not None else None


def write_meta(session: Session, key: str, value: str) -> None:
    row = session.get(Meta, key)
    if row is None:
        session.add(Meta(key=key, value=value))
    else:
        row.value = value


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def make_engine(settings: Settings) -> Engine:
    """The engine for `settings`; SQLite gets foreign keys, WAL and a busy timeout."""
    url = settings.resolved_database_url
    if url.startswith("sqlite"):
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        # hide_parameters: a failed statement's values (case content) never reach an error
        # message or a log line; the statement itself still does.
        engine = create_engine(url, connect_args={"check_same_thread": False}, hide_parameters=True)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    # A server that stops answering must fail a request within seconds (a 503), not hang it.
    connect_args = {} if "connect_timeout" in url else {"connect_timeout": CONNECT_TIMEOUT_S}
    return create_engine(url, pool_pre_ping=False, connect_args=connect_args, hide_parameters=True)


@contextmanager
def standalone(engine: Engine) -> Iterator[Connection]:
    """A connection for statements that each stand alone: without a transaction, each is one
    round trip instead of three (BEGIN, the statement, and the ROLLBACK or COMMIT after it).
    Hot reads use it: a request's user by its token, an analysis's versions."""
    with engine.connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT")
        yield connection


def alembic_config(engine: Engine) -> AlembicConfig:
    # Imported here: server workers open a migrated database and never need Alembic.
    from alembic.config import Config as AlembicConfig

    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    return config


@contextmanager
def _sqlite_migration_lock(engine: Engine) -> Iterator[None]:
    """On SQLite, a lock file beside the database (every process sharing it is on this host)."""
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        yield
        return
    with open(f"{database}.migrate.lock", "a+", encoding="utf-8") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        yield


def migrate(engine: Engine) -> None:
    """Bring the database schema to the newest migration, one process at a time.

    Workers and hosts that start together all call this: the first takes the lock (PostgreSQL:
    an advisory lock held until its transaction commits; SQLite: a lock file) and migrates, the
    others wait and then find the schema current, so no two run a migration at once.
    """
    from alembic import command

    config = alembic_config(engine)
    with _sqlite_migration_lock(engine), engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
