"""The pilot registry and the editors' review: proposals, their workflow, and the due list.

    ingediend ──approve──▶ goedgekeurd (the content file is written and indexed)
        │ └────reject────▶ afgewezen (with a reason)
        └─ save (author or editor): a new version of the same proposal

Every change names the version it was based on (the ETag `"<id>-<version>"`) and the UPDATE
checks it, so of two concurrent changes one wins and the other gets 412. Every step is recorded
in the audit log, with metadata only.

An approval writes `content/interventions/<slug>.md` and indexes the content again through
`kb.interventions.indexing.Publisher.publish` (`rebuild`), so the entry is searchable when the
answer arrives. The proposal is claimed first in a short transaction of its own: the index is
rebuilt in another transaction, and on SQLite a request transaction still holding the write lock
would make that one wait. If writing or indexing fails, the file and the claim are undone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from kb.access import Caller, can
from kb.auth import audit
from kb.clock import today as clock_today
from kb.clock import utcnow
from kb.errors import (
    ConflictError,
    FieldError,
    InvalidInputError,
    NotFoundError,
    PreconditionRequiredError,
    StaleVersionError,
    dutch_field_errors,
)
from kb.interventions.catalogue import Catalogue
from kb.interventions.indexing import Publisher
from kb.interventions.models import EntryRow
from kb.proposals.content import (
    CheckedProposal,
    changes,
    check_proposal,
    for_approval,
    new_slug,
    render_file,
    restore_file,
    write_file,
)
from kb.proposals.models import Proposal
from kb.proposals.schemas import (
    Approved,
    FieldChange,
    ProposalCreated,
    ProposalIn,
    ProposalOut,
    ProposalSummary,
    RejectIn,
    SimilarEntry,
    SimilarIn,
    SimilarOut,
)
from kb.search.base import SearchBackend
from kb.vocabulary import PROPOSAL_STATUSES

__all__ = ["OBJECT_TYPE", "SIMILAR_LIMIT", "ProposalService", "find_similar", "parse"]

OBJECT_TYPE = "proposal"
SIMILAR_LIMIT = 5
ENTRY_PATH = "/interventies"
_NOT_FOUND = "Dit voorstel bestaat niet of u heeft er geen toegang toe."
_STATUS_WORDS = {
    "ingediend": "ingediend",
    "goedgekeurd": "al goedgekeurd",
    "afgewezen": "afgewezen",
}


M = TypeVar("M", bound=BaseModel)


def parse(model: type[M], data: Any) -> M:
    """`data` as `model`, or `InvalidInputError` with Dutch field errors."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InvalidInputError(
            "Een of meer velden zijn ongeldig.", dutch_field_errors(exc)
        ) from exc


def find_similar(
    backend: SearchBackend, catalogue: Catalogue, asked: SimilarIn, limit: int = SIMILAR_LIMIT
) -> list[SimilarEntry]:
    """Existing and ended entries like a proposal, best first, by the search engine's own
    relevance ("more like this"), each with its result: the duplicate-pilot warning."""
    text = "\n".join((asked.title, asked.summary, " ".join(asked.locations))).strip()
    if not text:
        return []
    found = []
    for hit in backend.similar(text, limit):
        entry = catalogue.by_slug.get(hit.slug)
        if entry is None:  # indexed by a newer generation than this process's catalogue
            continue
        found.append(
            SimilarEntry(
                slug=entry.slug,
                title=entry.title,
                kind=entry.kind,
                status=entry.status,
                score=round(hit.score, 3),
                result=entry.pilot.result if entry.pilot else None,
                evidence=entry.evidence.label,
                url=f"{ENTRY_PATH}/{entry.slug}",
            )
        )
    return found


