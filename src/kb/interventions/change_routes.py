"""HTTP for following the knowledge base: an entry's history, the change feed (JSON and Atom) and
the open data export. Every answer reads the catalogue first, so that a rating which expired
today is recorded (and in the feed) before the first answer of the day."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.types import ControllerRouterHandler
from sqlalchemy.orm import Session

from kb.clock import utcnow
from kb.errors import NotFoundError
from kb.interventions.atom import ATOM_MEDIA_TYPE, FEED_PATH, atom_feed
from kb.interventions.catalogue import Catalogue
from kb.interventions.opendata import EXPORT_FILES, LICENCES, Snapshot
from kb.interventions.revisions import (
    ChangesPage,
    ChangesParams,
    Revision,
    changes,
    history,
    latest_change_at,
)
from kb.web.conditional import unless_unchanged

__all__ = ["CHANGE_ROUTES", "ChangesApi", "ExportApi", "HistoryApi", "changes_feed"]

FEED_ITEMS = 50
_MEDIA_TYPES = {".json": "application/json", ".csv": "text/csv; charset=utf-8"}


def _site_url(request: Request[Any, Any, Any]) -> str:
    """Links in the feed point to the address the feed was read at, as pages do."""
    return str(request.base_url).rstrip("/")


class HistoryApi(Controller):
    path = "/api/v1/interventions"
    tags = ["Kennisbank"]

    @get(
        "/{slug:str}/history",
        summary="De geschiedenis van één item: elke wijziging met oude en nieuwe waarden",
        description="Nieuwste eerst; ook van een verwijderd item.",
        sync_to_thread=True,
    )
    def history(
        self,
        slug: FromPath[str],
        catalogue: NamedDependency[Catalogue],
        db_session: NamedDependency[Session],
    ) -> list[Revision]:
        revisions = history(db_session, slug)
        if not revisions and slug not in catalogue:
            raise NotFoundError(f"Er is geen item met de naam '{slug}'.")
        return revisions


class ChangesApi(Controller):
    path = "/api/v1/changes"
    tags = ["Kennisbank"]

    @get(
        "/",
        summary="Wat er in de kennisbank veranderde, nieuwste eerst",
        description=(
            "Nieuwe items, wijzigingen (met beoordelingen en status als `topics`), verlopen "
            "erkenningen (op de dag dat ze verlopen) en verwijderde items. Query: `since` "
            "(datum of moment), `kind`, `page`, `per_page`. Ook als Atom: /wijzigingen.atom."
        ),
        sync_to_thread=True,
    )
    def changes(
        self,
        request: Request[Any, Any, Any],
        catalogue: NamedDependency[Catalogue],
        db_session: NamedDependency[Session],
    ) -> ChangesPage:
        return changes(db_session, ChangesParams.parse(dict(request.query_params.items())))


@get(FEED_PATH, include_in_schema=False, sync_to_thread=True)
def changes_feed(
    request: Request[Any, Any, Any],
    catalogue: NamedDependency[Catalogue],
    db_session: NamedDependency[Session],
) -> Response[bytes]:
    """The change feed as Atom, for feed readers."""
    page = changes(db_session, ChangesParams(per_page=FEED_ITEMS))
    updated = latest_change_at(db_session) or utcnow()
    body = atom_feed(page.items, _site_url(request), updated)
    return unless_unchanged(request, body, f"{ATOM_MEDIA_TYPE}; charset=utf-8")


class ExportApi(Controller):
    """Open data: the same files `kb export DIR` writes, as of today."""

    path = "/api/v1/export"
    tags = ["Open data"]

    def _file(
        self, name: str, request: Request[Any, Any, Any], catalogue: Catalogue
    ) -> Response[bytes]:
        settings = request.app.state.settings
        # The site's configured address, not the one asked at: the files are the same bytes as
        # `kb export` writes, whoever downloads them.
        snapshot = Snapshot(catalogue, LICENCES[settings.open_data_licence], settings.public_url)
        suffix = name[name.rindex(".") :]
        return unless_unchanged(
            request,
            EXPORT_FILES[name](snapshot),
            _MEDIA_TYPES[suffix],
            headers={"Content-Disposition": f'inline; filename="{name}"'},
        )

    @get("/interventions.json", summary="Alle items als JSON (open data)", sync_to_thread=True)
    def entries_json(
        self, request: Request[Any, Any, Any], catalogue: NamedDependency[Catalogue]
    ) -> Response[bytes]:
        return self._file("interventions.json", request, catalogue)

    @get("/interventions.csv", summary="Alle items als CSV (open data)", sync_to_thread=True)
    def entries_csv(
        self, request: Request[Any, Any, Any], catalogue: NamedDependency[Catalogue]
    ) -> Response[bytes]:
        return self._file("interventions.csv", request, catalogue)

    @get("/ratings.csv", summary="Alle beoordelingen als CSV (open data)", sync_to_thread=True)
    def ratings_csv(
        self, request: Request[Any, Any, Any], catalogue: NamedDependency[Catalogue]
    ) -> Response[bytes]:
        return self._file("ratings.csv", request, catalogue)

    @get(
        "/datapackage.json",
        summary="Frictionless data package: de CSV-bestanden beschreven, met licentie en peildatum",
        sync_to_thread=True,
    )
    def datapackage(
        self, request: Request[Any, Any, Any], catalogue: NamedDependency[Catalogue]
    ) -> Response[bytes]:
        return self._file("datapackage.json", request, catalogue)


CHANGE_ROUTES: list[ControllerRouterHandler] = [HistoryApi, ChangesApi, changes_feed, ExportApi]
