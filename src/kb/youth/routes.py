"""HTTP for the pages for children and young people; `YOUTH_ROUTES` is what the application mounts.

Public pages that set no cookie and write nothing: they are excluded from the form-token (CSRF)
cookie, take no form, keep no session, and the help list reads the catalogue directly rather than
through the search service, whose analytics would count the visit.
"""

from __future__ import annotations

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Template

from kb.interventions.catalogue import Catalogue
from kb.youth.schemas import LEVELS, ReadingLevel
from kb.youth.service import YouthLibrary, YouthService

__all__ = ["YouthPages"]

# No copy of these pages in a browser's or a shared cache. (No Referer leaves the site either: the
# site-wide Referrer-Policy is same-origin, and the quick exit's link is rel="noreferrer".)
PRIVATE = {"Cache-Control": "no-store"}


def _level(code: str) -> ReadingLevel:
    level = LEVELS.get(code)
    if level is None:
        raise NotFoundException("Deze leeftijdsgroep bestaat niet.")
    return level


class YouthPages(Controller):
    """`/jongeren`: choose your age, the pages of a level, one page, and help you can find."""

    path = "/jongeren"
    include_in_schema = False

    @get("/", sync_to_thread=False, exclude_from_csrf=True)
    def index(self) -> Template:
        return _page("youth/index.html", levels=list(LEVELS.values()))

    @get("/{code:str}", sync_to_thread=False, exclude_from_csrf=True)
    def level_index(
        self, code: FromPath[str], youth_library: NamedDependency[YouthLibrary]
    ) -> Template:
        level = _level(code)
        return _page("youth/level.html", level=level, pages=youth_library.level(code))

    @get("/{code:str}/hulp", sync_to_thread=False, exclude_from_csrf=True)
    def help(
        self,
        code: FromPath[str],
        catalogue: NamedDependency[Catalogue],
        youth_library: NamedDependency[YouthLibrary],
    ) -> Template:
        level = _level(code)
        service = YouthService(catalogue, youth_library)
        pages = youth_library.level(code)
        return _page("youth/hulp.html", level=level, entries=service.help_for(level), pages=pages)

    @get("/{code:str}/{slug:str}", sync_to_thread=False, exclude_from_csrf=True)
    def youth_page(
        self,
        code: FromPath[str],
        slug: FromPath[str],
        catalogue: NamedDependency[Catalogue],
        youth_library: NamedDependency[YouthLibrary],
    ) -> Template:
        level = _level(code)
        found = youth_library.get(code, slug)
        if found is None:
            raise NotFoundException("Deze pagina bestaat niet.")
        related = [catalogue.get(s) for s in found.front.related if s in catalogue]
        pages = youth_library.level(code)
        return _page("youth/page.html", level=level, page=found, related=related, pages=pages)


def _page(template: str, **context: object) -> Template:
    return Template(template, context={"section": "jongeren", **context}, headers=PRIVATE)
