"""Shapes of accounts, tokens and audit entries, and the validation of a new account."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, computed_field
from zxcvbn import zxcvbn

from kb.access import ACTIONS, Person, can
from kb.auth.models import DISPLAY_NAME_LENGTH
from kb.errors import FieldError, InvalidInputError, UnknownNameError
from kb.regions import register
from kb.vocabulary import COURTS, ROLES, Role

__all__ = [
    "MIN_PASSWORD_LENGTH",
    "AccountOut",
    "AuditEntryOut",
    "AuditPage",
    "InvitationOut",
    "InvitationRequest",
    "Me",
    "NewAccount",
    "NewInvitation",
    "TokenOut",
    "TokenRequest",
    "parse_invitation",
    "parse_new_account",
    "password_problem",
]

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024
# zxcvbn's scale runs 0-4; 3 is "safely unguessable" (about 10^10 guesses). zxcvbn only looks at
# the first 72 characters (it refuses longer input), which is more than any pattern needs.
MIN_PASSWORD_SCORE = 3
_ZXCVBN_MAX_LENGTH = 72
# zxcvbn's feedback is English; users get Dutch. Anything without a translation gets the
# general advice, never English.
_FEEDBACK_NL: Mapping[str, str] = {
    "Use a few words, avoid common phrases.": "Gebruik een paar woorden en vermijd bekende zinnen.",
    "Add another word or two. Uncommon words are better.": (
        "Voeg nog een of twee woorden toe; ongewone woorden zijn beter."
    ),
    "Straight rows of keys are easy to guess.": "Rijen toetsen naast elkaar zijn makkelijk te raden.",
    "Short keyboard patterns are easy to guess.": "Korte toetsenbordpatronen zijn makkelijk te raden.",
    "Use a longer keyboard pattern with more turns.": "Gebruik geen toetsenbordpatronen.",
    'Repeats like "aaa" are easy to guess.': "Herhalingen zoals ‘aaa’ zijn makkelijk te raden.",
    'Repeats like "abcabcabc" are only slightly harder to guess than "abc".': (
        "Herhalingen zoals ‘abcabcabc’ zijn nauwelijks moeilijker te raden dan ‘abc’."
    ),
    "Avoid repeated words and characters.": "Vermijd herhaalde woorden en tekens.",
    'Sequences like "abc" or "6543" are easy to guess.': (
        "Reeksen zoals ‘abc’ of ‘6543’ zijn makkelijk te raden."
    ),
    "Avoid sequences.": "Vermijd reeksen.",
    "Recent years are easy to guess.": "Recente jaartallen zijn makkelijk te raden.",
    "Avoid recent years.": "Vermijd recente jaartallen.",
    "Avoid years that are associated with you.": "Vermijd jaartallen die met u te maken hebben.",
    "Dates are often easy to guess.": "Datums zijn vaak makkelijk te raden.",
    "Avoid dates and years that are associated with you.": (
        "Vermijd datums en jaartallen die met u te maken hebben."
    ),
    "This is a top-10 common password.": "Dit is een van de tien meest gebruikte wachtwoorden.",
    "This is a top-100 common password.": "Dit is een van de honderd meest gebruikte wachtwoorden.",
    "This is a very common password.": "Dit is een veelgebruikt wachtwoord.",
    "This is similar to a commonly used password.": "Dit lijkt op een veelgebruikt wachtwoord.",
    "A word by itself is easy to guess.": "Een los woord is makkelijk te raden.",
    "Names and surnames by themselves are easy to guess.": (
        "Losse voor- en achternamen zijn makkelijk te raden."
    ),
    "Common names and surnames are easy to guess.": (
        "Veelvoorkomende namen zijn makkelijk te raden."
    ),
    "Capitalization doesn't help very much.": "Hoofdletters maken het nauwelijks sterker.",
    "All-uppercase is almost as easy to guess as all-lowercase.": (
        "Alleen hoofdletters is bijna even makkelijk te raden als alleen kleine letters."
    ),
    "Reversed words aren't much harder to guess.": (
        "Omgekeerde woorden zijn niet veel moeilijker te raden."
    ),
    "Predictable substitutions like '@' instead of 'a' don't help very much.": (
        "Voorspelbare vervangingen, zoals ‘@’ voor ‘a’, maken het nauwelijks sterker."
    ),
}
_GENERAL_ADVICE = "Gebruik bijvoorbeeld vier of vijf losse, ongewone woorden."
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
    display_name: str | None = None
    email: str | None = None


@dataclass(frozen=True)
class NewInvitation:
    """A validated request to invite someone: an account whose user chooses the password."""

    username: str
    role: Role
    court: str | None = None
    office: str | None = None
    municipality: str | None = None
    display_name: str | None = None
    email: str | None = None


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


def _account_fields(
    values: Mapping[str, Any],
) -> tuple[list[FieldError], str, str | None, dict[str, str | None]]:
    """The name, role and scope of a new account, with a Dutch message per wrong field."""
    errors: list[FieldError] = []
    username = (_clean(values.get("username")) or "").lower()
    role = _clean(values.get("role"))
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
    return errors, username, role, scope


def _display_name(values: Mapping[str, Any], errors: list[FieldError]) -> str | None:
    """The name reports print for the account's user; optional, one line of plain text."""
    name = _clean(values.get("display_name"))
    if name is None:
        return None
    name = " ".join(name.split())
    if len(name) > DISPLAY_NAME_LENGTH:
        errors.append(
            FieldError(
                ("display_name",), f"Gebruik voor de naam hoogstens {DISPLAY_NAME_LENGTH} tekens."
            )
        )
    elif not name.isprintable():
        errors.append(FieldError(("display_name",), "De naam bevat een teken dat niet kan."))
    return name


