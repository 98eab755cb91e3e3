"""Account rules: create and disable accounts, sign in, issue tokens, find the user of a request.

Nothing here knows about HTTP; errors are the domain errors of `kb.errors`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from redis import Redis
from sqlalchemy import Engine, Select, bindparam, delete, func, select
from sqlalchemy.orm import Session

from kb.access import CurrentUser
from kb.auth import audit
from kb.auth.models import Account, ApiToken, AuditEntry
from kb.auth.schemas import (
    AccountOut,
    AuditEntryOut,
    AuditPage,
    NewAccount,
    TokenOut,
)
from kb.auth.security import (
    DatabaseSignInCounter,
    Passwords,
    RedisSignInCounter,
    SignInCounter,
    new_token,
    token_digest,
)
from kb.clock import utcnow
from kb.errors import (
    ConflictError,
    InvalidCredentialsError,
    NotFoundError,
    TooManyAttemptsError,
)
from kb.settings import Settings

__all__ = ["AccountService", "AuthConfig", "UserLookup"]

Clock = Callable[[], dt.datetime]


@dataclass(frozen=True)
class AuthConfig:
    """Everything the account rules take from the settings, built once per application."""

    passwords: Passwords
    token_lifetime: dt.timedelta
    max_failures: int
    failure_window: dt.timedelta
    redis: Redis | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> AuthConfig:
        return cls(
            passwords=Passwords(settings.password_hashing),
            token_lifetime=dt.timedelta(minutes=settings.token_minutes),
            max_failures=settings.sign_in_max_failures,
            failure_window=dt.timedelta(minutes=settings.sign_in_window_minutes),
            redis=Redis.from_url(settings.redis_url) if settings.redis_url else None,
        )

    def sign_in_counter(self, session: Session) -> SignInCounter:
        """Redis when configured (shared by every host), else the request's database session."""
        if self.redis is not None:
            return RedisSignInCounter(self.redis, self.max_failures, self.failure_window)
        return DatabaseSignInCounter(session, self.max_failures, self.failure_window)


