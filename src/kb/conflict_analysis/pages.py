"""The pages of the conflict analysis: the investigator's list and form (with the live preview and
autosave of `static/analysis.js`), the behavioural expert's approval, the judge's report.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.response import Redirect, Template

from kb.access import (
    Action,
    AnalysisFacts,
    CurrentUser,
    can,
    may_approve_analysis,
    may_edit_analysis,
    may_reassess_analysis,
    may_submit_analysis,
)
from kb.conflict_analysis.advisor import Advisor
from kb.conflict_analysis.form import (
    LISTS,
    AnalysisForm,
    Values,
    body_from_values,
    edited,
    field_id,
    form_values,
    values_from_body,
)
from kb.conflict_analysis.labels import code_label
from kb.conflict_analysis.responses import AnalysisOut, AnalysisState, Comment, Preview
from kb.conflict_analysis.routes import (
    ANALYSIS_DEPENDENCIES,
    API_PATH,
    TASKS_PATH,
    Analyses,
    Id,
    Kb,
    VersionQuery,
    report_page,
    report_pdf,
)
from kb.conflict_analysis.service import AnalysisService
from kb.errors import ConflictError, InvalidInputError, KbError, StaleVersionError
from kb.interventions.catalogue import Catalogue
from kb.vocabulary import (
    ADVICE_LABELS,
    ANALYSIS_CHOICES,
    ANALYSIS_STATUS_LABELS,
    COURTS,
    SAFETY_LEVEL_LABELS,
)
from kb.web.auth import requires, requires_sign_in
from kb.web.pages import (
    NO_STORE,
    AnyRequest,
    FormData,
    alternate,
    page,
    redirect_with_notice,
    take_notice,
)
from kb.web.templating import dutch_moment

__all__ = ["ANALYSIS_TEMPLATE_GLOBALS", "AnalysisPages", "WorkPages"]

PAGES_PATH = "/analyses"
WORK_PATH = "/werk"

# The Dutch wording of the analysis's codes, for every template of this package.
ANALYSIS_TEMPLATE_GLOBALS: dict[str, Any] = {
    # The form's macros take (code, label) pairs.
    "options": {name: tuple(labels.items()) for name, labels in ANALYSIS_CHOICES.items()},
    "status_labels": ANALYSIS_STATUS_LABELS,
    "advice_labels": ADVICE_LABELS,
    "safety_labels": SAFETY_LEVEL_LABELS,
    "court_options": tuple((court, court) for court in COURTS),
    "code_label": code_label,
}


def _page(
    name: str, status_code: int = 200, headers: dict[str, str] | None = None, **context: Any
) -> Template:
    """An analysis page: case data, so never kept in a cache."""
    return page(f"analysis/{name}.html", status_code, NO_STORE | (headers or {}), **context)


def _actions(user: CurrentUser, analysis: AnalysisState) -> dict[str, bool]:
    """What the user may do now with this analysis, to show only the buttons that work."""
    newest = max(v.version for v in analysis.versions)
    if analysis.version != newest:
        return {}
    facts = AnalysisFacts(analysis.court, analysis.office, analysis.author_id, analysis.status)
    return {
        "edit": may_edit_analysis(user, facts),
        "submit": may_submit_analysis(user, facts),
        "approve": may_approve_analysis(user, facts),
        # The approver's other answer: back to the investigator, with a comment.
        "return": may_approve_analysis(user, facts),
        "reassess": may_reassess_analysis(user, facts),
    }


def _form_page(
    catalogue: Catalogue,
    *,
    analysis_id: int | None,
    form: AnalysisForm,
    preview: Preview,
    etag: str | None,
    status_code: int = 200,
    notice: str | None = None,
    conflict: str | None = None,
    missing: AnalysisForm | None = None,
    comments: list[Comment] | None = None,
    focus: str | None = None,
) -> Template:
    """The form; `missing` places what a draft still lacks on its fields (as links, like errors),
    `comments` are the behavioural expert's on a returned version."""
    return _page(
        "form",
        status_code,
        analysis_id=analysis_id,
        version=_version_of(etag),
        form=form,
        preview=preview,
        etag=etag,
        notice=notice,
        conflict=conflict,
        missing=missing.errors if missing is not None else [],
        comments=comments or [],
        focus=focus,
        entry_options=[(entry.slug, entry.title) for entry in catalogue.by_title()],
    )


def _missing_on(values: Values, analysis: AnalysisState) -> AnalysisForm:
    """What a stored draft still lacks, placed on the fields of the form showing `values`."""
    _, slots = body_from_values(values)
    return AnalysisForm.of(values, [m.model_dump() for m in analysis.missing], slots)


