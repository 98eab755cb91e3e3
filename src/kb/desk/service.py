"""Rules of the desk pages: the guide's matching, local help, and the entries chosen to compare or print.

The guide recommends with the conflict analysis's own rules (`kb.conflict_analysis.matching`):
the same candidates, the same age and Glasl-phase fit, the same contra-indications held back
when unsafe, and the same order. Only the trigger for holding joint formats back is wider: a
parent's "ik weet het niet zeker" already counts, because a desk cannot tell situational violence
from coercive control in three questions, and wrongly holding back mediation costs less than
recommending it under intimate terror.

Nothing a parent answers is written anywhere: the service only reads the catalogue. The one
thing the desk writes is its own profile (`DeskProfileService`), kept by the beheerder.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kb.access import CurrentUser
from kb.auth import audit
from kb.auth.models import Account
from kb.clock import utcnow
from kb.conflict_analysis.matching import MAX_MATCHES, Fit, dutch_list, suitable
from kb.conflict_analysis.rules import EXCLUDED_WHEN_UNSAFE
from kb.desk.models import DeskProfile
from kb.desk.schemas import (
    DESK_PROFILE_FIELDS,
    DeskProfileIn,
    DeskProfileOut,
    GuideAnswers,
    GuideMatch,
    GuideResult,
    LocalHelp,
    LocalOffer,
    Place,
)
from kb.errors import (
    FieldError,
    InvalidInputError,
    NotFoundError,
    PreconditionRequiredError,
    StaleVersionError,
)
from kb.interventions.catalogue import CANDIDATE_STATUSES, Catalogue
from kb.interventions.places import reaches
from kb.interventions.schemas import Entry
from kb.regions import register
from kb.vocabulary import ROUTE_FOR_PARENTS

__all__ = [
    "Contact",
    "DeskOverview",
    "DeskProfileService",
    "DeskService",
    "contacts",
    "held_back_when",
    "how_to_get",
]

# Tools and guidelines are for professionals; a parent's list of local help leaves them out.
NOT_FOR_PARENTS_KINDS = frozenset({"instrument", "richtlijn"})


def held_back_when(answers: GuideAnswers) -> tuple[str, ...]:
    """The contra-indications whose entries the guide leaves out for these answers."""
    return tuple(EXCLUDED_WHEN_UNSAFE) if answers.unsafe else ()


def _for_parents(entry: Entry) -> bool:
    return entry.kind not in NOT_FOR_PARENTS_KINDS and set(entry.audience) != {"professional"}


# Whom a parent asks when an entry does not say how to get it.
ASK_THE_DESK = "het scheidingsloket of het wijkteam van uw gemeente"


def how_to_get(entry: Entry, desk: str | None = None) -> list[str]:
    """How a parent gets this help, in plain words, from everything the entry knows.

    The route says it best, but many entries name none; their providers or their national
    availability still tell a parent where to go, so "not known" is never all a parent reads.
    `desk` names the desk that hands this out (its profile), else the municipality's desk.
    """
    if entry.route:
        return [ROUTE_FOR_PARENTS[r] for r in entry.route]
    steps = []
    if entry.providers:
        steps.append("Meld u aan bij een aanbieder.")
    elif entry.national:
        steps.append("U kunt dit overal in Nederland krijgen.")
    steps.append(f"Weet u niet hoe? Vraag ernaar bij {desk or ASK_THE_DESK}.")
    return steps


@dataclass(frozen=True)
class Contact:
    """Providers that share one site, cost and waiting time: one line on a handout."""

    names: list[str]
    url: str | None
    cost: str | None
    waiting_weeks: float | None


def contacts(entry: Entry) -> list[Contact]:
    """The entry's providers for a handout, those sharing a site on one line, in their order."""
    grouped: dict[tuple[str | None, str | None, float | None], list[str]] = {}
    for p in entry.providers:
        where = ", ".join(p.municipalities) or (f"provincie {p.province}" if p.province else "")
        name = f"{p.name} ({where})" if where else p.name
        key = (str(p.url) if p.url else None, p.cost, p.waiting_weeks)
        grouped.setdefault(key, []).append(name)
    return [Contact(names, url, cost, weeks) for (url, cost, weeks), names in grouped.items()]


