"""Who is asking (`CurrentUser`, `Caller`) and what they may do: the role × action table and the
case-level rules of domain.md §7. Services, guards and pages all read these.

Two layers, both pure functions over typed input so they can be tested from a table:

1. `PERMISSIONS` says which roles may perform an action at all (`can`); guards enforce it on routes.
2. `may_read_analysis`, `may_edit_analysis`, … narrow that to one analysis, from its facts
   (court, office, author, status). A route that finds a rule says no answers 404 for reads — a
   judge of another court must not learn that the case exists — and 403 for actions on an
   analysis the user may already read.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal, Protocol, get_args

from pydantic import BaseModel, ConfigDict, computed_field

from kb.errors import NotFoundError, PermissionDeniedError
from kb.vocabulary import ROLE_LABELS, ROLES, AnalysisStatus, Role

__all__ = [
    "ACTIONS",
    "PERMISSIONS",
    "Action",
    "AnalysisFacts",
    "AnalysisStatus",
    "Caller",
    "CaseRule",
    "CurrentUser",
    "HasRole",
    "Permission",
    "Person",
    "Principal",
    "Role",
    "can",
    "ensure",
    "may_approve_analysis",
    "may_close_analysis",
    "may_edit_analysis",
    "may_read_analysis",
    "may_reassess_analysis",
    "may_submit_analysis",
    "roles_for",
]

Action = Literal[
    "kb.read",
    "pilot.propose",
    "content.review",
    "search_analytics.read",
    "desk.handout",
    "analysis.create",
    "analysis.read",
    "analysis.edit_own_draft",
    "analysis.submit",
    "analysis.reassess",
    "analysis.approve",
    "analysis.evaluate",
    "accounts.manage",
    "audit.read_metadata",
    "desk_profile.manage",
    "analysis.close",
    "monitor.read",
]
ACTIONS: tuple[Action, ...] = get_args(Action)

_PROFESSIONALS: frozenset[Role] = frozenset(
    {"rechter", "raadsonderzoeker", "gedragsdeskundige", "loketmedewerker", "redacteur"}
)


@dataclass(frozen=True)
class Permission:
    """One row of the table: an action, the roles that may perform it, and why."""

    action: Action
    roles: frozenset[Role]
    why: str


PERMISSIONS: tuple[Permission, ...] = (
    Permission(
        "kb.read",
        frozenset(ROLES),
        "The knowledge base is public; every account may read it too.",
    ),
    Permission(
        "pilot.propose",
        _PROFESSIONALS,
        "Professionals register running pilots (domain.md §6); the beheerder is not one of them.",
    ),
    Permission(
        "content.review",
        frozenset({"redacteur"}),
        "Editors review pilot proposals and stale entries (domain.md §2, §6).",
    ),
    Permission(
        "search_analytics.read",
        frozenset({"redacteur"}),
        "Editors see the searches that found nothing (domain.md §6).",
    ),
    Permission(
        "desk.handout",
        frozenset({"loketmedewerker"}),
        "The walk-in desk prints handouts and refers parents (domain.md §2, §5).",
    ),
    Permission(
        "analysis.create",
        frozenset({"raadsonderzoeker"}),
        "Raad investigators fill in conflict analyses (domain.md §2).",
    ),
    Permission(
        "analysis.read",
        frozenset({"rechter", "raadsonderzoeker", "gedragsdeskundige"}),
        "Judges, investigators and behavioural experts read analyses, as narrowed by "
        "`may_read_analysis`; desk workers, editors and the beheerder never see case data (§7).",
    ),
    Permission(
        "analysis.edit_own_draft",
        frozenset({"raadsonderzoeker"}),
        "An investigator edits their own drafts (`may_edit_analysis`).",
    ),
    Permission(
        "analysis.submit",
        frozenset({"raadsonderzoeker"}),
        "An investigator sends their own draft for approval (`may_submit_analysis`).",
    ),
    Permission(
        "analysis.reassess",
        frozenset({"raadsonderzoeker"}),
        "An investigator starts a re-assessment of their own submitted analysis (§4).",
    ),
    Permission(
        "analysis.approve",
        frozenset({"gedragsdeskundige"}),
        "A behavioural expert approves analyses of their own office (`may_approve_analysis`).",
    ),
    Permission(
        "analysis.evaluate",
        frozenset({"raadsonderzoeker", "gedragsdeskundige"}),
        "The Raad computes a recommendation without storing anything (contracts.md).",
    ),
    Permission(
        "accounts.manage",
        frozenset({"beheerder"}),
        "The beheerder manages accounts (domain.md §2).",
    ),
    Permission(
        "audit.read_metadata",
        frozenset({"beheerder"}),
        "The beheerder sees who did what and when, never the case content (domain.md §2, §7).",
    ),
    Permission(
        "desk_profile.manage",
        frozenset({"beheerder"}),
        "The beheerder keeps each municipality's desk profile, printed on its handouts (§5).",
    ),
    Permission(
        "analysis.close",
        frozenset({"raadsonderzoeker"}),
        "An investigator records the outcome of their own case once it is submitted "
        "(`may_close_analysis`; domain.md §9.5).",
    ),
    Permission(
        "monitor.read",
        frozenset({"rechter", "raadsonderzoeker", "gedragsdeskundige", "redacteur", "beheerder"}),
        "The Taskforce's indicators, aggregates only: judges and the Raad for their own court, "
        "editors and the beheerder for all courts and the country (domain.md §8, contracts.md).",
    ),
)

_ROLES_BY_ACTION: Mapping[str, frozenset[Role]] = {p.action: p.roles for p in PERMISSIONS}


class HasRole(Protocol):
    """Anyone with a role: enough for the permission table."""

    @property
    def role(self) -> str: ...


class Principal(HasRole, Protocol):
    """What the case-level rules need to know of a user; `kb.auth.schemas.CurrentUser` is one."""

    @property
    def id(self) -> int: ...

    @property
    def court(self) -> str | None: ...

    @property
    def office(self) -> str | None: ...


def roles_for(action: str) -> frozenset[Role]:
    """The roles that may perform `action`; an unknown action is a programming error."""
    return _ROLES_BY_ACTION[action]


def can(user: HasRole | None, action: Action) -> bool:
    """True when `user` (None: anonymous) may perform `action` at all."""
    return user is not None and user.role in roles_for(action)


@dataclass(frozen=True)
class AnalysisFacts:
    """The facts about one analysis version that decide who may see or change it."""

    court: str
    office: str
    author_id: int
    status: AnalysisStatus


def _same(a: str | None, b: str | None) -> bool:
    # A missing scope never matches, not even another missing scope.
    return a is not None and b is not None and a == b


def may_read_analysis(user: Principal | None, facts: AnalysisFacts) -> bool:
    """domain.md §7: a judge reads only submitted analyses of their own court; an investigator
    their own and their office's; a behavioural expert their office's; nobody else any."""
    if not can(user, "analysis.read"):
        return False
    assert user is not None
    if user.role == "rechter":
        return facts.status == "ingediend" and _same(user.court, facts.court)
    if user.role == "raadsonderzoeker":
        return facts.author_id == user.id or _same(user.office, facts.office)
    if user.role == "gedragsdeskundige":
        return _same(user.office, facts.office)
    return False


def _own_analysis(user: Principal | None, action: Action, facts: AnalysisFacts) -> bool:
    return can(user, action) and user is not None and facts.author_id == user.id


def may_edit_analysis(user: Principal | None, facts: AnalysisFacts) -> bool:
    """Only its own investigator, and only while it is a draft (`concept`)."""
    return _own_analysis(user, "analysis.edit_own_draft", facts) and facts.status == "concept"


def may_submit_analysis(user: Principal | None, facts: AnalysisFacts) -> bool:
    """Its own investigator sends a draft to the behavioural expert (`ter_accordering`)."""
    return _own_analysis(user, "analysis.submit", facts) and facts.status == "concept"


def may_reassess_analysis(user: Principal | None, facts: AnalysisFacts) -> bool:
    """Its own investigator re-assesses a submitted analysis (a new `concept` version)."""
    return _own_analysis(user, "analysis.reassess", facts) and facts.status == "ingediend"


def may_approve_analysis(user: Principal | None, facts: AnalysisFacts) -> bool:
    """A behavioural expert of the same office approves an analysis awaiting approval."""
    return (
        can(user, "analysis.approve")
        and user is not None
        and _same(user.office, facts.office)
        and facts.status == "ter_accordering"
    )


def may_close_analysis(user: Principal | None, facts: AnalysisFacts) -> bool:
    """Its own investigator records the case's outcome, once the last version is `ingediend`."""
    return _own_analysis(user, "analysis.close", facts) and facts.status == "ingediend"


