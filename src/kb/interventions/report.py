"""The content report: per entry its sources, verification, each rating with its validity and the
last review, then the totals an editor and the issue's reader ask for (`kb report content`)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import get_args

from kb.interventions.schemas import Entry
from kb.vocabulary import RATING_STATE_LABELS, RatingState

__all__ = ["ContentReport", "RatingLine", "ReportRow", "ReportTotals", "content_report"]


@dataclass(frozen=True)
class RatingLine:
    scheme: str
    label: str
    level: int
    date: dt.date | None
    valid_until: dt.date | None
    state: RatingState


@dataclass(frozen=True)
class ReportRow:
    slug: str
    kind: str
    status: str
    sources: int
    verified: bool
    ratings: tuple[RatingLine, ...]
    headline: int
    last_reviewed: dt.date
    next_review: dt.date


@dataclass(frozen=True)
class ReportTotals:
    entries: int
    sourced: int
    verified: int
    ratings: dict[RatingState, int]
    pilots_running: int
    reviewed_on_day: int


@dataclass(frozen=True)
class ContentReport:
    day: dt.date
    rows: tuple[ReportRow, ...]
    totals: ReportTotals

    def markdown(self) -> str:
        """The report as a Markdown document, in Dutch, the same for the same content and day."""
        t = self.totals
        states = ", ".join(f"{RATING_STATE_LABELS[s]} {n}" for s, n in t.ratings.items())
        lines = [
            "# Inhoudsrapport van de kennisbank",
            "",
            f"Stand op {self.day.isoformat()}; gemaakt met `kb report content` "
            "(`make content-report`). Een erkenning telt alleen mee zolang ze geldig is.",
            "",
            "## Totalen",
            "",
            f"- Items: {t.entries}",
            f"- Items met minstens één bron: {t.sourced}",
            f"- Geverifieerd (`verified: true`): {t.verified}",
            f"- Beoordelingen: {sum(t.ratings.values())} ({states})",
            f"- Lopende pilots (status `lopend`): {t.pilots_running}",
            f"- Gecontroleerd op {self.day.isoformat()} (`last_reviewed`): {t.reviewed_on_day}",
            "",
            "## Per item",
            "",
            "| item | soort | status | bronnen | geverifieerd | niveau | beoordelingen "
            "| laatst gecontroleerd | volgende controle |",
            "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
        ]
        lines += [_row_markdown(row) for row in self.rows]
        return "\n".join(lines) + "\n"


def _date(value: dt.date | None) -> str:
    return value.isoformat() if value else "—"


def _rating_markdown(r: RatingLine) -> str:
    label = r.label.replace("|", "/")
    return (
        f"{r.scheme}: ‘{label}’, niveau {r.level}, datum {_date(r.date)}, "
        f"geldig tot {_date(r.valid_until)}, {RATING_STATE_LABELS[r.state]}"
    )


def _row_markdown(row: ReportRow) -> str:
    ratings = "<br>".join(_rating_markdown(r) for r in row.ratings) or "geen"
    cells = (
        f"`{row.slug}`",
        row.kind,
        row.status,
        str(row.sources),
        "ja" if row.verified else "nee",
        str(row.headline),
        ratings,
        row.last_reviewed.isoformat(),
        row.next_review.isoformat(),
    )
    return "| " + " | ".join(cells) + " |"


def _row(entry: Entry, day: dt.date) -> ReportRow:
    ratings = tuple(
        RatingLine(r.scheme, r.label, r.level, r.date, r.valid_until, state)
        for r, state in entry.rating_states(day)
    )
    return ReportRow(
        slug=entry.slug,
        kind=entry.kind,
        status=entry.status,
        sources=len(entry.sources),
        verified=entry.verified,
        ratings=ratings,
        headline=entry.evidence_on(day).level,
        last_reviewed=entry.last_reviewed,
        next_review=entry.next_review,
    )


def content_report(entries: Iterable[Entry], day: dt.date) -> ContentReport:
    """The report on `entries` as they stand on `day`, ordered by slug."""
    rows = tuple(_row(e, day) for e in sorted(entries, key=lambda e: e.slug))
    states: Counter[RatingState] = Counter(r.state for row in rows for r in row.ratings)
    totals = ReportTotals(
        entries=len(rows),
        sourced=sum(1 for row in rows if row.sources > 0),
        verified=sum(1 for row in rows if row.verified),
        ratings={state: states[state] for state in get_args(RatingState)},
        pilots_running=sum(1 for row in rows if row.status == "lopend"),
        reviewed_on_day=sum(1 for row in rows if row.last_reviewed == day),
    )
    return ContentReport(day, rows, totals)
