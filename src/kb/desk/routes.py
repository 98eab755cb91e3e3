"""HTTP for the desk and parents' pages; `DESK_ROUTES` is what the application mounts.

Every page is public. The guide is a POST form on purpose: the answers (a child's age, "someone
feels unsafe") then never appear in an address, so they stay out of the browser history of a
shared computer, out of server access logs and out of the Referer sent to other sites. The result
is rendered directly, sent with `Cache-Control: no-store`, and nothing is written: no cookie, no
database row, no log line. Because the guide changes nothing, it needs no CSRF token either.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Annotated, Any

from jinja2 import pass_context
from litestar import Controller, Request, Response, get, post, put
from litestar.di import NamedDependency, Provide
from litestar.handlers import BaseRouteHandler
from litestar.params import Body, PathParameter
from litestar.response import Template
from litestar.types import ControllerRouterHandler
from sqlalchemy.orm import Session

from kb.access import Caller
from kb.desk.helplines import HELPLINES
from kb.desk.schemas import (
    COMPARE_MAX,
    COMPARE_MIN,
    DESK_PROFILE_FIELDS,
    HANDOUT_MAX,
    HANDOUT_MIN,
    DeskProfileIn,
    DeskProfileOut,
    GuideAnswers,
    Place,
    parse_slugs,
)
from kb.desk.service import DeskProfileService, DeskService, contacts, how_to_get
from kb.errors import FieldError, InvalidInputError, PreconditionFailedError, UnknownNameError
from kb.interventions.catalogue import Catalogue
from kb.regions import register
from kb.vocabulary import (
    ARRONDISSEMENTS,
    GUIDE_COMMUNICATION,
    GUIDE_SAFETY,
    PROVINCES,
    ROUTE_FOR_PARENTS,
)
from kb.web.auth import current_user, requires
from kb.web.conditional import Expected, provide_expected, with_etag
from kb.web.operations import operation
from kb.web.pages import (
    NO_STORE,
    FormData,
    alternate,
    first_values,
    page,
    redirect_with_notice,
    take_notice,
)
from kb.web.pdf import pdf_response

__all__ = [
    "DESK_ROUTES",
    "DESK_TEMPLATE_GLOBALS",
    "DeskPages",
    "DeskProfileApi",
    "DeskProfilePages",
    "parents_page",
]

PDF_NAME = "folder-hulp-bij-scheiding.pdf"
# Where "Snel weg" goes: a neutral page that says nothing about why someone left.
QUICK_EXIT_URL = "https://www.google.nl/"

# The choices the desk's forms offer, for every desk template.
DESK_TEMPLATE_GLOBALS: dict[str, Any] = {
    "route_for_parents": ROUTE_FOR_PARENTS,
    "communication_options": GUIDE_COMMUNICATION,
    "safety_options": GUIDE_SAFETY,
    "provinces": PROVINCES,
    "arrondissements": ARRONDISSEMENTS,
    "how_to_get": how_to_get,
    "quick_exit_url": QUICK_EXIT_URL,
    "contacts": contacts,
    "helplines": HELPLINES,
}


def provide_desk_service(catalogue: NamedDependency[Catalogue]) -> DeskService:
    return DeskService(catalogue)


def provide_profiles(db_session: NamedDependency[Session]) -> DeskProfileService:
    return DeskProfileService(db_session)


def _desk_municipality(request: Request[Any, Any, Any]) -> str:
    """A desk worker's own municipality, to fill in where a form asks for one; else nothing."""
    user = current_user(request)
    if user is not None and user.role == "loketmedewerker" and user.municipality:
        return user.municipality
    return ""


def _slugs(request: Request[Any, Any, Any]) -> list[str]:
    return request.query_params.getall("slug", [])


# The plain-language pages for parents (language level B1): their address and template.
PARENT_PAGES = {
    "/ouders": "desk/ouders.html",
    "/ouders/scheiden": "desk/scheiden.html",
    "/ouders/kinderen": "desk/kinderen.html",
    "/ouders/ouderschapsplan": "desk/ouderschapsplan.html",
}
# Their translations live under a language prefix (`/en/ouders`), so a link, a bookmark and a
# search engine each get one language per address; another language is a catalogue and a prefix.
TRANSLATIONS = ("en",)


