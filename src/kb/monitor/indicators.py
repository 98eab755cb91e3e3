"""Counting and publishing the indicators: pure functions over counts, no database.

What is published (domain.md §8: counts under 5 are shown as "<5"), and why each rule:

1. **Small counts.** A cell (one indicator, one court or the country, one year) is published
   only when its numerator is at least 5 *and* so is its complement (denominator − numerator).
   "48 of 50 cases settled through mediation" tells as much about the 2 that did not as "2 of 50"
   would, so the complement is held to the same threshold. A withheld count under 5 reads "<5";
   a withheld larger one is null, with the reason in `suppressed`.
2. **Differences.** Editors and the beheerder see every court and the national total of a year.
   When a court's cell is withheld, the national total minus the published courts would give it
   back. So the withheld cells of a year and indicator, taken together, must pass rule 1 as if
   they were one cell, or hold no case at all; if they do not, the published court with the
   fewest cases is withheld too ("verschil"), until they do or every court is withheld (then
   the national total decides for itself under rule 1). Every viewer gets the same cells,
   whatever part of the table they may see, so two views cannot be combined either.

Denominators (how many closed cases gave an answer) are shown unless under 5, also beside a
withheld numerator: "<5 of 20" or "– of 20" says no more than rule 1 allows. They get no
difference rule of their own: that a court closed 3 cases in a year can be computed from the
national total, which says nothing about any case's outcome.

Not protected: years are never summed, so there is no cross-year difference to take; the
indicators of one cell are independent booleans, except that `curator_disciplinary` counts
among cases with a curator, which tells at most how many curator cases have an unknown answer.
Figures also change as outcomes are recorded, so someone who compares a court's figures before
and after one known case closed learns that case's outcome: the monitor is for yearly figures,
and a year is best read once it has ended.

The knowledge base's own indicator (`interventions_effective`) counts entries, not people: it
gets rule 1's "<5" for a small count but no complement or difference rule.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from kb.monitor.schemas import (
    INDICATORS,
    Count,
    IndicatorCode,
    IndicatorFigure,
)

__all__ = [
    "THRESHOLD",
    "CellCounts",
    "OutcomeCounts",
    "YearTable",
    "figure",
    "knowledge_base_figure",
    "publish_year",
]

THRESHOLD = 5
OUTCOME_CODES: tuple[IndicatorCode, ...] = tuple(
    d.code for d in INDICATORS if d.code != "interventions_effective"
)
_LABELS = {d.code: d.label for d in INDICATORS}


@dataclass(frozen=True)
class CellCounts:
    """The raw numerator and denominator of one indicator for one court (or the country)."""

    numerator: int = 0
    denominator: int = 0

    def __add__(self, other: CellCounts) -> CellCounts:
        return CellCounts(self.numerator + other.numerator, self.denominator + other.denominator)

    @property
    def passes(self) -> bool:
        """Rule 1: the count and its complement are both at least the threshold."""
        return self.numerator >= THRESHOLD and self.denominator - self.numerator >= THRESHOLD


# One court's (or the country's) counts for a year: per outcome indicator.
OutcomeCounts = Mapping[IndicatorCode, CellCounts]


def _shown(count: int) -> Count:
    return "<5" if count < THRESHOLD else None


def figure(code: IndicatorCode, counts: CellCounts, withheld: str | None) -> IndicatorFigure:
    """One published cell: the counts and percentage, or what may be said of them. A withheld
    cell keeps its denominator when that is not small itself (see the module)."""
    denominator: Count = counts.denominator if counts.denominator >= THRESHOLD else "<5"
    if withheld is None:
        value = (
            round(100 * counts.numerator / counts.denominator, 1) if counts.denominator else None
        )
        return IndicatorFigure(
            code=code,
            label=_LABELS[code],
            numerator=counts.numerator,
            denominator=denominator,
            value=value,
        )
    return IndicatorFigure(
        code=code,
        label=_LABELS[code],
        numerator=_shown(counts.numerator),
        denominator=denominator,
        value=None,
        suppressed=withheld,  # type: ignore[arg-type]
    )


def knowledge_base_figure(effective: int, current: int) -> IndicatorFigure:
    """`interventions_effective`: only rule 1's small count (see the module)."""
    small = effective < THRESHOLD or current < THRESHOLD
    return figure(
        "interventions_effective", CellCounts(effective, current), "klein_aantal" if small else None
    )


def _reason(cell: CellCounts) -> str:
    """Why rule 1 withholds a cell."""
    return "klein_aantal" if min(cell.numerator, cell.denominator) < THRESHOLD else "complement"


@dataclass(frozen=True)
class YearTable:
    """Every court's and the country's published figures of one year (outcome indicators)."""

    year: int
    courts: Mapping[str, Sequence[IndicatorFigure]]
    national: Sequence[IndicatorFigure]


def _withheld_cells(cells: Mapping[str, CellCounts]) -> dict[str, str]:
    """Rules 1 and 2 for one indicator of one year: the courts withheld, with the reason."""
    withheld = {court: _reason(cell) for court, cell in cells.items() if not cell.passes}
    published = sorted(
        (court for court in cells if court not in withheld),
        key=lambda court: (cells[court].denominator, court),
    )
    while withheld and published:
        hidden = sum((cells[court] for court in withheld), CellCounts())
        # Courts without a single case give nothing away about anyone.
        if hidden.passes or hidden.denominator == 0:
            break
        withheld[published.pop(0)] = "verschil"
    return withheld


def publish_year(
    year: int, counts: Mapping[str, OutcomeCounts], courts: Iterable[str]
) -> YearTable:
    """The published table of one year, from the raw counts of each court (absent: none)."""
    courts = tuple(courts)
    by_court: dict[str, list[IndicatorFigure]] = {court: [] for court in courts}
    national: list[IndicatorFigure] = []
    for code in OUTCOME_CODES:
        cells = {court: counts.get(court, {}).get(code, CellCounts()) for court in courts}
        withheld = _withheld_cells(cells)
        for court in courts:
            by_court[court].append(figure(code, cells[court], withheld.get(court)))
        total = sum(cells.values(), CellCounts())
        national.append(figure(code, total, None if total.passes else _reason(total)))
    return YearTable(year, by_court, national)