class DeskService:
    """Reads the knowledge base for the parents' and desk pages."""

    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue

    def guide(self, answers: GuideAnswers) -> GuideResult:
        """Suitable help for the answers: at most five, plus any other local help that fits."""
        municipality = register().lookup(answers.municipality or "")
        local = {e.slug for e in self.catalogue if not e.national and reaches(e, municipality)}
        excluded = held_back_when(answers)
        fits = suitable(
            self.catalogue.candidates,
            answers.ages,
            answers.glasl_phase,
            excluded,
            lambda entry: reaches(entry, municipality),
        )
        matches = [_guide_match(f, answers.ages, local) for f in fits[:MAX_MATCHES]]
        also_local = [
            _guide_match(f, answers.ages, local)
            for f in fits[MAX_MATCHES:]
            if f.entry.slug in local
        ]
        return GuideResult(answers, matches, also_local, excluded)

    def local_help(self, place: Place | None) -> LocalHelp:
        """Help offered in `place` (with only the providers there) and help available everywhere."""
        running = [e for e in self.catalogue.by_title() if e.status in CANDIDATE_STATUSES]
        local = []
        if place is not None:
            for entry in running:
                there = [p for p in entry.providers if place.matches(p)]
                if there:
                    local.append(LocalOffer(entry, there))
        local.sort(key=lambda o: o.item.kind != "voorziening")  # stable: by title within
        national = [e for e in running if e.national and _for_parents(e)]
        # Every municipality, so the form suggests only names it will accept.
        municipalities = [m.name for m in register()]
        return LocalHelp(place, local, national, municipalities)

    def chosen(self, slugs: Sequence[str]) -> list[Entry]:
        """The entries for `slugs`; an unknown one is a field error, never a 404 or a 500."""
        unknown = [slug for slug in slugs if slug not in self.catalogue]
        if unknown:
            names = ", ".join(f"‘{s}’" for s in unknown)
            message = f"Deze items bestaan niet: {names}. Kies uit de lijst."
            raise InvalidInputError(
                "De keuze is niet compleet.", [FieldError(("form", "slug"), message)]
            )
        return [self.catalogue.get(slug) for slug in slugs]

    def choices(self) -> list[Entry]:
        """Every entry, by title: what the comparison and handout forms offer."""
        return self.catalogue.by_title()


def _guide_match(fit: Fit, ages: Sequence[int], local: set[str]) -> GuideMatch:
    entry = fit.entry
    if entry.slug in local:
        availability = "lokaal"
    elif entry.national:
        availability = "landelijk"
    elif entry.arrondissements:
        availability = "regio"
    else:
        availability = "onbekend"
    reasons = [_age_reason(entry, [ages[i] for i in fit.fitting])]
    if entry.glasl_phases:
        reasons.append("Past bij hoe u en de andere ouder nu met elkaar omgaan.")
    if entry.kind == "pilot":
        reasons.append("Dit is een proef (pilot) die nog loopt.")
    return GuideMatch(item=entry, availability=availability, reasons=reasons)  # type: ignore[arg-type]


def _age_reason(entry: Entry, ages: Sequence[int]) -> str:
    if entry.age_min is None and entry.age_max is None:
        return "Voor kinderen van elke leeftijd."
    fitting = sorted(set(ages))
    words = dutch_list([str(a) for a in fitting])
    if len(fitting) == 1:
        return f"Past bij uw kind van {words} jaar."
    return f"Past bij uw kinderen van {words} jaar."


# --- The desk profile ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DeskOverview:
    """One municipality on the beheerder's list: its desk accounts and its profile, if any."""

    municipality: str
    accounts: int
    profile: DeskProfileOut | None


