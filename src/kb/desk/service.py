"""Rules of the desk pages: the guide's matching, local help, and the entries chosen to compare or print.

The guide recommends with the conflict analysis's own rules (`kb.conflict_analysis.matching`):
the same candidates, the same age and Glasl-phase fit, the same contra-indications held back
when unsafe, and the same order. Only the trigger for holding joint formats back is wider: a
parent's "ik weet het niet zeker" already counts, because a desk cannot tell situational violence
from coercive control in three questions, and wrongly holding back mediation costs less than
recommending it under intimate terror.

Nothing a parent answers is written anywhere: the service only reads the catalogue.
"""

from __future__ import annotations

from collections.abc import Sequence

from kb.conflict_analysis.matching import MAX_MATCHES, Fit, dutch_list, suitable
from kb.conflict_analysis.rules import EXCLUDED_WHEN_UNSAFE
from kb.desk.schemas import GuideAnswers, GuideMatch, GuideResult, LocalHelp, LocalOffer, Place
from kb.errors import FieldError, InvalidInputError
from kb.interventions.catalogue import CANDIDATE_STATUSES, Catalogue
from kb.interventions.places import reaches
from kb.interventions.schemas import Entry
from kb.regions import register

__all__ = ["DeskService", "held_back_when"]

# Tools and guidelines are for professionals; a parent's list of local help leaves them out.
NOT_FOR_PARENTS_KINDS = frozenset({"instrument", "richtlijn"})


def held_back_when(answers: GuideAnswers) -> tuple[str, ...]:
    """The contra-indications whose entries the guide leaves out for these answers."""
    return tuple(EXCLUDED_WHEN_UNSAFE) if answers.unsafe else ()


def _for_parents(entry: Entry) -> bool:
    return entry.kind not in NOT_FOR_PARENTS_KINDS and set(entry.audience) != {"professional"}


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
