"""Invented outcomes for demo mode, so the monitor has something to show (marked `synthetic`).

They are counted only by a demo installation (`KB_DEMO=1`), and every page, API answer and CSV
row that counts them says they are invented. Their rates are drawn at random per court: they
describe no real court and no real year.
"""

from __future__ import annotations

import random

from sqlalchemy import Engine, exists, insert, select
from sqlalchemy.orm import Session

from kb.clock import today
from kb.monitor.models import CaseOutcome, new_outcome_id
from kb.monitor.service import outcomes_changed
from kb.vocabulary import COURTS

__all__ = ["seed_synthetic_outcomes"]

_YEARS = 4
DEMO_COURT = "Rechtbank Amsterdam"  # the court of demo mode's judge and Raad office


def seed_synthetic_outcomes(engine: Engine, seed: int = 2026) -> int:
    """Add invented outcomes for the last four whole years, once; returns how many were added."""
    with Session(engine) as session, session.begin():
        if session.scalar(select(exists().where(CaseOutcome.synthetic.is_(True)))):
            return 0
        rows = _invented(random.Random(seed), today().year)
        session.execute(insert(CaseOutcome), rows)
        outcomes_changed(session)
        return len(rows)


def _maybe(rng: random.Random, chance: float) -> bool | None:
    """True with `chance`; one answer in ten unknown, as real records would have."""
    return None if rng.random() < 0.1 else rng.random() < chance


def _invented(rng: random.Random, this_year: int) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for court in COURTS:
        rates = [rng.uniform(0.1, 0.6) for _ in range(3)]
        cases = rng.choice((3, 12, 25, 40, 60))  # some courts small, so "<5" shows too
        if court == DEMO_COURT:
            cases = 80  # the demo judge's court: enough cases to draw every trend
        for year in range(this_year - _YEARS, this_year):
            for _ in range(max(0, cases + rng.randint(-3, 8))):
                curator = _maybe(rng, rates[2])
                rows.append(
                    {
                        "id": new_outcome_id(),
                        "court": court,
                        "year": year,
                        "procedure_days": rng.randint(60, 800) if rng.random() > 0.1 else None,
                        "settled_by_mediation": _maybe(rng, rates[0]),
                        "curator_appointed": curator,
                        "municipal_support": _maybe(rng, rates[1]),
                        "curator_disciplinary": _maybe(rng, 0.08) if curator else None,
                        "synthetic": True,
                    }
                )
    return rows
