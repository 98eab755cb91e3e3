"""An account's display name: the name a report prints for its investigator and approver.

Given when the account is invited (beheer form, API, `kb users invite --display-name`); optional,
so that accounts made before it keep working and show their username.
"""

from __future__ import annotations

import os

import pytest
from alembic import command
from bs4 import BeautifulSoup
from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from kb.auth.models import Account
from kb.cli import main
from kb.db import alembic_config, make_engine, migrate
from kb.settings import Settings
from tests.helpers import AppUnderTest, csrf_token


def _stored(app: AppUnderTest, username: str) -> str | None:
    with Session(app.engine) as session:
        return session.execute(
            select(Account.display_name).where(Account.username == username)
        ).scalar_one()


def _name() -> str:
    return f"onderz-{os.urandom(3).hex()}"


def test_an_invitation_through_the_api_carries_the_display_name(
    shared_app: AppUnderTest,
) -> None:
    admin = shared_app.client(shared_app.person("beheerder"))
    username = _name()
    body = {
        "username": username,
        "role": "raadsonderzoeker",
        "office": "Raad Utrecht",
        "display_name": "  S.   de Vries ",
    }
    response = admin.post("/api/v1/accounts", json=body)
    assert response.status_code == 201, response.text
    assert response.json()["account"]["display_name"] == "S. de Vries"  # spaces tidied
    assert _stored(shared_app, username) == "S. de Vries"
    listed = {a["username"]: a for a in admin.get("/api/v1/accounts").json()}
    assert listed[username]["display_name"] == "S. de Vries"


@pytest.mark.parametrize(
    ("display_name", "problem"),
    [
        pytest.param("x" * 121, "hoogstens 120 tekens", id="too-long"),
        pytest.param("S. de\x07Vries", "teken dat niet kan", id="control-character"),
    ],
)
def test_a_display_name_that_cannot_be_printed_is_refused(
    shared_app: AppUnderTest, display_name: str, problem: str
) -> None:
    admin = shared_app.client(shared_app.person("beheerder"))
    body = {"username": _name(), "role": "redacteur", "display_name": display_name}
    response = admin.post("/api/v1/accounts", json=body)
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert any(problem in e["msg"] and "display_name" in str(e["loc"]) for e in errors), errors


def test_the_beheer_form_asks_for_the_name_and_keeps_it(shared_app: AppUnderTest) -> None:
    admin = shared_app.client(shared_app.person("beheerder"))
    form = BeautifulSoup(admin.get("/beheer/accounts/nieuw").text, "html.parser")
    field = form.find("input", attrs={"name": "display_name"})
    assert field is not None and form.find("label", attrs={"for": field["id"]}) is not None
    username = _name()
    data = {
        "_csrf_token": csrf_token(admin, "/beheer/accounts/nieuw"),
        "username": username,
        "role": "gedragsdeskundige",
        "office": "Raad Utrecht",
        "display_name": "dr. A. Bakker",
    }
    assert admin.post("/beheer/accounts", data=data).status_code == 201
    assert _stored(shared_app, username) == "dr. A. Bakker"


def test_invite_on_the_command_line_with_a_display_name(
    empty_database: str, tmp_path: object, monkeypatch: pytest.MonkeyPatch, settings: Settings
) -> None:
    monkeypatch.setenv("KB_DATABASE_URL", empty_database)
    monkeypatch.setenv("KB_DATA_DIR", str(tmp_path))
    monkeypatch.chdir(str(tmp_path))
    args = ["users", "invite", "k.jansen", "--role", "rechter", "--court", "Rechtbank Den Haag"]
    assert main([*args, "--display-name", "mr. K. Jansen"]) == 0
    engine = make_engine(settings.model_copy(update={"database_url": empty_database}))
    try:
        with Session(engine) as session:
            account = session.execute(
                select(Account).where(Account.username == "k.jansen")
            ).scalar_one()
            assert account.display_name == "mr. K. Jansen"
    finally:
        engine.dispose()


def test_the_display_name_migration_goes_down_and_up(
    settings: Settings, empty_database: str
) -> None:
    engine = make_engine(settings.model_copy(update={"database_url": empty_database}))

    def columns() -> set[str]:
        return {c["name"] for c in inspect(engine).get_columns("account")}

    try:
        migrate(engine)
        assert "display_name" in columns()
        command.downgrade(alembic_config(engine), "0007")
        assert "display_name" not in columns()
        migrate(engine)
        assert "display_name" in columns()
    finally:
        engine.dispose()
