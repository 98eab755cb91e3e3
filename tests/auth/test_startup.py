"""Demo mode seeds one account per role; outside it, start-up refuses unsafe settings."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from kb.app import create_app, prepare
from kb.auth.models import Account
from kb.auth.startup import DEMO_ACCOUNTS, DEMO_PASSWORD
from kb.cli import _print_demo_accounts, main
from kb.errors import StartupRefusedError
from kb.search.base import SearchBackend
from kb.settings import Settings
from kb.vocabulary import ROLES
from tests.helpers import FIXTURE_CONTENT, SEARCH, AppUnderTest, sign_in

SECRET = "een-geheime-sleutel-van-minstens-32-tekens"


def _settings(database: str, folder: Path, **changes: object) -> Settings:
    values: dict[str, object] = {
        "data_dir": folder,
        "database_url": database,
        "content_dir": FIXTURE_CONTENT,
        "search_dir": SEARCH,
        "demo": False,
        "secret_key": SECRET,
        **changes,
    }
    return Settings(**values, _env_file=None)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        pytest.param({"secret_key": None}, "KB_SECRET_KEY ontbreekt", id="no-secret"),
        pytest.param({"secret_key": "te-kort"}, "KB_SECRET_KEY ontbreekt", id="short-secret"),
        pytest.param({"password_hashing": "CHEAPEST"}, "alleen voor tests", id="cheap-hashing"),
        pytest.param(
            {"redis_url": "redis://127.0.0.1:1/0"}, "Redis antwoordt niet", id="redis-unreachable"
        ),
    ],
)
def test_start_up_refuses_unsafe_settings_outside_demo_mode(
    changes: dict[str, object],
    message: str,
    empty_database: str,
    tmp_path: Path,
    prepared: tuple[Engine, SearchBackend],
) -> None:
    settings = _settings(empty_database, tmp_path, **changes)
    with pytest.raises(StartupRefusedError, match=message):
        prepare(settings)
    # Workers build their app with `create_app`, which checks again.
    with pytest.raises(StartupRefusedError, match=message):
        create_app(settings, *prepared)


def test_demo_mode_seeds_one_account_per_role(
    prepared: tuple[Engine, SearchBackend], shared_app: AppUnderTest
) -> None:
    engine, _ = prepared
    with Session(engine) as session:
        demo = session.execute(select(Account).where(Account.demo.is_(True))).scalars().all()
    assert sorted(a.role for a in demo) == sorted(ROLES)
    assert {a.username for a in demo} == {a.username for a in DEMO_ACCOUNTS}
    for account in DEMO_ACCOUNTS:
        client = shared_app.client()
        assert sign_in(client, account.username, DEMO_PASSWORD).status_code == 303


def test_start_up_refuses_active_demo_accounts_outside_demo_mode(
    empty_database: str, tmp_path: Path
) -> None:
    engine, _ = prepare(_settings(empty_database, tmp_path, demo=True, secret_key=None))
    engine.dispose()
    settings = _settings(empty_database, tmp_path)
    with pytest.raises(StartupRefusedError, match="demo-accounts") as refused:
        prepare(settings)
    assert all(a.username in str(refused.value) for a in DEMO_ACCOUNTS)

    # Disabled, the demo accounts no longer stand in the way.
    for account in DEMO_ACCOUNTS:
        _run_cli(["users", "disable", account.username], settings)
    engine, _ = prepare(settings)
    engine.dispose()


def _run_cli(argv: list[str], settings: Settings) -> int:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("KB_DATABASE_URL", settings.resolved_database_url)
        patch.setenv("KB_DATA_DIR", str(settings.data_dir))
        patch.chdir(settings.data_dir)
        return main(argv)


def test_kb_serve_refuses_with_a_clear_message_and_exit_code(
    empty_database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = _settings(empty_database, tmp_path, secret_key=None)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("KB_CONTENT_DIR", str(settings.content_dir))
        patch.setenv("KB_SEARCH_DIR", str(settings.search_dir))
        code = _run_cli(["serve"], settings)
    assert code == 1
    assert "KB_SECRET_KEY ontbreekt" in capsys.readouterr().err


def test_kb_serve_prints_the_demo_accounts(capsys: pytest.CaptureFixture[str]) -> None:
    _print_demo_accounts()
    out = capsys.readouterr().out
    assert DEMO_PASSWORD in out
    assert all(account.username in out for account in DEMO_ACCOUNTS)


def test_a_demo_page_shows_the_banner_and_the_demo_accounts(
    isolated: Callable[..., AppUnderTest],
) -> None:
    page = isolated().client().get("/aanmelden").text
    assert "DEMO" in page and DEMO_PASSWORD in page
