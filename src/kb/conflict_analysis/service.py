"""The analysis's rules of record: versions, the workflow, concurrency, access and the audit trail.

    concept ──submit──▶ ter_accordering ──approve──▶ ingediend ──reassess──▶ new concept version
       ▲                      │
       └──return (comment)────┘

A `concept` may be incomplete (domain.md §9.5): it is stored with the list of what it still
lacks, and `submit` refuses it until that list is empty. An office holds one open analysis per
case number, and a case keeps the court of its first submitted version.

Only a `concept` changes, and only through `save`, which needs the version's current ETag
(`"<version>-<revision>"`): the UPDATE itself checks the revision, so of two saves of the same
revision exactly one wins and the other gets `StaleVersionError` (412). An `ingediend`
version never changes: this service refuses, and a database trigger refuses too (migration 0004).

Every read and write is recorded in the audit log, with metadata only: a write in the caller's
transaction, a read queued for the process's group-committing appender (`audit.record_read`). A
refused read or change is queued the same way, so it is recorded although the caller's
transaction is rolled back with the error it answers. The pages and the API call the same
methods; nothing here knows about HTTP.

Each version carries its own court: who may read a version is decided by that version's facts
alone, so a re-assessment for another court never moves the submitted versions before it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import ValidationError
from sqlalchemy import Connection, and_, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from kb.access import (
    AnalysisFacts,
    Caller,
    CaseRule,
    CurrentUser,
    ensure,
    may_approve_analysis,
    may_edit_analysis,
    may_read_analysis,
    may_reassess_analysis,
    may_submit_analysis,
)
from kb.auth import audit
from kb.clock import utcnow
from kb.conflict_analysis.advisor import Advisor
from kb.conflict_analysis.models import Analysis, AnalysisComment, AnalysisVersion
from kb.conflict_analysis.notices import Notifier
from kb.conflict_analysis.reading import (
    CaseHead,
    ChangedWhileReading,
    Contents,
    VersionHead,
    contents,
    contents_of,
    head_of,
    heads,
    reading,
    version_head_of,
)
from kb.conflict_analysis.responses import (
    AnalysisOut,
    AnalysisState,
    AnalysisSummary,
    Task,
    TaskKind,
    VersionRef,
)
from kb.conflict_analysis.schemas import AnalysisBody, Case, DraftBody, Recommendation
from kb.errors import (
    ConflictError,
    FieldError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
    PreconditionRequiredError,
    StaleVersionError,
)
from kb.vocabulary import AnalysisStatus

__all__ = ["COMMENT_TEXT", "OBJECT_TYPE", "REFUSED", "AnalysisService", "case_key"]

logger = logging.getLogger(__name__)

OBJECT_TYPE = "conflict_analysis"
_NOT_FOUND = "Deze analyse bestaat niet of u heeft er geen toegang toe."
_STATUS_WORDS = {
    "concept": "een concept",
    "ter_accordering": "ter accordering aangeboden",
    "ingediend": "ingediend",
}


@dataclass(frozen=True)
class Step:
    """A step of the workflow: who may take it (`rule`), from which status to which."""

    rule: CaseRule
    source: AnalysisStatus
    target: AnalysisStatus
    action: str


# The audit log's name for a refused read or change; its detail says what was asked.
REFUSED = "analysis.refused"

SUBMIT = Step(may_submit_analysis, "concept", "ter_accordering", "analysis.submit")
APPROVE = Step(may_approve_analysis, "ter_accordering", "ingediend", "analysis.approve")
# Returning is the approver's other answer: the same person may do it, at the same moment.
RETURN = Step(may_approve_analysis, "ter_accordering", "concept", "analysis.return")
COMMENT_TEXT = 5_000  # a comment when returning a version
# A read whose version keeps changing between its two statements gives up after this many tries.
_READ_TRIES = 3

V = TypeVar("V", VersionHead, AnalysisVersion)


def case_key(case_number: str | None) -> str | None:
    """A case number as the office's one-open-case rule compares it: spaces and case ignored."""
    key = " ".join((case_number or "").split()).casefold()
    return key or None


