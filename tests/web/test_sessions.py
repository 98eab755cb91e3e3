"""The database session store never makes the event loop wait for a database lock."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sqlalchemy import create_engine, event

from kb.db import make_engine, migrate
from kb.settings import Settings
from kb.web.sessions import DatabaseStore


def test_a_session_write_waiting_for_a_lock_leaves_the_event_loop_free(tmp_path: Path) -> None:
    """On SQLite a write waits while another request's transaction holds the lock. Waiting on the
    event loop would keep that request from ever committing (it happened: 'database is locked')."""
    settings = Settings(data_dir=tmp_path, _env_file=None)  # type: ignore[call-arg]
    engine = make_engine(settings)
    migrate(engine)
    store = DatabaseStore(engine)
    other = create_engine(engine.url)  # another request's connection
    event.listen(other, "connect", lambda conn, _: setattr(conn, "isolation_level", None))

    async def scenario() -> bytes | None:
        with other.connect() as connection:
            connection.exec_driver_sql("BEGIN IMMEDIATE")  # holds SQLite's write lock
            write = asyncio.create_task(store.set("sessie", b"gegevens", 60))
            await asyncio.sleep(0.3)  # returns only if the waiting write left the loop free
            assert not write.done()
            connection.exec_driver_sql("COMMIT")
        await asyncio.wait_for(write, timeout=5)
        return await store.get("sessie")

    # A loop of its own in a thread of its own: the browser tests keep one running in this one.
    with ThreadPoolExecutor(1) as thread:
        assert thread.submit(asyncio.run, scenario()).result(timeout=30) == b"gegevens"
    other.dispose()
    engine.dispose()