class AccountService:
    """Accounts, sign-in and tokens over one database session (the request's, or the CLI's)."""

    def __init__(self, session: Session, config: AuthConfig, clock: Clock = utcnow) -> None:
        self._session = session
        self._config = config
        self._clock = clock

    def _audit(
        self,
        action: str,
        username: str,
        by: audit.Actor | None,
        address: str | None,
        detail: dict[str, Any],
        now: dt.datetime | None = None,
    ) -> None:
        """An account event in the audit log, in this session's transaction."""
        audit.record(
            self._session,
            user=by,
            action=action,
            object_type="account",
            object_id=username,
            address=address,
            detail=detail,
            now=now,
        )

    # --- Accounts -------------------------------------------------------------------------

    def find(self, username: str) -> Account | None:
        query = select(Account).where(Account.username == username.strip().lower())
        return self._session.execute(query).scalar_one_or_none()

    def create(
        self,
        new: NewAccount,
        *,
        by: audit.Actor | None,
        address: str | None = None,
        demo: bool = False,
    ) -> AccountOut:
        """Create an account; `ConflictError` when the name is taken."""
        if self.find(new.username) is not None:
            raise ConflictError(f"De gebruikersnaam ‘{new.username}’ bestaat al.")
        account = Account(
            username=new.username,
            role=new.role,
            court=new.court,
            office=new.office,
            municipality=new.municipality,
            password_hash=self._config.passwords.hash(new.password),
            active=True,
            demo=demo,
            auth_version=1,
            created_at=self._clock(),
        )
        self._session.add(account)
        self._session.flush()
        self._audit(
            "account.create",
            account.username,
            by,
            address,
            {"role": account.role, "via": "web" if by else "cli"},
        )
        return AccountOut.model_validate(account)

    def accounts(self) -> list[AccountOut]:
        rows = self._session.execute(select(Account).order_by(Account.username)).scalars()
        return [AccountOut.model_validate(account) for account in rows]

    def disable(
        self, username: str, *, by: audit.Actor | None, address: str | None = None
    ) -> AccountOut:
        """Disable an account and end its sessions and tokens at once."""
        account = self.find(username)
        if account is None:
            raise NotFoundError(f"Er is geen account ‘{username}’.")
        if by is not None and by.id == account.id:
            raise ConflictError("U kunt uw eigen account niet uitschakelen.")
        if account.active:
            account.active = False
            account.disabled_at = self._clock()
            account.auth_version += 1  # every session made before now no longer matches
            self._session.execute(delete(ApiToken).where(ApiToken.account_id == account.id))
            self._audit(
                "account.disable", account.username, by, address, {"via": "web" if by else "cli"}
            )
        return AccountOut.model_validate(account)

    # --- Signing in -----------------------------------------------------------------------

    def authenticate(
        self, username: str, password: str, *, address: str | None, via: str
    ) -> Account:
        """The account for these credentials, with the same error for every kind of wrong.

        Raises:
            TooManyAttemptsError: the account or the address failed too often recently.
            InvalidCredentialsError: unknown user, wrong password or disabled account alike.
        """
        now = self._clock()
        name = username.strip().lower()
        keys = [f"user:{name}"] + ([f"addr:{address}"] if address else [])
        counter = self._config.sign_in_counter(self._session)
        wait = counter.retry_after(keys, now)
        if wait:
            raise TooManyAttemptsError(wait)
        account = self.find(name)
        matched = self._config.passwords.verify(
            account.password_hash if account else None, password
        )
        if account is None or not matched or not account.active:
            counter.record_failure(keys, now)
            self._audit("auth.sign_in_failed", name, None, address, {"via": via}, now=now)
            # The failure must count although this request ends in an error (which rolls back).
            self._session.commit()
            raise InvalidCredentialsError()
        counter.reset(f"user:{name}")
        if self._config.passwords.needs_rehash(account.password_hash):
            account.password_hash = self._config.passwords.hash(password)
        return account

    def sign_in(self, username: str, password: str, *, address: str | None) -> dict[str, int]:
        """Check the credentials for a page session; returns what the session holds."""
        account = self.authenticate(username, password, address=address, via="web")
        self._audit("auth.sign_in", account.username, account, address, {"via": "web"})
        return {"uid": account.id, "av": account.auth_version}

    def sign_out(self, user: CurrentUser, *, address: str | None) -> None:
        self._audit(
            "auth.sign_out",
            user.username,
            user,
            address,
            {"via": "web" if user.via == "session" else "api"},
        )
        if user.token_id is not None:
            self._session.execute(delete(ApiToken).where(ApiToken.id == user.token_id))

    def issue_token(self, username: str, password: str, *, address: str | None) -> TokenOut:
        """A new bearer token; only its hash is stored."""
        account = self.authenticate(username, password, address=address, via="api")
        now = self._clock()
        token = new_token()
        expires_at = now + self._config.token_lifetime
        self._session.execute(
            delete(ApiToken).where(ApiToken.account_id == account.id, ApiToken.expires_at <= now)
        )
        self._session.add(
            ApiToken(
                account_id=account.id,
                token_hash=token_digest(token),
                created_at=now,
                expires_at=expires_at,
            )
        )
        self._audit(
            "auth.token_issued",
            account.username,
            account,
            address,
            {"via": "api", "expires_at": expires_at.isoformat()},
        )
        return TokenOut(token=token, expires_at=expires_at)

    # --- Audit metadata -------------------------------------------------------------------

    def audit_page(self, page: int = 1, per_page: int = 50) -> AuditPage:
        """Audit metadata, newest first; never the `detail`."""
        total = int(self._session.execute(select(func.count(AuditEntry.id))).scalar_one())
        rows = self._session.execute(
            select(AuditEntry)
            .order_by(AuditEntry.id.desc())
            .offset((page - 1) * per_page)
            .limit(per_page)
        ).scalars()
        items = [AuditEntryOut.model_validate(row) for row in rows]
        return AuditPage(total=total, page=page, per_page=per_page, items=items)


class UserLookup:
    """Finds the user of a session or token on each request (`AuthMiddleware` calls it).

    One small query on a pooled connection, without an ORM session: it runs for every signed-in
    request, and building ORM objects cost more than the query itself.
    """

    _USER = select(
        Account.id,
        Account.username,
        Account.role,
        Account.court,
        Account.office,
        Account.municipality,
    ).where(Account.active.is_(True))
    _BY_SESSION = _USER.where(
        Account.id == bindparam("uid"), Account.auth_version == bindparam("av")
    )
    _BY_TOKEN = (
        _USER.add_columns(ApiToken.id.label("token_id"))
        .join(ApiToken, ApiToken.account_id == Account.id)
        .where(ApiToken.token_hash == bindparam("digest"), ApiToken.expires_at > bindparam("now"))
    )

    def __init__(self, engine: Engine, clock: Clock = utcnow) -> None:
        self._engine = engine
        self._clock = clock

    def from_session(self, data: Mapping[str, Any]) -> CurrentUser | None:
        uid, version = data.get("uid"), data.get("av")
        if not isinstance(uid, int) or not isinstance(version, int):
            return None
        return self._first(self._BY_SESSION, {"uid": uid, "av": version}, via="session")

    def from_token(self, token: str) -> CurrentUser | None:
        parameters = {"digest": token_digest(token), "now": self._clock()}
        return self._first(self._BY_TOKEN, parameters, via="token")

    def _first(
        self, query: Select[Any], parameters: dict[str, Any], via: Literal["session", "token"]
    ) -> CurrentUser | None:
        with self._engine.connect() as connection:
            row = connection.execute(query, parameters).first()
        return None if row is None else CurrentUser(**row._mapping, via=via)
