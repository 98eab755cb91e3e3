"""`create_app(settings)`: the Litestar application, built from explicit settings (no globals)."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

from litestar import Litestar, get
from litestar.config.compression import CompressionConfig
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from litestar.openapi import OpenAPIConfig
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import File, Template
from litestar.static_files import create_static_files_router
from litestar.stores.base import Store
from litestar.template import TemplateConfig
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from kb.auth.audit import Appender
from kb.auth.routes import (
    AccountPages,
    ActivationPages,
    AdminApi,
    AuthApi,
    AuthPages,
    OwnAccountPages,
    auth_template_globals,
)
from kb.auth.service import AuthConfig, UserLookup
from kb.auth.startup import check_startup, csrf_secret, prepare_accounts
from kb.clock import today
from kb.conflict_analysis.demo import seed_demo_analyses
from kb.conflict_analysis.notices import Notifier
from kb.conflict_analysis.pages import ANALYSIS_TEMPLATE_GLOBALS, AnalysisPages, WorkPages
from kb.conflict_analysis.routes import AnalysisApi, TasksApi
from kb.db import make_engine, migrate
from kb.desk.routes import DESK_ROUTES, DESK_TEMPLATE_GLOBALS
from kb.errors import ConflictError, InvalidInputError, StartupRefusedError
from kb.interventions.analytics import SearchStats
from kb.interventions.catalogue import CatalogueStore, GenerationSignal, load_catalogue
from kb.interventions.change_routes import CHANGE_ROUTES
from kb.interventions.indexing import (
    Publisher,
    Reindexer,
    index_is_current,
    rebuild,
    reindex_expired,
)
from kb.interventions.routes import (
    SEARCH_PAGE_HELPERS,
    EditorPages,
    InterventionsApi,
    InterventionsPages,
)
from kb.interventions.service import InterventionService, SearchParams
from kb.mail import Mailer, Outbox
from kb.monitor.demo import seed_synthetic_outcomes
from kb.monitor.routes import MONITOR_ROUTES
from kb.monitor.service import MonitorConfig
from kb.proposals.pages import PROPOSAL_TEMPLATE_GLOBALS, EditorialPages, ProposalPages
from kb.proposals.routes import EditorialApi, ProposalsApi
from kb.regions.routes import RegionsApi
from kb.search.base import SearchBackend
from kb.search.select import choose_backend
from kb.settings import Settings
from kb.web.apidocs import PlainDocsRenderPlugin
from kb.web.auth import AuthMiddleware, provide_caller
from kb.web.errors import exception_to_response
from kb.web.health import Readiness, health, ready
from kb.web.i18n import install_translations
from kb.web.observe import RequestObserver
from kb.web.outages import OutageMiddleware
from kb.web.requests import GuardedRequest, RequestGuard, trusted_networks
from kb.web.security import security_headers
from kb.web.sessions import (
    CSRF_COOKIE,
    SESSION_COOKIE,
    DatabaseStore,
    RenewingSessionConfig,
    SessionBoundFormToken,
    cookie_name,
)
from kb.web.templating import configure_templates
from kb.web.transactions import DatabaseSessions, TransactionMiddleware
from kb.youth.routes import YouthPages
from kb.youth.service import load_youth_pages

__all__ = ["create_app", "open_prepared", "prepare"]

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
    if settings.demo:
        seed_synthetic_outcomes(engine)  # invented, marked so: the monitor has something to show
    backend = choose_backend(settings)
    exists = getattr(backend, "exists", lambda: True)()
    if not exists or not index_is_current(engine, settings.content_dir, settings.search_dir):
        report = rebuild(
            engine,
            backend,
            settings.content_dir,
            settings.search_dir,
            signal=GenerationSignal(settings.generation_file),
        )
        logger.info("Indexed %d entries", report.entries)
    if settings.demo and settings.demo_cases:
        _seed_demo_analyses(engine)
    return engine, backend


def _seed_demo_analyses(engine: Engine) -> None:
    """Demo mode's invented cases, once per database, after the knowledge base is loaded (the
    advice reads it). Here, before any worker starts, so that workers never race to seed."""
    day = today()
    with Session(engine) as session:
        try:
            made = seed_demo_analyses(session, load_catalogue(session).on(day), day)
        except (InvalidInputError, ConflictError) as exc:
            # Only a demo's extras: the demo still starts, without them.
            logger.warning("The demo cases were not seeded: %s", type(exc).__name__)
            session.rollback()
            return
        session.commit()
    if made:
        logger.info("Seeded %d invented demo cases", made)


def open_prepared(settings: Settings) -> tuple[Engine, SearchBackend]:
    """The database and index `prepare` made ready, opened again (by each server worker)."""
    return make_engine(settings), choose_backend(settings)


def _session_store(settings: Settings, engine: Engine) -> Store:
    if not settings.redis_url:
        return DatabaseStore(engine)
    from litestar.stores.redis import RedisStore  # only deployments with Redis import it

    return RedisStore.with_client(settings.redis_url, namespace="kb_sessions")


@get("/", include_in_schema=False, sync_to_thread=False)
def home(search_service: NamedDependency[InterventionService]) -> Template:
    overview = search_service.search(SearchParams(per_page=1))
    return Template("home.html", context={"overview": overview})


@get("/favicon.ico", include_in_schema=False, sync_to_thread=False)
def favicon() -> File:
    """Browsers ask for it at the root whatever the page says; drawn by scripts/favicon.py."""
    return File(
        PACKAGE_DIR / "static" / "favicon.ico",
        media_type="image/x-icon",
        content_disposition_type="inline",
        headers={"Cache-Control": "public, max-age=86400"},
    )


def _ready(value: object) -> Provide:
    """A dependency that is the same object for every request, handed over without a thread."""
    return Provide(lambda: value, use_cache=True, sync_to_thread=False)


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
    # Ratings expire without the content changing: the first catalogue of a day re-indexes when
    # one did since the index was built (domain.md §9.3).
    # Indexing in another process (kb index, another worker's approval) rewrites this file after
    # its commit; every request compares it, so every worker serves the new generation at once.
    signal = GenerationSignal(settings.generation_file)
    catalogues = CatalogueStore(
        engine,
        recheck_seconds=settings.generation_check_seconds,
        on_new_catalogue=lambda catalogue: reindex_expired(engine, backend, catalogue),
        signal=signal,
    )
    reindexer = Reindexer(
        engine, backend, settings.content_dir, settings.search_dir, catalogues, signal
    )
    search_service = InterventionService(backend, catalogues.current, stats=search_stats)
    # An editor's approval writes a content file and indexes it again (kb.proposals).
    publisher = Publisher(reindexer)
    db_sessions = DatabaseSessions(engine)
    audit_appender = Appender(engine)
    outbox = Outbox(Mailer(settings.smtp_url, settings.mail_from)) if settings.smtp_url else None
    notifier = Notifier(outbox, settings.public_url) if outbox is not None else None
    session_store = _session_store(settings, engine)
    readiness = Readiness(
        engine, backend, session_store, "redis" if settings.redis_url else "database"
    )
    secure = not settings.demo  # demo mode runs on plain http://127.0.0.1
    sessions = RenewingSessionConfig(
        key=cookie_name(SESSION_COOKIE, secure),
        max_age=settings.session_minutes * 60,
        secure=secure,
        httponly=True,
        samesite="lax",
        # The API knows its caller only by bearer token, static files need no one.
        exclude=["^/api/", "^/static/"],
    )
    csrf = CSRFConfig(
        secret=secret,
        cookie_name=cookie_name(CSRF_COOKIE, secure),
        cookie_secure=secure,
        cookie_httponly=True,
        cookie_samesite="lax",
        exclude=["^/api/"],
    )

    def configure_jinja(jinja: JinjaTemplateEngine) -> None:
        configure_templates(
            jinja,
            demo=settings.demo,
            **SEARCH_PAGE_HELPERS,
            **DESK_TEMPLATE_GLOBALS,
            **ANALYSIS_TEMPLATE_GLOBALS,
            **PROPOSAL_TEMPLATE_GLOBALS,
            **auth_template_globals(settings.demo),
        )
        install_translations(jinja.engine, PACKAGE_DIR / "translations")

    app = Litestar(
        route_handlers=[
            home,
            favicon,
            health,
            ready,
            InterventionsApi,
            RegionsApi,
            InterventionsPages,
            EditorPages,
            AuthPages,
            ActivationPages,
            OwnAccountPages,
            AuthApi,
            AccountPages,
            AdminApi,
            *DESK_ROUTES,
            YouthPages,
            AnalysisApi,
            TasksApi,
            AnalysisPages,
            ProposalsApi,
            EditorialApi,
            ProposalPages,
            EditorialPages,
            WorkPages,
            *MONITOR_ROUTES,
            *CHANGE_ROUTES,
            create_static_files_router(path="/static", directories=[PACKAGE_DIR / "static"]),
        ],
        dependencies={
            # Ready objects without sub-dependencies: Litestar resolves a handler's several
            # dependencies in a task group, which cost the search API a sixth of its time.
            "search_backend": _ready(backend),
            "search_service": _ready(search_service),
            "search_stats": _ready(search_stats),
            "auth_config": _ready(auth_config),
            "readiness": _ready(readiness),
            "youth_library": _ready(load_youth_pages(settings.content_dir)),
            "publisher": _ready(publisher),
            "monitor_config": _ready(
                MonitorConfig(settings.retention_days, include_synthetic=settings.demo)
            ),
            # Index content/ again from a request (an approved proposal): `reindexer(note=…)`.
            "reindexer": _ready(reindexer),
            "notifier": _ready(notifier),
            "catalogue": Provide(catalogues.current, sync_to_thread=False),
            "db_session": Provide(db_sessions.provide, sync_to_thread=False),
            "caller": Provide(provide_caller, sync_to_thread=False),
        },
        # The catalogue is loaded before the first request, not on the event loop during one.
        on_startup=[search_stats.start, catalogues.current],
        on_shutdown=[
            search_stats.close,
            audit_appender.close,
            *([outbox.close] if outbox is not None else []),
        ],
        middleware=[
            OutageMiddleware(),  # outermost: it sees the sessions store fail as the answer starts
            RequestGuard(trusted_networks(settings.trusted_proxies)),
            sessions.middleware,
            AuthMiddleware(
                UserLookup(engine, session_limit=dt.timedelta(hours=settings.session_max_hours))
            ),
            SessionBoundFormToken(),
            TransactionMiddleware(audit_appender.submit_queued),
        ],
        request_class=GuardedRequest,
        request_max_body_size=settings.max_request_bytes,
        csrf_config=csrf,
        stores={"sessions": session_store},
        before_send=[security_headers(secure=secure)],
        template_config=TemplateConfig(
            directory=PACKAGE_DIR / "templates",
            engine=JinjaTemplateEngine,
            engine_callback=configure_jinja,
        ),
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
        # Logging is the program's to configure (kb.logs: JSON lines), not each app's.
        logging_config=None,
    )
    # Around Litestar's whole handler, so that a request that found no route is logged too.
    app.asgi_handler = RequestObserver(app.asgi_handler, trusted_networks(settings.trusted_proxies))
    return app
