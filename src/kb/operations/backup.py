"""`kb backup FILE` and `kb restore FILE`: the whole database and what the index is built from
(`content/` and `search/`), in one archive.

The archive is a gzipped tar: `manifest.json` (format, database kind, schema revision, when),
the database (`database.sqlite3`, a copy made with SQLite's online backup API, or
`database.pgdump`, `pg_dump`'s custom format) and the two folders. The database is copied whole,
whatever tables later releases add, never table by table.

A restore refuses, changing nothing, a backup of a newer schema than this release knows (a
revision missing from its migrations), one of the other kind of database, and a running server
(`kb.operations.running`). It then replaces the database in one step (SQLite's backup API into
the live file; on PostgreSQL one transaction that drops the schema and loads the dump), puts the
folders back, migrates an older schema to this release's and rebuilds the search index.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, inspect, text
from sqlalchemy.engine import make_url

from kb.db import alembic_config, make_engine, migrate
from kb.errors import OperationRefusedError
from kb.operations.running import exclusive_server_lock, servers_connected
from kb.settings import Settings

__all__ = ["FORMAT", "BackupReport", "RestoreReport", "backup", "read_manifest", "restore"]

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
POSTGRES_FILE = "database.pgdump"
FOLDERS = ("content", "search")


@dataclass(frozen=True)
class BackupReport:
    path: Path
    database: str
    revision: str
    rows: int
    files: int


@dataclass(frozen=True)
class RestoreReport:
    database: str
    backup_revision: str
    revision: str
    made_at: str
    entries: int


def _revision(engine: Engine) -> str | None:
    if not inspect(engine).has_table("alembic_version"):
        return None
    with engine.connect() as connection:
        value = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    return str(value) if value is not None else None


def _row_counts(engine: Engine) -> dict[str, int]:
    """Rows per table, recorded in the manifest so an operator can see what a backup holds."""
    counts = {}
    with engine.connect() as connection:
        for table in sorted(inspect(engine).get_table_names()):
            quoted = engine.dialect.identifier_preparer.quote(table)
            counts[table] = int(
                connection.execute(text(f"SELECT count(*) FROM {quoted}")).scalar_one()
            )
    return counts


def _libpq(engine: Engine) -> tuple[str, dict[str, str]]:
    """The database as libpq names it (for pg_dump, pg_restore and psql), with the password in
    the environment rather than on a command line that `ps` shows."""
    url = engine.url
    plain = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return plain, env


def _run(command: list[str], env: dict[str, str] | None = None) -> None:
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise OperationRefusedError(
            f"{command[0]} ontbreekt: installeer Debian's postgresql-client (dezelfde hoofdversie "
            "als de server). Er is niets gewijzigd."
        ) from None
    if done.returncode != 0:
        raise OperationRefusedError(
            f"{command[0]} faalde (code {done.returncode}): {done.stderr.strip()[-500:]}"
        )


def _dump_database(engine: Engine, folder: Path) -> str:
    if engine.dialect.name == "sqlite":
        target = folder / SQLITE_FILE
        source = sqlite3.connect(str(engine.url.database))
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)  # the online backup API: consistent while servers write
        finally:
            copy.close()
            source.close()
        return SQLITE_FILE
    url, env = _libpq(engine)
    target = folder / POSTGRES_FILE
    _run(
        ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={target}", url],
        env,
    )
    return POSTGRES_FILE


def backup(settings: Settings, target: Path) -> BackupReport:
    """Write the archive to `target` (a temporary name first: never a half-written backup)."""
    engine = make_engine(settings)
    try:
        revision = _revision(engine)
        if revision is None:
            raise OperationRefusedError(
                "Deze database heeft nog geen schema (start kb serve of kb index eerst)."
            )
        counts = _row_counts(engine)
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=target.parent, prefix=".kb-backup-") as work:
            database_file = _dump_database(engine, Path(work))
            manifest = {
                "format": FORMAT,
                "made_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                "database": engine.dialect.name,
                "revision": revision,
                "database_file": database_file,
                "rows": counts,
            }
            partial = Path(work) / "backup.tar.gz"
            files = _write_archive(partial, Path(work), manifest, settings)
            os.chmod(partial, 0o600)  # it holds case files and accounts
            os.replace(partial, target)
    finally:
        engine.dispose()
    return BackupReport(target, engine.dialect.name, revision, sum(counts.values()), files)


def _write_archive(path: Path, work: Path, manifest: dict[str, Any], settings: Settings) -> int:
    manifest_path = work / MANIFEST
    manifest_path.write_text(json.dumps(manifest, indent=2, sort_keys=True), encoding="utf-8")
    files = 0
    with tarfile.open(path, "w:gz") as archive:
        archive.add(manifest_path, arcname=MANIFEST)
        archive.add(work / manifest["database_file"], arcname=manifest["database_file"])
        for name, folder in zip(FOLDERS, (settings.content_dir, settings.search_dir), strict=True):
            archive.add(folder, arcname=name)
            files += sum(1 for p in folder.rglob("*") if p.is_file())
    return files


def read_manifest(source: Path) -> dict[str, Any]:
    """The archive's manifest; refuses what is no backup of this program."""
    try:
        with tarfile.open(source, "r:gz") as archive:
            member = archive.extractfile(MANIFEST)
            if member is None:
                raise KeyError(MANIFEST)
            manifest = dict(json.loads(member.read()))
    except (OSError, KeyError, tarfile.TarError, json.JSONDecodeError, TypeError) as exc:
        raise OperationRefusedError(
            f"{source} is geen back-up van de kennisbank ({type(exc).__name__}). "
            "Er is niets gewijzigd."
        ) from None
    if manifest.get("format") != FORMAT:
        raise OperationRefusedError(
            f"{source} heeft back-upformaat {manifest.get('format')!r}; deze versie kent "
            f"formaat {FORMAT}. Er is niets gewijzigd."
        )
    return manifest