def _saved_notice(saved: AnalysisState) -> str:
    moment = dutch_moment(saved.updated_at)
    if saved.complete:
        return f"Opgeslagen op {moment}. De analyse is volledig en kan worden aangeboden."
    count = len(saved.missing)
    left = "1 veld" if count == 1 else f"{count} velden"
    return f"Opgeslagen als concept op {moment}. Nog in te vullen: {left}."


def _version_of(etag: str | None) -> int | None:
    """The version number in an ETag (`"2-5"` → 2), for the form's heading."""
    number = (etag or "").strip('"').partition("-")[0]
    return int(number) if number.isascii() and number.isdigit() and len(number) < 10 else None


def _etag(data: dict[str, Any]) -> tuple[str, ...]:
    """The version the form was filled in on (its hidden field), as an `If-Match` would name it."""
    etag = str(data.get("etag") or "")
    return (etag,) if etag else ()


def _for(action: Action, **more: Any) -> dict[str, Any]:
    """A page route's guard: the caller's role may `action`; its database work runs in a thread."""
    return {"guards": [requires(action)], "sync_to_thread": True} | more


def _back(request: AnyRequest, analysis_id: int, notice: str, page: str = "") -> Redirect:
    """After a change: back to the analysis (or its form), with what happened."""
    return redirect_with_notice(request, f"{PAGES_PATH}/{analysis_id}{page}", notice)


