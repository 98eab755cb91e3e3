"""The pages of the conflict analysis: the investigator's list and form (with the live preview and
autosave of `static/analysis.js`), the behavioural expert's approval, the judge's report.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template

from kb.auth.guards import requires
from kb.auth.permissions import (
    AnalysisFacts,
    may_approve_analysis,
    may_edit_analysis,
    may_reassess_analysis,
    may_submit_analysis,
)
from kb.auth.schemas import CurrentUser
from kb.conflict_analysis.form import AnalysisForm, body_from_values, form_values, values_from_body
from kb.conflict_analysis.responses import AnalysisOut, Preview
from kb.conflict_analysis.service import AnalysisService, StaleVersionError
from kb.conflict_analysis.web import (
    API_PATH,
    NO_STORE,
    NOTICE,
    PAGES_PATH,
    PROBLEM_HANDLERS,
    SERVICE,
    FormData,
    VersionQuery,
    caller_of,
    local_time,
    page,
    report_context,
    report_pdf,
    user_of,
)
from kb.errors import ConflictError, InvalidInputError, KbError

__all__ = ["AnalysisPages"]


# --- The pages ------------------------------------------------------------------------------


def _actions(user: CurrentUser, analysis: AnalysisOut) -> dict[str, bool]:
    """What the user may do now with this analysis, to show only the buttons that work."""
    newest = max(v.version for v in analysis.versions)
    if analysis.version != newest:
        return {}
    facts = AnalysisFacts(analysis.court, analysis.office, analysis.author_id, analysis.status)
    return {
        "edit": may_edit_analysis(user, facts),
        "submit": may_submit_analysis(user, facts),
        "approve": may_approve_analysis(user, facts),
        "reassess": may_reassess_analysis(user, facts),
    }


def _form_page(
    service: AnalysisService,
    *,
    analysis_id: int | None,
    form: AnalysisForm,
    preview: Preview,
    etag: str | None,
    status_code: int = 200,
    notice: str | None = None,
    conflict: str | None = None,
) -> Template:
    return page(
        "form",
        status_code,
        analysis_id=analysis_id,
        version=_version_of(etag),
        form=form,
        preview=preview,
        etag=etag,
        notice=notice,
        conflict=conflict,
        entry_options=[
            (item.slug, item.title)
            for item in sorted(service.knowledge.items(), key=lambda item: item.title.casefold())
        ],
    )


def _version_of(etag: str | None) -> int | None:
    """The version number in an ETag (`"2-5"` → 2), for the form's heading."""
    number = (etag or "").strip('"').partition("-")[0]
    return int(number) if number.isascii() and number.isdigit() and len(number) < 10 else None


def _stored_preview(analysis: AnalysisOut) -> Preview:
    return Preview(recommendation=analysis.recommendation)


