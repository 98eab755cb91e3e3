"""Shapes of accounts, tokens and audit entries, and the validation of a new account."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, computed_field

from kb.auth.permissions import ACTIONS, can
from kb.errors import FieldError, InvalidInputError
from kb.vocabulary import COURTS, ROLE_LABELS, ROLES, Role

__all__ = [
    "MIN_PASSWORD_LENGTH",
    "AccountOut",
    "AuditEntryOut",
    "AuditPage",
    "Caller",
    "CurrentUser",
    "Me",
    "NewAccount",
    "TokenOut",
    "TokenRequest",
    "parse_new_account",
]

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024
_USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,79}")

# Which scope attribute each role needs; every other role carries none.
SCOPE_OF_ROLE: Mapping[str, str] = {
    "rechter": "court",
    "raadsonderzoeker": "office",
    "gedragsdeskundige": "office",
    "loketmedewerker": "municipality",
}
_SCOPE_LABELS = {"court": "rechtbank", "office": "Raad-vestiging", "municipality": "gemeente"}


class _FromRow(BaseModel):
    """A shape read from a table row's attributes."""

    model_config = ConfigDict(from_attributes=True)


class _Person(_FromRow):
    """Who someone is: a name, one role, and the court, office or municipality it needs."""

    username: str
    role: str
    court: str | None = None
    office: str | None = None
    municipality: str | None = None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.role, self.role)


class CurrentUser(_Person):
    """The signed-in user of one request, as the guards and the case-level rules see them."""

    model_config = ConfigDict(frozen=True)

    id: int
    via: Literal["session", "token"] = "session"
    token_id: int | None = None

    @property
    def scope(self) -> str | None:
        """The court, office or municipality that limits what this user sees."""
        return self.court or self.office or self.municipality


@dataclass(frozen=True)
class Caller:
    """Who asks, from where (`address`), and through which door (`api`, `pagina`, …): what a
    service needs of a request to check access and write the audit trail."""

    user: CurrentUser
    address: str | None = None
    via: str = "api"


@dataclass(frozen=True)
class NewAccount:
    """A validated request to create an account (from the CLI or the beheer form)."""

    username: str
    role: Role
    password: str
    court: str | None = None
    office: str | None = None
    municipality: str | None = None


def _clean(value: Any) -> str | None:
    text = str(value).strip() if value is not None else ""
    return text or None


def parse_new_account(values: Mapping[str, Any]) -> NewAccount:
    """Validate a new account; raise `InvalidInputError` with a Dutch message per field."""
    errors: list[FieldError] = []
    username = (_clean(values.get("username")) or "").lower()
    role = _clean(values.get("role"))
    password = str(values.get("password") or "")
    scope = {name: _clean(values.get(name)) for name in ("court", "office", "municipality")}

    if not username:
        errors.append(FieldError(("username",), "Vul een gebruikersnaam in."))
    elif not _USERNAME.fullmatch(username):
        errors.append(
            FieldError(
                ("username",),
                "Gebruik 2 tot 80 kleine letters, cijfers, punten of streepjes, "
                "beginnend met een letter of cijfer.",
            )
        )
    if role not in ROLES:
        errors.append(FieldError(("role",), "Kies een rol."))
    needed = SCOPE_OF_ROLE.get(role or "")
    for name, value in scope.items():
        if name == needed and value is None:
            errors.append(FieldError((name,), f"Vul de {_SCOPE_LABELS[name]} in voor deze rol."))
        elif name != needed and value is not None and role in ROLES:
            errors.append(
                FieldError((name,), f"Deze rol heeft geen {_SCOPE_LABELS[name]}; laat dit leeg.")
            )
    if scope["court"] is not None and scope["court"] not in COURTS:
        errors.append(FieldError(("court",), "Kies een van de elf rechtbanken."))
    if len(password) < MIN_PASSWORD_LENGTH:
        errors.append(
            FieldError(
                ("password",),
                f"Het wachtwoord moet minstens {MIN_PASSWORD_LENGTH} tekens lang zijn.",
            )
        )
    elif len(password) > MAX_PASSWORD_LENGTH:
        errors.append(FieldError(("password",), "Het wachtwoord is te lang."))
    if errors:
        raise InvalidInputError("Het account is niet aangemaakt.", errors)
    assert role in ROLES
    return NewAccount(username=username, role=role, password=password, **scope)


class TokenRequest(BaseModel):
    """The body of `POST /api/v1/auth/token`."""

    username: str = Field(min_length=1, max_length=200)
    password: str = Field(min_length=1, max_length=MAX_PASSWORD_LENGTH)


class TokenOut(BaseModel):
    """A new bearer token; it is shown once and stored only as a hash."""

    token: str
    expires_at: dt.datetime


class AccountOut(_Person):
    """An account as the beheerder sees it (never its password hash)."""

    id: int
    active: bool
    demo: bool
    created_at: dt.datetime
    disabled_at: dt.datetime | None


class Me(_Person):
    """`GET /api/v1/auth/me`: who the token belongs to, their scope and what they may do."""

    @computed_field  # type: ignore[prop-decorator]
    @property
    def permissions(self) -> list[str]:
        return [action for action in ACTIONS if can(self, action)]


class AuditEntryOut(_FromRow):
    """Audit metadata: who, in which role, did what to which object and version, when, from
    where. Deliberately without `detail`, so no case content can reach the beheerder."""

    id: int
    at: dt.datetime
    actor: str | None
    role: str | None
    action: str
    object_type: str | None
    object_id: str | None
    version: int | None
    address: str | None


class AuditPage(BaseModel):
    """One page of the audit log, newest first."""

    total: int
    page: int
    per_page: int
    items: list[AuditEntryOut]
