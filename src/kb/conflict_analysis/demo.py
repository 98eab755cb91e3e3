"""Demo mode's three invented cases, so that whoever tries the product finds a list and a work list.

Each is made through `AnalysisService` as the demo accounts (`kb.auth.startup.DEMO_ACCOUNTS`),
so it is validated, advised and audited like any other: a concept the demo investigator has not
finished, one awaiting the demo behavioural expert's approval, and one submitted and re-assessed,
whose second version the demo judge reads with "wat is er veranderd".

They are marked `demo` (every page showing one says "Verzonnen demonstratiezaak"), their case
numbers begin with "DEMO-", and the children have only the pseudonyms K1, K2 like every case.
Dates are counted back from today, so that each body is valid whenever the demo starts.

Seeded once per database: a mark in the `kb_meta` table, inserted first in the same
transaction, keeps a restart from seeding again; a second server starting at the same moment waits
on that insert and then finds the mark taken.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kb.access import Caller, CurrentUser
from kb.auth.models import Account
from kb.conflict_analysis.advisor import Advisor
from kb.conflict_analysis.service import AnalysisService
from kb.db import Meta
from kb.interventions.catalogue import Catalogue

__all__ = ["DEMO_CASE_PREFIX", "SEEDED_KEY", "seed_demo_analyses"]

logger = logging.getLogger(__name__)

DEMO_CASE_PREFIX = "DEMO-"
SEEDED_KEY = "demo_analyses_seeded"
_INVESTIGATOR = "onderzoeker"
_EXPERT = "gedragsdeskundige"
_COURT = "Rechtbank Amsterdam"
_VIA = "demo"
# Help the re-assessed case tried; left out when the knowledge base at hand lacks it.
_TRIED = "ouderschap-blijft"


def seed_demo_analyses(session: Session, catalogue: Catalogue, today: dt.date) -> int:
    """Seed the three demo cases once; returns how many were made (0 when seeded before or when
    the demo accounts are missing). The caller commits."""
    if not _claim(session, today):
        return 0
    investigator = _demo_user(session, _INVESTIGATOR)
    expert = _demo_user(session, _EXPERT)
    if investigator is None or expert is None:
        session.rollback()  # no demo accounts: nothing to seed, and no mark either
        return 0
    advisor = Advisor(catalogue, today=lambda: today)
    writing = AnalysisService(session, advisor, Caller(investigator, via=_VIA))
    approving = AnalysisService(session, advisor, Caller(expert, via=_VIA))
    tried = _TRIED in catalogue

    writing.create(concept_case(today), demo=True)

    waiting = writing.create(waiting_case(today), demo=True)
    writing.submit(waiting.id)

    first, second = reassessed_case(today, tried)
    reassessed = writing.create(first, demo=True)
    writing.submit(reassessed.id)
    approving.approve(reassessed.id)
    draft = writing.reassess(reassessed.id)
    writing.save(reassessed.id, second, [draft.etag])
    writing.submit(reassessed.id)
    approving.approve(reassessed.id)
    return 3


def _claim(session: Session, today: dt.date) -> bool:
    """Insert the mark, as the transaction's first statement (so that on SQLite it waits for the
    write lock rather than reading a snapshot first); False when it is there already."""
    session.add(Meta(key=SEEDED_KEY, value=today.isoformat()))
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        return False
    return True


def _demo_user(session: Session, username: str) -> CurrentUser | None:
    account = session.scalar(
        select(Account).where(
            Account.username == username, Account.demo.is_(True), Account.active.is_(True)
        )
    )
    return CurrentUser.model_validate(account) if account is not None else None


def _ago(today: dt.date, days: int) -> str:
    return (today - dt.timedelta(days=days)).isoformat()


def _child(ref: str, age: int, today: dt.date, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "ref": ref,
        "birth_year": today.year - age,
        "heard": True,
        "heard_by": ["raad"],
        "wants_representation": False,
        "loyalty_conflict": "geen",
        "stress_signals": [],
        "development_threatened": "nee",
        "contact": [{"parent": "A", "status": "normaal"}, {"parent": "B", "status": "normaal"}],
    }
    return data | changes


def _parent(ref: str, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "ref": ref,
        "has_authority": True,
        "concerns": [],
        "accepts_help": True,
        "supports_other_parent": True,
    }
    return data | changes


def _no_violence() -> dict[str, Any]:
    return {
        "partner_violence": "geen",
        "violence_forms": [],
        "child_abuse": "geen",
        "child_witnessed_violence": False,
        "veilig_thuis_reports": 0,
        "police_involved": False,
        "protective_measures": [],
        "lethality_indicators": [],
        "acute_danger": False,
    }


def concept_case(today: dt.date) -> dict[str, Any]:
    """A draft just begun: the case and the conflict filled in, the rest still open."""
    return {
        "case": {
            "case_number": f"{DEMO_CASE_PREFIX}2026-001",
            "court": _COURT,
            "topics": ["omgang"],
            "procedure_started_on": _ago(today, 45),
            "earlier_procedures": 0,
            "separated_on": _ago(today, 300),
        },
        "conflict": {
            "glasl_step": 3,
            "pattern": "wederzijds",
            "child_drawn_in": False,
            "network_escalates": False,
            "communication": "direct",
            "agreements_kept": "deels",
        },
    }


def waiting_case(today: dt.date) -> dict[str, Any]:
    """Complete and offered for approval: a moderate conflict about the main residence."""
    return {
        "case": {
            "case_number": f"{DEMO_CASE_PREFIX}2026-002",
            "court": _COURT,
            "topics": ["hoofdverblijf", "omgang"],
            "procedure_started_on": _ago(today, 120),
            "earlier_procedures": 0,
            "separated_on": _ago(today, 400),
        },
        "safety": _no_violence(),
        "conflict": {
            "glasl_step": 4,
            "pattern": "wederzijds",
            "child_drawn_in": True,
            "network_escalates": False,
            "communication": "via_derden",
            "agreements_kept": "deels",
        },
        "children": [
            _child("K1", 9, today, loyalty_conflict="vermoed", stress_signals=["slapen"]),
        ],
        "parents": [_parent("A"), _parent("B", supports_other_parent=False)],
        "interventions_tried": [],
        "assessment": {
            "child_interest_at_stake": "ja",
            "summary": (
                "Verzonnen demonstratiezaak. De ouders overleggen alleen nog via derden; "
                "K1 vertelt dat hij slecht slaapt in de week van de overdracht."
            ),
        },
    }


def reassessed_case(today: dt.date, tried: bool) -> tuple[dict[str, Any], dict[str, Any]]:
    """A high conflict, first assessed and then, after help that stopped early, re-assessed:
    what changed shows in the judge's report."""
    first: dict[str, Any] = {
        "case": {
            "case_number": f"{DEMO_CASE_PREFIX}2026-003",
            "court": _COURT,
            "topics": ["omgang", "hoofdverblijf"],
            "procedure_started_on": _ago(today, 420),
            "earlier_procedures": 1,
            "separated_on": _ago(today, 700),
        },
        "safety": _no_violence()
        | {"partner_violence": "situationeel", "violence_forms": ["psychisch"]},
        "conflict": {
            "glasl_step": 5,
            "pattern": "wederzijds",
            "child_drawn_in": True,
            "network_escalates": True,
            "communication": "via_derden",
            "agreements_kept": "nee",
        },
        "children": [
            _child(
                "K1",
                12,
                today,
                loyalty_conflict="duidelijk",
                stress_signals=["school"],
                development_threatened="mogelijk",
                own_words="Ik wil niet steeds kiezen tussen mijn vader en mijn moeder.",
            ),
            _child("K2", 7, today, heard=False, heard_by=[]),
        ],
        "parents": [_parent("A"), _parent("B", accepts_help=False)],
        "interventions_tried": [],
        "assessment": {
            "child_interest_at_stake": "ja",
            "summary": (
                "Verzonnen demonstratiezaak. K1 zit klem tussen de ouders; de ouders praten "
                "alleen via hun advocaten met elkaar."
            ),
            "statements": [
                {
                    "text": "K1 haalt sinds het begin van het schooljaar lagere cijfers.",
                    "kind": "feit",
                    "source": "gesprek met de mentor van K1",
                    "other_side_responded": True,
                },
            ],
        },
    }
    second = {
        **first,
        "conflict": first["conflict"] | {"glasl_step": 6},
        "children": [
            first["children"][0]
            | {
                "stress_signals": ["school", "slapen"],
                "contact": [
                    {"parent": "A", "status": "normaal"},
                    {"parent": "B", "status": "weigering", "refusal_reason": "onduidelijk"},
                ],
            },
            first["children"][1],
        ],
        "interventions_tried": (
            [{"slug": _TRIED, "outcome": "voortijdig_gestopt"}] if tried else []
        ),
        "assessment": first["assessment"]
        | {
            "summary": (
                "Verzonnen demonstratiezaak, herijking. De hulp is voortijdig gestopt; K1 "
                "weigert sinds kort het contact met ouder B, om redenen die nog onduidelijk zijn."
            ),
        },
    }
    return first, second
