"""The pages of the pilot registry (`/pilots`) and the editors' review (`/redactie`), without
JavaScript; with it, `static/proposals.js` shows similar entries while the title is typed."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import yaml
from litestar import Controller, get, post
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from kb.access import Action
from kb.clock import today
from kb.errors import ConflictError, InvalidInputError, StaleVersionError
from kb.proposals.editorial import due_report
from kb.proposals.routes import API_PATH, PROPOSAL_DEPENDENCIES, Id, Proposals
from kb.proposals.schemas import ProposalOut, SimilarEntry, SimilarIn
from kb.proposals.service import find_similar
from kb.vocabulary import (
    AUDIENCES,
    ENTRY_FIELD_LABELS,
    EVALUATION_STATUS_LABELS,
    KINDS,
    PROPOSAL_STATUS_LABELS,
    STATUSES,
)
from kb.web.auth import requires
from kb.web.pages import (
    NO_STORE,
    AnyRequest,
    FormData,
    alternate,
    page,
    redirect_with_notice,
    take_notice,
)

__all__ = ["PROPOSAL_TEMPLATE_GLOBALS", "EditorialPages", "ProposalPages", "form_to_proposal"]

PILOTS_PATH = "/pilots"
EDITOR_PATH = "/redactie"
SOURCE_ROWS = 2
# Form field → where it goes in the front matter.
_PILOT_FIELDS = ("start", "end", "evaluator", "evaluation_status", "result")


def shown(value: Any) -> str:
    """A field's value as the comparison shows it: plain text, lists joined, blocks as YAML."""
    if value is None or value == [] or value == "":
        return "—"
    if isinstance(value, list) and all(isinstance(v, str | int) for v in value):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict | list):
        return yaml.safe_dump(value, allow_unicode=True, sort_keys=False, width=90).strip()
    if isinstance(value, bool):
        return "ja" if value else "nee"
    return str(value)


PROPOSAL_TEMPLATE_GLOBALS: dict[str, Any] = {
    "proposal_status_labels": PROPOSAL_STATUS_LABELS,
    "evaluation_status_labels": EVALUATION_STATUS_LABELS,
    "proposal_kinds": KINDS,
    "proposal_statuses": STATUSES,
    "proposal_audiences": AUDIENCES,
    "shown": shown,
}


# --- The form ↔ a proposal body ------------------------------------------------------------


def _text(data: Mapping[str, Any], name: str) -> str:
    value = data.get(name)
    if isinstance(value, list):
        value = value[0] if value else ""
    return value.strip() if isinstance(value, str) else ""


def _texts(data: Mapping[str, Any], name: str) -> list[str]:
    value = data.get(name)
    values = value if isinstance(value, list) else [value] if value is not None else []
    return [v.strip() for v in values if isinstance(v, str) and v.strip()]


def _or_none(text: str) -> str | None:
    return text or None


def form_to_proposal(data: Mapping[str, Any], base: Mapping[str, Any] | None) -> dict[str, Any]:
    """The proposal body (`ProposalIn`) of a posted form; `base` is the entry a correction is for,
    whose fields the form does not show are kept as they are."""
    front: dict[str, Any] = dict(base or {})
    front.update(
        title=_text(data, "title"),
        kind=_text(data, "kind"),
        status=_text(data, "status"),
        summary=_text(data, "summary"),
        audience=_texts(data, "audience"),
        age_min=_or_none(_text(data, "age_min")),
        age_max=_or_none(_text(data, "age_max")),
    )
    pilot = {name: _or_none(_text(data, f"pilot_{name}")) for name in _PILOT_FIELDS}
    locations = [p.strip() for p in _text(data, "pilot_locations").split(",") if p.strip()]
    if any(pilot.values()) or locations or front["kind"] == "pilot":
        front["pilot"] = {**pilot, "locations": locations}
    else:
        front.pop("pilot", None)
    sources = [dict(s) for s in front.get("sources") or []]
    for i in range(SOURCE_ROWS):
        title, url = _text(data, f"source_title_{i + 1}"), _text(data, f"source_url_{i + 1}")
        if i < len(sources):
            if title or url:
                sources[i] |= {"title": title, "url": url}
        elif title or url:
            sources.append({"title": title, "url": url})
    front["sources"] = sources
    return {
        "about": _or_none(_text(data, "about")),
        "front_matter": front,
        "body": _text(data, "body"),
        "note": _or_none(_text(data, "note")),
    }


