"""Matching knowledge-base entries to one case (domain.md §4.3): who qualifies, in what order, why."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from kb.conflict_analysis.schemas import (
    COURT_ARRONDISSEMENTS,
    AnalysisBody,
    Child,
    MatchedIntervention,
    SafetyResult,
)
from kb.interventions.schemas import EVIDENCE_LABELS, SearchItem

__all__ = [
    "MAX_MATCHES",
    "CandidateEntry",
    "arrondissement_of_court",
    "child_age",
    "dutch_list",
    "glasl_phase",
    "match_interventions",
    "qualifies",
]

MAX_MATCHES = 5
MATCHABLE_KINDS = frozenset({"interventie", "voorziening", "pilot"})
MATCHABLE_STATUSES = frozenset({"actief", "lopend"})
# Shown in the knowledge base (the Taskforce wants harm visible) but never recommended.
NEVER_RECOMMENDED_FLAGS = frozenset({"schadelijk", "geen_effect"})
FAILED_OUTCOMES = frozenset({"geweigerd", "afgerond_zonder_verbetering", "voortijdig_gestopt"})
PHASE_NAMES = {1: "win-win", 2: "win-verlies", 3: "verlies-verlies"}


def glasl_phase(step: int) -> int:
    """Glasl's main phase of a step: 1–3 → 1, 4–6 → 2, 7–9 → 3."""
    return (step - 1) // 3 + 1


def child_age(birth_year: int, today: dt.date) -> int:
    """Age in years from the birth year alone: the form stores no birth date."""
    return today.year - birth_year


def arrondissement_of_court(court: str) -> str | None:
    """`"Rechtbank Amsterdam"` → `"Amsterdam"`; None for an unknown court."""
    return COURT_ARRONDISSEMENTS.get(court)


@dataclass(frozen=True)
class CandidateEntry:
    """What matching needs to know of one knowledge-base entry."""

    slug: str
    title: str
    kind: str
    status: str
    evidence_level: int
    flags: tuple[str, ...] = ()
    age_min: int | None = None
    age_max: int | None = None
    glasl_phases: tuple[int, ...] = ()
    contraindications: tuple[str, ...] = ()
    arrondissements: tuple[str, ...] = ()
    national: bool = False

    @classmethod
    def from_search_item(cls, item: SearchItem) -> CandidateEntry:
        return cls(
            slug=item.slug,
            title=item.title,
            kind=item.kind,
            status=item.status,
            evidence_level=item.evidence.level,
            flags=tuple(item.evidence.flags),
            age_min=item.age_min,
            age_max=item.age_max,
            glasl_phases=tuple(item.glasl_phases),
            contraindications=tuple(item.contraindications),
            arrondissements=tuple(item.arrondissements),
            national=item.national,
        )

    def fits_age(self, age: int) -> bool:
        low_ok = self.age_min is None or self.age_min <= age
        high_ok = self.age_max is None or age <= self.age_max
        return low_ok and high_ok

    def fits_phase(self, phase: int) -> bool:
        # An entry without phases is not phase-specific, as in the search (SearchQuery).
        return not self.glasl_phases or phase in self.glasl_phases

    def available_in(self, arrondissement: str | None) -> bool:
        return self.national or (
            arrondissement is not None and arrondissement in self.arrondissements
        )


@dataclass(frozen=True)
class _Fit:
    entry: CandidateEntry
    children: tuple[Child, ...]
    available: bool

    def sort_key(self) -> tuple[int, int, bool, str]:
        return (
            -self.entry.evidence_level,
            -len(self.children),
            not self.available,
            self.entry.title.casefold(),
        )


