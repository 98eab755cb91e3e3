"""`kb users add/list/disable` as contracts.md names them."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from kb.auth.models import Account
from kb.cli import main

Kb = Callable[..., tuple[int, str, str]]


@pytest.fixture()
def kb(
    empty_database: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> Kb:
    """Runs `kb …` against a database of its own: `kb("users", "list", stdin="…")`."""
    monkeypatch.setenv("KB_DATABASE_URL", empty_database)
    monkeypatch.setenv("KB_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("KB_PASSWORD_HASHING", "CHEAPEST")
    monkeypatch.chdir(tmp_path)

    def run(*argv: str, stdin: str = "") -> tuple[int, str, str]:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        code = main(list(argv))
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


def test_add_list_and_disable(kb: Kb, empty_database: str) -> None:
    run = kb
    code, out, _ = run(
        "users", "add", "j.devries", "--role", "rechter", "--court", "Rechtbank Den Haag",
        "--password-stdin", stdin="een-lang-wachtwoord\n",
    )  # fmt: skip
    assert code == 0 and "j.devries" in out
    code, out, _ = run(
        "users", "add", "loket.delft", "--role", "loketmedewerker", "--municipality", "Delft",
        "--password-stdin", stdin="nog-een-lang-wachtwoord",
    )  # fmt: skip
    assert code == 0

    code, out, _ = run("users", "list")
    assert code == 0
    assert out.splitlines() == [
        "j.devries\trechter\tRechtbank Den Haag\tactief",
        "loket.delft\tloketmedewerker\tDelft\tactief",
    ]
    assert run("users", "disable", "j.devries")[0] == 0
    assert "j.devries\trechter\tRechtbank Den Haag\tuitgeschakeld" in run("users", "list")[1]

    engine = create_engine(empty_database)
    with Session(engine) as session:
        account = session.execute(
            select(Account).where(Account.username == "j.devries")
        ).scalar_one()
        assert account.password_hash.startswith("$argon2id$")
        assert "een-lang-wachtwoord" not in account.password_hash  # the newline was not kept either
    engine.dispose()


@pytest.mark.parametrize(
    ("argv", "stdin", "message"),
    [
        pytest.param(
            ["x", "--role", "rechter", "--password-stdin"],
            "een-lang-wachtwoord",
            "court: Vul de rechtbank in voor deze rol.",
            id="judge-without-court",
        ),
        pytest.param(
            ["x.y", "--role", "koning", "--password-stdin"],
            "een-lang-wachtwoord",
            "role: Kies een rol.",
            id="unknown-role",
        ),
        pytest.param(
            ["x.y", "--role", "redacteur", "--password-stdin"],
            "kort",
            "password: Het wachtwoord moet minstens 12 tekens lang zijn.",
            id="short-password",
        ),
        pytest.param(
            ["x.y", "--role", "redacteur", "--office", "Raad Utrecht", "--password-stdin"],
            "een-lang-wachtwoord",
            "office: Deze rol heeft geen Raad-vestiging; laat dit leeg.",
            id="scope-for-a-role-without-one",
        ),
        pytest.param(
            ["x.y", "--role", "rechter", "--court", "Rechtbank Atlantis", "--password-stdin"],
            "een-lang-wachtwoord",
            "court: Kies een van de elf rechtbanken.",
            id="unknown-court",
        ),
    ],
)
def test_add_refuses_bad_input_with_a_message_per_field(
    kb: Kb, argv: list[str], stdin: str, message: str
) -> None:
    code, _, err = kb("users", "add", *argv, stdin=stdin)
    assert code == 1
    assert message in err


def test_duplicate_and_unknown_names(kb: Kb) -> None:
    run = kb
    add = ("users", "add", "dubbel", "--role", "beheerder", "--password-stdin")
    assert run(*add, stdin="een-lang-wachtwoord")[0] == 0
    code, _, err = run(*add, stdin="een-lang-wachtwoord")
    assert code == 1 and "bestaat al" in err
    code, _, err = run("users", "disable", "niemand")
    assert code == 1 and "Er is geen account" in err


def test_the_password_must_come_from_standard_input(kb: Kb) -> None:
    with pytest.raises(SystemExit) as exited:
        kb("users", "add", "x.y", "--role", "beheerder")
    assert exited.value.code == 2