def proposal_to_form(
    about: str | None, front: Mapping[str, Any], body: str, note: str | None
) -> dict[str, Any]:
    """The form's values for a proposal (or an entry to correct)."""
    pilot = front.get("pilot") or {}
    values: dict[str, Any] = {
        "about": about or "",
        "title": front.get("title") or "",
        "kind": front.get("kind") or "pilot",
        "status": front.get("status") or "lopend",
        "summary": front.get("summary") or "",
        "audience": list(front.get("audience") or []),
        "age_min": front.get("age_min") if front.get("age_min") is not None else "",
        "age_max": front.get("age_max") if front.get("age_max") is not None else "",
        "pilot_locations": ", ".join(pilot.get("locations") or []),
        "body": body.strip(),
        "note": note or "",
    }
    for name in _PILOT_FIELDS:
        values[f"pilot_{name}"] = pilot.get(name) if pilot.get(name) is not None else ""
    for i, source in enumerate((front.get("sources") or [])[:SOURCE_ROWS]):
        values[f"source_title_{i + 1}"] = source.get("title") or ""
        values[f"source_url_{i + 1}"] = source.get("url") or ""
    return values


def form_values(data: Mapping[str, Any]) -> dict[str, Any]:
    """What was typed, to show the form again exactly so."""
    values: dict[str, Any] = {name: _text(data, name) for name in data if name != "audience"}
    values["audience"] = _texts(data, "audience")
    return values


def form_errors(exc: InvalidInputError) -> list[dict[str, Any]]:
    """The service's field errors as the form's fields name them (`loc[-1]` is the field)."""
    shown_errors = []
    for error in exc.errors:
        loc = [part for part in error.loc if part != "front_matter"]
        field = _form_field(loc)
        label = ENTRY_FIELD_LABELS.get(str(loc[0]), str(loc[0])) if loc else "Voorstel"
        shown_errors.append({"loc": [field], "msg": f"{label}: {error.msg}"})
    return shown_errors


def _form_field(loc: list[Any]) -> str:
    head = str(loc[0]) if loc else "title"
    if head == "pilot" and len(loc) > 1:
        return f"pilot_{loc[1]}"
    if head == "sources":
        row = int(loc[1]) + 1 if len(loc) > 1 and isinstance(loc[1], int) else 1
        part = "url" if len(loc) > 2 and loc[2] == "url" else "title"
        return f"source_{part}_{row}"
    if head in {
        "title",
        "kind",
        "status",
        "summary",
        "audience",
        "age_min",
        "age_max",
        "body",
        "note",
    }:
        return head
    return "title"  # a field the form does not show: the summary names it


# --- Pages ---------------------------------------------------------------------------------


def _for(action: Action, **more: Any) -> dict[str, Any]:
    return {"guards": [requires(action)], "sync_to_thread": True} | more


def _form_page(
    heading: str,
    action_url: str,
    values: Mapping[str, Any],
    *,
    similar: list[SimilarEntry] | None = None,
    errors: list[dict[str, Any]] | None = None,
    status_code: int = 200,
    confirm: bool = False,
    etag: str | None = None,
    editor: bool = False,
    conflict: str | None = None,
) -> Template:
    return page(
        "proposals/form.html",
        status_code,
        NO_STORE,
        heading=heading,
        action_url=action_url,
        values=values,
        similar=similar,
        errors=errors or [],
        confirm=confirm,
        etag=etag,
        editor=editor,
        conflict=conflict,
    )