class AnalysisService:
    """Create, read, change and move analyses through their workflow, for one caller.

    Args:
        session: The request's session; the caller commits (the route's 2xx) or rolls back.
        advisor: Parses bodies and computes their advice against the knowledge base.
        caller: Who asks, from where, through which door: every read and write is theirs.
        notifier: The e-mail notices of submitting and returning (KB_SMTP_URL), sent after the
            commit; None: no e-mail.
    """

    def __init__(
        self,
        session: Session,
        advisor: Advisor,
        caller: Caller,
        notifier: Notifier | None = None,
    ) -> None:
        self.session = session
        self.advisor = advisor
        self.caller = caller
        self.notifier = notifier

    # --- Writes --------------------------------------------------------------------------------

    def create(self, data: Any, *, demo: bool = False) -> AnalysisState:
        """A new analysis with its first `concept` version, in the investigator's office;
        `demo` marks an invented case that demo mode seeds (`kb.conflict_analysis.demo`)."""
        user = self.caller.user
        if not user.office:
            raise PermissionDeniedError(
                "Uw account hoort bij geen vestiging van de Raad; vraag de beheerder dat in te stellen."
            )
        checked = self._checked(data)
        if not _has_content(checked.body.model_dump()):
            raise InvalidInputError(
                "Het formulier is nog leeg: vul minstens één veld in, bijvoorbeeld het zaaknummer.",
                [FieldError(("case", "case_number"), "Nog niet ingevuld.")],
            )
        self._ensure_case_is_free(checked.body, user.office, None)
        version = self._new_version(checked, 1)
        analysis = Analysis(
            office=user.office,
            author_id=user.id,
            created_at=version.created_at,
            open_case=case_key(_case_number(checked.body)),
            versions=[version],
            demo=demo,
        )
        self.session.add(analysis)
        self._flush_case()
        self._record("analysis.create", analysis, version)
        return self._out_loaded(analysis, version)

    def save(self, analysis_id: int, data: Any, expected: Collection[str]) -> AnalysisState:
        """Replace the draft, when `expected` (the client's `If-Match`) names its current ETag."""
        analysis, latest = self._for_change(
            analysis_id, may_edit_analysis, "concept", "analysis.edit"
        )
        if not expected:
            raise PreconditionRequiredError(
                "Stuur de versie mee die u wijzigt: de header If-Match met de ETag die u kreeg, "
                'bijvoorbeeld If-Match: "1-3". Zo overschrijft u nooit ongemerkt andermans werk.'
            )
        revision = _expected_revision(latest, expected)
        checked = self._checked(data)
        _ensure_court_kept(analysis, checked.body)
        self._ensure_case_is_free(checked.body, analysis.office, analysis.id)
        self._update(
            latest,
            revision,
            revision=AnalysisVersion.revision + 1,
            **_contents(checked),
        )
        analysis.open_case = case_key(_case_number(checked.body))
        self._flush_case()
        self._record("analysis.edit", analysis, latest)
        return self._out_loaded(analysis, latest)

    def submit(self, analysis_id: int, expected: Collection[str] = ()) -> AnalysisState:
        """Send the draft to the behavioural expert of the office (`ter_accordering`), once it
        is complete; until then the answer lists what is missing (422)."""
        _, latest = self._for_change(analysis_id, may_submit_analysis, "concept", SUBMIT.action)
        if not latest.complete:
            missing = latest.missing or []
            count = len(missing)
            raise InvalidInputError(
                f"Deze versie is nog niet volledig: {count} "
                f"{'veld ontbreekt' if count == 1 else 'velden ontbreken'} nog. "
                "Vul ze in en bied de versie daarna aan.",
                [FieldError(tuple(m["loc"]), m["msg"]) for m in missing],
            )
        submitted = self._move(SUBMIT, analysis_id, expected, submitted_at=utcnow())
        if self.notifier is not None:
            self.notifier.approval_requested(self.session, submitted.office)
        return submitted

    def approve(self, analysis_id: int, expected: Collection[str] = ()) -> AnalysisState:
        """Approve (accorderen): the version becomes `ingediend`, immutable and visible to judges."""
        user = self.caller.user
        return self._move(APPROVE, analysis_id, expected, approved_by=user.id, approved_at=utcnow())

    def return_(
        self, analysis_id: int, comment: Any, expected: Collection[str] = ()
    ) -> AnalysisState:
        """Send the version back to its investigator with a comment: `concept` again.

        The comment stays with the version, for the investigator now and for whoever reads
        that version later; `submitted_at` is cleared, for it is no longer on offer.
        """
        text = comment.strip() if isinstance(comment, str) else ""
        if not text or len(text) > COMMENT_TEXT or "\x00" in text:
            msg = (
                "Schrijf op wat de onderzoeker moet aanvullen of veranderen."
                if not text
                else f"Mag hoogstens {COMMENT_TEXT} tekens lang zijn, zonder NUL-teken."
            )
            raise InvalidInputError(
                "Geef een toelichting bij het terugsturen.", [FieldError(("comment",), msg)]
            )
        analysis, latest = self._for_change(analysis_id, RETURN.rule, RETURN.source, RETURN.action)
        revision = _expected_revision(latest, expected)
        user = self.caller.user
        changes = {"status": RETURN.target, "revision": AnalysisVersion.revision + 1}
        self._update(latest, revision, submitted_at=None, **changes)
        self.session.add(
            AnalysisComment(
                version_id=latest.id, author_id=user.id, role=user.role, at=utcnow(), text=text
            )
        )
        self.session.flush()
        self.session.refresh(latest, ["comments"])
        self._record(RETURN.action, analysis, latest)
        if self.notifier is not None:
            self.notifier.returned(self.session, analysis.author_id)
        return self._out_loaded(analysis, latest)

    def reassess(self, analysis_id: int) -> AnalysisState:
        """A re-assessment: a new `concept` version, copied from the last submitted one.

        The advice is computed again for today, because time itself is a reason (the length of
        the procedure); the body is the submitted one, unchanged, until the investigator edits it.
        """
        analysis, latest = self._for_change(
            analysis_id, may_reassess_analysis, "ingediend", "analysis.reassess"
        )
        today = self.advisor.today()
        try:
            body = AnalysisBody.model_validate(latest.body, context={"today": today})
            checked_on = today
        except ValidationError:
            # Still valid on its own date (a child may have turned 18 since): the next save
            # shows the investigator what to change.
            body, checked_on = _stored_body(latest), latest.evaluated_on
        recommendation = self.advisor.recommend(body, today)
        checked = Checked(body, recommendation, checked_on, [])
        version = self._new_version(checked, latest.version + 1)
        analysis.versions.append(version)
        try:
            self.session.flush()
        except IntegrityError:
            # Someone started the same re-assessment a moment ago: (analysis_id, version) is unique.
            raise ConflictError(
                f"Er is zojuist al een herijking gestart (versie {latest.version + 1})."
            ) from None
        self._record("analysis.reassess", analysis, version)
        return self._out_loaded(analysis, version)

    # --- Reads ---------------------------------------------------------------------------------

    def draft(self, analysis_id: int) -> AnalysisState:
        """The draft to edit: only its own investigator's, only while `concept`; audited."""
        analysis, latest = self._for_change(
            analysis_id, may_edit_analysis, "concept", "analysis.read"
        )
        self._record_read(analysis, latest, purpose="bewerken")
        return self._out_loaded(analysis, latest)

    def read(
        self, analysis_id: int, version: int | None = None, purpose: str = "lezen"
    ) -> AnalysisState:
        """The newest version the caller may read, or the one asked for; audited."""
        with reading(self.session) as connection:
            case, chosen, readable, found = self._current(connection, analysis_id, version)
        self._record_read(case, chosen, purpose=purpose)
        return self._out(case, chosen, readable, found)

    def read_with_previous(
        self, analysis_id: int, version: int | None, purpose: str
    ) -> tuple[AnalysisOut, AnalysisOut | None]:
        """A version and the submitted one before it (for "what changed"), both audited.

        Raises:
            ConflictError: the version is a draft still incomplete: there is no report yet.
        """
        with reading(self.session) as connection:
            return self._with_previous(connection, analysis_id, version, purpose)

    def _with_previous(
        self, connection: Connection, analysis_id: int, version: int | None, purpose: str
    ) -> tuple[AnalysisOut, AnalysisOut | None]:
        case, chosen, readable, found = self._current(connection, analysis_id, version)
        if not chosen.complete:
            raise ConflictError(
                f"Versie {chosen.version} is een concept dat nog niet volledig is ingevuld; "
                "het rapport kan pas worden gemaakt als alles is ingevuld."
            )
        self._record_read(case, chosen, purpose=purpose)
        current = self._complete_out(case, chosen, readable, found)
        earlier = [v for v in readable if v.version < chosen.version and v.status == "ingediend"]
        if not earlier:
            return current, None
        before = earlier[-1]
        self._record_read(case, before, purpose="vergelijken")
        # A submitted version never changes: its contents cannot move under this read.
        before_found = contents(connection, before)
        return current, self._complete_out(case, before, readable, before_found)

    def overview(self) -> list[AnalysisSummary]:
        """The analyses the caller may read, newest first, each at the newest readable version."""
        user = self.caller.user
        # A list needs no bodies: leave the JSON columns in the database.
        query = select(Analysis).options(
            selectinload(Analysis.versions).load_only(
                AnalysisVersion.version,
                AnalysisVersion.status,
                AnalysisVersion.case_number,
                AnalysisVersion.court,
                AnalysisVersion.safety_level,
                AnalysisVersion.final_advice,
                AnalysisVersion.reassess_by,
                AnalysisVersion.updated_at,
                AnalysisVersion.complete,
            )
        )
        if user.role == "rechter":
            # Only cases with a submitted version at the judge's court; which versions of it
            # they see is decided per version below.
            submitted_here = and_(
                AnalysisVersion.court == user.court, AnalysisVersion.status == "ingediend"
            )
            query = query.where(Analysis.versions.any(submitted_here))
        elif user.role == "raadsonderzoeker":
            query = query.where(or_(Analysis.author_id == user.id, Analysis.office == user.office))
        elif user.role == "gedragsdeskundige":
            query = query.where(Analysis.office == user.office)
        else:
            return []
        summaries = [
            AnalysisSummary(
                **_shown(analysis, readable[-1]),
                mine=analysis.author_id == user.id,
                complete=readable[-1].complete,
                safety_level=readable[-1].safety_level if readable[-1].complete else None,
                reassess_by=readable[-1].reassess_by if readable[-1].complete else None,
            )
            for analysis in self.session.scalars(query).unique()
            if (readable := self._readable_versions(analysis))
        ]
        summaries.sort(key=lambda s: s.updated_at, reverse=True)
        audit.record_read(
            self.session,
            user=user,
            action="analysis.list",
            object_type=OBJECT_TYPE,
            address=self.caller.address,
            detail={"via": self.caller.via, "count": len(summaries)},
        )
        return summaries

    def tasks(self) -> list[Task]:
        """The caller's work list (domain.md §9.5), most urgent first: the earliest deadline, or
        for work without one (approval, a returned or open draft) the longest waiting.

        Investigators see their own cases, behavioural experts their office's awaiting approval,
        judges the curator reports due on their court's submitted cases. Audited as a list read.
        """
        user = self.caller.user
        query = select(Analysis).options(selectinload(Analysis.versions))
        if user.role == "raadsonderzoeker":
            query = query.where(Analysis.author_id == user.id)
        elif user.role == "gedragsdeskundige":
            query = query.where(
                Analysis.office == user.office,
                Analysis.versions.any(AnalysisVersion.status == "ter_accordering"),
            )
        elif user.role == "rechter":
            query = query.where(
                Analysis.versions.any(
                    and_(AnalysisVersion.court == user.court, AnalysisVersion.status == "ingediend")
                )
            )
        else:
            return []
        today = self.advisor.today()
        found = [
            task
            for analysis in self.session.scalars(query).unique()
            for task in _tasks_of(user, analysis, self._readable_versions(analysis), today)
        ]
        found.sort(key=lambda t: (t.due or t.since.date(), t.since))
        audit.record_read(
            self.session,
            user=user,
            action="analysis.tasks",
            object_type=OBJECT_TYPE,
            address=self.caller.address,
            detail={"via": self.caller.via, "count": len(found)},
        )
        return found

    # --- Internals ------------------------------------------------------------------------------

    def _checked(self, data: Any) -> Checked:
        """The draft's body parsed, what it lacks, and its advice for today once complete."""
        today = self.advisor.today()
        body, missing = self.advisor.parse_draft(data, today)
        recommendation = None if missing else self.advisor.recommend(body, today)
        return Checked(body, recommendation, today, missing)

    def _new_version(self, checked: Checked, number: int) -> AnalysisVersion:
        now = utcnow()
        return AnalysisVersion(
            version=number,
            revision=1,
            status="concept",
            author_id=self.caller.user.id,
            created_at=now,
            **_contents(checked, now),
        )

    def _ensure_case_is_free(
        self, body: AnalysisBody, office: str, analysis_id: int | None
    ) -> None:
        """One open analysis per case number per office (domain.md §9.5): a second one for the
        same case is refused on its case-number field, naming the one to continue instead."""
        key = case_key(_case_number(body))
        if key is None:
            return
        query = select(Analysis.id).where(Analysis.office == office, Analysis.open_case == key)
        if analysis_id is not None:
            query = query.where(Analysis.id != analysis_id)
        other = self.session.scalar(query)
        if other is not None:
            raise InvalidInputError(
                "Voor dit zaaknummer loopt al een analyse in uw vestiging.",
                [FieldError(("case", "case_number"), _case_taken(other))],
            )

    def _flush_case(self) -> None:
        """Write the analysis; the unique index catches a second one for the same case that was
        created at the same moment, after the check above found none."""
        try:
            self.session.flush()
        except IntegrityError:
            raise InvalidInputError(
                "Voor dit zaaknummer loopt al een analyse in uw vestiging.",
                [FieldError(("case", "case_number"), _case_taken(None))],
            ) from None

    def _readable_versions(self, analysis: Analysis) -> list[AnalysisVersion]:
        return self._readable_of(analysis, analysis.versions)

    def _readable_of(self, case: CaseHead | Analysis, versions: list[V]) -> list[V]:
        user = self.caller.user
        return [v for v in versions if may_read_analysis(user, _facts(case, v))]

    def _current(
        self, connection: Connection, analysis_id: int, version: int | None
    ) -> tuple[CaseHead, VersionHead, list[VersionHead], Contents]:
        """The version to read (as `read` chooses it), the versions the caller may read, and
        the chosen one's contents, all as of one revision (`reading`)."""
        for _ in range(_READ_TRIES):
            found = heads(connection, analysis_id)
            case, versions = found if found is not None else (None, [])
            readable, chosen = self._choose(analysis_id, version, "analysis.read", case, versions)
            assert case is not None  # `_choose` refuses a missing analysis
            try:
                return case, chosen, readable, contents(connection, chosen)
            except ChangedWhileReading:
                continue
        raise ConflictError("Deze analyse verandert op dit moment; probeer het zo opnieuw.")

    def _readable(
        self, analysis_id: int, version: int | None, asked: str = "analysis.read"
    ) -> tuple[Analysis, AnalysisVersion]:
        """`_current` for a change: the analysis and its versions through the ORM."""
        analysis = self.session.scalar(
            select(Analysis)
            .where(Analysis.id == analysis_id)
            .options(selectinload(Analysis.versions))
        )
        versions = analysis.versions if analysis is not None else []
        _, chosen = self._choose(analysis_id, version, asked, analysis, versions)
        assert analysis is not None  # `_choose` refuses a missing analysis
        return analysis, chosen

    def _choose(
        self,
        analysis_id: int,
        version: int | None,
        asked: str,
        case: CaseHead | Analysis | None,
        versions: list[V],
    ) -> tuple[list[V], V]:
        """The versions the caller may read and the one asked for (without `version`, the
        newest); refused and audited when there is none, as when there is no analysis at all."""
        readable = self._readable_of(case, versions) if case is not None else []
        matching = [v for v in readable if version is None or v.version == version]
        if not matching:
            self._refused(analysis_id, version, asked)
            # The same answer for "no such analysis" and "not yours": nobody learns it exists.
            raise NotFoundError(_NOT_FOUND)
        return readable, matching[-1]

    def _for_change(
        self, analysis_id: int, rule: CaseRule, needed: AnalysisStatus, asked: str
    ) -> tuple[Analysis, AnalysisVersion]:
        """The newest version, once the caller may see the analysis (else 404), may do this to
        it (else 403), and it is in the status the action needs (else 409)."""
        analysis, _ = self._readable(analysis_id, None, asked)
        latest = analysis.versions[-1]
        facts = dataclasses.replace(_facts(analysis, latest), status=needed)
        try:
            ensure(rule, self.caller.user, facts, hide=False)
        except PermissionDeniedError:
            self._refused(analysis_id, latest.version, asked)
            raise
        if analysis.closed_on is not None:
            # Closing records the outcome and frees the case number (kb.monitor): the case is
            # over, and its retention period has started.
            raise ConflictError("Deze zaak is afgesloten; er kan niets meer aan veranderen.")
        if latest.status != needed:
            raise ConflictError(_wrong_status(latest, needed))
        return analysis, latest

    def _move(
        self, step: Step, analysis_id: int, expected: Collection[str], **values: Any
    ) -> AnalysisState:
        """One step of the workflow: check who and when, change the row, record it."""
        analysis, latest = self._for_change(analysis_id, step.rule, step.source, step.action)
        revision = _expected_revision(latest, expected)
        changes = {"status": step.target, "revision": AnalysisVersion.revision + 1, **values}
        self._update(latest, revision, **changes)
        self._record(step.action, analysis, latest)
        return self._out_loaded(analysis, latest)

    def _update(self, version: AnalysisVersion, expected_revision: int, **values: Any) -> None:
        """UPDATE the row only if nobody changed it since `expected_revision`, else 412."""
        result = self.session.execute(
            update(AnalysisVersion)
            .where(
                AnalysisVersion.id == version.id,
                AnalysisVersion.revision == expected_revision,
                AnalysisVersion.status == version.status,
            )
            .values({"updated_at": utcnow(), **values})
            .execution_options(synchronize_session=False)
        )
        changed = bool(getattr(result, "rowcount", 0) == 1)
        # Read back what the database now holds, ours or the other writer's.
        self.session.refresh(version)
        if not changed:
            raise StaleVersionError(
                f"Deze analyse is intussen door iemand anders opgeslagen of van status veranderd; "
                f"de huidige versie is {version.etag} ({_STATUS_WORDS[version.status]}). "
                "Haal die op, neem uw wijzigingen over en sla opnieuw op met de nieuwe ETag: "
                "uw eigen invoer is niet opgeslagen en niet weggegooid.",
                version.etag,
            )

    def _record(
        self,
        action: str,
        analysis: Analysis,
        version: AnalysisVersion,
        purpose: str | None = None,
    ) -> None:
        """A write, recorded in the caller's transaction."""
        audit.record(self.session, **self._event(action, analysis, version, purpose))

    def _record_read(
        self,
        analysis: CaseHead | Analysis,
        version: VersionHead | AnalysisVersion,
        purpose: str,
    ) -> None:
        """A read, queued for the appender: answered only once its entry is committed."""
        audit.record_read(self.session, **self._event("analysis.read", analysis, version, purpose))

    def _event(
        self,
        action: str,
        analysis: CaseHead | Analysis,
        version: VersionHead | AnalysisVersion,
        purpose: str | None = None,
    ) -> dict[str, Any]:
        detail: dict[str, Any] = {"via": self.caller.via, "status": version.status}
        if purpose:
            detail["purpose"] = purpose
        return {
            "user": self.caller.user,
            "action": action,
            "object_type": OBJECT_TYPE,
            "object_id": analysis.id,
            "version": version.version,
            "address": self.caller.address,
            "detail": detail,
        }

    def _refused(self, analysis_id: int, version: int | None, asked: str) -> None:
        """Record a refused read or change (domain.md §9.6). Queued like a read, so the web edge
        appends it although the caller's transaction is rolled back with the error it answers.
        Only what was asked is written, never whether the analysis exists or what it holds."""
        audit.record_read(
            self.session,
            user=self.caller.user,
            action=REFUSED,
            object_type=OBJECT_TYPE,
            object_id=analysis_id,
            version=version,
            address=self.caller.address,
            detail={"via": self.caller.via, "asked": asked},
        )

    def _complete_out(
        self, case: CaseHead, version: VersionHead, readable: list[VersionHead], found: Contents
    ) -> AnalysisOut:
        out = self._out(case, version, readable, found)
        assert isinstance(out, AnalysisOut), "only a complete version has a report"
        return out

    def _out_loaded(self, analysis: Analysis, version: AnalysisVersion) -> AnalysisState:
        """`_out` of what a write has loaded through the ORM."""
        readable = [version_head_of(v) for v in self._readable_versions(analysis)]
        found = contents_of(version)
        return self._out(head_of(analysis), version_head_of(version), readable, found)

    def _out(
        self, case: CaseHead, version: VersionHead, readable: list[VersionHead], found: Contents
    ) -> AnalysisState:
        approver = version.approver
        shown: dict[str, Any] = {
            **_shown(case, version),
            "revision": version.revision,
            "etag": version.etag,
            "author_id": case.author_id,
            "approved_by": approver.username if approver is not None else None,
            "author_name": case.author.display_name or case.author.username,
            "author_role": case.author.role,
            "approved_by_name": (approver.display_name or approver.username) if approver else None,
            "approved_by_role": approver.role if approver is not None else None,
            "created_at": version.created_at,
            "submitted_at": version.submitted_at,
            "approved_at": version.approved_at,
            "evaluated_on": version.evaluated_on,
            "deviation_reason": version.deviation_reason,
            "complete": version.complete,
            "missing": list(found.missing),
            "comments": list(found.comments),
            "body": found.body,
            "versions": [VersionRef.model_validate(v) for v in readable],
        }
        if found.recommendation is None:
            return AnalysisState(**shown, recommendation=None)
        return AnalysisOut(**shown, recommendation=found.recommendation)


