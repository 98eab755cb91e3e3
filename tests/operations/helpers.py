"""What the operations tests share: loading a SQL dump into a test database, and every row of
every table, to compare a database before and after."""

from __future__ import annotations

import os
import sqlite3
import subprocess
from typing import Any

from sqlalchemy import Engine, MetaData, create_engine, select
from sqlalchemy.engine import make_url

__all__ = ["all_rows", "libpq_url", "load_sql"]


def libpq_url(database_url: str) -> str:
    """A SQLAlchemy PostgreSQL URL as psql takes it."""
    return make_url(database_url).set(drivername="postgresql").render_as_string(False)


def load_sql(database_url: str, sql: str) -> None:
    """Run a dump (SQLite's `iterdump`, or pg_dump's plain SQL through psql) into the database."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        connection = sqlite3.connect(str(url.database))
        connection.executescript(sql)
        connection.close()
        return
    subprocess.run(
        ["psql", "--no-psqlrc", "--quiet", "--set=ON_ERROR_STOP=1", libpq_url(database_url)],
        input=sql,
        text=True,
        check=True,
        capture_output=True,
        env=dict(os.environ),
    )


def all_rows(database_url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows, sorted: the whole database as data, whatever tables it has."""
    engine: Engine = create_engine(database_url)
    metadata = MetaData()
    metadata.reflect(engine)
    with engine.connect() as connection:
        tables = {
            name: sorted((tuple(row) for row in connection.execute(select(table))), key=repr)
            for name, table in metadata.tables.items()
        }
    engine.dispose()
    return tables
