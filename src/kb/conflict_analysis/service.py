"""The analysis's rules of record: versions, the workflow, concurrency, access and the audit trail.

    concept ──submit──▶ ter_accordering ──approve──▶ ingediend ──reassess──▶ new concept version

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
from typing import Any

from pydantic import ValidationError
from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from kb.access import (
    AnalysisFacts,
    Caller,
    CaseRule,
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
from kb.conflict_analysis.models import Analysis, AnalysisVersion
from kb.conflict_analysis.responses import AnalysisOut, AnalysisSummary, VersionRef
from kb.conflict_analysis.schemas import AnalysisBody, Recommendation
from kb.errors import (
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    PreconditionRequiredError,
    StaleVersionError,
)
from kb.vocabulary import AnalysisStatus

__all__ = ["OBJECT_TYPE", "REFUSED", "AnalysisService"]

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


class AnalysisService:
    """Create, read, change and move analyses through their workflow, for one caller.

    Args:
        session: The request's session; the caller commits (the route's 2xx) or rolls back.
        advisor: Parses bodies and computes their advice against the knowledge base.
        caller: Who asks, from where, through which door: every read and write is theirs.
    """

    def __init__(self, session: Session, advisor: Advisor, caller: Caller) -> None:
        self.session = session
        self.advisor = advisor
        self.caller = caller

    # --- Writes --------------------------------------------------------------------------------

    def create(self, data: Any) -> AnalysisOut:
        """A new analysis with its first `concept` version, in the investigator's office."""
        user = self.caller.user
        if not user.office:
            raise PermissionDeniedError(
                "Uw account hoort bij geen vestiging van de Raad; vraag de beheerder dat in te stellen."
            )
        body, recommendation, today = self._checked(data)
        version = self._new_version(body, recommendation, today, 1)
        analysis = Analysis(
            office=user.office,
            author_id=user.id,
            created_at=version.created_at,
            versions=[version],
        )
        self.session.add(analysis)
        self.session.flush()
        self._record("analysis.create", analysis, version)
        return self._out(analysis, version)

    def save(self, analysis_id: int, data: Any, expected: Collection[str]) -> AnalysisOut:
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
        body, recommendation, today = self._checked(data)
        self._update(
            latest,
            revision,
            revision=AnalysisVersion.revision + 1,
            **_contents(body, recommendation, today),
        )
        self._record("analysis.edit", analysis, latest)
        return self._out(analysis, latest)

    def submit(self, analysis_id: int, expected: Collection[str] = ()) -> AnalysisOut:
        """Send the draft to the behavioural expert of the office (`ter_accordering`)."""
        return self._move(SUBMIT, analysis_id, expected, submitted_at=utcnow())

    def approve(self, analysis_id: int, expected: Collection[str] = ()) -> AnalysisOut:
        """Approve (accorderen): the version becomes `ingediend`, immutable and visible to judges."""
        user = self.caller.user
        return self._move(APPROVE, analysis_id, expected, approved_by=user.id, approved_at=utcnow())

    def reassess(self, analysis_id: int) -> AnalysisOut:
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
        version = self._new_version(body, recommendation, checked_on, latest.version + 1)
        analysis.versions.append(version)
        try:
            self.session.flush()
        except IntegrityError:
            # Someone started the same re-assessment a moment ago: (analysis_id, version) is unique.
            raise ConflictError(
                f"Er is zojuist al een herijking gestart (versie {latest.version + 1})."
            ) from None
        self._record("analysis.reassess", analysis, version)
        return self._out(analysis, version)

    # --- Reads ---------------------------------------------------------------------------------

    def draft(self, analysis_id: int) -> AnalysisOut:
        """The draft to edit: only its own investigator's, only while `concept`; audited."""
        analysis, latest = self._for_change(
            analysis_id, may_edit_analysis, "concept", "analysis.read"
        )
        self._record_read(analysis, latest, purpose="bewerken")
        return self._out(analysis, latest)

    def read(
        self, analysis_id: int, version: int | None = None, purpose: str = "lezen"
    ) -> AnalysisOut:
        """The newest version the caller may read, or the one asked for; audited."""
        analysis, chosen = self._readable(analysis_id, version)
        self._record_read(analysis, chosen, purpose=purpose)
        return self._out(analysis, chosen)

    def read_with_previous(
        self, analysis_id: int, version: int | None, purpose: str
    ) -> tuple[AnalysisOut, AnalysisOut | None]:
        """A version and the submitted one before it (for "what changed"), both audited."""
        analysis, chosen = self._readable(analysis_id, version)
        self._record_read(analysis, chosen, purpose=purpose)
        earlier = [
            v
            for v in self._readable_versions(analysis)
            if v.version < chosen.version and v.status == "ingediend"
        ]
        if not earlier:
            return self._out(analysis, chosen), None
        self._record_read(analysis, earlier[-1], purpose="vergelijken")
        return self._out(analysis, chosen), self._out(analysis, earlier[-1])

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
                safety_level=readable[-1].safety_level,
                reassess_by=readable[-1].reassess_by,
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

    # --- Internals ------------------------------------------------------------------------------

    def _checked(self, data: Any) -> tuple[AnalysisBody, Recommendation, dt.date]:
        """The body parsed and its advice computed, for today."""
        today = self.advisor.today()
        body = self.advisor.parse(data, today)
        return body, self.advisor.recommend(body, today), today

    def _new_version(
        self, body: AnalysisBody, recommendation: Recommendation, today: dt.date, number: int
    ) -> AnalysisVersion:
        now = utcnow()
        return AnalysisVersion(
            version=number,
            revision=1,
            status="concept",
            author_id=self.caller.user.id,
            created_at=now,
            **_contents(body, recommendation, today, now),
        )

    def _readable_versions(self, analysis: Analysis) -> list[AnalysisVersion]:
        user = self.caller.user
        return [v for v in analysis.versions if may_read_analysis(user, _facts(analysis, v))]

    def _readable(
        self, analysis_id: int, version: int | None, asked: str = "analysis.read"
    ) -> tuple[Analysis, AnalysisVersion]:
        analysis = self.session.scalar(
            select(Analysis)
            .where(Analysis.id == analysis_id)
            .options(selectinload(Analysis.versions))
        )
        readable = self._readable_versions(analysis) if analysis is not None else []
        if version is not None:
            readable = [v for v in readable if v.version == version]
        if analysis is None or not readable:
            self._refused(analysis_id, version, asked)
            # The same answer for "no such analysis" and "not yours": nobody learns it exists.
            raise NotFoundError(_NOT_FOUND)
        return analysis, readable[-1]

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
        if latest.status != needed:
            raise ConflictError(_wrong_status(latest, needed))
        return analysis, latest

    def _move(
        self, step: Step, analysis_id: int, expected: Collection[str], **values: Any
    ) -> AnalysisOut:
        """One step of the workflow: check who and when, change the row, record it."""
        analysis, latest = self._for_change(analysis_id, step.rule, step.source, step.action)
        revision = _expected_revision(latest, expected)
        changes = {"status": step.target, "revision": AnalysisVersion.revision + 1, **values}
        self._update(latest, revision, **changes)
        self._record(step.action, analysis, latest)
        return self._out(analysis, latest)

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

    def _record_read(self, analysis: Analysis, version: AnalysisVersion, purpose: str) -> None:
        """A read, queued for the appender: answered only once its entry is committed."""
        audit.record_read(self.session, **self._event("analysis.read", analysis, version, purpose))

    def _event(
        self,
        action: str,
        analysis: Analysis,
        version: AnalysisVersion,
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

    def _out(self, analysis: Analysis, version: AnalysisVersion) -> AnalysisOut:
        approver = version.approver
        return AnalysisOut(
            **_shown(analysis, version),
            revision=version.revision,
            etag=version.etag,
            author_id=analysis.author_id,
            approved_by=approver.username if approver is not None else None,
            author_name=analysis.author.display_name or analysis.author.username,
            author_role=analysis.author.role,
            approved_by_name=(approver.display_name or approver.username) if approver else None,
            approved_by_role=approver.role if approver is not None else None,
            created_at=version.created_at,
            submitted_at=version.submitted_at,
            approved_at=version.approved_at,
            evaluated_on=version.evaluated_on,
            deviation_reason=version.deviation_reason,
            body=_stored_body(version),
            recommendation=Recommendation.model_validate(version.recommendation),
            versions=[VersionRef.model_validate(v) for v in self._readable_versions(analysis)],
        )


def _shown(analysis: Analysis, version: AnalysisVersion) -> dict[str, Any]:
    """What the list and the full analysis both show of a version."""
    return {
        "id": analysis.id,
        "case_number": version.case_number,
        "court": version.court,
        "office": analysis.office,
        "author": analysis.author.username,
        "version": version.version,
        "status": version.status,
        "final_advice": version.final_advice,
        "updated_at": version.updated_at,
    }


def _facts(analysis: Analysis, version: AnalysisVersion) -> AnalysisFacts:
    return AnalysisFacts(
        court=version.court,
        office=analysis.office,
        author_id=analysis.author_id,
        status=version.status,  # type: ignore[arg-type]
    )


def _contents(
    body: AnalysisBody,
    recommendation: Recommendation,
    today: dt.date,
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    """The columns a save writes: the body, the advice computed for it, and what it says."""
    curator = recommendation.curator
    return {
        "body": body.model_dump(mode="json"),
        "recommendation": recommendation.model_dump(mode="json"),
        "computed_advice": curator.advice,
        "final_advice": curator.final_advice,
        "deviation_reason": curator.deviation_reason,
        "safety_level": recommendation.safety.level,
        "reassess_by": recommendation.reassess_by,
        "evaluated_on": today,
        "updated_at": now or utcnow(),
        "case_number": body.case.case_number,
        "court": body.case.court,
    }


def _stored_body(version: AnalysisVersion) -> AnalysisBody:
    return AnalysisBody.model_validate(version.body, context={"today": version.evaluated_on})


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