def _shown(analysis: CaseHead | Analysis, version: VersionHead | AnalysisVersion) -> dict[str, Any]:
    """What the list and the full analysis both show of a version."""
    return {
        "id": analysis.id,
        "case_number": version.case_number,
        "court": version.court,
        "office": analysis.office,
        "author": analysis.author.username,
        "demo": analysis.demo,
        "version": version.version,
        "status": version.status,
        "final_advice": version.final_advice if version.complete else None,
        "updated_at": version.updated_at,
    }


def _facts(analysis: CaseHead | Analysis, version: VersionHead | AnalysisVersion) -> AnalysisFacts:
    return AnalysisFacts(
        court=version.court,
        office=analysis.office,
        author_id=analysis.author_id,
        status=version.status,  # type: ignore[arg-type]
    )


# How far ahead a deadline shows on the work list: two weeks leave time to plan the visit.
DUE_WITHIN = dt.timedelta(days=14)
_PAGES = "/analyses"
_TASK_LABELS = {
    "ter_accordering": "Wacht op uw accordering",
    "teruggestuurd": "Teruggestuurd met opmerkingen",
    "concept": "Concept, nog niet aangeboden",
    "herijking": "Herijking",
    "curatorrapport": "Rapport van de bijzondere curator",
}


def _tasks_of(
    user: CurrentUser, analysis: Analysis, readable: list[AnalysisVersion], today: dt.date
) -> list[Task]:
    """What one analysis asks of this user now."""
    if not readable:
        return []
    latest = readable[-1]
    page = f"{_PAGES}/{analysis.id}"
    tasks: list[Task] = []

    def add(
        kind: TaskKind,
        version: AnalysisVersion,
        since: dt.datetime,
        url: str,
        due: dt.date | None = None,
    ) -> None:
        tasks.append(
            Task(
                kind=kind,
                label=_TASK_LABELS[kind],
                analysis_id=analysis.id,
                version=version.version,
                case_number=version.case_number,
                court=version.court,
                status=version.status,  # type: ignore[arg-type]
                demo=analysis.demo,
                since=since,
                due=due,
                overdue=due is not None and due < today,
                url=url,
            )
        )

    if user.role == "gedragsdeskundige":
        if latest.status == "ter_accordering":
            add("ter_accordering", latest, latest.submitted_at or latest.updated_at, page)
        return tasks
    submitted = [v for v in readable if v.status == "ingediend"]
    if user.role == "raadsonderzoeker":
        if latest.status == "concept":
            kind: TaskKind = "teruggestuurd" if latest.comments else "concept"
            since = latest.comments[-1].at if latest.comments else latest.updated_at
            add(kind, latest, since, f"{page}/bewerken")
        elif latest.status == "ingediend" and latest.reassess_by <= today + DUE_WITHIN:
            add(
                "herijking",
                latest,
                latest.approved_at or latest.updated_at,
                page,
                latest.reassess_by,
            )
    if submitted:
        newest = submitted[-1]
        curator = newest.recommendation.get("curator") or {}
        report_by = curator.get("report_by")
        # Due while it is the case's newest word: appointed per the final advice, a date set.
        if newest.final_advice == "benoemen" and report_by:
            due = dt.date.fromisoformat(report_by)
            if due <= today + DUE_WITHIN:
                add("curatorrapport", newest, newest.approved_at or newest.updated_at, page, due)
    return tasks