@pass_context
def localized(context: Mapping[str, Any], path: str, lang: str | None = None) -> str:
    """`path` in the page's language (or `lang`): a parents' page under its prefix; the rest of
    the site is Dutch only and keeps its Dutch address."""
    language = lang or context.get("lang") or "nl"
    if language in TRANSLATIONS and path in PARENT_PAGES:
        return f"/{language}{path}"
    return path


DESK_TEMPLATE_GLOBALS["localized"] = localized


@get(
    [*PARENT_PAGES, *(f"/{lang}{path}" for lang in TRANSLATIONS for path in PARENT_PAGES)],
    include_in_schema=False,
    sync_to_thread=False,
)
def parents_page(request: Request[Any, Any, Any]) -> Template:
    path = request.url.path.rstrip("/")
    prefix, _, rest = path[1:].partition("/")
    if prefix in TRANSLATIONS:
        return page(PARENT_PAGES[f"/{rest}"], lang=prefix, nl_path=f"/{rest}")
    return page(PARENT_PAGES[path], lang="nl", nl_path=path)


_PROFILES = {"profiles": Provide(provide_profiles, sync_to_thread=False)}


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
        if not any(values.get(k) for k in ("gemeente", "provincie", "arrondissement")):
            # A desk worker starts with the help in their own municipality.
            values["gemeente"] = _desk_municipality(request)
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
    def guide_form(self, request: Request[Any, Any, Any]) -> Template:
        values = {"gemeente": _desk_municipality(request)}
        return page("desk/wegwijzer.html", headers=NO_STORE, values=values, errors=[])

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

    @get("/folder", sync_to_thread=True, dependencies=_PROFILES)
    def handout(
        self,
        request: Request[Any, Any, Any],
        desk: NamedDependency[DeskService],
        profiles: NamedDependency[DeskProfileService],
    ) -> Template:
        return _handout(request, desk, profiles)

    @get("/folder.pdf", sync_to_thread=True, dependencies=_PROFILES)
    def handout_pdf(
        self,
        request: Request[Any, Any, Any],
        desk: NamedDependency[DeskService],
        profiles: NamedDependency[DeskProfileService],
    ) -> Response[bytes] | Template:
        handout = _handout(request, desk, profiles, for_pdf=True)
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


def _handout(
    request: Request[Any, Any, Any],
    desk: DeskService,
    profiles: DeskProfileService,
    for_pdf: bool = False,
) -> Template:
    """The handout; a desk worker's carries their desk's profile (name, address, hours, phone)."""
    return _chosen_page(
        request,
        desk,
        "desk/folder_kiezen.html",
        "desk/folder.html",
        HANDOUT_MIN,
        HANDOUT_MAX,
        "voor de folder",
        for_pdf=for_pdf,
        desk_profile=profiles.for_user(current_user(request)),
        today=dt.date.today(),
        site_url=str(request.base_url).rstrip("/"),
    )


# --- The desk profile: pages for the beheerder, and the API ------------------------------------

PROFILES_PATH = "/beheer/loketten"
PROFILE_FORM = f"{PROFILES_PATH}/profiel"
API_PATH = "/api/v1/desk-profiles"
_EDIT: dict[str, Any] = {"guards": [requires("desk_profile.manage")], "sync_to_thread": True}


def _profile_form(
    municipality: str,
    values: dict[str, str],
    etag: str,
    errors: list[FieldError],
    status_code: int = 200,
    current: DeskProfileOut | None = None,
) -> Template:
    return page(
        "desk/profiel.html",
        status_code,
        NO_STORE,
        municipality=municipality,
        values=values,
        etag=etag,
        errors=errors,
        current=current,
    )


def _overview(
    profiles: DeskProfileService,
    errors: list[FieldError],
    status: int = 200,
    notice: str | None = None,
) -> Template:
    return page(
        "desk/loketten.html",
        status,
        alternate(API_PATH),
        desks=profiles.overview(),
        errors=errors,
        notice=notice,
    )


