"""Logs as JSON lines, one object a line, for an operator's log collector.

What a line may hold is decided here and in the request log (`kb.web.observe`): the time, the
level, the logger, the message, the request id, and for a request its method, route template,
status, duration and client address. Never case content, names, tokens or passwords: requests are
logged by their route *template* (never the path, which can hold a user name or an activation
link, nor the query, which holds what someone searched for), SQLAlchemy is told to hide statement
values (`kb.db`), and libraries log only warnings, whatever `KB_LOG_LEVEL` says, because
SQLAlchemy logs every statement with its values at INFO.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from contextvars import ContextVar
from typing import IO, Any

__all__ = ["REQUEST_ID", "JsonFormatter", "configure_logging", "logging_config"]

# The id of the request being answered, for every line logged while it is.
REQUEST_ID: ContextVar[str | None] = ContextVar("kb_request_id", default=None)

# Loggers of this program that follow KB_LOG_LEVEL; every other logger stays at WARNING.
OWN_LOGGERS = ("kb", "uvicorn.error")


class JsonFormatter(logging.Formatter):
    """One JSON object a line; a request's fields come in the record's `fields` extra."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "ts": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        request_id = getattr(record, "request_id", None) or REQUEST_ID.get()
        if request_id:
            line["request_id"] = request_id
        line.update(getattr(record, "fields", None) or {})
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def logging_config(level: str) -> dict[str, Any]:
    """The `logging.config.dictConfig` for `level`, also handed to uvicorn for its workers."""
    level = level.upper()
    library_level = max(logging.getLevelName(level), logging.WARNING)
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": JsonFormatter}},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "stream": "ext://sys.stderr",
            }
        },
        "root": {"level": logging.getLevelName(library_level), "handlers": ["stderr"]},
        "loggers": {
            **{name: {"level": level, "propagate": True} for name in OWN_LOGGERS},
            "uvicorn": {
                "level": logging.getLevelName(library_level),
                "handlers": [],
                "propagate": True,
            },
            "uvicorn.access": {"level": "WARNING", "handlers": [], "propagate": True},
        },
    }


def configure_logging(level: str, stream: IO[str] | None = None) -> None:
    """JSON lines to standard error (or `stream`) at `level` for this program's own loggers."""
    import logging.config

    config = logging_config(level)
    if stream is not None:
        config["handlers"]["stderr"]["stream"] = stream
    logging.config.dictConfig(config)
    logging.captureWarnings(True)
