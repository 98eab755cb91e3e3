"""Start-up: demo accounts in demo mode, and the refusals outside it."""

from __future__ import annotations

import secrets

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from kb.auth.models import Account
from kb.auth.schemas import NewAccount
from kb.auth.service import AccountService, AuthConfig
from kb.db import read_meta, write_meta
from kb.errors import StartupRefusedError
from kb.settings import Settings

__all__ = [
    "DEMO_ACCOUNTS",
    "DEMO_PASSWORD",
    "check_startup",
    "csrf_secret",
    "prepare_accounts",
    "seed_demo_accounts",
]

# Published on purpose: demo mode is for trying the application, never for real families.
DEMO_PASSWORD = "kennisbank-demo"
# Their names say they are demo accounts, also where a report prints them.
DEMO_ACCOUNTS: tuple[NewAccount, ...] = (
    NewAccount(
        "rechter", "rechter", DEMO_PASSWORD, court="Rechtbank Amsterdam", display_name="mr. Demo"
    ),
    NewAccount(
        "onderzoeker",
        "raadsonderzoeker",
        DEMO_PASSWORD,
        office="Raad Amsterdam",
        display_name="R. Demo",
    ),
    NewAccount(
        "gedragsdeskundige",
        "gedragsdeskundige",
        DEMO_PASSWORD,
        office="Raad Amsterdam",
        display_name="dr. G. Demo",
    ),
    NewAccount("loket", "loketmedewerker", DEMO_PASSWORD, municipality="Amsterdam"),
    NewAccount("redacteur", "redacteur", DEMO_PASSWORD),
    NewAccount("beheerder", "beheerder", DEMO_PASSWORD),
)
MIN_SECRET_LENGTH = 32
_DEMO_SECRET_KEY = "demo_csrf_secret"


def seed_demo_accounts(session: Session, config: AuthConfig) -> None:
    """Create the demo accounts that do not exist yet."""
    service = AccountService(session, config)
    for new in DEMO_ACCOUNTS:
        if service.find(new.username) is None:
            service.create(new, by=None, demo=True)


def check_startup(settings: Settings, session: Session) -> None:
    """Refuse to serve with settings or accounts that are only fit for a demonstration, or
    with a Redis that does not answer."""
    if settings.redis_url:
        from redis import Redis
        from redis.exceptions import RedisError

        with Redis.from_url(settings.redis_url) as client:
            try:
                client.ping()
            except RedisError as exc:
                raise StartupRefusedError(
                    f"KB_REDIS_URL is ingesteld, maar Redis antwoordt niet: {exc}"
                ) from exc
    if settings.demo:
        return
    if not settings.secret_key or len(settings.secret_key) < MIN_SECRET_LENGTH:
        raise StartupRefusedError(
            f"KB_SECRET_KEY ontbreekt of is korter dan {MIN_SECRET_LENGTH} tekens. Buiten de "
            "demomodus is een geheime sleutel verplicht; maak er een met\n"
            "  python -c 'import secrets; print(secrets.token_urlsafe(48))'\n"
            "of start de demo met KB_DEMO=1."
        )
    if settings.password_hashing == "CHEAPEST":
        raise StartupRefusedError(
            "KB_PASSWORD_HASHING=CHEAPEST is alleen voor tests; laat de instelling weg."
        )
    demo_accounts = (
        session.execute(
            select(Account.username).where(Account.demo.is_(True), Account.active.is_(True))
        )
        .scalars()
        .all()
    )
    if demo_accounts:
        names = ", ".join(demo_accounts)
        raise StartupRefusedError(
            f"De database bevat actieve demo-accounts met een bekend wachtwoord ({names}). "
            "Schakel ze uit met `kb users disable NAAM` of start de demo met KB_DEMO=1."
        )


def prepare_accounts(settings: Settings, engine: Engine, config: AuthConfig) -> None:
    """At start-up: seed the demo accounts (demo mode), then refuse what is unsafe."""
    with Session(engine) as session:
        if settings.demo:
            seed_demo_accounts(session, config)
        check_startup(settings, session)
        csrf_secret(settings, session)
        session.commit()


def csrf_secret(settings: Settings, session: Session) -> str:
    """The secret that signs CSRF tokens: KB_SECRET_KEY, or in demo mode one kept in the
    database, so that every worker of a demo uses the same one."""
    if settings.secret_key:
        return settings.secret_key
    stored = read_meta(session, _DEMO_SECRET_KEY)
    if stored is None:
        stored = secrets.token_urlsafe(48)
        write_meta(session, _DEMO_SECRET_KEY, stored)
        session.commit()
    return stored
