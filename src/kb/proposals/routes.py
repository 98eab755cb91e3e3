"""HTTP for the proposals: `ProposalsApi` and `EditorialApi` (JSON, contracts.md) here, the pages
in `pages.py`. Both call the same `ProposalService` methods through the same dependencies."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Response, get, post, put
from litestar.di import NamedDependency, Provide
from litestar.params import Body, FromPath, QueryParameter
from sqlalchemy.orm import Session

from kb.access import Caller
from kb.clock import today
from kb.interventions.catalogue import Catalogue
from kb.interventions.indexing import Publisher
from kb.proposals.editorial import due_report
from kb.proposals.schemas import (
    Approved,
    DueReport,
    ProposalCreated,
    ProposalOut,
    ProposalSummary,
    SimilarOut,
)
from kb.proposals.service import ProposalService
from kb.search.base import SearchBackend
from kb.web.conditional import Expected, provide_expected, with_etag
from kb.web.operations import operation

__all__ = ["API_PATH", "PROPOSAL_DEPENDENCIES", "EditorialApi", "Proposals", "ProposalsApi"]

API_PATH = "/api/v1/proposals"


def provide_proposals(
    db_session: NamedDependency[Session],
    caller: NamedDependency[Caller],
    catalogue: NamedDependency[Catalogue],
    search_backend: NamedDependency[SearchBackend],
    publisher: NamedDependency[Publisher],
) -> ProposalService:
    return ProposalService(db_session, caller, lambda: catalogue, search_backend, publisher)


PROPOSAL_DEPENDENCIES = {
    "proposals": Provide(provide_proposals, sync_to_thread=False),
    "expected": Provide(provide_expected, sync_to_thread=False),
}

# The service validates bodies itself (Dutch messages, the knowledge base's slugs), so Litestar
# takes any JSON.
ProposalData = Annotated[Any, Body(title="Voorstel", description="about, front_matter, body, note")]
SimilarData = Annotated[
    Any, Body(title="Tot nu toe getypt", description="title, summary, kind, locations")
]
RejectData = Annotated[Any, Body(title="Afwijzing", description="reason")]
StatusQuery = Annotated[
    str | None, QueryParameter(description="ingediend, goedgekeurd of afgewezen")
]
Proposals = NamedDependency[ProposalService]
Id = FromPath[int]

SIMILAR = operation(
    "Vergelijkbare bestaande en afgelopen items (de waarschuwing voor een dubbele pilot)",
    400,
    422,
    action="pilot.propose",
    status_code=200,
)
CREATE = operation(
    "Dien een voorstel in (pilot, nieuw item of correctie)", 400, 422, action="pilot.propose"
)
LIST = operation(
    "Voorstellen: de redacteur ziet alle, anderen hun eigen", 422, action="pilot.propose"
)
READ = operation("Eén voorstel, met wat het verandert", 404, action="pilot.propose")
SAVE = operation(
    "Vervang het voorstel (If-Match verplicht)",
    *(400, 404, 409, 412, 422, 428),
    action="pilot.propose",
)
APPROVE = operation(
    "Keur goed: schrijft het inhoudsbestand en indexeert; daarna vindbaar",
    *(404, 409, 412, 422),
    action="content.review",
    status_code=200,
)
REJECT = operation(
    "Wijs af, met een reden", *(400, 404, 409, 412, 422), action="content.review", status_code=200
)
DUE = operation(
    "Wat de redactie moet nakijken: verlopen herbeoordelingen en erkenningen, oude bronnen, "
    "zoekopdrachten zonder resultaat",
    action="content.review",
)


class ProposalsApi(Controller):
    """contracts.md: the pilot registry and the editors' review."""

    path = API_PATH
    tags = ["Voorstellen"]
    dependencies = PROPOSAL_DEPENDENCIES

    @post("/similar", **SIMILAR)
    def similar(self, proposals: Proposals, data: SimilarData) -> SimilarOut:
        return proposals.similar(data)

    @post("/", **CREATE)
    def create(self, proposals: Proposals, data: ProposalData) -> Response[ProposalCreated]:
        created = proposals.create(data)
        return with_etag(created, 201, f"{API_PATH}/{created.id}")

    @get("/", **LIST)
    def overview(self, proposals: Proposals, status: StatusQuery = None) -> list[ProposalSummary]:
        return proposals.overview(status)

    @get("/{proposal_id:int}", **READ)
    def read(self, proposals: Proposals, proposal_id: Id) -> Response[ProposalOut]:
        return with_etag(proposals.read(proposal_id))

    @put("/{proposal_id:int}", **SAVE)
    def save(
        self, proposals: Proposals, proposal_id: Id, data: ProposalData, expected: Expected
    ) -> Response[ProposalOut]:
        return with_etag(proposals.save(proposal_id, data, expected))

    @post("/{proposal_id:int}/approve", **APPROVE)
    def approve(
        self, proposals: Proposals, proposal_id: Id, expected: Expected
    ) -> Response[Approved]:
        return with_etag(proposals.approve(proposal_id, expected))

    @post("/{proposal_id:int}/reject", **REJECT)
    def reject(
        self, proposals: Proposals, proposal_id: Id, data: RejectData, expected: Expected
    ) -> Response[ProposalOut]:
        return with_etag(proposals.reject(proposal_id, data, expected))


class EditorialApi(Controller):
    path = "/api/v1/editorial"
    tags = ["Voorstellen"]

    @get("/due", **DUE)
    def due(
        self, db_session: NamedDependency[Session], catalogue: NamedDependency[Catalogue]
    ) -> DueReport:
        return due_report(db_session, catalogue, today())
