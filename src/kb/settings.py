"""All settings of the application, declared once with their help text."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

__all__ = ["Settings"]


class Settings(BaseSettings):
    """Settings read from `KB_*` environment variables or a `.env` file.

    Nothing reads the environment at import time: build a `Settings()` where the program starts
    (the CLI) and pass it on; tests build their own with explicit values.
    """

    model_config = SettingsConfigDict(env_prefix="KB_", env_file=".env", extra="ignore")

    data_dir: Path = Field(
        default=Path("var"),
        description="Folder for the SQLite database and the embedded search index.",
    )
    database_url: str | None = Field(
        default=None,
        description=(
            "SQLAlchemy URL of the database, e.g. `postgresql+psycopg://user@host/db`. "
            "Empty: SQLite file `kb.sqlite3` in the data dir."
        ),
    )
    content_dir: Path = Field(
        default=Path("content"),
        description="Folder with the knowledge-base content (`interventions/<slug>.md`).",
    )
    search_dir: Path = Field(
        default=Path("search"),
        description="Folder with the search settings as data (stop words, synonyms, compounds).",
    )
    search_backend: Literal["embedded", "meilisearch"] = Field(
        default="embedded",
        description="Search engine: `embedded` (tantivy, in-process) or `meilisearch` (a server).",
    )
    search_cache: int = Field(
        default=64,
        ge=0,
        description=(
            "How many recent search results each server process keeps for the current index "
            "generation (the embedded engine); 0 keeps none."
        ),
    )
    meili_url: str | None = Field(
        default=None, description="URL of the Meilisearch server, e.g. `http://127.0.0.1:7700`."
    )
    meili_key: str | None = Field(default=None, description="API key for the Meilisearch server.")
    meili_index: str = Field(
        default="interventions", description="Name of the Meilisearch index to use."
    )
    secret_key: str | None = Field(
        default=None,
        description=(
            "Secret (at least 32 characters) for signing CSRF tokens; required outside demo mode."
        ),
    )
    demo: bool = Field(
        default=False,
        description="`1`: seed one demo account per role and show a DEMO banner on every page.",
    )
    demo_cases: bool = Field(
        default=True,
        description=(
            "In demo mode, seed three invented analyses (marked as such, case numbers `DEMO-…`) "
            "once per database; `0`: leave them out."
        ),
    )
    smtp_url: str | None = Field(
        default=None,
        description=(
            "Mail server for e-mail notices: `smtp+starttls://user:password@mail.example.nl:587` "
            "(STARTTLS), `smtps://user:password@mail.example.nl:465` (TLS) or "
            "`smtp://127.0.0.1:25` (plain, a local relay). Empty: no e-mail is sent. A notice "
            "holds a link to the work list and no case content."
        ),
    )
    mail_from: str = Field(
        default="kennisbank@localhost",
        description="The sender address of e-mail notices (with `KB_SMTP_URL`).",
    )
    search_stats_days: int = Field(
        default=365,
        ge=1,
        description="Days that search counts for editors are kept before they are deleted.",
    )
    debug: bool = Field(
        default=False, description="Show tracebacks in error pages (never in production)."
    )
    redis_url: str | None = Field(
        default=None,
        description=(
            "Redis URL, e.g. `redis://127.0.0.1:6379/0`, for sessions and sign-in counters shared "
            "by several workers. Empty: both are kept in the database."
        ),
    )
    session_minutes: int = Field(
        default=480,
        ge=5,
        description="Minutes a page session lasts after the last request (the idle limit).",
    )
    session_max_hours: int = Field(
        default=12,
        ge=1,
        le=24,
        description=(
            "Hours after signing in that a page session ends however active it is (the absolute "
            "limit); API tokens never last longer either."
        ),
    )
    token_minutes: int = Field(
        default=480, ge=5, description="Minutes an API token (`POST /api/v1/auth/token`) is valid."
    )
    invitation_hours: int = Field(
        default=72,
        ge=1,
        le=24 * 14,
        description="Hours an account's one-time activation link (`kb users invite`) stays valid.",
    )
    public_url: str = Field(
        default="http://127.0.0.1:8000",
        description=(
            "The address users reach the site at, e.g. `https://kennisbank.example.nl`, for the "
            "activation links that `kb users invite` prints and the links in the open data."
        ),
    )
    sign_in_max_failures: int = Field(
        default=5,
        ge=1,
        description="Failed sign-ins per account and per address before further tries get 429.",
    )
    sign_in_window_minutes: int = Field(
        default=15, ge=1, description="The window over which failed sign-ins are counted."
    )
    password_hashing: Literal["RFC_9106_LOW_MEMORY", "CHEAPEST"] = Field(
        default="RFC_9106_LOW_MEMORY",
        description=(
            "Cost of password hashing (argon2id): `RFC_9106_LOW_MEMORY` (64 MiB, 3 passes) or "
            "`CHEAPEST`, for tests only and refused outside demo mode."
        ),
    )

    trusted_proxies: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description=(
            "Addresses or CIDR ranges of reverse proxies, comma-separated (e.g. "
            "`127.0.0.1,10.0.0.0/8`), whose `X-Forwarded-For` (or, without it, `Forwarded`) names "
            "the client; empty: those headers are never believed and the client is the peer."
        ),
    )
    max_request_bytes: int = Field(
        default=1_000_000,
        ge=10_000,
        description="The largest request body accepted; a larger one gets 413.",
    )
    retention_days: int = Field(
        default=730,
        ge=1,
        description=(
            "Days a closed case (its outcome recorded) is kept before `kb purge` deletes its "
            "analyses and versions; the monitor's de-identified outcome stays."
        ),
    )

    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        default="INFO",
        description=(
            "Level of the application's JSON log lines on standard error: `INFO` writes one line "
            "per request; libraries log only warnings at any level."
        ),
    )
    metrics_port: int | None = Field(
        default=None,
        ge=1,
        le=65535,
        description=(
            "Port on which `kb serve` answers Prometheus (`/metrics`, every worker summed); "
            "empty: no metrics served."
        ),
    )
    metrics_host: str = Field(
        default="127.0.0.1",
        description="Address the metrics port listens on; keep it internal (not public).",
    )
    generation_check_seconds: float = Field(
        default=1.0,
        ge=0,
        description="How often a worker asks the database whether another process indexed. "
        "Workers sharing KB_DATA_DIR learn it at their next request anyway (a file indexing "
        "rewrites); this is for workers on other machines (PostgreSQL with Meilisearch).",
    )
    open_data_licence: Literal["CC0-1.0", "CC-BY-4.0"] = Field(
        default="CC0-1.0",
        description="The licence the open data (`/api/v1/export/…`, `kb export`) is published "
        "under: CC0-1.0 (public domain: reuse without conditions) or CC-BY-4.0 (reuse with "
        "attribution).",
    )

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _proxy_list(cls, value: Any) -> Any:
        """A comma-separated list from the environment; each entry must be an address or range."""
        if isinstance(value, str):
            value = [part for part in value.replace(" ", ",").split(",") if part]
        if isinstance(value, list | tuple):
            return [str(ipaddress.ip_network(str(v).strip(), strict=False)) for v in value]
        return value

    @model_validator(mode="after")
    def _bounded_by_the_absolute_limit(self) -> Settings:
        """No idle limit or token outlasts the absolute limit of a sign-in."""
        for name in ("session_minutes", "token_minutes"):
            if getattr(self, name) > self.session_max_hours * 60:
                raise ValueError(
                    f"KB_{name.upper()} may not exceed KB_SESSION_MAX_HOURS × 60 "
                    f"({self.session_max_hours * 60})."
                )
        return self

    @property
    def resolved_database_url(self) -> str:
        """The database URL, falling back to SQLite inside the data dir."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'kb.sqlite3').resolve()}"

    @property
    def index_dir(self) -> Path:
        """Where the embedded search engine keeps its index generations."""
        return self.data_dir / "search-index"

    @property
    def generation_file(self) -> Path:
        """Rewritten by every indexing after its commit; each worker compares it per request."""
        return self.data_dir / "generation"