class AnalysisPages(Controller):
    """The investigator's, the behavioural expert's and the judge's pages."""

    path = PAGES_PATH
    include_in_schema = False
    dependencies = ANALYSIS_DEPENDENCIES

    @get("/", **_for("analysis.read"))
    def overview(self, request: AnyRequest, analyses: Analyses) -> Template:
        rows = analyses.overview()
        return _page("list", headers=alternate(API_PATH), rows=rows, notice=take_notice(request))

    @get("/nieuw", **_for("analysis.create", sync_to_thread=False))
    def new(self, catalogue: Kb) -> Template:
        return _form_page(
            catalogue, analysis_id=None, form=AnalysisForm(), preview=Preview(), etag=None
        )

    @post("/", **_for("analysis.create"))
    def create(
        self, request: AnyRequest, analyses: Analyses, catalogue: Kb, data: FormData
    ) -> Template | Redirect:
        values = edited(form_values(data), str(data.get("actie") or ""))
        body, slots = body_from_values(values)
        try:
            created = analyses.create(body)
        except InvalidInputError as exc:
            form = AnalysisForm.of(values, [e.as_dict() for e in exc.errors], slots)
            preview = analyses.advisor.preview(body)
            return _form_page(
                catalogue, analysis_id=None, form=form, preview=preview, etag=None, status_code=422
            )
        notice = f"De analyse is aangemaakt. {_saved_notice(created)}"
        return _back(request, created.id, notice, "/bewerken" + _anchor(data))

    @post("/voorbeeld", **_for("analysis.evaluate", status_code=200, sync_to_thread=False))
    def preview(self, advisor: NamedDependency[Advisor], data: FormData) -> Template:
        body, _ = body_from_values(form_values(data))
        return _page("_preview", preview=advisor.preview(body))

    @get("/{analysis_id:int}", **_for("analysis.read"))
    def dossier(
        self, request: AnyRequest, analyses: Analyses, analysis_id: Id, versie: VersionQuery = None
    ) -> Template:
        analysis = analyses.read(analysis_id, versie, "dossier")
        return _page(
            "dossier",
            headers=alternate(f"{API_PATH}/{analysis.id}?version={analysis.version}"),
            analysis=analysis,
            actions=_actions(analyses.caller.user, analysis),
            notice=take_notice(request),
        )

    @get("/{analysis_id:int}/bewerken", **_for("analysis.edit_own_draft"))
    def edit(
        self, request: AnyRequest, analyses: Analyses, catalogue: Kb, analysis_id: Id
    ) -> Template | Redirect:
        try:
            analysis = analyses.draft(analysis_id)
        except ConflictError as exc:
            return _back(request, analysis_id, exc.detail)
        values = values_from_body(analysis.body.model_dump(mode="json"))
        preview = (
            Preview(recommendation=analysis.recommendation)
            if analysis.recommendation is not None
            else analyses.advisor.preview(analysis.body.model_dump(mode="json", exclude_none=True))
        )
        return _form_page(
            catalogue,
            analysis_id=analysis.id,
            form=AnalysisForm(values),
            preview=preview,
            etag=analysis.etag,
            notice=take_notice(request),
            missing=_missing_on(values, analysis),
            comments=analysis.comments,
        )

    @post("/{analysis_id:int}/bewerken", **_for("analysis.edit_own_draft"))
    def save(
        self,
        request: AnyRequest,
        analyses: Analyses,
        catalogue: Kb,
        analysis_id: Id,
        data: FormData,
    ) -> Template | Redirect:
        values = edited(form_values(data), str(data.get("actie") or ""))
        body, slots = body_from_values(values)

        def again(
            form: AnalysisForm, etag: str | None, status: int, conflict: str | None = None
        ) -> Template:
            """The form once more, with what was typed: nothing is lost."""
            preview = analyses.advisor.preview(body)
            return _form_page(
                catalogue,
                analysis_id=analysis_id,
                form=form,
                preview=preview,
                etag=etag,
                status_code=status,
                conflict=conflict,
            )

        try:
            saved = analyses.save(analysis_id, body, _etag(data))
        except InvalidInputError as exc:
            form = AnalysisForm.of(values, [e.as_dict() for e in exc.errors], slots)
            return again(form, str(data.get("etag") or ""), 422)
        except StaleVersionError as exc:
            return again(AnalysisForm(values), exc.current_etag, 412, "stale")
        except ConflictError as exc:
            return again(AnalysisForm(values), None, 409, exc.detail)
        if data.get("actie") == "indienen":
            if not saved.complete:
                # Saved, but not yet complete: the form once more, with what is missing linked.
                stored = values_from_body(saved.body.model_dump(mode="json"))
                return _form_page(
                    catalogue,
                    analysis_id=analysis_id,
                    form=AnalysisForm(stored),
                    preview=analyses.advisor.preview(body),
                    etag=saved.etag,
                    status_code=422,
                    notice=_saved_notice(saved) + " Aanbieden kan pas als alles is ingevuld.",
                    missing=_missing_on(stored, saved),
                    comments=saved.comments,
                    focus="ontbreekt",
                )
            analyses.submit(analysis_id, (saved.etag,))
            notice = f"Versie {saved.version} is opgeslagen en ter accordering aangeboden."
            return _back(request, analysis_id, notice)
        return _back(request, analysis_id, _saved_notice(saved), "/bewerken" + _anchor(data))

    @post("/{analysis_id:int}/autosave", **_for("analysis.edit_own_draft", status_code=200))
    def autosave(
        self, analyses: Analyses, analysis_id: Id, data: FormData
    ) -> Response[dict[str, Any]]:
        """For analysis.js: save the draft, complete or not; always answer in JSON."""
        body, _ = body_from_values(form_values(data))
        caller = dataclasses.replace(analyses.caller, via="autosave")
        service = AnalysisService(analyses.session, analyses.advisor, caller, analyses.notifier)
        try:
            saved = service.save(analysis_id, body, _etag(data))
        except KbError as exc:
            return Response(_autosave_failure(exc), status_code=exc.status_code, headers=NO_STORE)
        message = f"Automatisch opgeslagen op {dutch_moment(saved.updated_at)}."
        if not saved.complete:
            count = len(saved.missing)
            message += f" Nog in te vullen: {'1 veld' if count == 1 else f'{count} velden'}."
        answer = {
            "saved": True,
            "etag": saved.etag,
            "message": message,
            "complete": saved.complete,
            "missing": len(saved.missing),
        }
        return Response(answer, headers=NO_STORE)

    @post("/{analysis_id:int}/indienen", **_for("analysis.submit"))
    def submit(
        self, request: AnyRequest, analyses: Analyses, analysis_id: Id, data: FormData
    ) -> Redirect:
        try:
            done = analyses.submit(analysis_id, _etag(data))
        except InvalidInputError:
            # Incomplete: the form lists what is missing, each linked to its field.
            notice = "Deze versie is nog niet volledig. Vul eerst in wat hieronder ontbreekt."
            return _back(request, analysis_id, notice, "/bewerken#ontbreekt")
        return _back(request, analysis_id, f"Versie {done.version} is ter accordering aangeboden.")

    @post("/{analysis_id:int}/terugsturen", **_for("analysis.approve"))
    def return_(
        self, request: AnyRequest, analyses: Analyses, analysis_id: Id, data: FormData
    ) -> Template | Redirect:
        try:
            done = analyses.return_(analysis_id, data.get("comment"), _etag(data))
        except InvalidInputError as exc:
            analysis = analyses.read(analysis_id, None, "dossier")
            return _page(
                "dossier",
                422,
                analysis=analysis,
                actions=_actions(analyses.caller.user, analysis),
                return_errors=[e.msg for e in exc.errors],
                comment=str(data.get("comment") or ""),
            )
        notice = (
            f"Versie {done.version} is teruggestuurd naar {done.author}, met uw opmerking. "
            "Zij is weer een concept."
        )
        return _back(request, analysis_id, notice)

    @post("/{analysis_id:int}/accorderen", **_for("analysis.approve"))
    def approve(
        self, request: AnyRequest, analyses: Analyses, analysis_id: Id, data: FormData
    ) -> Redirect:
        done = analyses.approve(analysis_id, _etag(data))
        notice = (
            f"Versie {done.version} is geaccordeerd en ingediend: de rechter kan haar nu lezen."
        )
        return _back(request, analysis_id, notice)

    @post("/{analysis_id:int}/herijken", **_for("analysis.reassess"))
    def reassess(self, request: AnyRequest, analyses: Analyses, analysis_id: Id) -> Redirect:
        new = analyses.reassess(analysis_id)
        copied = f"versie {new.version} is een concept, gekopieerd van versie {new.version - 1}"
        return _back(request, analysis_id, f"Herijking gestart: {copied}.", "/bewerken")

    @get("/{analysis_id:int}/rapport", **_for("analysis.read"))
    def report(
        self, analyses: Analyses, catalogue: Kb, analysis_id: Id, versie: VersionQuery = None
    ) -> Template:
        shown = report_page(
            "analysis/report.html", analyses, catalogue, analysis_id, versie, "rapport"
        )
        analysis: AnalysisOut = shown.context["analysis"]
        pdf = f"{API_PATH}/{analysis.id}/report.pdf?version={analysis.version}"
        shown.headers.update(alternate(pdf, "application/pdf"))
        return shown

    @get("/{analysis_id:int}/rapport.pdf", **_for("analysis.read"))
    def report_pdf(
        self,
        request: AnyRequest,
        analyses: Analyses,
        catalogue: Kb,
        analysis_id: Id,
        versie: VersionQuery = None,
    ) -> Response[bytes]:
        return report_pdf(request, analyses, catalogue, analysis_id, versie)


