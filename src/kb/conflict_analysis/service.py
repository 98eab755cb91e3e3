"""The analysis's rules of record: versions, the workflow, concurrency, access and the audit trail.

    concept ──submit──▶ ter_accordering ──approve──▶ ingediend ──reassess──▶ new concept version

Only a `concept` changes, and only through `save`, which needs the version's current ETag
(`"<version>-<revision>"`): the UPDATE itself checks the revision, so of two saves of the same
revision exactly one wins and the other gets `StaleVersionError` (412). An `ingediend`
version never changes: this service refuses, and a database trigger refuses too (migration 0004).

Every read and write is recorded in the audit log in the caller's transaction, with metadata
only. The pages and the API call the same methods; nothing here knows about HTTP.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from kb.auth import audit
from kb.auth.guards import ensure
from kb.auth.models import Account
from kb.auth.permissions import (
    AnalysisFacts,
    AnalysisStatus,
    may_approve_analysis,
    may_edit_analysis,
    may_read_analysis,
    may_reassess_analysis,
    may_submit_analysis,
)
from kb.auth.schemas import CurrentUser
from kb.auth.security import aware, utcnow
from kb.conflict_analysis.inputs import KnowledgeBase, parse_body, parse_if_match
from kb.conflict_analysis.matching import arrondissement_of_court
from kb.conflict_analysis.models import Analysis, AnalysisVersion
from kb.conflict_analysis.responses import AnalysisOut, AnalysisSummary, Preview, VersionRef
from kb.conflict_analysis.rules import evaluate, safety_gate
from kb.conflict_analysis.schemas import AnalysisBody, Recommendation, Safety
from kb.errors import (
    ConflictError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
    PreconditionFailedError,
)

__all__ = ["OBJECT_TYPE", "AnalysisService", "Caller", "StaleVersionError"]

OBJECT_TYPE = "conflict_analysis"
_NOT_FOUND = "Deze analyse bestaat niet of u heeft er geen toegang toe."
_STATUS_WORDS = {
    "concept": "een concept",
    "ter_accordering": "ter accordering aangeboden",
    "ingediend": "ingediend",
}


class StaleVersionError(PreconditionFailedError):
    """A save or status change based on an older state of the version (412); names the current."""

    def __init__(self, detail: str, current_etag: str) -> None:
        super().__init__(detail)
        self.current_etag = current_etag


@dataclass(frozen=True)
class Caller:
    """Who asks, from where, and through which door (`api` or `pagina`), for the audit log."""

    user: CurrentUser
    address: str | None = None
    via: str = "api"


class AnalysisService:
    """Create, read, change and move analyses through their workflow, for one request.

    Args:
        session: The request's session; the caller commits (the route's 2xx) or rolls back.
        knowledge: The knowledge base's entries, for matching and checking tried help.
        today: The evaluation date (birth years, procedure length, dates in the advice).
    """

    def __init__(
        self,
        session: Session,
        knowledge: KnowledgeBase,
        today: Callable[[], dt.date] = dt.date.today,
    ) -> None:
        self.session = session
        self.knowledge = knowledge
        self._today = today

    # --- Computing without storing ------------------------------------------------------------

    def parse(self, data: Any, today: dt.date | None = None) -> AnalysisBody:
        known = {item.slug for item in self.knowledge.items()}
        return parse_body(data, today or self._today(), known)

    def recommend(self, body: AnalysisBody, today: dt.date | None = None) -> Recommendation:
        return evaluate(
            body,
            self.knowledge.candidates(),
            today or self._today(),
            arrondissement_of_court(body.case.court),
        )

    def evaluate(self, data: Any) -> Recommendation:
        """The recommendation for a body; nothing is stored (nor audited: it holds no case)."""
        return self.recommend(self.parse(data))

    def preview(self, data: Any) -> Preview:
        """As `evaluate`, but for a half-filled form: the safety gate comes first."""
        try:
            body = self.parse(data)
        except InvalidInputError as exc:
            safety = None
            raw = data.get("safety") if isinstance(data, dict) else None
            with contextlib.suppress(ValidationError):
                safety = safety_gate(Safety.model_validate(raw))
            return Preview(safety=safety, problems=len(exc.errors))
        return Preview(recommendation=self.recommend(body))

    # --- Writes --------------------------------------------------------------------------------

    def create(self, caller: Caller, data: Any) -> AnalysisOut:
        """A new analysis with its first `concept` version, in the investigator's office."""
        user = caller.user
        if not user.office:
            raise PermissionDeniedError(
                "Uw account hoort bij geen vestiging van de Raad; vraag de beheerder dat in te stellen."
            )
        today = self._today()
        body = self.parse(data, today)
        recommendation = self.recommend(body, today)
        now = utcnow()
        analysis = Analysis(
            case_number=body.case.case_number,
            court=body.case.court,
            office=user.office,
            author_id=user.id,
            created_at=now,
        )
        version = AnalysisVersion(
            version=1,
            revision=1,
            status="concept",
            author_id=user.id,
            created_at=now,
            **_contents(body, recommendation, today, now),
        )
        analysis.versions.append(version)
        self.session.add(analysis)
        self.session.flush()
        self._record(caller, "analysis.create", analysis, version)
        return self._out(analysis, version, caller.user)

    def save(
        self, caller: Caller, analysis_id: int, data: Any, if_match: str | None
    ) -> AnalysisOut:
        """Replace the draft, when `if_match` names its current ETag."""
        analysis, latest = self._for_change(caller, analysis_id, may_edit_analysis, "concept")
        expected = _expected_revision(latest, parse_if_match(if_match))
        today = self._today()
        body = self.parse(data, today)
        recommendation = self.recommend(body, today)
        now = utcnow()
        changed = self._update(
            latest,
            expected,
            "concept",
            revision=AnalysisVersion.revision + 1,
            **_contents(body, recommendation, today, now),
        )
        if not changed:
            raise self._stale(latest)
        analysis.case_number = body.case.case_number
        analysis.court = body.case.court
        self._record(caller, "analysis.edit", analysis, latest)
        return self._out(analysis, latest, caller.user)

    def submit(self, caller: Caller, analysis_id: int, if_match: str | None = None) -> AnalysisOut:
        """Send the draft to the behavioural expert of the office (`ter_accordering`)."""
        analysis, latest = self._for_change(caller, analysis_id, may_submit_analysis, "concept")
        expected = (
            latest.revision
            if if_match is None
            else _expected_revision(latest, parse_if_match(if_match))
        )
        now = utcnow()
        if not self._update(
            latest,
            expected,
            "concept",
            status="ter_accordering",
            revision=AnalysisVersion.revision + 1,
            submitted_at=now,
            updated_at=now,
        ):
            raise self._stale(latest)
        self._record(caller, "analysis.submit", analysis, latest)
        return self._out(analysis, latest, caller.user)

    def approve(self, caller: Caller, analysis_id: int, if_match: str | None = None) -> AnalysisOut:
        """Approve (accorderen): the version becomes `ingediend`, immutable and visible to judges."""
        analysis, latest = self._for_change(
            caller, analysis_id, may_approve_analysis, "ter_accordering"
        )
        expected = (
            latest.revision
            if if_match is None
            else _expected_revision(latest, parse_if_match(if_match))
        )
        now = utcnow()
        if not self._update(
            latest,
            expected,
            "ter_accordering",
            status="ingediend",
            revision=AnalysisVersion.revision + 1,
            approved_by=caller.user.id,
            approved_at=now,
            updated_at=now,
        ):
            raise self._stale(latest)
        self._record(caller, "analysis.approve", analysis, latest)
        return self._out(analysis, latest, caller.user)

    def reassess(self, caller: Caller, analysis_id: int) -> AnalysisOut:
        """A re-assessment: a new `concept` version, copied from the last submitted one.

        The advice is computed again for today, because time itself is a reason (the length of
        the procedure); the body is the submitted one, unchanged, until the investigator edits it.
        """
        analysis, latest = self._for_change(caller, analysis_id, may_reassess_analysis, "ingediend")
        today = self._today()
        try:
            body = AnalysisBody.model_validate(latest.body, context={"today": today})
            checked_on = today
        except ValidationError:
            # Still valid on its own date (a child may have turned 18 since): the next save
            # shows the investigator what to change.
            body, checked_on = _stored_body(latest), latest.evaluated_on
        recommendation = self.recommend(body, today)
        now = utcnow()
        version = AnalysisVersion(
            version=latest.version + 1,
            revision=1,
            status="concept",
            author_id=caller.user.id,
            created_at=now,
            **_contents(body, recommendation, checked_on, now),
        )
        analysis.versions.append(version)
        try:
            self.session.flush()
        except IntegrityError:
            # Someone started the same re-assessment a moment ago: (analysis_id, version) is unique.
            raise ConflictError(
                f"Er is zojuist al een herijking gestart (versie {latest.version + 1})."
            ) from None
        self._record(caller, "analysis.reassess", analysis, version)
        return self._out(analysis, version, caller.user)

    # --- Reads ---------------------------------------------------------------------------------

    def draft(self, caller: Caller, analysis_id: int) -> AnalysisOut:
        """The draft to edit: only its own investigator's, only while `concept`; audited."""
        analysis, latest = self._for_change(caller, analysis_id, may_edit_analysis, "concept")
        self._record(caller, "analysis.read", analysis, latest, purpose="bewerken")
        return self._out(analysis, latest, caller.user)

    def read(
        self, caller: Caller, analysis_id: int, version: int | None = None, purpose: str = "lezen"
    ) -> AnalysisOut:
        """The newest version the caller may read, or the one asked for; audited."""
        analysis, chosen = self._readable(caller.user, analysis_id, version)
        self._record(caller, "analysis.read", analysis, chosen, purpose=purpose)
        return self._out(analysis, chosen, caller.user)

    def previous_submitted(self, caller: Caller, current: AnalysisOut) -> AnalysisOut | None:
        """The submitted version before `current`, for "what changed"; read along with it."""
        analysis = self._load(current.id)
        earlier = [
            v
            for v in analysis.versions
            if v.version < current.version
            and v.status == "ingediend"
            and may_read_analysis(caller.user, _facts(analysis, v))
        ]
        if not earlier:
            return None
        self._record(caller, "analysis.read", analysis, earlier[-1], purpose="vergelijken")
        return self._out(analysis, earlier[-1], caller.user)

    def overview(self, caller: Caller) -> list[AnalysisSummary]:
        """The analyses the caller may read, newest first, each at the newest readable version."""
        user = caller.user
        # A list needs no bodies: leave the JSON columns in the database.
        query = select(Analysis).options(
            selectinload(Analysis.versions).load_only(
                AnalysisVersion.version,
                AnalysisVersion.status,
                AnalysisVersion.safety_level,
                AnalysisVersion.final_advice,
                AnalysisVersion.reassess_by,
                AnalysisVersion.updated_at,
            )
        )
        if user.role == "rechter":
            query = query.where(Analysis.court == user.court)
        elif user.role == "raadsonderzoeker":
            query = query.where(or_(Analysis.author_id == user.id, Analysis.office == user.office))
        elif user.role == "gedragsdeskundige":
            query = query.where(Analysis.office == user.office)
        else:
            return []
        rows = []
        names = _Names(self.session)
        for analysis in self.session.scalars(query):
            readable = [
                v for v in analysis.versions if may_read_analysis(user, _facts(analysis, v))
            ]
            if not readable:
                continue
            latest = readable[-1]
            names.want(analysis.author_id)
            rows.append((analysis, latest))
        summaries = [
            AnalysisSummary(
                id=analysis.id,
                case_number=analysis.case_number,
                court=analysis.court,
                office=analysis.office,
                author=names[analysis.author_id],
                mine=analysis.author_id == user.id,
                version=v.version,
                status=v.status,  # type: ignore[arg-type]
                safety_level=v.safety_level,
                final_advice=v.final_advice,
                reassess_by=v.reassess_by,
                updated_at=aware(v.updated_at),
            )
            for analysis, v in rows
        ]
        summaries.sort(key=lambda s: s.updated_at, reverse=True)
        audit.record(
            self.session,
            user=user,
            action="analysis.list",
            object_type=OBJECT_TYPE,
            address=caller.address,
            detail={"via": caller.via, "count": len(summaries)},
        )
        return summaries

    # --- Internals ------------------------------------------------------------------------------

    def _load(self, analysis_id: int) -> Analysis:
        analysis = self.session.scalar(
            select(Analysis)
            .where(Analysis.id == analysis_id)
            .options(selectinload(Analysis.versions))
        )
        if analysis is None or not analysis.versions:
            raise NotFoundError(_NOT_FOUND)
        return analysis

    def _readable(
        self, user: CurrentUser, analysis_id: int, version: int | None
    ) -> tuple[Analysis, AnalysisVersion]:
        analysis = self._load(analysis_id)
        readable = [v for v in analysis.versions if may_read_analysis(user, _facts(analysis, v))]
        if version is not None:
            readable = [v for v in readable if v.version == version]
        if not readable:
            # The same answer for "no such analysis" and "not yours": nobody learns it exists.
            raise NotFoundError(_NOT_FOUND)
        return analysis, readable[-1]

    def _for_change(
        self,
        caller: Caller,
        analysis_id: int,
        rule: Callable[[CurrentUser | None, AnalysisFacts], bool],
        needed: AnalysisStatus,
    ) -> tuple[Analysis, AnalysisVersion]:
        """The newest version, once the caller may see the analysis (else 404), may do this to
        it (else 403), and it is in the status the action needs (else 409)."""
        analysis, _ = self._readable(caller.user, analysis_id, None)
        latest = analysis.versions[-1]
        facts = _facts(analysis, latest)
        ensure(rule, caller.user, dataclasses.replace(facts, status=needed), hide=False)
        if latest.status != needed:
            raise ConflictError(_wrong_status(latest, needed))
        return analysis, latest

    def _update(
        self, version: AnalysisVersion, expected_revision: int, current_status: str, **values: Any
    ) -> bool:
        """UPDATE the row only if nobody changed it since `expected_revision`; True when it did."""
        result = self.session.execute(
            update(AnalysisVersion)
            .where(
                AnalysisVersion.id == version.id,
                AnalysisVersion.revision == expected_revision,
                AnalysisVersion.status == current_status,
            )
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        changed = bool(getattr(result, "rowcount", 0) == 1)
        # Read back what the database now holds, ours or the other writer's.
        self.session.refresh(version)
        return changed

    def _stale(self, version: AnalysisVersion) -> StaleVersionError:
        return StaleVersionError(
            f"Deze analyse is intussen door iemand anders opgeslagen of van status veranderd; "
            f"de huidige versie is {version.etag} ({_STATUS_WORDS[version.status]}). "
            "Haal die op, neem uw wijzigingen over en sla opnieuw op met de nieuwe ETag: "
            "uw eigen invoer is niet opgeslagen en niet weggegooid.",
            version.etag,
        )

    def _record(
        self,
        caller: Caller,
        action: str,
        analysis: Analysis,
        version: AnalysisVersion,
        purpose: str | None = None,
    ) -> None:
        detail: dict[str, Any] = {"via": caller.via, "status": version.status}
        if purpose:
            detail["purpose"] = purpose
        audit.record(
            self.session,
            user=caller.user,
            action=action,
            object_type=OBJECT_TYPE,
            object_id=analysis.id,
            version=version.version,
            address=caller.address,
            detail=detail,
        )

    def _out(self, analysis: Analysis, version: AnalysisVersion, user: CurrentUser) -> AnalysisOut:
        names = _Names(self.session)
        names.want(analysis.author_id)
        if version.approved_by is not None:
            names.want(version.approved_by)
        return AnalysisOut(
            id=analysis.id,
            version=version.version,
            revision=version.revision,
            etag=version.etag,
            status=version.status,  # type: ignore[arg-type]
            case_number=analysis.case_number,
            court=analysis.court,
            office=analysis.office,
            author=names[analysis.author_id],
            author_id=analysis.author_id,
            approved_by=names[version.approved_by] if version.approved_by else None,
            created_at=aware(version.created_at),
            updated_at=aware(version.updated_at),
            submitted_at=_aware(version.submitted_at),
            approved_at=_aware(version.approved_at),
            evaluated_on=version.evaluated_on,
            final_advice=version.final_advice,
            deviation_reason=version.deviation_reason,
            body=_stored_body(version),
            recommendation=Recommendation.model_validate(version.recommendation),
            versions=[
                VersionRef(
                    version=v.version,
                    status=v.status,  # type: ignore[arg-type]
                    submitted_at=_aware(v.submitted_at),
                    approved_at=_aware(v.approved_at),
                )
                for v in analysis.versions
                if may_read_analysis(user, _facts(analysis, v))
            ],
        )


class _Names:
    """User names of accounts, fetched in one query when first needed."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._wanted: set[int] = set()
        self._names: dict[int, str] | None = None

    def want(self, account_id: int) -> None:
        self._wanted.add(account_id)
        self._names = None

    def __getitem__(self, account_id: int) -> str:
        if self._names is None:
            rows = self._session.execute(
                select(Account.id, Account.username).where(Account.id.in_(self._wanted))
            )
            self._names = {row.id: row.username for row in rows}
        return self._names.get(account_id, f"account {account_id}")


def _aware(moment: dt.datetime | None) -> dt.datetime | None:
    # SQLite hands back naive datetimes; they were stored in UTC.
    return aware(moment) if moment is not None else None


def _facts(analysis: Analysis, version: AnalysisVersion) -> AnalysisFacts:
    return AnalysisFacts(
        court=analysis.court,
        office=analysis.office,
        author_id=analysis.author_id,
        status=version.status,  # type: ignore[arg-type]
    )


def _contents(
    body: AnalysisBody, recommendation: Recommendation, today: dt.date, now: dt.datetime
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
        "updated_at": now,
    }


def _stored_body(version: AnalysisVersion) -> AnalysisBody:
    return AnalysisBody.model_validate(version.body, context={"today": version.evaluated_on})


def _expected_revision(version: AnalysisVersion, tags: list[str]) -> int:
    """The revision the client last saw, when its If-Match names this version's current ETag."""
    if version.etag not in tags:
        raise StaleVersionError(
            f"U werkte aan een oudere stand van deze analyse ({', '.join(tags)}); de huidige is "
            f"{version.etag}. Haal die op, neem uw wijzigingen over en sla opnieuw op: "
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