# A case-level rule: `may_read_analysis`, `may_edit_analysis`, …
CaseRule = Callable[[Principal | None, AnalysisFacts], bool]


def ensure(
    rule: CaseRule,
    user: Principal | None,
    facts: AnalysisFacts,
    *,
    hide: bool,
) -> None:
    """Apply a case-level rule (`may_read_analysis`, …) to one analysis.

    Args:
        rule: One of the `may_*` functions above.
        user: The signed-in user.
        facts: The analysis's court, office, author and status.
        hide: True for reads: answer 404, so nobody learns that a case exists that they may
            not see (a judge of another court). False for actions on an analysis the user may
            read: answer 403.
    """
    if rule(user, facts):
        return
    if hide:
        raise NotFoundError("Deze analyse bestaat niet of u heeft er geen toegang toe.")
    raise PermissionDeniedError("U mag deze handeling niet uitvoeren op deze analyse.")


# --- Who is asking ----------------------------------------------------------------------------


class Person(BaseModel):
    """Who someone is: a name, one role, and the court, office or municipality it needs."""

    model_config = ConfigDict(from_attributes=True)

    username: str
    role: str
    court: str | None = None
    office: str | None = None
    municipality: str | None = None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.role, self.role)


class CurrentUser(Person):
    """The signed-in user of one request, as the guards and the case-level rules see them."""

    model_config = ConfigDict(frozen=True)

    id: int
    via: Literal["session", "token"] = "session"
    token_id: int | None = None

    @property
    def scope(self) -> str | None:
        """The court, office or municipality that limits what this user sees."""
        return self.court or self.office or self.municipality


@dataclass(frozen=True)
class Caller:
    """Who asks, from where (`address`), and through which door (`api`, `pagina`, …): what a
    service needs of a request to check access and write the audit trail."""

    user: CurrentUser
    address: str | None = None
    via: str = "api"