class AnalysisPages(Controller):
    """The investigator's, the behavioural expert's and the judge's pages."""

    path = PAGES_PATH
    include_in_schema = False
    dependencies = SERVICE
    exception_handlers = PROBLEM_HANDLERS

    @get("/", guards=[requires("analysis.read")], sync_to_thread=True)
    def overview(
        self, request: Request[Any, Any, Any], service: NamedDependency[AnalysisService]
    ) -> Template:
        rows = service.overview(caller_of(request, "pagina"))
        return page(
            "list",
            rows=rows,
            notice=request.session.pop(NOTICE, None),
            headers={"Link": f'<{API_PATH}>; rel="alternate"; type="application/json"'},
        )

    @get("/nieuw", guards=[requires("analysis.create")], sync_to_thread=True)
    def new(self, service: NamedDependency[AnalysisService]) -> Template:
        return _form_page(
            service, analysis_id=None, form=AnalysisForm(), preview=Preview(), etag=None
        )

    @post("/", guards=[requires("analysis.create")], sync_to_thread=True)
    def create(
        self,
        request: Request[Any, Any, Any],
        service: NamedDependency[AnalysisService],
        data: FormData,
    ) -> Template | Redirect:
        values = form_values(data)
        body, slots = body_from_values(values)
        try:
            created = service.create(caller_of(request, "pagina"), body)
        except InvalidInputError as exc:
            form = AnalysisForm.of(values, [e.as_dict() for e in exc.errors], slots)
            return _form_page(
                service,
                analysis_id=None,
                form=form,
                preview=service.preview(body),
                etag=None,
                status_code=422,
            )
        request.session[NOTICE] = (
            f"De analyse is aangemaakt en opgeslagen als concept (versie {created.version})."
        )
        return Redirect(f"{PAGES_PATH}/{created.id}/bewerken", status_code=303)

    @post(
        "/voorbeeld",
        guards=[requires("analysis.evaluate")],
        status_code=200,
        sync_to_thread=True,
    )
    def preview(self, service: NamedDependency[AnalysisService], data: FormData) -> Template:
        body, _ = body_from_values(form_values(data))
        return page("_preview", preview=service.preview(body))

    @get("/{analysis_id:int}", guards=[requires("analysis.read")], sync_to_thread=True)
    def dossier(
        self,
        request: Request[Any, Any, Any],
        service: NamedDependency[AnalysisService],
        analysis_id: FromPath[int],
        versie: VersionQuery = None,
    ) -> Template:
        analysis = service.read(caller_of(request, "pagina"), analysis_id, versie, "dossier")
        return page(
            "dossier",
            analysis=analysis,
            actions=_actions(user_of(request), analysis),
            notice=request.session.pop(NOTICE, None),
            headers={
                "Link": f"<{API_PATH}/{analysis.id}?version={analysis.version}>; "
                'rel="alternate"; type="application/json"'
            },
        )

    @get(
        "/{analysis_id:int}/bewerken",
        guards=[requires("analysis.edit_own_draft")],
        sync_to_thread=True,
    )
    def edit(
        self,
        request: Request[Any, Any, Any],
        service: NamedDependency[AnalysisService],
        analysis_id: FromPath[int],
    ) -> Template | Redirect:
        try:
            analysis = service.draft(caller_of(request, "pagina"), analysis_id)
        except ConflictError as exc:
            request.session[NOTICE] = exc.detail
            return Redirect(f"{PAGES_PATH}/{analysis_id}", status_code=303)
        return _form_page(
            service,
            analysis_id=analysis.id,
            form=AnalysisForm(values_from_body(analysis.body.model_dump(mode="json"))),
            preview=_stored_preview(analysis),
            etag=analysis.etag,
            notice=request.session.pop(NOTICE, None),
        )

    @post(
        "/{analysis_id:int}/bewerken",
        guards=[requires("analysis.edit_own_draft")],
        sync_to_thread=True,
    )
    def save(
        self,
        request: Request[Any, Any, Any],
        service: NamedDependency[AnalysisService],
        analysis_id: FromPath[int],
        data: FormData,
    ) -> Template | Redirect:
        values = form_values(data)
        body, slots = body_from_values(values)
        etag = str(data.get("etag") or "")
        caller = caller_of(request, "pagina")
        try:
            saved = service.save(caller, analysis_id, body, etag)
        except InvalidInputError as exc:
            form = AnalysisForm.of(values, [e.as_dict() for e in exc.errors], slots)
            return _form_page(
                service,
                analysis_id=analysis_id,
                form=form,
                preview=service.preview(body),
                etag=etag,
                status_code=422,
            )
        except StaleVersionError as exc:
            return _form_page(
                service,
                analysis_id=analysis_id,
                form=AnalysisForm(values),
                preview=service.preview(body),
                etag=exc.current_etag,
                status_code=412,
                conflict="stale",
            )
        except ConflictError as exc:
            return _form_page(
                service,
                analysis_id=analysis_id,
                form=AnalysisForm(values),
                preview=service.preview(body),
                etag=None,
                status_code=409,
                conflict=exc.detail,
            )
        if data.get("actie") == "indienen":
            service.submit(caller, analysis_id, saved.etag)
            request.session[NOTICE] = (
                f"Versie {saved.version} is opgeslagen en ter accordering aangeboden."
            )
            return Redirect(f"{PAGES_PATH}/{analysis_id}", status_code=303)
        request.session[NOTICE] = f"Opgeslagen om {local_time(saved.updated_at)}."
        return Redirect(f"{PAGES_PATH}/{analysis_id}/bewerken", status_code=303)

    @post(
        "/{analysis_id:int}/autosave",
        guards=[requires("analysis.edit_own_draft")],
        status_code=200,
        sync_to_thread=True,
    )
    def autosave(
        self,
        request: Request[Any, Any, Any],
        service: NamedDependency[AnalysisService],
        analysis_id: FromPath[int],
        data: FormData,
    ) -> Response[dict[str, Any]]:
        """For analysis.js: save the draft if it is complete; always answer in JSON."""
        body, _ = body_from_values(form_values(data))
        try:
            saved = service.save(
                caller_of(request, "autosave"), analysis_id, body, str(data.get("etag") or "")
            )
        except InvalidInputError as exc:
            count = len(exc.errors)
            return Response(
                {
                    "saved": False,
                    "problems": count,
                    "message": (
                        f"Nog niet automatisch opgeslagen: {count} "
                        f"{'veld is' if count == 1 else 'velden zijn'} nog niet (goed) ingevuld. "
                        "Uw invoer blijft in dit tabblad bewaard tot u het sluit."
                    ),
                },
                status_code=422,
                headers=NO_STORE,
            )
        except StaleVersionError as exc:
            return Response(
                {
                    "saved": False,
                    "conflict": True,
                    "etag": exc.current_etag,
                    "message": (
                        "Deze analyse is intussen ergens anders opgeslagen. Uw invoer is niet "
                        "opgeslagen en staat nog in dit formulier. Kies ‘Opslaan’ om de andere "
                        "versie door die van u te vervangen, of open de analyse opnieuw."
                    ),
                },
                status_code=412,
                headers=NO_STORE,
            )
        except (ConflictError, KbError) as exc:
            return Response(
                {"saved": False, "message": exc.detail},
                status_code=exc.status_code,
                headers=NO_STORE,
            )
        return Response(
            {
                "saved": True,
                "etag": saved.etag,
                "message": f"Automatisch opgeslagen om {local_time(saved.updated_at)}.",
            },
            headers=NO_STORE,
        )

    @post(
        "/{analysis_id:int}/indienen",
        guards=[requires("analysis.submit")],
        sync_to_thread=True,
    )
    def submit(
        self,
        request: Request[Any, Any, Any],
        service: NamedDependency[AnalysisService],
        analysis_id: FromPath[int],
        data: FormData,
    ) -> Redirect:
        done = service.submit(
            caller_of(request, "pagina"), analysis_id, str(data.get("etag") or "") or None
        )
        request.session[NOTICE] = f"Versie {done.version} is ter accordering aangeboden."
        return Redirect(f"{PAGES_PATH}/{analysis_id}", status_code=303)

    @post(
        "/{analysis_id:int}/accorderen",
        guards=[requires("analysis.approve")],
        sync_to_thread=True,
    )
    def approve(
        self,
        request: Request[Any, Any, Any],
        service: NamedDependency[AnalysisService],
        analysis_id: FromPath[int],
        data: FormData,
    ) -> Redirect:
        done = service.approve(
            caller_of(request, "pagina"), analysis_id, str(data.get("etag") or "") or None
        )
        request.session[NOTICE] = (
            f"Versie {done.version} is geaccordeerd en ingediend: de rechter kan hem nu lezen."
        )
        return Redirect(f"{PAGES_PATH}/{analysis_id}", status_code=303)

    @post(
        "/{analysis_id:int}/herijken",
        guards=[requires("analysis.reassess")],
        sync_to_thread=True,
    )
    def reassess(
        self,
        request: Request[Any, Any, Any],
        service: NamedDependency[AnalysisService],
        analysis_id: FromPath[int],
    ) -> Redirect:
        new = service.reassess(caller_of(request, "pagina"), analysis_id)
        request.session[NOTICE] = (
            f"Herijking gestart: versie {new.version} is een concept, gekopieerd van "
            f"versie {new.version - 1}."
        )
        return Redirect(f"{PAGES_PATH}/{analysis_id}/bewerken", status_code=303)

    @get("/{analysis_id:int}/rapport", guards=[requires("analysis.read")], sync_to_thread=True)
    def report(
        self,
        request: Request[Any, Any, Any],
        service: NamedDependency[AnalysisService],
        analysis_id: FromPath[int],
        versie: VersionQuery = None,
    ) -> Template:
        context = report_context(request, service, analysis_id, versie, "pagina", "rapport")
        analysis: AnalysisOut = context["analysis"]
        return page(
            "report",
            headers={
                "Link": f"<{API_PATH}/{analysis.id}/report.pdf?version={analysis.version}>; "
                'rel="alternate"; type="application/pdf"'
            },
            **context,
        )

    @get("/{analysis_id:int}/rapport.pdf", guards=[requires("analysis.read")], sync_to_thread=True)
    def report_pdf(
        self,
        request: Request[Any, Any, Any],
        service: NamedDependency[AnalysisService],
        analysis_id: FromPath[int],
        versie: VersionQuery = None,
    ) -> Response[bytes]:
        return report_pdf(request, service, analysis_id, versie, "pagina")
