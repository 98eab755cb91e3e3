"""Rules of the desk pages: the guide's matching, local help, and the entries chosen to compare or print.

The guide recommends with the conflict analysis's own rules (`kb.conflict_analysis.matching`):
the same candidate kinds and statuses, the same age and Glasl-phase fit, never an entry flagged
harmful or without effect, the same contra-indications held back when unsafe, and the same order.
Only the trigger for holding joint formats back is wider: a parent's "ik weet het niet zeker"
already counts, because a desk cannot tell situational violence from coercive control in three
questions, and wrongly holding back mediation costs less than recommending it under intimate terror.

Nothing a parent answers is written anywhere: the service only reads the search index and the
database, and keeps no state between calls.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from kb.conflict_analysis.matching import (
    MATCHABLE_STATUSES,
    MAX_MATCHES,
    CandidateEntry,
    dutch_list,
    qualifies,
)
from kb.conflict_analysis.rules import EXCLUDED_WHEN_UNSAFE
from kb.desk.schemas import (
    GuideAnswers,
    GuideMatch,
    GuideResult,
    LocalHelp,
    LocalOffer,
    Place,
)
from kb.errors import FieldError, InvalidInputError, NotFoundError
from kb.interventions.models import Entry, EntryProvider
from kb.interventions.schemas import EntryDetail, Provider, SearchItem
from kb.interventions.service import InterventionService, SearchParams
from kb.search.base import SearchBackend

__all__ = ["DeskService", "Fit", "held_back_when", "suitable_entries"]

PAGE_SIZE = 100
# Tools and guidelines are for professionals; a parent's list of local help leaves them out.
NOT_FOR_PARENTS_KINDS = frozenset({"instrument", "richtlijn"})


def held_back_when(answers: GuideAnswers) -> tuple[str, ...]:
    """The contra-indications whose entries the guide leaves out for these answers."""
    return tuple(EXCLUDED_WHEN_UNSAFE) if answers.unsafe else ()


@dataclass(frozen=True)
class Fit:
    """A candidate that qualifies, the children's ages it fits and whether it is available."""

    entry: CandidateEntry
    ages: tuple[int, ...]
    available: bool

    def sort_key(self) -> tuple[int, int, bool, str]:
        # The conflict analysis's order (matching._Fit): evidence, then how many children it
        # fits, then availability, then the title.
        return (
            -self.entry.evidence_level,
            -len(self.ages),
            not self.available,
            self.entry.title.casefold(),
        )


def suitable_entries(
    candidates: Sequence[CandidateEntry],
    ages: Sequence[int],
    phase: int,
    excluded: Collection[str],
    local: Collection[str] = (),
) -> list[Fit]:
    """Every qualifying candidate, best first (domain.md §4.3, as `match_interventions`).

    Args:
        ages: the children's ages; an entry must fit at least one.
        phase: Glasl's main phase (1–3).
        excluded: contra-indications that rule an entry out.
        local: slugs offered in the parent's municipality; with national entries they count as
            available.
    """
    fits = []
    for entry in candidates:
        if not qualifies(entry, phase, excluded):
            continue
        fitting = tuple(age for age in ages if entry.fits_age(age))
        if fitting:
            fits.append(Fit(entry, fitting, entry.national or entry.slug in local))
    return sorted(fits, key=Fit.sort_key)