def parse_new_account(values: Mapping[str, Any]) -> NewAccount:
    """Validate a new account with its password (`kb users add`, which the operator runs to set
    up a server); raise `InvalidInputError` with a Dutch message per field."""
    errors, username, role, scope = _account_fields(values)
    display_name = _display_name(values, errors)
    password = str(values.get("password") or "")
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
    return NewAccount(
        username=username, role=role, password=password, display_name=display_name, **scope
    )


def parse_invitation(values: Mapping[str, Any]) -> NewInvitation:
    """Validate an invitation: an account without a password, which its user sets."""
    errors, username, role, scope = _account_fields(values)
    display_name = _display_name(values, errors)
    email = parse_email(values.get("email"), errors)
    if errors:
        raise InvalidInputError("De uitnodiging is niet aangemaakt.", errors)
    assert role in ROLES
    return NewInvitation(
        username=username, role=role, display_name=display_name, email=email, **scope
    )


# Enough to catch a typing error; whether the address works, only a mail to it can tell.
_EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s.]+(\.[^@\s.]+)+")
MAX_EMAIL = 254


def parse_email(value: Any, errors: list[FieldError]) -> str | None:
    """An optional e-mail address (for the notices of KB_SMTP_URL), or a Dutch message."""
    email = _clean(value)
    if email is None:
        return None
    if len(email) > MAX_EMAIL or not _EMAIL.fullmatch(email):
        errors.append(
            FieldError(
                ("email",),
                "Vul een geldig e-mailadres in, zoals naam@example.nl, of laat dit leeg.",
            )
        )
        return None
    return email


def password_problem(password: str, personal: tuple[str, ...] = ()) -> str | None:
    """Why `password` may not be chosen (in Dutch), or None when it may.

    For passwords people choose themselves through the site: at least `MIN_PASSWORD_LENGTH`
    characters, and hard to guess by zxcvbn's estimate, also given `personal` words (the user
    name, the role) that an attacker would try first.
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Het wachtwoord moet minstens {MIN_PASSWORD_LENGTH} tekens lang zijn."
    if len(password) > MAX_PASSWORD_LENGTH:
        return "Het wachtwoord is te lang."
    words = [*personal, "kennisbank", "scheiding", "kind", "wachtwoord"]
    result = zxcvbn(password[:_ZXCVBN_MAX_LENGTH], user_inputs=words)
    if result["score"] >= MIN_PASSWORD_SCORE:
        return None
    feedback = result["feedback"]
    texts = [feedback["warning"], *feedback["suggestions"]]
    dutch = [_FEEDBACK_NL[text] for text in texts if text in _FEEDBACK_NL] or [_GENERAL_ADVICE]
    return " ".join(["Dit wachtwoord is te makkelijk te raden.", *dutch])


class TokenRequest(BaseModel):
    """The body of `POST /api/v1/auth/token`."""

    username: str = Field(min_length=1, max_length=200)
    password: str = Field(min_length=1, max_length=MAX_PASSWORD_LENGTH)


class TokenOut(BaseModel):
    """A new bearer token; it is shown once and stored only as a hash."""

    token: str
    expires_at: dt.datetime


AccountStatus = Literal["active", "invited", "awaiting_confirmation", "disabled"]
STATUS_LABELS: Mapping[str, str] = {
    "active": "Actief",
    "invited": "Uitgenodigd",
    "awaiting_confirmation": "Wacht op bevestiging",
    "disabled": "Uitgeschakeld",
}


class AccountOut(Person):
    """An account as the beheerder sees it (never its password hash)."""

    id: int
    display_name: str | None = None
    active: bool
    demo: bool
    email: str | None = None
    created_at: dt.datetime
    disabled_at: dt.datetime | None
    created_by_id: int | None = None
    activated_at: dt.datetime | None = None
    needs_confirmation: bool = False
    confirmed_by_id: int | None = None
    confirmed_at: dt.datetime | None = None
    # invited (no password yet) → awaiting_confirmation (case-reading roles) → active; disabled
    # at any point (`Account.status`).
    status: AccountStatus = "active"

    @computed_field  # type: ignore[prop-decorator]
    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


class InvitationRequest(BaseModel):
    """The body of `POST /api/v1/accounts`: who to invite. There is no password field: the
    user chooses it on the activation page, and a body with one is refused."""

    model_config = ConfigDict(extra="forbid")

    username: str = Field(max_length=80)
    role: str = Field(max_length=40)
    court: str | None = Field(default=None, max_length=100)
    office: str | None = Field(default=None, max_length=100)
    municipality: str | None = Field(default=None, max_length=100)
    # Bounded loosely here, so that a name a little too long gets the Dutch message of
    # `parse_invitation` rather than a generic one.
    display_name: str | None = Field(
        default=None,
        max_length=4 * DISPLAY_NAME_LENGTH,
        description="De naam die rapporten tonen, bijvoorbeeld 'mr. J. de Vries'",
    )
    email: str | None = Field(
        default=None, max_length=254, description="Voor meldingen per e-mail (niet verplicht)"
    )


class InvitationOut(BaseModel):
    """A new invitation: the one-time activation link is shown this once and stored only as a
    hash. Hand it to the user yourself; it works once, until `expires_at`."""

    account: AccountOut
    activation_url: str
    expires_at: dt.datetime


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
