"""Mijn account (`/account`): every signed-in user changes their own password, which ends their
other sessions and tokens, and sets or removes the address of their e-mail notices."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from bs4 import BeautifulSoup, Tag
from httpx import Response
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from kb.auth.models import Account, AuditEntry
from tests.factories import COURT
from tests.helpers import AppUnderTest, Person, csrf_token, sign_in

NEW = "vlinder-kompas-regenton-fluit"


def _post(client: TestClient[Litestar], path: str, **fields: str) -> Response:
    data = {"_csrf_token": csrf_token(client, "/account"), **fields}
    return client.post(path, data=data, follow_redirects=False)


def _change(client: TestClient[Litestar], current: str, new: str, repeat: str) -> Response:
    return _post(
        client,
        "/account/wachtwoord",
        current_password=current,
        new_password=new,
        new_password_repeat=repeat,
    )


def _events(app: AppUnderTest, person: Person, action: str) -> list[AuditEntry]:
    with Session(app.engine) as session:
        query = (
            select(AuditEntry)
            .where(AuditEntry.action == action, AuditEntry.object_id == person.username)
            .order_by(AuditEntry.id)
        )
        return list(session.scalars(query))


def _field_errors(response: Response) -> dict[str, str]:
    soup = BeautifulSoup(response.text, "html.parser")
    found = {}
    for error in soup.select("p.field-error"):
        field = str(error["id"]).removeprefix("account-").removesuffix("-fout")
        found[field] = error.get_text(" ", strip=True).removeprefix("Fout: ")
        control = soup.find(id=f"account-{field}")
        assert isinstance(control, Tag) and control.get("aria-invalid") == "true"
    return found


@pytest.mark.parametrize("role", ["rechter", "redacteur", "beheerder", "loketmedewerker"])
def test_every_signed_in_role_has_an_account_page(shared_app: AppUnderTest, role: str) -> None:
    scope = {"rechter": {"court": COURT}, "loketmedewerker": {"municipality": "Utrecht"}}
    person = shared_app.person(role, **scope.get(role, {}))
    page = shared_app.client(person).get("/account")
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    assert person.username in page.text and 'href="/account"' in page.text
    assert "wachtwoord" in page.text.lower()


def test_a_visitor_is_sent_to_sign_in(shared_app: AppUnderTest) -> None:
    answer = shared_app.client().get("/account", follow_redirects=False)
    assert answer.status_code in (302, 303) and "/aanmelden" in answer.headers["location"]


def test_changing_the_password_ends_other_sessions_and_tokens_and_keeps_this_one(
    isolated: Callable[..., AppUnderTest],
) -> None:
    # A database of its own: the failed sign-in below counts against the test clients' one
    # address, which the shared database's other tests sign in from.
    shared_app = isolated()
    person = shared_app.person("rechter", court=COURT)
    here, elsewhere = shared_app.client(person), shared_app.client(person)
    token = shared_app.token(person)
    api = shared_app.client()
    me = {"Authorization": f"Bearer {token}"}
    assert api.get("/api/v1/auth/me", headers=me).status_code == 200

    changed = _change(here, person.password, NEW, NEW)
    assert changed.status_code == 303 and changed.headers["location"] == "/account"
    page = here.get("/account")
    assert page.status_code == 200 and "Uw wachtwoord is gewijzigd" in page.text
    assert here.get("/werk").status_code == 200  # this session goes on
    assert elsewhere.get("/werk", follow_redirects=False).status_code in (302, 303)
    assert api.get("/api/v1/auth/me", headers=me).status_code == 401

    assert sign_in(shared_app.client(), person.username, person.password).status_code == 200
    assert sign_in(shared_app.client(), person.username, NEW).status_code == 303
    (event,) = _events(shared_app, person, "account.password_change")
    # Each signed-in client holds a token too: theirs and the one asked for above.
    assert event.detail == {"via": "web", "tokens_revoked": 3}
    assert NEW not in repr(event.detail) and person.password not in repr(event.detail)


@pytest.mark.parametrize(
    ("current", "new", "repeat", "field", "message"),
    [
        pytest.param(
            "verkeerd-wachtwoord", NEW, NEW, "current_password", "niet uw huidige", id="wrong"
        ),
        pytest.param(None, "aaaaaaaaaaaa", "aaaaaaaaaaaa", "new_password", "", id="weak"),
        pytest.param(None, NEW, NEW + "x", "new_password_repeat", "niet gelijk", id="repeat"),
        pytest.param(None, None, None, "new_password", "ander wachtwoord", id="the-same"),
    ],
)
def test_a_refused_change_says_why_on_its_field_and_changes_nothing(
    isolated: Callable[..., AppUnderTest],
    current: str | None,
    new: str | None,
    repeat: str | None,
    field: str,
    message: str,
) -> None:
    shared_app = isolated()  # a wrong password counts against the clients' address
    person = shared_app.person("raadsonderzoeker", office="Raad Utrecht")
    client = shared_app.client(person)
    answer = _change(
        client, current or person.password, new or person.password, repeat or person.password
    )
    assert answer.status_code == 422
    errors = _field_errors(answer)
    assert list(errors) == [field] and message in errors[field]
    assert client.get("/werk").status_code == 200
    assert sign_in(shared_app.client(), person.username, person.password).status_code == 303
    assert _events(shared_app, person, "account.password_change") == []


def test_the_notice_address_is_set_and_removed_and_audited_without_it(
    shared_app: AppUnderTest,
) -> None:
    person = shared_app.person("gedragsdeskundige", office="Raad Utrecht")
    client = shared_app.client(person)

    def stored() -> str | None:
        with Session(shared_app.engine) as session:
            account = session.scalars(
                select(Account).where(Account.username == person.username)
            ).one()
            return account.email

    refused = _post(client, "/account/e-mail", email="geen-adres")
    assert refused.status_code == 422 and "geldig e-mailadres" in _field_errors(refused)["email"]
    assert 'value="geen-adres"' in refused.text and stored() is None

    assert _post(client, "/account/e-mail", email=" p.jansen@example.nl ").status_code == 303
    assert stored() == "p.jansen@example.nl"
    assert 'value="p.jansen@example.nl"' in client.get("/account").text
    assert _post(client, "/account/e-mail", email="").status_code == 303
    assert stored() is None
    events = _events(shared_app, person, "account.email")
    assert [e.detail["email"] for e in events] == [True, False]
    assert "example.nl" not in repr([e.detail for e in events])


def test_the_forms_need_their_form_token(shared_app: AppUnderTest) -> None:
    client = shared_app.client(shared_app.person("redacteur"))
    answer = client.post("/account/e-mail", data={"email": "x@example.nl"})
    assert answer.status_code == 403
