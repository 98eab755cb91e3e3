"""What the metrics read from the installation at each scrape, rather than count: the index's
generation, size and entries, and the entries due for review.

This runs in `kb serve`'s own process beside the workers' summed metrics, so it asks the
database and the index folder directly and loads no application.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections.abc import Iterator
from pathlib import Path

from prometheus_client.core import GaugeMetricFamily, InfoMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import Engine, text

from kb.db import make_engine
from kb.settings import Settings

__all__ = ["StateCollector", "start_metrics_server"]

logger = logging.getLogger(__name__)

# Written by `kb.interventions.indexing` and the embedded engine; read here without importing
# either (each would bring the application's imports into the serving process).
GENERATION_KEY = "content_fingerprint"
CURRENT_FILE = "CURRENT"


def _folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


class StateCollector(Collector):
    """The installation's state as gauges, read when Prometheus scrapes."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._engine: Engine | None = None

    def _database(self) -> Engine:
        if self._engine is None:
            self._engine = make_engine(self.settings)
        return self._engine

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily(
            "kb_state_up", "Whether the database answered the metrics' questions (1) or not (0)."
        )
        try:
            generation, entries, due = self._read(dt.date.today())
        except Exception as exc:  # the database down: say so, and report the rest
            logger.warning("Metrics could not read the database: %s", type(exc).__name__)
            up.add_metric([], 0)
            yield up
            yield from self._index(None)
            return
        up.add_metric([], 1)
        yield up
        yield GaugeMetricFamily(
            "kb_index_entries", "Entries in the knowledge base as last indexed.", value=entries
        )
        yield GaugeMetricFamily(
            "kb_entries_due_for_review",
            "Entries whose next_review date has passed (the editors' list, /api/v1/editorial/due).",
            value=due,
        )
        yield from self._index(generation)

    def _read(self, today: dt.date) -> tuple[str | None, int, int]:
        with self._database().connect() as connection:
            generation = connection.execute(
                text("SELECT value FROM kb_meta WHERE key = :key"), {"key": GENERATION_KEY}
            ).scalar()
            entries, due = connection.execute(
                text(
                    "SELECT count(*), coalesce(sum(CASE WHEN next_review < :today "
                    "THEN 1 ELSE 0 END), 0) FROM entry"
                ),
                {"today": today},
            ).one()
        return generation, int(entries), int(due)

    def _index(self, fingerprint: str | None) -> Iterator[Metric]:
        info = InfoMetricFamily(
            "kb_index_generation",
            "The index generation serving: the content's fingerprint as indexed, and the "
            "embedded engine's generation folder.",
        )
        index_dir = self.settings.index_dir
        current = index_dir / CURRENT_FILE
        folder = current.read_text(encoding="utf-8").strip() if current.is_file() else ""
        info.add_metric([], {"fingerprint": (fingerprint or "")[:16], "generation": folder})
        yield info
        if folder and (index_dir / folder).is_dir():
            yield GaugeMetricFamily(
                "kb_index_size_bytes",
                "Size on disk of the embedded engine's serving index generation.",
                value=_folder_bytes(index_dir / folder),
            )
            built = folder.removeprefix("gen-")
            if built.isdigit():
                yield GaugeMetricFamily(
                    "kb_index_built_timestamp_seconds",
                    "When the serving index generation was built (Unix time).",
                    value=int(built) / 1e9,
                )


def start_metrics_server(settings: Settings, port: int) -> None:
    """Serve the workers' summed metrics and the state on `port` (a thread of this process)."""
    from prometheus_client import CollectorRegistry, start_http_server
    from prometheus_client.multiprocess import MultiProcessCollector

    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=os.environ["PROMETHEUS_MULTIPROC_DIR"])  # type: ignore[no-untyped-call]
    registry.register(StateCollector(settings))
    start_http_server(port, addr=settings.metrics_host, registry=registry)