@dataclass(frozen=True)
class Checked:
    """A body as a save stores it: parsed, what it lacks, and its advice once complete."""

    body: AnalysisBody
    recommendation: Recommendation | None
    today: dt.date
    missing: list[FieldError]


def _contents(checked: Checked, now: dt.datetime | None = None) -> dict[str, Any]:
    """The columns a save writes: the body, the advice computed for it, and what it says.

    An incomplete draft has no advice: its advice columns are blank, never shown (models.py).
    """
    body, recommendation = checked.body, checked.recommendation
    case = body.case
    contents: dict[str, Any] = {
        "body": body.model_dump(mode="json"),
        "evaluated_on": checked.today,
        "updated_at": now or utcnow(),
        "case_number": (case and case.case_number) or "",
        "court": (case and case.court) or "",
        "complete": recommendation is not None,
        "missing": [e.as_dict() for e in checked.missing] or None,
    }
    if recommendation is None:
        return contents | {
            "recommendation": {},
            "computed_advice": "",
            "final_advice": "",
            "deviation_reason": None,
            "safety_level": "",
            "reassess_by": checked.today,
        }
    curator = recommendation.curator
    return contents | {
        "recommendation": recommendation.model_dump(mode="json"),
        "computed_advice": curator.advice,
        "final_advice": curator.final_advice,
        "deviation_reason": curator.deviation_reason,
        "safety_level": recommendation.safety.level,
        "reassess_by": recommendation.reassess_by,
    }