def _check_restorable(manifest: dict[str, Any], engine: Engine, source: Path) -> None:
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

    kind = engine.dialect.name
    if manifest.get("database") != kind:
        raise OperationRefusedError(
            f"{source} is een back-up van {manifest.get('database')}, deze installatie gebruikt "
            f"{kind}. Er is niets gewijzigd."
        )
    revision = str(manifest.get("revision"))
    try:
        known = ScriptDirectory.from_config(alembic_config(engine)).get_revision(revision)
    except CommandError:
        known = None
    if known is None:
        raise OperationRefusedError(
            f"{source} heeft databaseschema {revision}, nieuwer dan deze versie kent: herstel "
            "met de versie van de kennisbank die de back-up maakte (of een nieuwere). "
            "Er is niets gewijzigd."
        )
    if servers_connected(engine):
        raise OperationRefusedError(
            "Er zijn servers (kb serve) met deze database verbonden: stop ze eerst. "
            "Er is niets gewijzigd."
        )


def _restore_sqlite(engine: Engine, dump: Path) -> None:
    engine.dispose()
    live = Path(str(engine.url.database))
    live.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(f"file:{dump}?mode=ro", uri=True)
    target = sqlite3.connect(live)
    try:
        # The backup API the other way round: the live file becomes the copy in one step, for
        # any connection that looks, and a WAL left beside it is taken along.
        source.backup(target)
    finally:
        target.close()
        source.close()


def _restore_postgres(engine: Engine, dump: Path, work: Path) -> None:
    engine.dispose()
    url, env = _libpq(engine)
    script = work / "restore.sql"
    _run(["pg_restore", "--no-owner", "--no-privileges", f"--file={script}", str(dump)], env)
    # One transaction: the old schema is dropped and the dump loaded, or nothing changes.
    _run(
        [
            "psql",
            "--no-psqlrc",
            "--quiet",
            "--set=ON_ERROR_STOP=1",
            "--single-transaction",
            "--command=DROP SCHEMA public CASCADE",
            "--command=CREATE SCHEMA public",
            f"--file={script}",
            f"--dbname={url}",
        ],
        env,
    )


def _replace_folder(extracted: Path, folder: Path) -> None:
    """Put `extracted` where `folder` is: copied beside it first, then swapped by renames."""
    folder = folder.resolve()
    incoming = folder.parent / f".{folder.name}.restoring"
    previous = folder.parent / f".{folder.name}.before-restore"
    for stale in (incoming, previous):
        shutil.rmtree(stale, ignore_errors=True)
    shutil.copytree(extracted, incoming)
    if folder.exists():
        os.rename(folder, previous)
    os.rename(incoming, folder)
    shutil.rmtree(previous, ignore_errors=True)


def restore(settings: Settings, source: Path) -> RestoreReport:
    """Replace the database, `content/` and `search/` with the backup's; migrate; re-index."""
    manifest = read_manifest(source)
    engine = make_engine(settings)
    try:
        with exclusive_server_lock(settings):
            _check_restorable(manifest, engine, source)
            with tempfile.TemporaryDirectory(prefix="kb-restore-") as work:
                folder = Path(work)
                with tarfile.open(source, "r:gz") as archive:
                    archive.extractall(folder, filter="data")  # no paths outside `folder`
                dump = folder / str(manifest["database_file"])
                if engine.dialect.name == "sqlite":
                    _restore_sqlite(engine, dump)
                else:
                    _restore_postgres(engine, dump, folder)
                _replace_folder(folder / "content", settings.content_dir)
                _replace_folder(folder / "search", settings.search_dir)
            migrate(engine)
            entries = _index(settings, engine)
            revision = _revision(engine) or "?"
    finally:
        engine.dispose()
    return RestoreReport(
        database=engine.dialect.name,
        backup_revision=str(manifest["revision"]),
        revision=revision,
        made_at=str(manifest.get("made_at")),
        entries=entries,
    )


def _index(settings: Settings, engine: Engine) -> int:
    """Build the search index, which is not in the backup, for the restored data.

    The rows restored are the backup's own, ids and all, and are kept when they are what the
    restored content makes; a backup whose content a start would index again (another release's
    fingerprint) is indexed again now, rows too.
    """
    from kb.interventions.catalogue import CatalogueStore
    from kb.interventions.indexing import index_documents, index_is_current, rebuild
    from kb.search.select import choose_backend

    backend = choose_backend(settings)
    if not index_is_current(engine, settings.content_dir, settings.search_dir):
        return rebuild(engine, backend, settings.content_dir, settings.search_dir).entries
    catalogue = CatalogueStore(engine).current()
    backend.index(index_documents(catalogue))
    return len(catalogue)


def database_url_of(settings: Settings) -> str:
    """For messages: the database without its password."""
    return make_url(settings.resolved_database_url).render_as_string(hide_password=True)