class DeskProfilePages(Controller):
    """The beheerder's list of desks and the form for one desk's profile."""

    path = PROFILES_PATH
    include_in_schema = False
    dependencies = _PROFILES

    @get("/", **_EDIT)
    def overview(
        self, request: Request[Any, Any, Any], profiles: NamedDependency[DeskProfileService]
    ) -> Template:
        return _overview(profiles, [], notice=take_notice(request))

    @get("/profiel", **_EDIT)
    def edit(
        self, request: Request[Any, Any, Any], profiles: NamedDependency[DeskProfileService]
    ) -> Template:
        asked = request.query_params.get("gemeente", "").strip()
        try:
            name = register().resolve(asked).name if asked else ""
            if not name:
                raise UnknownNameError("Vul de naam van een gemeente in.", [])
        except UnknownNameError as exc:
            return _overview(profiles, [FieldError(("gemeente",), exc.detail)], 422)
        found = profiles.get(name)
        values = found.model_dump(include=set(DESK_PROFILE_FIELDS)) if found else {}
        return _profile_form(name, values, found.etag if found else "", [])

    @post("/profiel", **_EDIT)
    def save(
        self,
        request: Request[Any, Any, Any],
        profiles: NamedDependency[DeskProfileService],
        caller: NamedDependency[Caller],
        data: FormData,
    ) -> Response[Any] | Template:
        values = first_values(data)
        municipality = values.get("gemeente", "")
        etag = values.get("etag", "")
        shown = {k: values.get(k, "") for k in DESK_PROFILE_FIELDS}
        try:
            profile = DeskProfileIn.parse(shown)
            saved = profiles.save(
                municipality,
                profile,
                (etag,) if etag else (),
                by=caller.user,
                address=caller.address,
            )
        except InvalidInputError as exc:
            return _profile_form(municipality, shown, etag, exc.errors, 422)
        except PreconditionFailedError as exc:
            # Keep their input; show what is saved now, and let a new save build on it.
            current = profiles.get(municipality)
            stale = [FieldError(("name",), exc.detail)]
            return _profile_form(
                municipality, shown, current.etag if current else "", stale, 412, current
            )
        notice = f"Het loketprofiel van {saved.municipality} is opgeslagen."
        return redirect_with_notice(request, PROFILES_PATH, notice)


# The body is validated by the service, so its messages are Dutch like the form's.
ProfileBody = Annotated[
    Any,
    Body(
        title="Loketprofiel",
        description="`name` (verplicht, ≤ 120 tekens), `address` (≤ 300), `opening_hours` "
        "(≤ 300), `phone` (cijfers, spaties, streepjes; ≤ 40), `notes` (≤ 1000).",
    ),
]
Municipality = Annotated[
    str, PathParameter(description="De gemeente (officiële of oude naam)", max_length=100)
]
LIST = operation("Alle loketprofielen", 401, 403, action="desk_profile.manage")
READ = operation("Het loketprofiel van een gemeente", 401, 403, 404, action="desk_profile.manage")
SAVE = operation(
    "Maak of wijzig het loketprofiel van een gemeente",
    401,
    403,
    404,
    412,
    422,
    428,
    action="desk_profile.manage",
    description="Een nieuw profiel zonder If-Match; een bestaand alleen met de ETag die u "
    "kreeg (If-Match), anders 428, of 412 als iemand anders intussen opsloeg. Elke wijziging "
    "staat in het auditlog (welke velden, niet de tekst).",
)


class DeskProfileApi(Controller):
    path = API_PATH
    tags = ["Loket"]
    dependencies = {**_PROFILES, "expected": Provide(provide_expected, sync_to_thread=False)}

    @get("/", **LIST)
    def profiles(self, profiles: NamedDependency[DeskProfileService]) -> list[DeskProfileOut]:
        return profiles.profiles()

    @get("/{municipality:str}", **READ)
    def profile(
        self, profiles: NamedDependency[DeskProfileService], municipality: Municipality
    ) -> Response[DeskProfileOut]:
        return with_etag(profiles.require(municipality))

    @put("/{municipality:str}", **SAVE)
    def save(
        self,
        profiles: NamedDependency[DeskProfileService],
        caller: NamedDependency[Caller],
        municipality: Municipality,
        data: ProfileBody,
        expected: Expected,
    ) -> Response[DeskProfileOut]:
        if not isinstance(data, dict):
            raise InvalidInputError(
                "Het loketprofiel is niet goed ingevuld.",
                [FieldError(("body",), "Moet een object met velden zijn.")],
            )
        profile = DeskProfileIn.parse(data)
        saved = profiles.save(
            municipality, profile, expected, by=caller.user, address=caller.address
        )
        return with_etag(saved)


DESK_ROUTES: list[ControllerRouterHandler | type[BaseRouteHandler]] = [
    parents_page,
    DeskPages,
    DeskProfilePages,
    DeskProfileApi,
]