def _has_content(value: Any) -> bool:
    """True when anything in a body was filled in: a value that is not blank or an empty list."""
    if isinstance(value, dict):
        return any(_has_content(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_content(v) for v in value) or False
    return value not in (None, "")


def _case_number(body: AnalysisBody) -> str | None:
    # A draft's body may lack its whole case section (typed as always there: see DraftBody).
    case: Case | None = body.case
    return case.case_number if case is not None else None


def _stored_body(version: AnalysisVersion) -> AnalysisBody:
    model = AnalysisBody if version.complete else DraftBody
    return model.model_validate(version.body, context={"today": version.evaluated_on})


def _ensure_court_kept(analysis: Analysis, body: AnalysisBody) -> None:
    """A case keeps the court of its first submitted version (domain.md §9.5): that court's
    judges have read it; another court is another case."""
    # Offered once, even if returned since (a returned version keeps its comments).
    submitted = [v for v in analysis.versions if v.status != "concept" or v.comments]
    case: Case | None = body.case
    court = case.court if case is not None else None
    if submitted and court is not None and court != submitted[0].court:
        raise InvalidInputError(
            "De rechtbank van deze zaak ligt vast.",
            [
                FieldError(
                    ("case", "court"),
                    f"De rechtbank ligt vast sinds de eerste indiening: {submitted[0].court}. "
                    "Gaat de zaak naar een andere rechtbank, begin dan een nieuwe analyse.",
                )
            ],
        )


def _case_taken(other: int | None) -> str:
    where = f" (analyse {other})" if other is not None else ""
    return (
        f"Voor dit zaaknummer loopt al een analyse in uw vestiging{where}. Werk die bij, of "
        "start daar een herijking, in plaats van een tweede analyse."
    )


def _expected_revision(version: AnalysisVersion, expected: Collection[str]) -> int:
    """The revision the client last saw, when `expected` names this version's current ETag;
    with no `expected` at all (a page's button without a version), the current one."""
    if not expected:
        return version.revision
    if version.etag not in expected:
        raise StaleVersionError(
            f"U werkte aan een oudere stand van deze analyse ({', '.join(expected)}); de huidige "
            f"is {version.etag}. Haal die op, neem uw wijzigingen over en sla opnieuw op: "
            "uw eigen invoer is niet opgeslagen en niet weggegooid.",
            version.etag,
        )
    return version.revision


def _wrong_status(version: AnalysisVersion, needed: str) -> str:
    now = _STATUS_WORDS[version.status]
    if version.status == "ingediend":
        return (
            f"Versie {version.version} is ingediend en kan niet meer veranderen. "
            "Start een herijking om een nieuwe versie te maken."
        )
    if needed == "ingediend":
        return f"Er loopt al een herijking: versie {version.version} is {now}. Rond die eerst af."
    if needed == "ter_accordering":
        return f"Versie {version.version} is {now}, niet ter accordering aangeboden."
    return f"Versie {version.version} is {now} en kan nu niet worden gewijzigd of aangeboden."
