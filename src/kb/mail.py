"""E-mail notices (KB_SMTP_URL): short messages that point to the site, sent off the request.

A notice holds a neutral subject and a link, never case content (no case number, no names): the
reader signs in to see what waits. A request never waits for the mail server: `send_after_commit`
hands its notices to the `Outbox` only once the request's transaction is committed (a rolled-back
request sends nothing), and the outbox's own thread talks to the server. A failure is logged by
its kind alone (not the addresses, not the text) and never reaches the request.

`KB_SMTP_URL` forms: `smtp://host:25` (plain, for a relay on the same machine or network),
`smtp+starttls://user:password@host:587` (STARTTLS), `smtps://user:password@host:465` (TLS).
"""

from __future__ import annotations

import logging
import queue
import smtplib
import ssl
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

from sqlalchemy import event
from sqlalchemy.orm import Session

__all__ = ["Mailer", "Notice", "Outbox", "send_after_commit"]

logger = logging.getLogger(__name__)

_PENDING = "kb_mail_pending"
_LISTENING = "kb_mail_listening"
_TIMEOUT_SECONDS = 10
_PORTS = {"smtp": 25, "smtp+starttls": 587, "smtps": 465}


@dataclass(frozen=True)
class Notice:
    """One e-mail to one or more addresses (each gets its own copy: nobody sees the others)."""

    to: tuple[str, ...]
    subject: str
    text: str


class Mailer:
    """Sends notices through the server of an `smtp://`, `smtp+starttls://` or `smtps://` URL.

    Raises:
        ValueError: on an URL of another scheme or without a host.
    """

    def __init__(self, url: str, sender: str) -> None:
        parts = urlsplit(url)
        if parts.scheme not in _PORTS or not parts.hostname:
            raise ValueError(
                "KB_SMTP_URL moet beginnen met smtp://, smtp+starttls:// of smtps:// en een "
                "server noemen, bijvoorbeeld smtp+starttls://gebruiker:wachtwoord@mail.example.nl:587"
            )
        self.scheme = parts.scheme
        self.host = parts.hostname
        self.port = parts.port or _PORTS[parts.scheme]
        self.username = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        self.sender = sender

    def send(self, notices: Iterable[Notice]) -> int:
        """Send each notice, one message per address, over one connection; returns how many
        messages the server took. Raises what smtplib raises."""
        messages = [self._message(n, to) for n in notices for to in n.to]
        if not messages:
            return 0
        with self._connect() as server:
            if self.username and self.password:
                server.login(self.username, self.password)
            for message in messages:
                server.send_message(message)
        return len(messages)

    def _connect(self) -> smtplib.SMTP:
        if self.scheme == "smtps":
            context = ssl.create_default_context()
            return smtplib.SMTP_SSL(self.host, self.port, timeout=_TIMEOUT_SECONDS, context=context)
        server = smtplib.SMTP(self.host, self.port, timeout=_TIMEOUT_SECONDS)
        if self.scheme == "smtp+starttls":
            server.starttls(context=ssl.create_default_context())
        return server

    def _message(self, notice: Notice, to: str) -> EmailMessage:
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = to
        message["Subject"] = notice.subject
        message.set_content(notice.text)
        return message


class Outbox:
    """The process's queue of notices, sent by one thread of its own, so that no request waits."""

    def __init__(self, mailer: Mailer) -> None:
        self.mailer = mailer
        self._queue: queue.Queue[list[Notice] | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def submit(self, notices: list[Notice]) -> None:
        """Queue notices for sending; returns at once."""
        if not notices:
            return
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="kb-mail", daemon=True)
                self._thread.start()
        self._queue.put(notices)

    def close(self) -> None:
        """Send what is queued, then stop the thread (at shutdown; a hook takes no argument)."""
        with self._lock:
            thread, self._thread = self._thread, None
        if thread is not None:
            self._queue.put(None)
            thread.join(_TIMEOUT_SECONDS)

    def wait_until_sent(self) -> None:
        """Block until everything queued so far is handled (tests, the command line)."""
        self._queue.join()

    def _run(self) -> None:
        while True:
            notices = self._queue.get()
            if notices is None:
                self._queue.task_done()
                return
            try:
                self.mailer.send(notices)
            except (OSError, smtplib.SMTPException) as exc:
                # The kind of failure only: addresses and text stay out of the log.
                logger.warning("E-mail notice not sent (%d): %s", len(notices), type(exc).__name__)
            finally:
                self._queue.task_done()


def send_after_commit(session: Session, outbox: Outbox, notice: Notice) -> None:
    """Queue `notice` on the session; it goes to `outbox` when the session's transaction commits,
    and is dropped when it rolls back."""
    session.info.setdefault(_PENDING, []).append(notice)
    if session.info.get(_LISTENING):
        return
    session.info[_LISTENING] = True

    def committed(done: Session) -> None:
        outbox.submit(done.info.pop(_PENDING, []))

    def rolled_back(done: Session) -> None:
        done.info.pop(_PENDING, None)

    event.listen(session, "after_commit", committed)
    event.listen(session, "after_rollback", rolled_back)