class WorkPages(Controller):
    """The work list: where a signed-in professional lands (`/werk`), the same as
    `GET /api/v1/me/tasks`."""

    path = WORK_PATH
    include_in_schema = False
    dependencies = ANALYSIS_DEPENDENCIES

    @get("/", guards=[requires_sign_in], sync_to_thread=True)
    def work(self, request: AnyRequest, analyses: Analyses) -> Template | Redirect:
        if not can(analyses.caller.user, "analysis.read"):
            # Desk workers, editors and the beheerder have no case work: their usual start.
            return Redirect("/", status_code=303)
        tasks = analyses.tasks()
        return _page(
            "work",
            headers=alternate(TASKS_PATH),
            tasks=tasks,
            user=analyses.caller.user,
            notice=take_notice(request),
        )


# The form's buttons that change its lists: "toevoegen:children", "verwijderen:children.2".
_ADD, _REMOVE = "toevoegen:", "verwijderen:"


def _anchor(data: FormData) -> str:
    """Where the page goes back to after adding or removing a block: that list."""
    action = str(data.get("actie") or "")
    for prefix in (_ADD, _REMOVE):
        if action.startswith(prefix):
            named = action.removeprefix(prefix)
            name = named.rpartition(".")[0] if prefix == _REMOVE else named
            return "#" + field_id(name) if name in LISTS else ""
    return ""


def _autosave_failure(exc: KbError) -> dict[str, Any]:
    """What analysis.js shows when an autosave did not save; the input stays in the page."""
    if isinstance(exc, InvalidInputError):
        count = len(exc.errors)
        fields = "veld is" if count == 1 else "velden zijn"
        message = (
            f"Nog niet automatisch opgeslagen: {count} {fields} nog niet (goed) ingevuld. "
            "Uw invoer blijft in dit tabblad bewaard tot u het sluit."
        )
        return {"saved": False, "problems": count, "message": message}
    if isinstance(exc, StaleVersionError):
        message = (
            "Deze analyse is intussen ergens anders opgeslagen. Uw invoer is niet "
            "opgeslagen en staat nog in dit formulier. Kies ‘Opslaan’ om de andere "
            "versie door die van u te vervangen, of open de analyse opnieuw."
        )
        return {"saved": False, "conflict": True, "etag": exc.current_etag, "message": message}
    return {"saved": False, "message": exc.detail}
