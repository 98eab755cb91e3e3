"""The one place that picks a search engine, and falls back to the embedded one."""

from __future__ import annotations

import logging

from kb.search.base import SearchBackend
from kb.search.config import load_search_config
from kb.search.embedded import EmbeddedBackend
from kb.settings import Settings

__all__ = ["choose_backend"]

logger = logging.getLogger(__name__)


def choose_backend(settings: Settings) -> SearchBackend:
    """Meilisearch when configured and reachable; otherwise the embedded engine.

    Falling back keeps the public knowledge base answering when the search server is down; the
    health endpoint names the engine in use so operators see it.
    """
    config = load_search_config(settings.search_dir)
    if settings.search_backend == "meilisearch":
        if not settings.meili_url:
            raise ValueError("KB_SEARCH_BACKEND=meilisearch vraagt ook KB_MEILI_URL")
        from kb.search.meili import MeiliBackend

        backend = MeiliBackend(settings.meili_url, settings.meili_key, settings.meili_index, config)
        if backend.health().get("ok"):
            return backend
        logger.warning(
            "Meilisearch at %s is unreachable; using the embedded engine", settings.meili_url
        )
    return EmbeddedBackend(settings.index_dir, config, result_cache=settings.search_cache)