class ProposalPages(Controller):
    """`/pilots`: register a pilot, propose an entry or a correction; see one's own proposals."""

    path = PILOTS_PATH
    include_in_schema = False
    dependencies = PROPOSAL_DEPENDENCIES

    @get("/", **_for("pilot.propose"))
    def mine(self, request: AnyRequest, proposals: Proposals) -> Template:
        me = proposals.caller.user.username
        own = [proposals.read(s.id) for s in proposals.overview() if s.author == me]
        return page(
            "proposals/mine.html",
            headers=NO_STORE | alternate(API_PATH),
            rows=own,
            notice=take_notice(request),
        )

    @get("/nieuw", **_for("pilot.propose"))
    def new(self, proposals: Proposals, over: FromQuery[str | None] = None) -> Template:
        current = proposals.current_entry(over) if over else None
        if current is not None:
            values = proposal_to_form(over, current[0], current[1], None)
            heading = f"Correctie voorstellen: {current[0].get('title')}"
        else:
            values = proposal_to_form(None, {}, "", None)
            heading = "Pilot of voorstel aanmelden"
        return _form_page(heading, f"{PILOTS_PATH}/nieuw", values)

    @get("/vergelijkbaar", **_for("pilot.propose", sync_to_thread=False))
    def similar(
        self, proposals: Proposals, title: FromQuery[str] = "", summary: FromQuery[str] = ""
    ) -> Template:
        """The similar entries alone, for proposals.js while the title and summary are typed."""
        asked = SimilarIn(title=title[:300], summary=summary[:2_000])
        found = find_similar(proposals.backend, proposals.catalogue(), asked)
        return page("proposals/_similar.html", headers=NO_STORE, similar=found, asked=True)

    @post("/nieuw", **_for("pilot.propose"))
    def create(
        self, request: AnyRequest, proposals: Proposals, data: FormData
    ) -> Template | Redirect:
        values = form_values(data)
        about = _text(data, "about") or None
        current = proposals.current_entry(about) if about else None
        body = form_to_proposal(data, current[0] if current else None)
        heading = "Correctie voorstellen" if about else "Pilot of voorstel aanmelden"
        asked = SimilarIn(
            title=_text(data, "title")[:300],
            summary=_text(data, "summary")[:2_000],
            locations=body["front_matter"].get("pilot", {}).get("locations", [])[:20],
        )
        similar = [
            s
            for s in find_similar(proposals.backend, proposals.catalogue(), asked)
            if s.slug != about
        ]
        seen = _text(data, "gezien") == "1"
        if _text(data, "actie") != "indienen" or (similar and not seen):
            # Looking first, or saving before the similar entries were shown: show them.
            return _form_page(
                heading,
                f"{PILOTS_PATH}/nieuw",
                values,
                similar=similar,
                confirm=_text(data, "actie") == "indienen",
            )
        try:
            created = proposals.create(body)
        except InvalidInputError as exc:
            return _form_page(
                heading,
                f"{PILOTS_PATH}/nieuw",
                values | {"gezien": "1"},
                similar=similar,
                errors=form_errors(exc),
                status_code=422,
            )
        notice = f"Uw voorstel ‘{created.title}’ is ingediend. Een redacteur beoordeelt het."
        return redirect_with_notice(request, PILOTS_PATH, notice)


