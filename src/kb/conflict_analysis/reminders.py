"""The daily reminders (`kb notify`): whose work list holds a deadline within two weeks.

A re-assessment (the investigator's) or a curator's report (the judge's) that falls due within
`service.DUE_WITHIN`, or is overdue, is on that person's work list; an account with an e-mail
address gets one neutral notice a run (`notices.due_notice`), whatever the number of cases. Each
account's work list is read through `AnalysisService.tasks`, so the read is audited as theirs,
via "notify". Run it once a day (cron, a systemd timer).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from kb.access import Caller, CurrentUser
from kb.auth.models import Account
from kb.conflict_analysis.advisor import Advisor
from kb.conflict_analysis.notices import due_notice
from kb.conflict_analysis.service import AnalysisService
from kb.interventions.catalogue import Catalogue
from kb.mail import Notice

__all__ = ["due_notices"]

# The roles whose work lists hold deadlines (domain.md §9.5).
_WITH_DEADLINES = ("raadsonderzoeker", "rechter")


def due_notices(
    session: Session, catalogue: Catalogue, today: dt.date, public_url: str
) -> list[Notice]:
    """One notice per active account with an e-mail address and a deadline on its work list."""
    accounts = session.scalars(
        select(Account)
        .where(
            Account.role.in_(_WITH_DEADLINES),
            Account.active.is_(True),
            Account.disabled_at.is_(None),
            Account.email.is_not(None),
        )
        .order_by(Account.id)
    ).all()
    advisor = Advisor(catalogue, today=lambda: today)
    notices = []
    for account in accounts:
        caller = Caller(CurrentUser.model_validate(account), via="notify")
        tasks = AnalysisService(session, advisor, caller).tasks()
        if account.email and any(task.due is not None for task in tasks):
            notices.append(due_notice(account.email, public_url))
    return notices
