"""Matching knowledge-base entries to children and a conflict (domain.md §4.3): who qualifies, in
what order, and why. The conflict analysis and the parents' guide both rank with `suitable`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

from kb.conflict_analysis.schemas import AnalysisBody, Child, MatchedIntervention, SafetyResult
from kb.interventions.places import reaches_arrondissement, region_bound
from kb.interventions.schemas import Entry
from kb.vocabulary import COURT_ARRONDISSEMENTS, EVIDENCE_LABELS, GLASL_PHASE_NAMES, glasl_phase

__all__ = [
    "FAILED_OUTCOMES",
    "MAX_MATCHES",
    "Fit",
    "arrondissement_of_court",
    "child_age",
    "dutch_list",
    "match_interventions",
    "suitable",
]

MAX_MATCHES = 5
FAILED_OUTCOMES = frozenset({"geweigerd", "afgerond_zonder_verbetering", "voortijdig_gestopt"})


def child_age(birth_year: int, today: dt.date) -> int:
    """Age in years from the birth year alone: the form stores no birth date."""
    return today.year - birth_year


def arrondissement_of_court(court: str) -> str | None:
    """`"Rechtbank Amsterdam"` → `"Amsterdam"`; None for an unknown court."""
    return COURT_ARRONDISSEMENTS.get(court)


@dataclass(frozen=True)
class Fit:
    """A candidate that suits: which of the children's ages it fits (their positions in the list
    of ages), and whether it is available where the family lives or the case is heard."""

    entry: Entry
    fitting: tuple[int, ...]
    available: bool

    def sort_key(self) -> tuple[bool, int, int, str]:
        # domain.md §9.2: available there or nationally first, then evidence, then how many
        # children it fits, then the title.
        return (
            not self.available,
            -self.entry.evidence.level,
            -len(self.fitting),
            self.entry.title.casefold(),
        )


def suitable(
    candidates: Sequence[Entry],
    ages: Sequence[int],
    phase: int,
    excluded: Collection[str],
    available: Callable[[Entry], bool],
) -> list[Fit]:
    """Every candidate (`Catalogue.candidates`) that fits one of `ages` and Glasl `phase`,
    carries none of the `excluded` contra-indications and can be had, best first.

    Can be had: obtainable in the Netherlands, and not bound to another region — an entry whose
    providers all work elsewhere and that is not national is left out, never merely ranked low
    (domain.md §9.2). `available` says whether an entry reaches the place (the family's
    municipality, or the court's arrondissement); the desk and the analysis pass their own.
    """
    held_back = frozenset(excluded)
    fits = []
    for entry in candidates:
        if not entry.available_in_nl:
            continue
        if held_back and not held_back.isdisjoint(entry.contraindications):
            continue
        if not entry.fits_phase(phase):
            continue
        reached = available(entry)
        if not reached and region_bound(entry):
            continue
        fitting = tuple(i for i, age in enumerate(ages) if entry.fits_age(age))
        if fitting:
            fits.append(Fit(entry, fitting, reached))
    return sorted(fits, key=Fit.sort_key)


def match_interventions(
    body: AnalysisBody,
    safety: SafetyResult,
    candidates: Sequence[Entry],
    court_arrondissement: str | None,
    *,
    today: dt.date,
) -> list[MatchedIntervention]:
    """The at most five entries to recommend, best first, each with the reasons it was chosen.

    Help the family already tried and that was refused, ended without improvement or stopped
    early is left out: offering it again costs the child time in a conflict that keeps going,
    and the Taskforce asks to stop repeating what did not work. A tried entry that helped, or
    is still running, may be shown again.

    Args:
        candidates: `Catalogue.candidates`.
        court_arrondissement: the court's arrondissement, to mark local availability.
        today: the evaluation date for children's ages.
    """
    phase = glasl_phase(body.conflict.glasl_step)
    failed = {t.slug for t in body.interventions_tried if t.outcome in FAILED_OUTCOMES}
    fits = suitable(
        [e for e in candidates if e.slug not in failed],
        [child_age(c.birth_year, today) for c in body.children],
        phase,
        safety.excluded_contraindications,
        lambda entry: reaches_arrondissement(entry, court_arrondissement),
    )
    return [
        _matched(fit, [body.children[i] for i in fit.fitting], phase, court_arrondissement, today)
        for fit in fits[:MAX_MATCHES]
    ]


def _matched(
    fit: Fit, children: list[Child], phase: int, arrondissement: str | None, today: dt.date
) -> MatchedIntervention:
    entry = fit.entry
    reasons = [
        _age_reason(entry, children, today),
        _phase_reason(entry, phase),
        *_evidence_reasons(entry),
    ]
    availability = _availability_reason(entry, arrondissement)
    if availability:
        reasons.append(availability)
    return MatchedIntervention(
        slug=entry.slug,
        title=entry.title,
        reasons=reasons,
        available_in_arrondissement=fit.available,
        kind=entry.kind,
        evidence_level=entry.evidence.level,
        status=entry.status,
    )


def _age_reason(entry: Entry, children: list[Child], today: dt.date) -> str:
    ages = [f"{c.ref} ({child_age(c.birth_year, today)} jaar)" for c in children]
    if entry.age_min is None and entry.age_max is None:
        return f"Niet aan een leeftijd gebonden: past bij {dutch_list(ages)}"
    return f"Past bij de leeftijd van {dutch_list(ages)}"


def _phase_reason(entry: Entry, phase: int) -> str:
    if not entry.glasl_phases:
        return "Niet aan een conflictfase gebonden"
    return f"Past bij conflictfase {phase} ({GLASL_PHASE_NAMES[phase]})"


def _evidence_reasons(entry: Entry) -> list[str]:
    level = entry.evidence.level
    reasons = []
    if entry.kind == "pilot":
        reasons.append("Lopende pilot: nog niet beoordeeld" if level == 0 else "Lopende pilot")
    if entry.kind != "pilot" or level > 0:
        reasons.append(f"Bewijskracht: niveau {level}, {EVIDENCE_LABELS.get(level, '?')}")
    if "onder_voorbehoud" in entry.evidence.flags:
        reasons.append("Beoordeling onder voorbehoud")
    return reasons


def _availability_reason(entry: Entry, arrondissement: str | None) -> str | None:
    if entry.national:
        return "Landelijk beschikbaar"
    if arrondissement is None:
        return None
    if arrondissement in entry.arrondissements:
        return f"Beschikbaar in arrondissement {arrondissement}"
    return f"Niet bekend of dit in arrondissement {arrondissement} wordt aangeboden"


def dutch_list(items: Sequence[str]) -> str:
    """`["a", "b", "c"]` → "a, b en c"."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} en {items[-1]}"