class ProposalService:
    """Register, read, change and decide proposals, for one caller.

    Args:
        session: The request's session; the web edge commits it for a 2xx and rolls it back
            otherwise.
        caller: Who asks: every step is theirs in the audit log.
        catalogue: The current catalogue (`CatalogueStore.current`).
        backend: The search engine, for the duplicate warning.
        publisher: Indexes the content again after an approval; None where nothing is approved.
    """

    def __init__(
        self,
        session: Session,
        caller: Caller,
        catalogue: Callable[[], Catalogue],
        backend: SearchBackend,
        publisher: Publisher | None = None,
        today: Callable[[], dt.date] = clock_today,
    ) -> None:
        self.session = session
        self.caller = caller
        self.catalogue = catalogue
        self.backend = backend
        self.publisher = publisher
        self.today = today

    @property
    def is_editor(self) -> bool:
        return can(self.caller.user, "content.review")

    # --- The duplicate warning -----------------------------------------------------------------

    def similar(self, data: Any) -> SimilarOut:
        return SimilarOut(
            similar=find_similar(self.backend, self.catalogue(), parse(SimilarIn, data))
        )

    # --- Writes --------------------------------------------------------------------------------

    def create(self, data: Any) -> ProposalCreated:
        """A new proposal (`ingediend`), and the similar entries its author has now been shown."""
        checked = self._checked(parse(ProposalIn, data))
        now = utcnow()
        proposal = Proposal(
            about=checked.about,
            title=checked.title,
            kind=checked.kind,
            front_matter=checked.front_matter,
            body=checked.body,
            note=checked.note,
            status="ingediend",
            version=1,
            author_id=self.caller.user.id,
            created_at=now,
            updated_at=now,
        )
        self.session.add(proposal)
        self.session.flush()
        self._record("proposal.create", proposal)
        asked = SimilarIn(
            title=checked.title,
            summary=str(checked.front_matter.get("summary") or ""),
            locations=list((checked.front_matter.get("pilot") or {}).get("locations") or []),
        )
        similar = [
            s
            for s in find_similar(self.backend, self.catalogue(), asked)
            if s.slug != checked.about
        ]
        return ProposalCreated(**self._out(proposal).model_dump(), similar=similar)

    def save(self, proposal_id: int, data: Any, expected: Collection[str]) -> ProposalOut:
        """Replace the proposal's fields (its author or an editor, while `ingediend`)."""
        proposal = self._open(proposal_id, expected, "proposal.edit", require_version=True)
        checked = self._checked(parse(ProposalIn, data))
        self._update(proposal, **_columns(checked))
        self._record("proposal.edit", proposal)
        return self._out(proposal)

    def approve(
        self, proposal_id: int, expected: Collection[str] = (), edited: Any | None = None
    ) -> Approved:
        """Write the entry's content file, index it, and mark the proposal `goedgekeurd`.

        `edited`: the editor's own changes (a proposal body), saved as part of the approval.
        """
        assert self.publisher is not None, "approving needs a publisher"
        proposal = self._open(proposal_id, expected, "proposal.approve")
        checked = self._checked(parse(ProposalIn, edited)) if edited is not None else None
        source = checked or _as_checked(proposal)
        catalogue = self.catalogue()
        slug = source.about or new_slug(source.title, _taken(catalogue, self.publisher))
        front = for_approval(source.front_matter, self.today())
        text = render_file(front, source.body)
        values: dict[str, Any] = _columns(checked) if checked is not None else {}
        version = self._claim(proposal, slug, edited=checked is not None, **values)
        previous = write_file(self.publisher.content_dir, slug, text)
        try:
            self.publisher.publish(note=f"Voorstel {proposal.id} goedgekeurd")
        except BaseException:
            restore_file(self.publisher.content_dir, slug, previous)
            self._unclaim(proposal, version)
            raise
        self.session.refresh(proposal)
        return Approved(
            id=proposal.id,
            slug=slug,
            url=f"{ENTRY_PATH}/{slug}",
            status="goedgekeurd",
            etag=proposal.etag,
        )

    def reject(self, proposal_id: int, data: Any, expected: Collection[str] = ()) -> ProposalOut:
        """Refuse the proposal, with a reason its author reads."""
        asked = parse(RejectIn, data)
        proposal = self._open(proposal_id, expected, "proposal.reject")
        self._update(
            proposal,
            status="afgewezen",
            reason=asked.reason,
            decided_by_id=self.caller.user.id,
            decided_at=utcnow(),
        )
        self._record("proposal.reject", proposal)
        return self._out(proposal)

    # --- Reads ---------------------------------------------------------------------------------

    def read(self, proposal_id: int) -> ProposalOut:
        return self._out(self._readable(proposal_id))

    def overview(self, status: str | None = None) -> list[ProposalSummary]:
        """Editors: every proposal; others: their own. Newest first."""
        if status is not None and status not in PROPOSAL_STATUSES:
            choices = ", ".join(PROPOSAL_STATUSES)
            error = FieldError(("query", "status"), f"Kies een van: {choices}.")
            raise InvalidInputError("Onbekende status.", [error])
        query = select(Proposal).order_by(Proposal.updated_at.desc(), Proposal.id.desc())
        if not self.is_editor:
            query = query.where(Proposal.author_id == self.caller.user.id)
        if status is not None:
            query = query.where(Proposal.status == status)
        return [_summary(p) for p in self.session.scalars(query).unique()]

    def current_entry(self, slug: str) -> tuple[dict[str, Any], str] | None:
        """The entry's front matter and Markdown body as the rows hold them (None: no entry)."""
        row = self.session.scalar(select(EntryRow).where(EntryRow.slug == slug))
        return (dict(row.front_matter), row.body_markdown) if row is not None else None

    # --- Internals -----------------------------------------------------------------------------

    def _checked(self, asked: ProposalIn) -> CheckedProposal:
        catalogue = self.catalogue()
        return check_proposal(
            asked.about, asked.front_matter, asked.body, asked.note, catalogue.by_slug, self.today()
        )

    def _readable(self, proposal_id: int) -> Proposal:
        proposal = self.session.get(Proposal, proposal_id)
        if proposal is None or not (self.is_editor or proposal.author_id == self.caller.user.id):
            raise NotFoundError(_NOT_FOUND)
        return proposal

    def _open(
        self,
        proposal_id: int,
        expected: Collection[str],
        action: str,
        require_version: bool = False,
    ) -> Proposal:
        """The proposal, while `ingediend`, at the version `expected` names (else 409, 412)."""
        proposal = self._readable(proposal_id)
        if proposal.status != "ingediend":
            raise ConflictError(
                f"Dit voorstel is {_STATUS_WORDS[proposal.status]} en verandert niet meer."
            )
        if require_version and not expected:
            raise PreconditionRequiredError(
                "Stuur de versie mee die u wijzigt: de header If-Match met de ETag die u kreeg, "
                f"bijvoorbeeld If-Match: {proposal.etag}."
            )
        if expected and proposal.etag not in expected:
            raise _stale(proposal)
        return proposal

    def _update(self, proposal: Proposal, **values: Any) -> None:
        """UPDATE the row only if nobody changed it since it was read, else 412."""
        result = self.session.execute(
            update(Proposal)
            .where(
                Proposal.id == proposal.id,
                Proposal.version == proposal.version,
                Proposal.status == "ingediend",
            )
            .values(version=Proposal.version + 1, updated_at=utcnow(), **values)
            .execution_options(synchronize_session=False)
        )
        changed = getattr(result, "rowcount", 0) == 1
        self.session.refresh(proposal)
        if not changed:
            raise _stale(proposal)

    def _claim(self, proposal: Proposal, slug: str, edited: bool, **values: Any) -> int:
        """Mark the proposal approved in a transaction of its own; the version it got."""
        with Session(self.session.get_bind()) as own, own.begin():
            result = own.execute(
                update(Proposal)
                .where(
                    Proposal.id == proposal.id,
                    Proposal.version == proposal.version,
                    Proposal.status == "ingediend",
                )
                .values(
                    version=Proposal.version + 1,
                    status="goedgekeurd",
                    slug=slug,
                    decided_by_id=self.caller.user.id,
                    decided_at=utcnow(),
                    updated_at=utcnow(),
                    **values,
                )
                .execution_options(synchronize_session=False)
            )
            if getattr(result, "rowcount", 0) != 1:
                # Someone changed or decided it since it was read (the transaction rolls back).
                self.session.refresh(proposal)
                raise _stale(proposal)
            version = proposal.version + 1
            detail = {"slug": slug, "edited": edited}
            self._record("proposal.approve", proposal, own, version, "goedgekeurd", detail)
        return version

    def _unclaim(self, proposal: Proposal, version: int) -> None:
        """Back to `ingediend` after a failed approval (a new version: the old ETag is spent)."""
        with Session(self.session.get_bind()) as own, own.begin():
            own.execute(
                update(Proposal)
                .where(Proposal.id == proposal.id, Proposal.version == version)
                .values(
                    version=version + 1,
                    status="ingediend",
                    slug=None,
                    decided_by_id=None,
                    decided_at=None,
                    updated_at=utcnow(),
                )
            )
            self._record("proposal.approve_failed", proposal, own, version + 1, "ingediend")

    def _record(
        self,
        action: str,
        proposal: Proposal,
        session: Session | None = None,
        version: int | None = None,
        status: str | None = None,
        detail: dict[str, Any] | None = None,
    ) -> None:
        audit.record(
            session or self.session,
            user=self.caller.user,
            action=action,
            object_type=OBJECT_TYPE,
            object_id=proposal.id,
            version=version or proposal.version,
            address=self.caller.address,
            detail={"via": self.caller.via, "status": status or proposal.status, **(detail or {})},
        )

    def _out(self, proposal: Proposal) -> ProposalOut:
        current = self.current_entry(proposal.about) if proposal.about else None
        rows = changes(
            proposal.front_matter,
            proposal.body,
            current[0] if current else None,
            current[1] if current else None,
        )
        return ProposalOut(
            **_summary(proposal).model_dump(),
            front_matter=proposal.front_matter,
            body=proposal.body,
            note=proposal.note,
            decided_by=proposal.decided_by.username if proposal.decided_by else None,
            decided_at=proposal.decided_at,
            reason=proposal.reason,
            changes=[FieldChange(field=f, label=label, old=o, new=n) for f, label, o, n in rows],
        )


