"""`create_app(settings)`: the Litestar application, built from explicit settings (no globals)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, cast

from advanced_alchemy.extensions.litestar import SQLAlchemyPlugin, SQLAlchemySyncConfig
from litestar import Litestar, get
from litestar.config.compression import CompressionConfig
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from litestar.openapi import OpenAPIConfig
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Template
from litestar.static_files import create_static_files_router
from litestar.stores.base import Store
from litestar.template import TemplateConfig
from litestar.types import BeforeMessageSendHookHandler
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from kb.auth.apidocs import PlainDocsRenderPlugin
from kb.auth.middleware import AuthMiddleware, security_headers
from kb.auth.routes import (
    AccountPages,
    AdminApi,
    AuthApi,
    AuthPages,
    configure_auth_templates,
)
from kb.auth.service import AuthConfig, UserLookup
from kb.auth.sessions import (
    SESSION_COOKIE,
    DatabaseStore,
    RenewingSessionConfig,
    SettleTransactionFirst,
    SyncHook,
    settle_transaction,
)
from kb.auth.startup import check_startup, csrf_secret, prepare_accounts
from kb.conflict_analysis.routes import ANALYSIS_ROUTES
from kb.db import make_engine, migrate
from kb.desk.routes import DESK_ROUTES
from kb.errors import StartupRefusedError, exception_to_response
from kb.interventions.analytics import SearchStats
from kb.interventions.indexing import index_is_current, rebuild
from kb.interventions.routes import EditorPages, InterventionsApi, InterventionsPages
from kb.interventions.service import InterventionService, SearchParams
from kb.search.base import SearchBackend
from kb.search.select import choose_backend
from kb.settings import Settings
from kb.templating import configure_templates

__all__ = ["create_app", "prepare"]

logger = logging.getLogger(__name__)
PACKAGE_DIR = Path(__file__).parent


def prepare(settings: Settings) -> tuple[Engine, SearchBackend]:
    """Migrate the database, seed demo accounts or refuse unsafe settings (`StartupRefusedError`),
    and (re)build the index when content changed or none exists."""
    engine = make_engine(settings)
    migrate(engine)
    try:
        prepare_accounts(settings, engine, AuthConfig.from_settings(settings))
    except StartupRefusedError:
        engine.dispose()
        raise
    backend = choose_backend(settings)
    exists = getattr(backend, "exists", lambda: True)()
    if not exists or not index_is_current(engine, settings.content_dir, settings.search_dir):
        report = rebuild(engine, backend, settings.content_dir, settings.search_dir)
        logger.info("Indexed %d entries", report.entries)
    return engine, backend


def _session_store(settings: Settings, engine: Engine) -> Store:
    if not settings.redis_url:
        return DatabaseStore(engine)
    from litestar.stores.redis import RedisStore  # only deployments with Redis import it

    return RedisStore.with_client(settings.redis_url, namespace="kb_sessions")


def open_prepared(settings: Settings) -> tuple[Engine, SearchBackend]:
    """The database and index `prepare` made ready, opened again (by each server worker)."""
    return make_engine(settings), choose_backend(settings)


@get("/", include_in_schema=False, sync_to_thread=False)
def home(search_backend: NamedDependency[SearchBackend]) -> Template:
    overview = InterventionService(search_backend).search(SearchParams(per_page=1))
    return Template("home.html", context={"overview": overview})


@get(
    "/api/v1/health",
    tags=["Beheer"],
    summary="Status van database en zoekmachine",
    sync_to_thread=False,
)
def health(search_backend: NamedDependency[SearchBackend]) -> dict[str, Any]:
    return {"ok": True, "search": search_backend.health()}


def create_app(
    settings: Settings, engine: Engine | None = None, backend: SearchBackend | None = None
) -> Litestar:
    """Build the application; pass `engine` and `backend` to reuse prepared ones (tests, CLI)."""
    if engine is None or backend is None:
        engine, backend = prepare(settings)
    with Session(engine) as session:
        check_startup(settings, session)
        secret = csrf_secret(settings, session)
    auth_config = AuthConfig.from_settings(settings)
    search_stats = SearchStats(engine)
    search_stats.purge(keep_days=settings.search_stats_days)
    search_service = InterventionService(backend, stats=search_stats)
    secure = not settings.demo  # demo mode runs on plain http://127.0.0.1
    session_store = _session_store(settings, engine)
    sessions = RenewingSessionConfig(
        key=SESSION_COOKIE,
        max_age=settings.session_minutes * 60,
        secure=secure,
        httponly=True,
        samesite="lax",
        # The API knows its caller only by bearer token, static files need no one.
        exclude=["^/api/", "^/static/"],
    )
    csrf = CSRFConfig(
        secret=secret,
        cookie_name="kb_csrf",
        cookie_secure=secure,
        cookie_httponly=True,
        cookie_samesite="lax",
        exclude=["^/api/"],
    )
    alchemy = SQLAlchemySyncConfig(
        engine_instance=engine,
        # Forms answer a successful POST with a redirect (303), which must commit too.
        before_send_handler="autocommit_include_redirects",
        session_dependency_key="db_session",
        create_all=False,
    )
    alchemy.before_send_handler = settle_transaction(
        cast(SyncHook, alchemy.before_send_handler), alchemy.session_scope_key
    )

    def configure_jinja(jinja: JinjaTemplateEngine) -> None:
        configure_templates(jinja, settings)
        configure_auth_templates(jinja, settings)

    templates = TemplateConfig(
        directory=PACKAGE_DIR / "templates",
        engine=JinjaTemplateEngine,
        engine_callback=configure_jinja,
    )
    return Litestar(
        route_handlers=[
            home,
            health,
            InterventionsApi,
            InterventionsPages,
            EditorPages,
            AuthPages,
            AuthApi,
            AccountPages,
            AdminApi,
            *DESK_ROUTES,
            *ANALYSIS_ROUTES,
            create_static_files_router(path="/static", directories=[PACKAGE_DIR / "static"]),
        ],
        dependencies={
            "search_backend": Provide(lambda: backend, use_cache=True, sync_to_thread=False),
            "auth_config": Provide(lambda: auth_config, use_cache=True, sync_to_thread=False),
            "search_stats": Provide(lambda: search_stats, use_cache=True, sync_to_thread=False),
            # One ready service without sub-dependencies: Litestar resolves a handler's several
            # dependencies in a task group, which cost the search API a sixth of its time.
            "search_service": Provide(lambda: search_service, use_cache=True, sync_to_thread=False),
        },
        on_startup=[search_stats.start],
        on_shutdown=[search_stats.close],
        plugins=[SQLAlchemyPlugin(config=alchemy)],
        middleware=[
            sessions.middleware,
            AuthMiddleware(UserLookup(engine)),
            SettleTransactionFirst(cast(BeforeMessageSendHookHandler, alchemy.before_send_handler)),
        ],
        csrf_config=csrf,
        stores={"sessions": session_store},
        before_send=[security_headers(secure=secure)],
        template_config=templates,
        exception_handlers={Exception: exception_to_response},
        openapi_config=OpenAPIConfig(
            title="Kennisbank Scheiding & Kind",
            version="1.0.0",
            path="/schema",
            render_plugins=[PlainDocsRenderPlugin()],
        ),
        compression_config=CompressionConfig(backend="gzip", minimum_size=1000),
        debug=settings.debug,
        state=State({"settings": settings}),
    )
