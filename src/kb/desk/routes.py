"""HTTP for the desk and parents' pages; `DESK_ROUTES` is what the application mounts.

Every page is public. The guide is a POST form on purpose: the answers (a child's age, "someone
feels unsafe") then never appear in an address, so they stay out of the browser history of a
shared computer, out of server access logs and out of the Referer sent to other sites. The result
is rendered directly, sent with `Cache-Control: no-store`, and nothing is written: no cookie, no
database row, no log line. Because the guide changes nothing, it needs no CSRF token either.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.handlers import BaseRouteHandler
from litestar.response import Template
from litestar.types import ControllerRouterHandler

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
from kb.interventions.catalogue import Catalogue
from kb.vocabulary import (
    ARRONDISSEMENTS,
    GUIDE_COMMUNICATION,
    GUIDE_SAFETY,
    PROVINCES,
    ROUTE_FOR_PARENTS,
)
from kb.web.pages import NO_STORE, FormData, first_values, page
from kb.web.pdf import pdf_response

__all__ = ["DESK_ROUTES", "DESK_TEMPLATE_GLOBALS", "DeskPages", "parents_page"]

PDF_NAME = "folder-hulp-bij-scheiding.pdf"

# The choices the desk's forms offer, for every desk template.
DESK_TEMPLATE_GLOBALS: dict[str, Any] = {
    "route_for_parents": ROUTE_FOR_PARENTS,
    "communication_options": GUIDE_COMMUNICATION,
    "safety_options": GUIDE_SAFETY,
    "provinces": PROVINCES,
    "arrondissements": ARRONDISSEMENTS,
}


def provide_desk_service(catalogue: NamedDependency[Catalogue]) -> DeskService:
    return DeskService(catalogue)


def _slugs(request: Request[Any, Any, Any]) -> list[str]:
    return request.query_params.getall("slug", [])


# The plain-language pages for parents (language level B1): their address and template.
PARENT_PAGES = {
    "/ouders": "desk/ouders.html",
    "/ouders/scheiden": "desk/scheiden.html",
    "/ouders/kinderen": "desk/kinderen.html",
    "/ouders/ouderschapsplan": "desk/ouderschapsplan.html",
}


@get(list(PARENT_PAGES), include_in_schema=False)
async def parents_page(request: Request[Any, Any, Any]) -> Template:
    return page(PARENT_PAGES[request.url.path.rstrip("/")])


class DeskPages(Controller):
    """Local help, the guide, the comparison, the handout and the accessibility statement."""

    path = "/"
    include_in_schema = False
    dependencies = {"desk": Provide(provide_desk_service, sync_to_thread=False)}

    @get("/hulp-in-de-buurt", sync_to_thread=False)
    def local_help(
        self, request: Request[Any, Any, Any], desk: NamedDependency[DeskService]
    ) -> Template:
        values = dict(request.query_params)
        try:
            place = Place.parse(values)
        except InvalidInputError as exc:
            return page(
                "desk/hulp_in_de_buurt.html",
                422,
                help=desk.local_help(None),
                values=values,
                errors=exc.errors,
            )
        return page(
            "desk/hulp_in_de_buurt.html", help=desk.local_help(place), values=values, errors=[]
        )

    @get("/wegwijzer", sync_to_thread=False, exclude_from_csrf=True)
    def guide_form(self) -> Template:
        return page("desk/wegwijzer.html", headers=NO_STORE, values={}, errors=[])

    @post("/wegwijzer", sync_to_thread=False, exclude_from_csrf=True, status_code=200)
    def guide_result(self, data: FormData, desk: NamedDependency[DeskService]) -> Template:
        values = first_values(data)
        try:
            answers = GuideAnswers.parse(values)
        except InvalidInputError as exc:
            return page("desk/wegwijzer.html", 422, NO_STORE, values=values, errors=exc.errors)
        if values.get("aanpassen"):
            # "Change my answers": the same form, filled in from the hidden fields of the result.
            return page("desk/wegwijzer.html", headers=NO_STORE, values=values, errors=[])
        return page("desk/wegwijzer_uitslag.html", headers=NO_STORE, result=desk.guide(answers))

    @get("/vergelijken", sync_to_thread=False)
    def compare(
        self, request: Request[Any, Any, Any], desk: NamedDependency[DeskService]
    ) -> Template:
        return _chosen_page(
            request,
            desk,
            "desk/vergelijken.html",
            "desk/vergelijken.html",
            COMPARE_MIN,
            COMPARE_MAX,
            "om te vergelijken",
        )

    @get("/folder", sync_to_thread=False)
    def handout(
        self, request: Request[Any, Any, Any], desk: NamedDependency[DeskService]
    ) -> Template:
        return _handout(request, desk)

    @get("/folder.pdf", sync_to_thread=True)
    def handout_pdf(
        self, request: Request[Any, Any, Any], desk: NamedDependency[DeskService]
    ) -> Response[bytes] | Template:
        handout = _handout(request, desk, for_pdf=True)
        if handout.template_name != "desk/folder.html":
            return handout  # the choice again, with what is missing
        return pdf_response(request, handout, PDF_NAME)

    @get("/toegankelijkheid", sync_to_thread=False)
    def accessibility(self) -> Template:
        return page("desk/toegankelijkheid.html")


def _chosen_page(
    request: Request[Any, Any, Any],
    desk: DeskService,
    choose: str,
    show: str,
    minimum: int,
    maximum: int,
    purpose: str,
    **context: Any,
) -> Template:
    """The form to choose entries (`choose`) until a valid choice is made, then `show` them."""
    chosen = _slugs(request)
    if not chosen:
        return page(choose, choices=desk.choices(), chosen=[], errors=[])
    try:
        slugs = parse_slugs(chosen, minimum, maximum, purpose)
        entries = desk.chosen(slugs)
    except InvalidInputError as exc:
        return page(choose, 422, choices=desk.choices(), chosen=chosen, errors=exc.errors)
    return page(show, entries=entries, chosen=slugs, errors=[], **context)


def _handout(request: Request[Any, Any, Any], desk: DeskService, for_pdf: bool = False) -> Template:
    return _chosen_page(
        request,
        desk,
        "desk/folder_kiezen.html",
        "desk/folder.html",
        HANDOUT_MIN,
        HANDOUT_MAX,
        "voor de folder",
        for_pdf=for_pdf,
        today=dt.date.today(),
        site_url=str(request.base_url).rstrip("/"),
    )


DESK_ROUTES: list[ControllerRouterHandler | type[BaseRouteHandler]] = [parents_page, DeskPages]
