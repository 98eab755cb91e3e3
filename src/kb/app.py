"""`create_app(settings)`: the Litestar application, built from explicit settings (no globals)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from advanced_alchemy.extensions.litestar import SQLAlchemyPlugin, SQLAlchemySyncConfig
from litestar import Litestar, get
from litestar.config.compression import CompressionConfig
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from litestar.openapi import OpenAPIConfig
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Template
from litestar.static_files import create_static_files_router
from litestar.template import TemplateConfig
from sqlalchemy import Engine

from kb.db import make_engine, migrate
from kb.errors import exception_to_response
from kb.desk.routes import DESK_ROUTES
from kb.interventions.indexing import index_is_current, rebuild
from kb.interventions.routes import InterventionsApi, InterventionsPages
from kb.interventions.service import InterventionService, SearchParams
from kb.search.base import SearchBackend
from kb.search.select import choose_backend
from kb.settings import Settings
from kb.templating import configure_templates

__all__ = ["create_app", "prepare"]

logger = logging.getLogger(__name__)
PACKAGE_DIR = Path(__file__).parent


def prepare(settings: Settings) -> tuple[Engine, SearchBackend]:
    """Migrate the database and (re)build the index when content changed or none exists."""
    engine = make_engine(settings)
    migrate(engine)
    backend = choose_backend(settings)
    exists = getattr(backend, "exists", lambda: True)()
    if not exists or not index_is_current(engine, settings.content_dir, settings.search_dir):
        report = rebuild(engine, backend, settings.content_dir, settings.search_dir)
        logger.info("Indexed %d entries", report.entries)
    return engine, backend


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
    alchemy = SQLAlchemySyncConfig(
        engine_instance=engine,
        before_send_handler="autocommit",
        session_dependency_key="db_session",
        create_all=False,
    )
    templates = TemplateConfig(
        directory=PACKAGE_DIR / "templates",
        engine=JinjaTemplateEngine,
        engine_callback=lambda jinja: configure_templates(jinja, settings),
    )
    return Litestar(
        route_handlers=[
            home,
            health,
            InterventionsApi,
            InterventionsPages,
            *DESK_ROUTES,
            create_static_files_router(path="/static", directories=[PACKAGE_DIR / "static"]),
        ],
        dependencies={
            "search_backend": Provide(lambda: backend, use_cache=True, sync_to_thread=False)
        },
        plugins=[SQLAlchemyPlugin(config=alchemy)],
        template_config=templates,
        exception_handlers={Exception: exception_to_response},
        openapi_config=OpenAPIConfig(
            title="Kennisbank Scheiding & Kind", version="1.0.0", path="/schema"
        ),
        compression_config=CompressionConfig(backend="gzip", minimum_size=1000),
        debug=settings.debug,
        state=State({"settings": settings}),
    )
