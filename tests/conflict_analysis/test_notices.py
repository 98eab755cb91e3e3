"""E-mail notices (KB_SMTP_URL) through a real SMTP server (aiosmtpd) started here: who gets one,
that it holds a link and nothing of the case, that it is sent only after a commit, and that a
mail server that is down never breaks a request."""

from __future__ import annotations

import copy
import datetime as dt
import email
import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.message import Message
from typing import Any

import pytest
import time_machine
from aiosmtpd.controller import Controller
from sqlalchemy import update
from sqlalchemy.orm import Session

from kb.auth.models import Account
from kb.cli import main
from kb.conflict_analysis.models import DueNotice
from tests.browser.live import free_port
from tests.conflict_analysis.helpers import API
from tests.factories import COURT, OFFICE, another_case, realistic_case
from tests.helpers import AppUnderTest, Person

PUBLIC = "https://kennisbank.example.nl"
WAIT_SECONDS = 10


@dataclass
class Inbox:
    """What the SMTP server received: (recipients, message) per mail."""

    mails: list[tuple[list[str], Message]] = field(default_factory=list)
    arrived: threading.Condition = field(default_factory=threading.Condition)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.arrived:
            self.mails.append((list(envelope.rcpt_tos), email.message_from_bytes(envelope.content)))
            self.arrived.notify_all()
        return "250 OK"

    def wait_for(self, count: int) -> list[tuple[list[str], Message]]:
        with self.arrived:
            assert self.arrived.wait_for(lambda: len(self.mails) >= count, WAIT_SECONDS), (
                f"{len(self.mails)} mails arrived, expected {count}"
            )
            return list(self.mails)


@pytest.fixture()
def inbox() -> Iterator[tuple[Inbox, int]]:
    handler = Inbox()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield handler, port
    controller.stop()


def _with_email(app: AppUnderTest, person: Person, address: str) -> Person:
    with Session(app.engine) as session:
        session.execute(update(Account).where(Account.id == person.id).values(email=address))
        session.commit()
    return person


def _case() -> dict[str, Any]:
    """The realistic case, as a case of its own; an isolated database holds no knowledge base,
    so without the help it tried."""
    return another_case(copy.deepcopy(realistic_case())) | {"interventions_tried": []}


def _text(message: Message) -> str:
    payload = message.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode()


@pytest.fixture()
def mailing(
    isolated: Callable[..., AppUnderTest], inbox: tuple[Inbox, int]
) -> tuple[AppUnderTest, Inbox]:
    handler, port = inbox
    return isolated(smtp_url=f"smtp://127.0.0.1:{port}", public_url=PUBLIC), handler


def test_submitting_and_returning_mail_only_a_link_to_the_right_people(
    mailing: tuple[AppUnderTest, Inbox],
) -> None:
    app, inbox = mailing
    investigator = _with_email(
        app, app.person("raadsonderzoeker", office=OFFICE), "onderzoeker@example.nl"
    )
    expert = _with_email(app, app.person("gedragsdeskundige", office=OFFICE), "gd@example.nl")
    _with_email(app, app.person("gedragsdeskundige", office=OFFICE), "gd2@example.nl")
    app.person("gedragsdeskundige", office=OFFICE)  # no address: no mail
    _with_email(app, app.person("gedragsdeskundige", office="Raad Rotterdam"), "rdam@example.nl")
    writing, approving = app.client(investigator), app.client(expert)
    body = _case()
    made = writing.post(API, json=body).json()

    # A refused submit (rolled back) sends nothing: the next mail is the first to arrive.
    incomplete = writing.post(API, json={"case": {"case_number": "C/13/1 / FA RK 26-1"}})
    assert incomplete.status_code == 201, incomplete.text
    incomplete = incomplete.json()
    assert writing.post(f"{API}/{incomplete['id']}/submit").status_code == 422

    assert writing.post(f"{API}/{made['id']}/submit").status_code == 200
    mails = inbox.wait_for(2)  # one message per address
    assert len(mails) == 2
    assert sorted(r for rcpts, _ in mails for r in rcpts) == ["gd2@example.nl", "gd@example.nl"]

    comment = "Beschrijf de veiligheid van K2 nauwkeuriger."
    returned = approving.post(f"{API}/{made['id']}/return", json={"comment": comment})
    assert returned.status_code == 200, returned.text
    mails = inbox.wait_for(3)
    assert len(mails) == 3
    assert mails[2][0] == ["onderzoeker@example.nl"]

    case_content = [
        body["case"]["case_number"],
        COURT,
        "Amsterdam",
        "K1",
        "K2",
        comment,
        body["children"][0]["own_words"],
        investigator.username,
        str(made["id"]),
    ]
    for _, message in mails:
        text = _text(message)
        assert f"{PUBLIC}/werk" in text
        for secret in case_content:
            assert secret not in text
            assert secret not in str(message["Subject"])


def test_a_mail_server_that_is_down_breaks_no_request_and_logs_no_content(
    isolated: Callable[..., AppUnderTest], caplog: pytest.LogCaptureFixture
) -> None:
    app = isolated(smtp_url=f"smtp://127.0.0.1:{free_port()}", public_url=PUBLIC)
    investigator = app.person("raadsonderzoeker", office=OFFICE)
    _with_email(app, app.person("gedragsdeskundige", office=OFFICE), "gd@example.nl")
    body = _case()
    writing = app.client(investigator)
    made = writing.post(API, json=body).json()
    with caplog.at_level(logging.WARNING, logger="kb.mail"):
        assert writing.post(f"{API}/{made['id']}/submit").status_code == 200
        deadline = time.monotonic() + WAIT_SECONDS
        while not any(r.name == "kb.mail" for r in caplog.records):
            assert time.monotonic() < deadline, "the failed send was not logged"
            time.sleep(0.05)
    logged = " ".join(r.getMessage() for r in caplog.records if r.name == "kb.mail")
    assert "ConnectionRefusedError" in logged
    assert "gd@example.nl" not in logged
    assert body["case"]["case_number"] not in logged