def _summary(proposal: Proposal) -> ProposalSummary:
    return ProposalSummary(
        id=proposal.id,
        about=proposal.about,
        slug=proposal.slug,
        title=proposal.title,
        kind=proposal.kind,
        status=proposal.status,  # type: ignore[arg-type]
        author=proposal.author.username,
        version=proposal.version,
        etag=proposal.etag,
        created_at=proposal.created_at,
        updated_at=proposal.updated_at,
    )


def _columns(checked: CheckedProposal) -> dict[str, Any]:
    return {
        "about": checked.about,
        "title": checked.title,
        "kind": checked.kind,
        "front_matter": checked.front_matter,
        "body": checked.body,
        "note": checked.note,
    }


def _as_checked(proposal: Proposal) -> CheckedProposal:
    return CheckedProposal(
        proposal.about, dict(proposal.front_matter), proposal.body, proposal.note
    )


def _taken(catalogue: Catalogue, publisher: Publisher) -> set[str]:
    """Slugs in use: the catalogue's and any file in the content folder not indexed yet."""
    folder = publisher.content_dir / "interventions"
    return set(catalogue.by_slug) | {path.stem for path in folder.glob("*.md")}


def _stale(proposal: Proposal) -> StaleVersionError:
    return StaleVersionError(
        f"Dit voorstel is intussen door iemand anders gewijzigd of behandeld; de huidige versie "
        f"is {proposal.etag} ({_STATUS_WORDS[proposal.status]}). Haal die op en probeer het "
        "opnieuw: uw eigen invoer is niet opgeslagen en niet weggegooid.",
        proposal.etag,
    )
