"""Account rules: create and disable accounts, sign in, issue tokens, find the user of a request.

Nothing here knows about HTTP; errors are the domain errors of `kb.errors`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from redis import Redis
from sqlalchemy import Engine, Select, bindparam, delete, func, select, update
from sqlalchemy.orm import Session

from kb.access import CurrentUser, roles_for
from kb.auth import audit
from kb.auth.models import Account, ApiToken, AuditEntry, Invitation
from kb.auth.schemas import (
    AccountOut,
    AuditEntryOut,
    AuditPage,
    InvitationOut,
    NewAccount,
    NewInvitation,
    TokenOut,
    parse_email,
    password_problem,
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
from kb.db import standalone
from kb.errors import (
    ConflictError,
    FieldError,
    InvalidCredentialsError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
    TooManyAttemptsError,
)
from kb.metrics import SIGN_IN_FAILURES
from kb.settings import Settings

__all__ = ["ACTIVATION_PATH", "CONFIRMED_ROLES", "AccountService", "AuthConfig", "UserLookup"]

Clock = Callable[[], dt.datetime]
# Accounts of the roles that read case content become active only when a second beheerder
# confirms them (domain §9.6): whoever handed out the activation link could have used it.
# Beheerder accounts too: otherwise one beheerder could invite a second beheerder account of
# their own and confirm their own invitations with it.
CONFIRMED_ROLES = roles_for("analysis.read") | {"beheerder"}
ACTIVATION_PATH = "/activeren/"
_NO_INVITATION = (
    "Deze activeringslink is ongeldig, verlopen of al gebruikt. Vraag de beheerder om een nieuwe."
)


@dataclass(frozen=True)
class AuthConfig:
    """Everything the account rules take from the settings, built once per application."""

    passwords: Passwords
    token_lifetime: dt.timedelta
    max_failures: int
    failure_window: dt.timedelta
    redis: Redis | None = None
    invitation_lifetime: dt.timedelta = dt.timedelta(hours=72)

    @classmethod
    def from_settings(cls, settings: Settings) -> AuthConfig:
        return cls(
            passwords=Passwords(settings.password_hashing),
            token_lifetime=dt.timedelta(minutes=settings.token_minutes),
            max_failures=settings.sign_in_max_failures,
            failure_window=dt.timedelta(minutes=settings.sign_in_window_minutes),
            redis=Redis.from_url(settings.redis_url) if settings.redis_url else None,
            invitation_lifetime=dt.timedelta(hours=settings.invitation_hours),
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
        account = self._add_account(
            new, password_hash=self._config.passwords.hash(new.password), active=True, demo=demo
        )
        self._audit(
            "account.create",
            account.username,
            by,
            address,
            {"role": account.role, "via": "web" if by else "cli"},
        )
        return AccountOut.model_validate(account)

    def _add_account(self, new: NewAccount | NewInvitation, **state: Any) -> Account:
        """Add the account `new` describes, with `state` (password, activity, who made it);
        `ConflictError` when the name is taken."""
        if self.find(new.username) is not None:
            raise ConflictError(f"De gebruikersnaam ‘{new.username}’ bestaat al.")
        account = Account(
            username=new.username,
            display_name=new.display_name,
            role=new.role,
            court=new.court,
            office=new.office,
            municipality=new.municipality,
            email=new.email,
            auth_version=1,
            created_at=self._clock(),
            **state,
        )
        self._session.add(account)
        self._session.flush()
        return account

    def accounts(self) -> list[AccountOut]:
        rows = self._session.execute(select(Account).order_by(Account.username)).scalars()
        return [AccountOut.model_validate(account) for account in rows]

    def disable(
        self, username: str, *, by: audit.Actor | None, address: str | None = None
    ) -> AccountOut:
        """Disable an account and end its sessions and tokens at once."""
        account = self._account(username)
        if by is not None and by.id == account.id:
            raise ConflictError("U kunt uw eigen account niet uitschakelen.")
        if account.disabled_at is None:
            account.active = False
            account.disabled_at = self._clock()
            account.auth_version += 1  # every session made before now no longer matches
            self._session.execute(delete(ApiToken).where(ApiToken.account_id == account.id))
            self._audit(
                "account.disable", account.username, by, address, {"via": "web" if by else "cli"}
            )
        return AccountOut.model_validate(account)

    # --- Invitations ----------------------------------------------------------------------

    def invite(
        self,
        new: NewInvitation,
        *,
        by: audit.Actor | None,
        address: str | None = None,
        link_base: str,
    ) -> InvitationOut:
        """An account without a password and a one-time activation link for its user.

        Nobody but the user learns the password: they choose it on the activation page. An
        account of a role that reads case content also needs a second beheerder (`confirm`).
        """
        account = self._add_account(
            new,
            password_hash="",
            active=False,
            created_by_id=by.id if by else None,
            needs_confirmation=new.role in CONFIRMED_ROLES,
        )
        return self._new_invitation(account, by, address, link_base, "account.invite")

    def invite_again(
        self, username: str, *, by: audit.Actor | None, address: str | None = None, link_base: str
    ) -> InvitationOut:
        """A new activation link for an account not yet activated; earlier links stop working."""
        account = self._account(username)
        if account.has_password or account.disabled_at is not None:
            raise ConflictError(
                f"Account ‘{account.username}’ is al geactiveerd of uitgeschakeld; "
                "een nieuwe activeringslink is niet nodig."
            )
        now = self._clock()
        self._session.execute(
            update(Invitation)
            .where(Invitation.account_id == account.id, Invitation.used_at.is_(None))
            .values(expires_at=now)
        )
        return self._new_invitation(account, by, address, link_base, "account.invite_again")

    def _new_invitation(
        self,
        account: Account,
        by: audit.Actor | None,
        address: str | None,
        link_base: str,
        action: str,
    ) -> InvitationOut:
        now = self._clock()
        token = new_token()
        expires_at = now + self._config.invitation_lifetime
        self._session.add(
            Invitation(
                account_id=account.id,
                token_hash=token_digest(token),
                created_at=now,
                expires_at=expires_at,
                created_by_id=by.id if by else None,
            )
        )
        self._audit(
            action,
            account.username,
            by,
            address,
            {
                "role": account.role,
                "via": "web" if by else "cli",
                "expires_at": expires_at.isoformat(),
                "needs_confirmation": account.needs_confirmation,
            },
            now=now,
        )
        return InvitationOut(
            account=AccountOut.model_validate(account),
            activation_url=link_base.rstrip("/") + ACTIVATION_PATH + token,
            expires_at=expires_at,
        )

    def invited_account(self, token: str) -> AccountOut:
        """The account an activation link is for; `NotFoundError` when the link is unknown,
        expired or used."""
        return AccountOut.model_validate(self._open_invitation(token)[1])

    def _open_invitation(self, token: str) -> tuple[Invitation, Account]:
        row = self._session.execute(
            select(Invitation, Account)
            .join(Account, Account.id == Invitation.account_id)
            .where(
                Invitation.token_hash == token_digest(token),
                Invitation.used_at.is_(None),
                Invitation.expires_at > self._clock(),
                Account.disabled_at.is_(None),
                Account.password_hash == "",
            )
        ).first()
        if row is None:
            raise NotFoundError(_NO_INVITATION)
        return row[0], row[1]

    def activate(self, token: str, password: str, *, address: str | None = None) -> AccountOut:
        """The user sets their own password through their activation link, which then stops
        working. Raises `NotFoundError` for a bad link, `InvalidInputError` for a weak password."""
        invitation, account = self._open_invitation(token)
        problem = password_problem(password, (account.username, account.role))
        if problem:
            raise InvalidInputError(
                "Het wachtwoord is niet ingesteld.", [FieldError(("password",), problem)]
            )
        now = self._clock()
        # Claimed with a conditional update, so two requests with one link cannot both use it.
        claimed = self._session.execute(
            update(Invitation)
            .where(Invitation.id == invitation.id, Invitation.used_at.is_(None))
            .values(used_at=now)
        )
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            raise NotFoundError(_NO_INVITATION)
        account.password_hash = self._config.passwords.hash(password)
        account.activated_at = now
        account.active = not account.needs_confirmation or account.confirmed_at is not None
        self._audit(
            "account.activate",
            account.username,
            account,
            address,
            {"via": "web", "active": account.active},
            now=now,
        )
        return AccountOut.model_validate(account)

    def confirm(self, username: str, *, by: audit.Actor, address: str | None = None) -> AccountOut:
        """A second beheerder confirms an activated account of a case-reading role.

        Refused (and audited) for whoever invited the account or issued one of its links.
        """
        account = self._account(username)
        if not account.needs_confirmation or account.confirmed_at is not None:
            raise ConflictError(f"Account ‘{account.username}’ hoeft niet bevestigd te worden.")
        if account.disabled_at is not None:
            raise ConflictError(f"Account ‘{account.username}’ is uitgeschakeld.")
        if not account.has_password:
            raise ConflictError(
                f"Account ‘{account.username}’ is nog niet geactiveerd. Bevestig het nadat de "
                "gebruiker zelf een wachtwoord heeft ingesteld."
            )
        issuers = set(
            self._session.execute(
                select(Invitation.created_by_id).where(Invitation.account_id == account.id)
            ).scalars()
        )
        if by.id == account.created_by_id or by.id in issuers:
            self._audit("account.confirm_refused", account.username, by, address, {"via": "web"})
            self._session.commit()  # the refusal is kept although the request ends in an error
            raise PermissionDeniedError(
                "U heeft dit account zelf uitgenodigd. Een tweede beheerder moet het bevestigen."
            )
        now = self._clock()
        account.confirmed_by_id = by.id
        account.confirmed_at = now
        account.active = True
        self._audit("account.confirm", account.username, by, address, {"via": "web"}, now=now)
        return AccountOut.model_validate(account)

    def _account(self, username: str) -> Account:
        account = self.find(username)
        if account is None:
            raise NotFoundError(f"Er is geen account ‘{username}’.")
        return account

    # --- Signing in -----------------------------------------------------------------------

    def authenticate(
        self, username: str, password: str, *, address: str | None, via: str
    ) -> Account:
        """The account for these credentials, with the same error for every kind of wrong.

        The attempt is counted before the password is checked and taken back when it is right,
        so parallel attempts cannot all slip under the limit (finding 7).

        Raises:
            TooManyAttemptsError: the account or the address failed too often recently.
            InvalidCredentialsError: unknown user, wrong password or inactive account alike.
        """
        now = self._clock()
        name = username.strip().lower()
        if any(ord(char) < 32 for char in name):
            # No account has such a name (see `_USERNAME`), and PostgreSQL cannot even hold a
            # NUL to look for it, count it or audit it: answered as any wrong name, unchecked.
            SIGN_IN_FAILURES.labels("credentials").inc()
            raise InvalidCredentialsError()
        keys = [f"user:{name}"] + ([f"addr:{address}"] if address else [])
        counter = self._config.sign_in_counter(self._session)
        attempt = counter.reserve(keys, now)
        if attempt.wait:
            SIGN_IN_FAILURES.labels("throttled").inc()
            raise TooManyAttemptsError(attempt.wait)
        account = self.find(name)
        matched = self._config.passwords.verify(
            account.password_hash if account else None, password
        )
        if account is None or not matched or not account.active:
            self._audit("auth.sign_in_failed", name, None, address, {"via": via}, now=now)
            # The failure must count although this request ends in an error (which rolls back).
            self._session.commit()
            SIGN_IN_FAILURES.labels("credentials").inc()
            raise InvalidCredentialsError()
        counter.release(attempt)
        counter.reset(f"user:{name}")
        if self._config.passwords.needs_rehash(account.password_hash):
            account.password_hash = self._config.passwords.hash(password)
        return account

    def sign_in(self, username: str, password: str, *, address: str | None) -> dict[str, int]:
        """Check the credentials for a page session; returns what the session holds, with the
        moment of signing in (`at`, seconds) that the absolute limit counts from."""
        account = self.authenticate(username, password, address=address, via="web")
        now = self._clock()
        self._audit("auth.sign_in", account.username, account, address, {"via": "web"}, now=now)
        return {"uid": account.id, "av": account.auth_version, "at": int(now.timestamp())}

    # --- One's own account -------------------------------------------------------------

    def change_password(
        self, user: CurrentUser, current: str, new: str, repeat: str, *, address: str | None
    ) -> dict[str, int]:
        """The signed-in user changes their own password, knowing the current one (counted as
        a sign-in attempt, so it cannot be guessed here either). Every other session and every
        API token of the account stop working; returns the data of the page session that
        continues, with the moment of signing in unchanged (the absolute limit still counts).

        Raises:
            InvalidInputError: the current password is wrong, or the new one is weak, differs
                from its repetition or is the current one.
            TooManyAttemptsError: too many wrong passwords recently.
        """
        try:
            account = self.authenticate(user.username, current, address=address, via="web")
        except InvalidCredentialsError:
            wrong = FieldError(("current_password",), "Dit is niet uw huidige wachtwoord.")
            raise InvalidInputError("Het wachtwoord is niet gewijzigd.", [wrong]) from None
        problem = self._new_password_problem(account, new, repeat)
        if problem is not None:
            raise InvalidInputError("Het wachtwoord is niet gewijzigd.", [problem])
        account.password_hash = self._config.passwords.hash(new)
        account.auth_version += 1  # every other session made before now no longer matches
        revoked = self._session.execute(delete(ApiToken).where(ApiToken.account_id == account.id))
        tokens = int(getattr(revoked, "rowcount", 0) or 0)
        detail = {"via": "web", "tokens_revoked": tokens}
        self._audit("account.password_change", account.username, user, address, detail)
        return {"uid": account.id, "av": account.auth_version}

    def _new_password_problem(self, account: Account, new: str, repeat: str) -> FieldError | None:
        problem = password_problem(new, (account.username, account.role))
        if problem is not None:
            return FieldError(("new_password",), problem)
        if new != repeat:
            return FieldError(
                ("new_password_repeat",), "De twee nieuwe wachtwoorden zijn niet gelijk."
            )
        if self._config.passwords.verify(account.password_hash, new):
            return FieldError(("new_password",), "Kies een ander wachtwoord dan uw huidige.")
        return None

    def own_account(self, user: CurrentUser) -> AccountOut:
        """The signed-in user's own account, as its page shows it."""
        return AccountOut.model_validate(self._account(user.username))

    def set_email(self, user: CurrentUser, value: Any, *, address: str | None) -> AccountOut:
        """The signed-in user sets (or, empty, removes) the address of their e-mail notices.
        Audited without the address itself."""
        errors: list[FieldError] = []
        email = parse_email(value, errors)
        if errors:
            raise InvalidInputError("Het e-mailadres is niet opgeslagen.", errors)
        account = self._account(user.username)
        account.email = email
        detail = {"via": "web", "email": email is not None}
        self._audit("account.email", account.username, user, address, detail)
        return AccountOut.model_validate(account)

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

    def __init__(
        self,
        engine: Engine,
        clock: Clock = utcnow,
        session_limit: dt.timedelta = dt.timedelta(hours=12),
    ) -> None:
        self._engine = engine
        self._clock = clock
        self._session_limit = session_limit

    def from_session(self, data: Mapping[str, Any]) -> CurrentUser | None:
        """The user of a page session, until the absolute limit after signing in: the store's
        idle limit is renewed by every request, so on its own a session could last forever."""
        uid, version, signed_in_at = data.get("uid"), data.get("av"), data.get("at")
        if not all(isinstance(value, int) for value in (uid, version, signed_in_at)):
            return None
        assert isinstance(signed_in_at, int)
        age = self._clock() - dt.datetime.fromtimestamp(signed_in_at, dt.UTC)
        if age >= self._session_limit or age < -dt.timedelta(minutes=5):
            return None
        return self._first(self._BY_SESSION, {"uid": uid, "av": version}, via="session")

    def from_token(self, token: str) -> CurrentUser | None:
        parameters = {"digest": token_digest(token), "now": self._clock()}
        return self._first(self._BY_TOKEN, parameters, via="token")

    def _first(
        self, query: Select[Any], parameters: dict[str, Any], via: Literal["session", "token"]
    ) -> CurrentUser | None:
        with standalone(self._engine) as connection:
            row = connection.execute(query, parameters).first()
        return None if row is None else CurrentUser(**row._mapping, via=via)