class EditorialPages(Controller):
    """`/redactie`: the queue of proposals, each compared field by field, and the due list."""

    path = EDITOR_PATH
    include_in_schema = False
    dependencies = PROPOSAL_DEPENDENCIES

    @get("/", **_for("content.review"))
    def queue(self, request: AnyRequest, proposals: Proposals) -> Template:
        waiting = proposals.overview("ingediend")
        due = due_report(proposals.session, proposals.catalogue(), today())
        return page(
            "editor/queue.html",
            headers=NO_STORE | alternate(API_PATH),
            waiting=waiting,
            due=due,
            notice=take_notice(request),
        )

    @get("/voorstellen/{proposal_id:int}", **_for("content.review"))
    def review(self, request: AnyRequest, proposals: Proposals, proposal_id: Id) -> Template:
        proposal = proposals.read(proposal_id)
        return self._review(proposals, proposal, notice=take_notice(request))

    def _review(
        self, proposals: Proposals, proposal: ProposalOut, status_code: int = 200, **context: Any
    ) -> Template:
        front = proposal.front_matter
        asked = SimilarIn(title=proposal.title, summary=str(front.get("summary") or ""))
        similar = [
            s
            for s in find_similar(proposals.backend, proposals.catalogue(), asked)
            if s.slug != proposal.about
        ]
        return page(
            "editor/proposal.html",
            status_code,
            NO_STORE | alternate(f"{API_PATH}/{proposal.id}"),
            proposal=proposal,
            similar=similar,
            **context,
        )

    @post("/voorstellen/{proposal_id:int}/goedkeuren", **_for("content.review"))
    def approve(
        self, request: AnyRequest, proposals: Proposals, proposal_id: Id, data: FormData
    ) -> Template | Redirect:
        try:
            done = proposals.approve(proposal_id, _etag(data))
        except (ConflictError, InvalidInputError) as exc:
            return self._refused(proposals, proposal_id, exc)
        notice = f"Goedgekeurd: het item staat nu in de kennisbank en is vindbaar ({done.url})."
        return redirect_with_notice(request, EDITOR_PATH, notice)

    @post("/voorstellen/{proposal_id:int}/afwijzen", **_for("content.review"))
    def reject(
        self, request: AnyRequest, proposals: Proposals, proposal_id: Id, data: FormData
    ) -> Template | Redirect:
        try:
            proposals.reject(proposal_id, {"reason": _text(data, "reason")}, _etag(data))
        except (ConflictError, InvalidInputError) as exc:
            return self._refused(proposals, proposal_id, exc)
        return redirect_with_notice(
            request, EDITOR_PATH, "Het voorstel is afgewezen; de indiener ziet de reden."
        )

    def _refused(
        self, proposals: Proposals, proposal_id: int, exc: ConflictError | InvalidInputError
    ) -> Template:
        proposal = proposals.read(proposal_id)
        return self._review(proposals, proposal, exc.status_code, problem=exc.detail)

    @get("/voorstellen/{proposal_id:int}/bewerken", **_for("content.review"))
    def edit(self, proposals: Proposals, proposal_id: Id) -> Template:
        proposal = proposals.read(proposal_id)
        values = proposal_to_form(
            proposal.about, proposal.front_matter, proposal.body, proposal.note
        )
        return _form_page(
            f"Voorstel bewerken: {proposal.title}",
            f"{EDITOR_PATH}/voorstellen/{proposal_id}/bewerken",
            values,
            etag=proposal.etag,
            editor=True,
        )

    @post("/voorstellen/{proposal_id:int}/bewerken", **_for("content.review"))
    def save(
        self, request: AnyRequest, proposals: Proposals, proposal_id: Id, data: FormData
    ) -> Template | Redirect:
        proposal = proposals.read(proposal_id)
        base = dict(proposal.front_matter)
        body = form_to_proposal(data, base) | {"about": proposal.about}
        url = f"{EDITOR_PATH}/voorstellen/{proposal_id}/bewerken"
        heading = f"Voorstel bewerken: {proposal.title}"
        values = form_values(data)
        try:
            if _text(data, "actie") == "goedkeuren":
                done = proposals.approve(proposal_id, _etag(data), edited=body)
                notice = f"Bewerkt en goedgekeurd: het item is vindbaar ({done.url})."
                return redirect_with_notice(request, EDITOR_PATH, notice)
            saved = proposals.save(proposal_id, body, _etag(data))
        except InvalidInputError as exc:
            return _form_page(
                heading,
                url,
                values,
                errors=form_errors(exc),
                status_code=422,
                etag=_text(data, "etag"),
                editor=True,
            )
        except StaleVersionError as exc:
            return _form_page(
                heading,
                url,
                values,
                status_code=412,
                etag=exc.current_etag,
                editor=True,
                conflict=exc.detail,
            )
        except ConflictError as exc:
            return _form_page(
                heading, url, values, status_code=409, etag=None, editor=True, conflict=exc.detail
            )
        return redirect_with_notice(
            request,
            f"{EDITOR_PATH}/voorstellen/{proposal_id}",
            f"Opgeslagen (versie {saved.version}).",
        )


def _etag(data: Mapping[str, Any]) -> tuple[str, ...]:
    etag = _text(data, "etag")
    return (etag,) if etag else ()