class DeskProfileService:
    """Reads and keeps the desk profiles; every change is in the audit log, in its transaction.

    A change names the revision it was based on (`expected`, the client's `If-Match`), so two
    beheerders editing the same desk never overwrite each other silently (412).
    """

    def __init__(self, session: Session) -> None:
        self.session = session

    def overview(self) -> list[DeskOverview]:
        """Every municipality with an active desk account or a profile, by name."""
        rows = self.session.execute(
            select(Account.municipality, func.count())
            .where(
                Account.role == "loketmedewerker",
                Account.municipality.is_not(None),
                Account.disabled_at.is_(None),
            )
            .group_by(Account.municipality)
        ).all()
        counts: dict[str, int] = {name: count for name, count in rows if name is not None}
        profiles = {p.municipality: p for p in self._all()}
        names = sorted(set(counts) | set(profiles), key=str.casefold)
        return [DeskOverview(n, counts.get(n, 0), profiles.get(n)) for n in names]

    def profiles(self) -> list[DeskProfileOut]:
        return self._all()

    def get(self, municipality: str) -> DeskProfileOut | None:
        """The profile of `municipality` (any name the municipality list knows), or None."""
        row = self._row(register().resolve(municipality).name)
        return DeskProfileOut.model_validate(row) if row is not None else None

    def require(self, municipality: str) -> DeskProfileOut:
        found = self.get(municipality)
        if found is None:
            raise NotFoundError(f"Voor {municipality} is nog geen loketprofiel ingevuld.")
        return found

    def for_user(self, user: CurrentUser | None) -> DeskProfileOut | None:
        """The profile a desk worker's handouts carry: that of their own municipality."""
        if user is None or user.role != "loketmedewerker" or not user.municipality:
            return None
        row = self._row(user.municipality)
        return DeskProfileOut.model_validate(row) if row is not None else None

    def save(
        self,
        municipality: str,
        profile: DeskProfileIn,
        expected: Collection[str],
        *,
        by: CurrentUser,
        address: str | None = None,
    ) -> DeskProfileOut:
        """Create the profile, or change it when `expected` names its current ETag."""
        name = register().resolve(municipality).name
        row = self._row(name)
        values = profile.model_dump()
        if row is None:
            if expected:  # based on a profile that is gone, or another desk's
                raise StaleVersionError(_STALE, '""')
            row = self._create(name, values, by)
            action, changed = "desk_profile.create", sorted(k for k, v in values.items() if v)
        else:
            if not expected:
                raise PreconditionRequiredError(
                    "Dit loketprofiel bestaat al: stuur de ETag mee die u kreeg (If-Match)."
                )
            changed = [k for k in DESK_PROFILE_FIELDS if getattr(row, k) != values[k]]
            self._update(row, expected, values, by)
            action = "desk_profile.update"
        audit.record(
            self.session,
            user=by,
            action=action,
            object_type="desk_profile",
            object_id=name,
            version=row.revision,
            address=address,
            detail={"fields": changed},  # which fields, never their text
        )
        return DeskProfileOut.model_validate(row)

    def _all(self) -> list[DeskProfileOut]:
        rows = self.session.scalars(select(DeskProfile).order_by(DeskProfile.municipality))
        return [DeskProfileOut.model_validate(r) for r in rows]

    def _row(self, municipality: str) -> DeskProfile | None:
        return self.session.scalar(
            select(DeskProfile).where(DeskProfile.municipality == municipality)
        )

    def _create(self, municipality: str, values: dict[str, str], by: CurrentUser) -> DeskProfile:
        row = DeskProfile(
            municipality=municipality, revision=1, updated_at=utcnow(), updated_by_id=by.id
        )
        for key, value in values.items():
            setattr(row, key, value)
        try:
            with self.session.begin_nested():  # another beheerder may create it at the same moment
                self.session.add(row)
        except IntegrityError:
            raise StaleVersionError(_STALE, '"1"') from None
        return row

    def _update(
        self, row: DeskProfile, expected: Collection[str], values: dict[str, str], by: CurrentUser
    ) -> None:
        """UPDATE only if nobody saved since the revision the client saw, else 412."""
        seen = row.revision
        if f'"{seen}"' not in expected:
            raise StaleVersionError(_STALE, f'"{seen}"')
        result = self.session.execute(
            update(DeskProfile)
            .where(DeskProfile.id == row.id, DeskProfile.revision == seen)
            .values(revision=seen + 1, updated_at=utcnow(), updated_by_id=by.id, **values)
            .execution_options(synchronize_session=False)
        )
        self.session.refresh(row)
        if getattr(result, "rowcount", 0) != 1:
            raise StaleVersionError(_STALE, f'"{row.revision}"')


_STALE = (
    "Iemand anders heeft dit loketprofiel intussen opgeslagen. Bekijk de nieuwe gegevens en "
    "sla uw wijzigingen opnieuw op: uw invoer is niet opgeslagen."
)
