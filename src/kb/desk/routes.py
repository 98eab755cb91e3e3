"""HTTP for the desk and parents' pages; `DESK_ROUTES` is what the application mounts.

Every page is public. The guide is a POST form on purpose: the answers (a child's age, "someone
feels unsafe") then never appear in an address, so they stay out of the browser history of a
shared computer, out of server access logs and out of the Referer sent to other sites. The result
is rendered directly, sent with `Cache-Control: no-store`, and nothing is written: no cookie, no
database row, no log line. Because the guide changes nothing, it needs no CSRF token either.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.enums import RequestEncodingType
from litestar.handlers import BaseRouteHandler
from litestar.params import Body
from litestar.response import Template
from litestar.types import ControllerRouterHandler
from sqlalchemy.orm import Session

from kb.desk.labels import (
    COMMUNICATION_OPTIONS,
    PROVINCES,
    ROUTE_FOR_PARENTS,
    SAFETY_OPTIONS,
)
from kb.desk.pdf import render_pdf
from kb.desk.schemas import (
    COMPARE_MAX,
    COMPARE_MIN,
    HANDOUT_MAX,
    HANDOUT_MIN,
    GuideAnswers,
    Place,
    parse_slugs,
)
from kb.desk.service import DeskService
from kb.errors import InvalidInputError
from kb.interventions.schemas import ARRONDISSEMENTS
from kb.search.base import SearchBackend

__all__ = ["DESK_ROUTES", "DeskPages", "ParentsPages", "provide_desk_service"]

NO_STORE = {"Cache-Control": "no-store"}
PDF_NAME = "folder-hulp-bij-scheiding.pdf"
# Any shape is accepted and then read as text, so a repeated or odd field gets the form back.
FormData = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]

# Shared by every desk template: the B1 texts and the choices the forms offer.
TEXTS: dict[str, Any] = {
    "route_for_parents": ROUTE_FOR_PARENTS,
    "communication_options": COMMUNICATION_OPTIONS,
    "safety_options": SAFETY_OPTIONS,
    "provinces": PROVINCES,
    "arrondissements": ARRONDISSEMENTS,
}


def provide_desk_service(
    search_backend: NamedDependency[SearchBackend],
    db_session: NamedDependency[Session],
) -> DeskService:
    return DeskService(search_backend, db_session)


def _page(
    name: str, status_code: int = 200, headers: dict[str, str] | None = None, **context: Any
) -> Template:
    return Template(
        f"desk/{name}.html",
        context=TEXTS | context,
        status_code=status_code,
        headers=headers,
    )


def _form_values(data: dict[str, Any]) -> dict[str, str]:
    """One text per field: the first of a repeated field, nothing for anything else."""
    values = {}
    for name, value in data.items():
        first = value[0] if isinstance(value, list) and value else value
        if isinstance(first, str):
            values[name] = first
    return values


def _slugs(request: Request[Any, Any, Any]) -> list[str]:
    return request.query_params.getall("slug", [])


class ParentsPages(Controller):
    """Plain-language pages for parents (language level B1)."""

    path = "/ouders"
    include_in_schema = False

    @get("/", sync_to_thread=False)
    def home(self) -> Template:
        return _page("ouders")

    @get("/scheiden", sync_to_thread=False)
    def divorce(self) -> Template:
        return _page("scheiden")

    @get("/kinderen", sync_to_thread=False)
    def children(self) -> Template:
        return _page("kinderen")

    @get("/ouderschapsplan", sync_to_thread=False)
    def parenting_plan(self) -> Template:
        return _page("ouderschapsplan")


class DeskPages(Controller):
    """Local help, the guide, the comparison, the handout and the accessibility statement."""

    path = "/"
    include_in_schema = False
    dependencies = {"service": Provide(provide_desk_service, sync_to_thread=False)}

    @get("/hulp-in-de-buurt", sync_to_thread=False)
    def local_help(
        self, request: Request[Any, Any, Any], service: NamedDependency[DeskService]
    ) -> Template:
        values = dict(request.query_params)
        try:
            place = Place.parse(values)
        except InvalidInputError as exc:
            return _page(
                "hulp_in_de_buurt",
                422,
                help=service.local_help(None),
                values=values,
                errors=exc.errors,
            )
        return _page("hulp_in_de_buurt", help=service.local_help(place), values=values, errors=[])

    @get("/wegwijzer", sync_to_thread=False, exclude_from_csrf=True)
    def guide_form(self) -> Template:
        return _page("wegwijzer", headers=NO_STORE, values={}, errors=[])

    @post("/wegwijzer", sync_to_thread=False, exclude_from_csrf=True, status_code=200)
    def guide_result(self, data: FormData, service: NamedDependency[DeskService]) -> Template:
        data = _form_values(data)
        try:
            answers = GuideAnswers.parse(data)
        except InvalidInputError as exc:
            return _page("wegwijzer", 422, NO_STORE, values=data, errors=exc.errors)
        if data.get("aanpassen"):
            # "Change my answers": the same form, filled in from the hidden fields of the result.
            return _page("wegwijzer", headers=NO_STORE, values=data, errors=[])
        return _page("wegwijzer_uitslag", headers=NO_STORE, result=service.guide(answers))

    @get("/vergelijken", sync_to_thread=False)
    def compare(
        self, request: Request[Any, Any, Any], service: NamedDependency[DeskService]
    ) -> Template:
        chosen = _slugs(request)
        if not chosen:
            return _page("vergelijken", choices=service.choices(), chosen=[], errors=[])
        try:
            slugs = parse_slugs(chosen, COMPARE_MIN, COMPARE_MAX, "om te vergelijken")
            entries = service.chosen(slugs)
        except InvalidInputError as exc:
            return _page(
                "vergelijken", 422, choices=service.choices(), chosen=chosen, errors=exc.errors
            )
        return _page("vergelijken", entries=entries, chosen=slugs, errors=[])

    @get("/folder", sync_to_thread=False)
    def handout(
        self, request: Request[Any, Any, Any], service: NamedDependency[DeskService]
    ) -> Template:
        return self._handout(request, service)

    @get("/folder.pdf", sync_to_thread=True)
    def handout_pdf(
        self, request: Request[Any, Any, Any], service: NamedDependency[DeskService]
    ) -> Response[bytes] | Template:
        page = self._handout(request, service, for_pdf=True)
        if page.template_name != "desk/folder.html":
            return page
        assert request.app.template_engine is not None
        context = page.create_template_context(request)
        html = request.app.template_engine.get_template(page.template_name).render(**context)
        return Response(
            render_pdf(html),
            media_type="application/pdf",
            headers={"Content-Disposition": f'inline; filename="{PDF_NAME}"'},
        )

    @staticmethod
    def _handout(
        request: Request[Any, Any, Any], service: DeskService, for_pdf: bool = False
    ) -> Template:
        chosen = _slugs(request)
        if not chosen:
            return _page("folder_kiezen", choices=service.choices(), chosen=[], errors=[])
        try:
            slugs = parse_slugs(chosen, HANDOUT_MIN, HANDOUT_MAX, "voor de folder")
            entries = service.chosen(slugs)
        except InvalidInputError as exc:
            return _page(
                "folder_kiezen", 422, choices=service.choices(), chosen=chosen, errors=exc.errors
            )
        return _page(
            "folder",
            entries=entries,
            chosen=slugs,
            for_pdf=for_pdf,
            today=dt.date.today(),
            site_url=str(request.base_url).rstrip("/"),
        )

    @get("/toegankelijkheid", sync_to_thread=False)
    def accessibility(self) -> Template:
        return _page("toegankelijkheid")


DESK_ROUTES: list[ControllerRouterHandler | type[BaseRouteHandler]] = [ParentsPages, DeskPages]