def _notify_env(app: AppUnderTest, monkeypatch: pytest.MonkeyPatch, smtp_url: str) -> None:
    """The environment `kb notify` reads, for the app's database and `smtp_url`."""
    for name, value in {
        "KB_DATABASE_URL": app.settings.resolved_database_url,
        "KB_DATA_DIR": str(app.settings.data_dir),
        "KB_CONTENT_DIR": str(app.settings.content_dir),
        "KB_SMTP_URL": smtp_url,
        "KB_PUBLIC_URL": PUBLIC,
    }.items():
        monkeypatch.setenv(name, value)


def _approved(app: AppUnderTest, investigator: Person, body: dict[str, Any]) -> dt.date:
    """`body` created by `investigator`, submitted and approved by an expert of the office;
    the day its re-assessment is due."""
    expert = app.person("gedragsdeskundige", office=OFFICE)
    made = app.client(investigator).post(API, json=body).json()
    assert app.client(investigator).post(f"{API}/{made['id']}/submit").status_code == 200
    approved = app.client(expert).post(f"{API}/{made['id']}/approve")
    assert approved.status_code == 200
    return dt.date.fromisoformat(approved.json()["recommendation"]["reassess_by"])


def test_kb_notify_mails_whoever_has_a_deadline_within_two_weeks(
    mailing: tuple[AppUnderTest, Inbox],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    app, inbox = mailing
    investigator = _with_email(
        app, app.person("raadsonderzoeker", office=OFFICE), "onderzoeker@example.nl"
    )
    idle = _with_email(app, app.person("raadsonderzoeker", office=OFFICE), "niets@example.nl")
    body = _case()
    due = _approved(app, investigator, body)
    _notify_env(app, monkeypatch, app.settings.smtp_url or "")

    assert main(["notify"]) == 0  # today: the re-assessment is months away
    assert "0 meldingen verstuurd" in capsys.readouterr().out

    with time_machine.travel(due.isoformat() + " 09:00 +0100", tick=False):
        assert main(["notify"]) == 0
    assert "1 melding verstuurd" in capsys.readouterr().out
    (to, message), *_ = inbox.wait_for(1)
    assert to == ["onderzoeker@example.nl"]
    assert idle.username not in to
    text = _text(message)
    assert f"{PUBLIC}/werk" in text
    assert body["case"]["case_number"] not in text

    # The same list again, later that day: nothing new, no second mail.
    with time_machine.travel(due.isoformat() + " 17:00 +0100", tick=False):
        assert main(["notify"]) == 0
    assert "0 meldingen verstuurd" in capsys.readouterr().out
    # The next day the re-assessment is overdue: that is new, one more mail.
    after = due + dt.timedelta(days=1)
    with time_machine.travel(after.isoformat() + " 09:00 +0100", tick=False):
        assert main(["notify"]) == 0
        assert main(["notify"]) == 0
    out = capsys.readouterr().out
    assert "1 melding verstuurd" in out and "0 meldingen verstuurd" in out
    assert [to for to, _ in inbox.wait_for(2)] == [["onderzoeker@example.nl"]] * 2
    with Session(app.engine) as session:
        told = session.get(DueNotice, investigator.id)
        # Hashes of the deadlines' keys only: nothing of the case is kept.
        assert told is not None and told.items
        assert all(len(item) == 32 and int(item, 16) >= 0 for item in told.items)


def test_kb_notify_remembers_nothing_when_the_mail_server_is_down(
    mailing: tuple[AppUnderTest, Inbox],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    app, inbox = mailing
    investigator = _with_email(
        app, app.person("raadsonderzoeker", office=OFFICE), "onderzoeker@example.nl"
    )
    due = _approved(app, investigator, _case())
    _notify_env(app, monkeypatch, f"smtp://127.0.0.1:{free_port()}")  # nobody listens there
    with time_machine.travel(due.isoformat() + " 09:00 +0100", tick=False):
        assert main(["notify"]) == 1
    assert "mailserver" in capsys.readouterr().err
    with Session(app.engine) as session:
        assert session.get(DueNotice, investigator.id) is None
    _notify_env(app, monkeypatch, app.settings.smtp_url or "")
    with time_machine.travel(due.isoformat() + " 10:00 +0100", tick=False):
        assert main(["notify"]) == 0  # tried again, and now sent
    assert "1 melding verstuurd" in capsys.readouterr().out
    assert len(inbox.wait_for(1)) == 1


def test_kb_notify_without_a_mail_server_says_so(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("KB_SMTP_URL", raising=False)
    assert main(["notify"]) == 1
    assert "KB_SMTP_URL" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("address", "accepted"),
    [("naam@example.nl", True), ("", True), ("geen-adres", False), ("a@b", False)],
)
def test_an_invitation_takes_an_optional_email_address(
    isolated: Callable[..., AppUnderTest], address: str, accepted: bool
) -> None:
    app = isolated()
    admin = app.client(app.person("beheerder"))
    answer = admin.post(
        "/api/v1/accounts",
        json={"username": "nieuw-1", "role": "loketmedewerker", "municipality": "Utrecht"}
        | {"email": address},
    )
    if accepted:
        assert answer.status_code == 201, answer.text
        assert answer.json()["account"]["email"] == (address or None)
    else:
        assert answer.status_code == 422
        assert answer.json()["errors"][0]["loc"][-1] == "email"
