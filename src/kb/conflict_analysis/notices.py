"""Who the analysis's e-mail notices go to, and their words (KB_SMTP_URL; see `kb.mail`).

Three moments: a version offered for approval (the office's behavioural experts), a version
returned with comments (its investigator), and — by the daily `kb notify` — a re-assessment or a
curator's report due within two weeks (whoever has it on their work list). Only accounts that
are active and have an e-mail address get one.

Every notice says only that something waits and links to the work list: no case number, no
court, no names, nothing of the case. Whoever reads the mail signs in to see what it is.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, select
from sqlalchemy.orm import Session

from kb.auth.models import Account
from kb.mail import Notice, Outbox, send_after_commit

__all__ = ["Notifier", "due_notice"]

_SUBJECT = "Kennisbank Scheiding & Kind: er staat werk op uw werklijst"
_WHY = {
    "approval": "Er is een conflictanalyse ter accordering aangeboden in uw vestiging.",
    "returned": "Een conflictanalyse is met opmerkingen naar u teruggestuurd.",
    "due": "Op uw werklijst staat een herijking of een rapport met een termijn binnen twee weken.",
}


def _notice(to: list[str], why: str, public_url: str) -> Notice:
    link = f"{public_url.rstrip('/')}/werk"
    text = (
        "Goedendag,\n\n"
        f"{_WHY[why]}\n\n"
        f"Bekijk uw werklijst (na aanmelden): {link}\n\n"
        "Deze e-mail bevat bewust geen gegevens over de zaak. U krijgt hem omdat bij uw account "
        "in de Kennisbank dit e-mailadres staat; de beheerder kan het weghalen.\n"
    )
    return Notice(to=tuple(sorted(set(to))), subject=_SUBJECT, text=text)


def due_notice(address: str, public_url: str) -> Notice:
    """The daily notice of `kb notify` for one account with a deadline on its work list."""
    return _notice([address], "due", public_url)


def _active_with_email() -> ColumnElement[bool]:
    return and_(Account.active.is_(True), Account.disabled_at.is_(None), Account.email.is_not(None))


@dataclass(frozen=True)
class Notifier:
    """Queues the workflow's notices on the request's session, sent once it commits."""

    outbox: Outbox
    public_url: str

    def approval_requested(self, session: Session, office: str) -> None:
        """A version of `office` waits for approval: tell that office's behavioural experts."""
        addresses = session.scalars(
            select(Account.email).where(
                Account.role == "gedragsdeskundige", Account.office == office, _active_with_email()
            )
        ).all()
        self._queue(session, [a for a in addresses if a], "approval")

    def returned(self, session: Session, author_id: int) -> None:
        """A version was returned with comments: tell its investigator."""
        address = session.scalar(
            select(Account.email).where(Account.id == author_id, _active_with_email())
        )
        self._queue(session, [address] if address else [], "returned")

    def _queue(self, session: Session, addresses: list[str], why: str) -> None:
        if addresses:
            send_after_commit(session, self.outbox, _notice(addresses, why, self.public_url))
