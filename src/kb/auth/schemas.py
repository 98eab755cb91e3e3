"""Shapes of accounts, tokens and audit entries, and the validation of a new account."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, computed_field

from kb.access import ACTIONS, Person, can
from kb.errors import FieldError, InvalidInputError, UnknownNameError
from kb.regions import register
from kb.vocabulary import COURTS, ROLES, Role

__all__ = [
    "MIN_PASSWORD_LENGTH",
    "AccountOut",
    "AuditEntryOut",
    "AuditPage",
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


def _official_municipality(name: str, errors: list[FieldError]) -> str | None:
    """A desk's municipality by its official name (domain.md §9.1), or "Bedoelde u …?"."""
    try:
        return register().resolve(name).name
    except UnknownNameError as exc:
        errors.append(FieldError(("municipality",), exc.detail))
        return None


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
    if scope["municipality"] is not None:
        scope["municipality"] = _official_municipality(scope["municipality"], errors)
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


class AccountOut(Person):
    """An account as the beheerder sees it (never its password hash)."""

    id: int
    active: bool
    demo: bool
    created_at: dt.datetime
    disabled_at: dt.datetime | None


class Me(Person):
    """`GET /api/v1/auth/me`: who the token belongs to, their scope and what they may do."""

    @computed_field  # type: ignore[prop-decorator]
    @property
    def permissions(self) -> list[str]:
        return [action for action in ACTIONS if can(self, action)]


class AuditEntryOut(BaseModel):
    """Audit metadata: who, in which role, did what to which object and version, when, from
    where. Deliberately without `detail`, so no case content can reach the beheerder."""

    model_config = ConfigDict(from_attributes=True)

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
