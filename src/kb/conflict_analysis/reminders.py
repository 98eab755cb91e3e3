"""The daily reminders (`kb notify`): whose work list holds a deadline within two weeks.

A re-assessment (the investigator's) or a curator's report (the judge's) that falls due within
`service.DUE_WITHIN`, or is overdue, is on that person's work list; an account with an e-mail
address gets one neutral notice (`notices.due_notice`), whatever the number of cases. Each
account's work list is read through `AnalysisService.tasks`, so the read is audited as theirs,
via "notify". Run it once a day (cron, a systemd timer).

A notice is sent when something on the list is new since the last one: a deadline that came
within two weeks, or one that has passed since. The same list does not bring the same mail
again the next day, nor twice on one day. What the last notice covered is kept per account
(`DueNotice`) once the mail server has taken it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from kb.access import Caller, CurrentUser
from kb.auth.models import Account
from kb.conflict_analysis.advisor import Advisor
from kb.conflict_analysis.models import DueNotice
from kb.conflict_analysis.notices import due_notice
from kb.conflict_analysis.responses import Task
from kb.conflict_analysis.service import AnalysisService
from kb.interventions.catalogue import Catalogue
from kb.mail import Notice

__all__ = ["Reminder", "due_reminders", "remember"]

# The roles whose work lists hold deadlines (domain.md §9.5).
_WITH_DEADLINES = ("raadsonderzoeker", "rechter")


@dataclass(frozen=True)
class Reminder:
    """A notice for one account, and the deadlines it covers (hashed, see `DueNotice`)."""

    account_id: int
    notice: Notice
    items: frozenset[str]


def _item(task: Task) -> str:
    key = f"{task.kind}:{task.analysis_id}:{task.version}:{task.due}:{task.overdue}"
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def due_reminders(
    session: Session, catalogue: Catalogue, today: dt.date, public_url: str
) -> list[Reminder]:
    """One reminder per active account with an e-mail address whose deadlines within two
    weeks include one its last notice did not (see the module)."""
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
    reminders = []
    for account in accounts:
        caller = Caller(CurrentUser.model_validate(account), via="notify")
        tasks = AnalysisService(session, advisor, caller).tasks()
        items = frozenset(_item(task) for task in tasks if task.due is not None)
        told = session.get(DueNotice, account.id)
        if not account.email or items <= frozenset(told.items if told else ()):
            continue
        reminders.append(Reminder(account.id, due_notice(account.email, public_url), items))
    return reminders


def remember(session: Session, reminders: list[Reminder], now: dt.datetime) -> None:
    """Keep what each sent reminder covered, for the next run to compare with."""
    for reminder in reminders:
        told = session.get(DueNotice, reminder.account_id)
        if told is None:
            told = DueNotice(account_id=reminder.account_id)
            session.add(told)
        told.sent_at = now
        told.items = sorted(reminder.items)
