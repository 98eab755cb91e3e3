"""Helpers of the monitor tests: outcome rows written straight into the table the monitor counts."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, insert
from sqlalchemy.orm import Session

from kb.monitor.models import CaseOutcome, new_outcome_id
from kb.monitor.service import outcomes_changed

OUTCOME = {
    "closed_on": "2026-03-31",
    "procedure_ended_on": "2026-02-15",
    "settled_by_mediation": False,
    "curator_appointed": True,
    "municipal_support": None,
    "curator_disciplinary": False,
}


def add_outcomes(engine: Engine, count: int, court: str, year: int, **values: Any) -> None:
    """`count` closed cases of `court` and `year`, all with the same outcome (`values`)."""
    base = {
        "court": court,
        "year": year,
        "procedure_days": None,
        "settled_by_mediation": None,
        "curator_appointed": None,
        "municipal_support": None,
        "curator_disciplinary": None,
        "synthetic": False,
    }
    rows = [base | values | {"id": new_outcome_id()} for _ in range(count)]
    if rows:
        with Session(engine) as session, session.begin():
            session.execute(insert(CaseOutcome), rows)
            outcomes_changed(session)


def indicator(report: dict[str, Any], code: str) -> dict[str, Any]:
    """One indicator of an API answer, by its code."""
    found = [i for i in report["indicators"] if i["code"] == code]
    assert len(found) == 1, report
    return dict(found[0])