def match_interventions(
    body: AnalysisBody,
    safety: SafetyResult,
    candidates: Sequence[CandidateEntry],
    court_arrondissement: str | None,
    *,
    today: dt.date | None = None,
) -> list[MatchedIntervention]:
    """The at most five entries to recommend, best first, each with the reasons it was chosen.

    An entry qualifies when it is a matchable kind and status, fits the age of at least one
    child and the case's Glasl phase, carries none of the contra-indications the safety gate
    excluded, and is not flagged harmful or without effect.

    Help the family already tried and that was refused, ended without improvement or stopped
    early is left out: offering it again costs the child time in a conflict that keeps going,
    and the Taskforce asks to stop repeating what did not work. A tried entry that helped, or
    is still running, may be shown again.

    Args:
        court_arrondissement: the court's arrondissement, to mark local availability.
        today: the evaluation date for children's ages; the clock when omitted.
    """
    today = today or dt.date.today()
    phase = glasl_phase(body.conflict.glasl_step)
    failed = {t.slug for t in body.interventions_tried if t.outcome in FAILED_OUTCOMES}
    fits = []
    for entry in candidates:
        if not _qualifies(entry, safety, phase, failed):
            continue
        children = tuple(c for c in body.children if entry.fits_age(child_age(c.birth_year, today)))
        if children:
            fits.append(_Fit(entry, children, entry.available_in(court_arrondissement)))
    fits.sort(key=_Fit.sort_key)
    return [_matched(fit, phase, court_arrondissement, today) for fit in fits[:MAX_MATCHES]]


def qualifies(entry: CandidateEntry, phase: int, excluded: Collection[str]) -> bool:
    """The rule of domain.md §4.3 shared with the parents' guide: a matchable, active entry for
    this Glasl phase, never flagged harmful or ineffective, without an excluded contra-indication."""
    return (
        entry.kind in MATCHABLE_KINDS
        and entry.status in MATCHABLE_STATUSES
        and not NEVER_RECOMMENDED_FLAGS.intersection(entry.flags)
        and not set(excluded).intersection(entry.contraindications)
        and entry.fits_phase(phase)
    )


def _qualifies(entry: CandidateEntry, safety: SafetyResult, phase: int, failed: set[str]) -> bool:
    return qualifies(entry, phase, safety.excluded_contraindications) and entry.slug not in failed


def _matched(
    fit: _Fit, phase: int, arrondissement: str | None, today: dt.date
) -> MatchedIntervention:
    entry = fit.entry
    reasons = [
        _age_reason(entry, fit.children, today),
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
        evidence_level=entry.evidence_level,
    )


def _age_reason(entry: CandidateEntry, children: tuple[Child, ...], today: dt.date) -> str:
    ages = [f"{c.ref} ({child_age(c.birth_year, today)} jaar)" for c in children]
    if entry.age_min is None and entry.age_max is None:
        return f"Niet aan een leeftijd gebonden: past bij {dutch_list(ages)}"
    return f"Past bij de leeftijd van {dutch_list(ages)}"


def _phase_reason(entry: CandidateEntry, phase: int) -> str:
    if not entry.glasl_phases:
        return "Niet aan een conflictfase gebonden"
    return f"Past bij conflictfase {phase} ({PHASE_NAMES[phase]})"


def _evidence_reasons(entry: CandidateEntry) -> list[str]:
    level = entry.evidence_level
    reasons = []
    if entry.kind == "pilot":
        reasons.append("Lopende pilot: nog niet beoordeeld" if level == 0 else "Lopende pilot")
    if entry.kind != "pilot" or level > 0:
        reasons.append(f"Bewijskracht: niveau {level}, {EVIDENCE_LABELS.get(level, '?')}")
    if "onder_voorbehoud" in entry.flags:
        reasons.append("Beoordeling onder voorbehoud")
    return reasons


def _availability_reason(entry: CandidateEntry, arrondissement: str | None) -> str | None:
    if entry.national:
        return "Landelijk beschikbaar"
    if arrondissement is None:
        return None
    if arrondissement in entry.arrondissements:
        return f"Beschikbaar in arrondissement {arrondissement}"
    return f"Volgens de kennisbank niet aangeboden in arrondissement {arrondissement}"


def dutch_list(items: Sequence[str]) -> str:
    """`["a", "b", "c"]` → "a, b en c"."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} en {items[-1]}"