class DeskService:
    """Reads the knowledge base for the parents' and desk pages; both engines and SQL are read-only."""

    def __init__(self, backend: SearchBackend, session: Session | None = None) -> None:
        self.interventions = InterventionService(backend, session)
        self.session = session

    def all_items(self, municipality: str | None = None) -> list[SearchItem]:
        """Every entry as a search item (optionally only those offered in a municipality)."""
        items: list[SearchItem] = []
        page = 1
        while True:
            result = self.interventions.search(
                SearchParams(page=page, per_page=PAGE_SIZE, municipality=municipality)
            )
            items += result.items
            if not result.items or len(items) >= result.total:
                return items
            page += 1

    # --- The guide ------------------------------------------------------------------------------

    def guide(self, answers: GuideAnswers) -> GuideResult:
        """Suitable help for the answers: at most five, plus any other local help that fits."""
        items = {item.slug: item for item in self.all_items()}
        local: set[str] = set()
        if answers.municipality:
            local = {i.slug for i in self.all_items(answers.municipality) if not i.national}
        excluded = held_back_when(answers)
        fits = suitable_entries(
            [CandidateEntry.from_search_item(i) for i in items.values()],
            answers.ages,
            answers.glasl_phase,
            excluded,
            local,
        )
        matches = [_guide_match(f, items[f.entry.slug], local) for f in fits[:MAX_MATCHES]]
        also_local = [
            _guide_match(f, items[f.entry.slug], local)
            for f in fits[MAX_MATCHES:]
            if f.entry.slug in local
        ]
        return GuideResult(answers, matches, also_local, excluded)

    # --- Local help -----------------------------------------------------------------------------

    def local_help(self, place: Place | None) -> LocalHelp:
        """Help offered in `place` (with only the providers there) and help available everywhere."""
        items = [i for i in self.all_items() if i.status in MATCHABLE_STATUSES]
        providers = self._providers()
        local = []
        if place is not None:
            for item in items:
                there = [p for p in providers.get(item.slug, []) if place.matches(p)]
                if there:
                    local.append(LocalOffer(item, there))
        local.sort(key=lambda o: (o.item.kind != "voorziening", o.item.title.casefold()))
        national = sorted(
            (
                i
                for i in items
                if i.national
                and i.kind not in NOT_FOR_PARENTS_KINDS
                and set(i.audience) != {"professional"}
            ),
            key=lambda i: i.title.casefold(),
        )
        municipalities = sorted(
            {m for ps in providers.values() for p in ps for m in p.municipalities},
            key=str.casefold,
        )
        return LocalHelp(place, local, national, municipalities)

    def _providers(self) -> dict[str, list[Provider]]:
        if self.session is None:
            raise RuntimeError("DeskService.local_help needs a database session")
        rows = self.session.execute(
            select(Entry.slug, EntryProvider)
            .join(EntryProvider, EntryProvider.entry_id == Entry.id)
            .order_by(Entry.slug, EntryProvider.position)
        ).all()
        providers: dict[str, list[Provider]] = {}
        for slug, p in rows:
            providers.setdefault(slug, []).append(
                Provider(
                    name=p.name,
                    municipalities=p.municipalities,
                    province=p.province,
                    arrondissement=p.arrondissement,
                    url=p.url,
                    waiting_weeks=p.waiting_weeks,
                    cost=p.cost,
                )
            )
        return providers

    # --- Chosen entries: comparison and handout -------------------------------------------------

    def chosen(self, slugs: Sequence[str]) -> list[EntryDetail]:
        """The full entries for `slugs`; an unknown one is a field error, never a 404 or a 500."""
        entries, unknown = [], []
        for slug in slugs:
            try:
                entries.append(self.interventions.get(slug))
            except NotFoundError:
                unknown.append(slug)
        if unknown:
            names = ", ".join(f"‘{s}’" for s in unknown)
            raise InvalidInputError(
                "De keuze is niet compleet.",
                [
                    FieldError(
                        ("form", "slug"), f"Deze items bestaan niet: {names}. Kies uit de lijst."
                    )
                ],
            )
        return entries

    def choices(self) -> list[SearchItem]:
        """Every entry, by title: what the comparison and handout forms offer."""
        return sorted(self.all_items(), key=lambda i: i.title.casefold())


def _guide_match(fit: Fit, item: SearchItem, local: Collection[str]) -> GuideMatch:
    entry = fit.entry
    if entry.slug in local:
        availability = "lokaal"
    elif entry.national:
        availability = "landelijk"
    elif entry.arrondissements:
        availability = "regio"
    else:
        availability = "onbekend"
    reasons = [_age_reason(entry, fit.ages)]
    if entry.glasl_phases:
        reasons.append("Past bij hoe u en de andere ouder nu met elkaar omgaan.")
    if entry.kind == "pilot":
        reasons.append("Dit is een proef (pilot) die nog loopt.")
    return GuideMatch(item=item, availability=availability, reasons=reasons)  # type: ignore[arg-type]


def _age_reason(entry: CandidateEntry, ages: tuple[int, ...]) -> str:
    if entry.age_min is None and entry.age_max is None:
        return "Voor kinderen van elke leeftijd."
    fitting = sorted(set(ages))
    words = dutch_list([str(a) for a in fitting])
    if len(fitting) == 1:
        return f"Past bij uw kind van {words} jaar."
    return f"Past bij uw kinderen van {words} jaar."
