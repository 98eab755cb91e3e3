"""HTTP for accounts: sign-in pages, the token API, and the beheerder's account and audit pages."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from litestar import Controller, Request, delete, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_201_CREATED
from sqlalchemy.orm import Session

from kb.access import Caller
from kb.auth.schemas import (
    MIN_PASSWORD_LENGTH,
    AccountOut,
    AuditPage,
    InvitationOut,
    InvitationRequest,
    Me,
    TokenOut,
    TokenRequest,
    parse_invitation,
)
from kb.auth.service import AccountService, AuthConfig
from kb.auth.startup import DEMO_ACCOUNTS, DEMO_PASSWORD
from kb.errors import (
    ConflictError,
    FieldError,
    InvalidCredentialsError,
    InvalidInputError,
    TooManyAttemptsError,
)
from kb.web.auth import client_address, current_user, requires, requires_sign_in
from kb.web.operations import operation
from kb.web.pages import (
    NO_STORE,
    AnyRequest,
    FormData,
    alternate,
    first_values,
    page,
    redirect_with_notice,
    take_notice,
)
from kb.web.sessions import end_session, start_session

__all__ = [
    "AccountPages",
    "ActivationPages",
    "AdminApi",
    "AuthApi",
    "AuthPages",
    "OwnAccountPages",
    "auth_template_globals",
]

AUDIT_PER_PAGE = 50
AuditPageNumber = Annotated[
    int, QueryParameter(name="page", ge=1, le=100_000, description="vanaf 1")
]


def provide_account_service(
    db_session: NamedDependency[Session], auth_config: NamedDependency[AuthConfig]
) -> AccountService:
    return AccountService(db_session, auth_config)


_SERVICE = {"service": Provide(provide_account_service, sync_to_thread=False)}


def _link_base(request: AnyRequest) -> str:
    """Where activation links point: the site the beheerder is using."""
    return str(request.base_url).rstrip("/")


def _safe_next(target: str | None) -> str:
    """Only a path on this site, so the sign-in form cannot be used to send people elsewhere."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return "/"
    return target


# --- Sign-in and sign-out pages -----------------------------------------------------------


class AuthPages(Controller):
    include_in_schema = False
    dependencies = _SERVICE

    @get("/aanmelden", sync_to_thread=False)
    def sign_in_form(self, next: FromQuery[str | None] = None) -> Template:
        return page("auth/sign_in.html", next=_safe_next(next), username="", errors=[])

    @post("/aanmelden", sync_to_thread=True)
    def sign_in(
        self,
        request: Request[Any, Any, Any],
        service: NamedDependency[AccountService],
        data: FormData,
    ) -> Template | Redirect:
        values = first_values(data)
        username = values.get("username", "").strip()
        password = values.get("password", "")
        target = _safe_next(values.get("next"))
        errors = [
            FieldError((name,), message)
            for name, given, message in (
                ("username", username, "Vul uw gebruikersnaam in."),
                ("password", password, "Vul uw wachtwoord in."),
            )
            if not given
        ]
        status, headers = 200, {}
        if not errors:
            try:
                session_data = service.sign_in(username, password, address=client_address(request))
            except InvalidCredentialsError as exc:
                errors.append(FieldError(("username",), exc.detail))
            except TooManyAttemptsError as exc:
                errors.append(FieldError(("username",), exc.detail))
                status, headers = 429, {"Retry-After": str(exc.retry_after)}
            else:
                start_session(request, session_data)
                # With no page asked for, the work list (it sends roles without one home).
                return Redirect("/werk" if target == "/" else target, status_code=303)
        return page(
            "auth/sign_in.html", status, headers, next=target, username=username, errors=errors
        )

    @post("/afmelden", sync_to_thread=True)
    def sign_out(
        self, request: Request[Any, Any, Any], service: NamedDependency[AccountService]
    ) -> Redirect:
        user = current_user(request)
        if user is not None:
            service.sign_out(user, address=client_address(request))
        end_session(request)
        return Redirect("/", status_code=303)


# --- Activating an invited account -------------------------------------------------------


def _activation_form(
    token: str, account: AccountOut, errors: list[FieldError], status_code: int = 200
) -> Template:
    return page(
        "auth/activate.html",
        status_code,
        NO_STORE,
        token=token,
        account=account,
        errors=errors,
        min_password_length=MIN_PASSWORD_LENGTH,
    )


class ActivationPages(Controller):
    """The page of a one-time activation link, where an invited user sets their own password."""

    path = "/activeren"
    include_in_schema = False
    dependencies = _SERVICE

    @get("/{token:str}", sync_to_thread=True)
    def activation_form(
        self, service: NamedDependency[AccountService], token: FromPath[str]
    ) -> Template:
        return _activation_form(token, service.invited_account(token), [])

    @post("/{token:str}", sync_to_thread=True)
    def activate(
        self,
        request: Request[Any, Any, Any],
        service: NamedDependency[AccountService],
        token: FromPath[str],
        data: FormData,
    ) -> Template:
        values = first_values(data)
        password = values.get("password", "")
        account = service.invited_account(token)
        if password != values.get("password_repeat", ""):
            error = FieldError(("password_repeat",), "De twee wachtwoorden zijn niet gelijk.")
            return _activation_form(token, account, [error], 422)
        try:
            activated = service.activate(token, password, address=client_address(request))
        except InvalidInputError as exc:
            return _activation_form(token, account, exc.errors, 422)
        return page("auth/activated.html", headers=NO_STORE, account=activated)


# --- One's own account -------------------------------------------------------------------


def _own_account_form(
    account: AccountOut,
    errors: list[FieldError],
    status_code: int = 200,
    notice: str | None = None,
    email: str | None = None,
) -> Template:
    return page(
        "auth/account.html",
        status_code,
        NO_STORE,
        account=account,
        errors=errors,
        notice=notice,
        email=account.email if email is None else email,
        min_password_length=MIN_PASSWORD_LENGTH,
    )


class OwnAccountPages(Controller):
    """Mijn account: any signed-in user changes their own password and notice address."""

    path = "/account"
    include_in_schema = False
    dependencies = _SERVICE
    guards = [requires_sign_in]

    @get("/", sync_to_thread=True)
    def account(
        self,
        request: Request[Any, Any, Any],
        service: NamedDependency[AccountService],
        caller: NamedDependency[Caller],
    ) -> Template:
        own = service.own_account(caller.user)
        return _own_account_form(own, [], notice=take_notice(request))

    @post("/wachtwoord", sync_to_thread=True)
    def change_password(
        self,
        request: Request[Any, Any, Any],
        service: NamedDependency[AccountService],
        caller: NamedDependency[Caller],
        data: FormData,
    ) -> Template | Redirect:
        values = first_values(data)
        try:
            session_data = service.change_password(
                caller.user,
                values.get("current_password", ""),
                values.get("new_password", ""),
                values.get("new_password_repeat", ""),
                address=caller.address,
            )
        except InvalidInputError as exc:
            return _own_account_form(service.own_account(caller.user), exc.errors, 422)
        except TooManyAttemptsError as exc:
            errors = [FieldError(("current_password",), exc.detail)]
            form = _own_account_form(service.own_account(caller.user), errors, 429)
            form.headers["Retry-After"] = str(exc.retry_after)
            return form
        # This session goes on under a new id; the others ended with the old password.
        start_session(request, {**session_data, "at": request.session.get("at")})
        return redirect_with_notice(
            request,
            "/account",
            "Uw wachtwoord is gewijzigd. Op andere apparaten bent u afgemeld, en uw API-tokens "
            "werken niet meer.",
        )

    @post("/e-mail", sync_to_thread=True)
    def set_email(
        self,
        request: Request[Any, Any, Any],
        service: NamedDependency[AccountService],
        caller: NamedDependency[Caller],
        data: FormData,
    ) -> Template | Redirect:
        given = first_values(data).get("email", "")
        try:
            changed = service.set_email(caller.user, given, address=caller.address)
        except InvalidInputError as exc:
            own = service.own_account(caller.user)
            return _own_account_form(own, exc.errors, 422, email=given)
        notice = (
            "Uw e-mailadres voor meldingen is opgeslagen."
            if changed.email
            else "U krijgt geen e-mailmeldingen meer: er staat geen e-mailadres bij uw account."
        )
        return redirect_with_notice(request, "/account", notice)


# --- Token API ----------------------------------------------------------------------------


Service = NamedDependency[AccountService]
ISSUE = operation(
    "Vraag een token aan",
    401,
    429,
    texts={401: "Onbekende gebruiker of verkeerd wachtwoord: hetzelfde antwoord."},
    description="Met gebruikersnaam en wachtwoord; stuur het token daarna mee als "
    "Authorization: Bearer <token>.",
    status_code=200,
)
REVOKE = operation("Trek het meegestuurde token in", 401, signed_in=True)
ME = operation("Wie ben ik: rol, werkgebied en rechten", 401, signed_in=True, sync_to_thread=False)
ACCOUNTS = operation("Alle accounts (zonder wachtwoorden)", 401, 403, action="accounts.manage")
INVITE = operation(
    "Nodig iemand uit: een account met een eenmalige activeringslink",
    401,
    403,
    409,
    422,
    action="accounts.manage",
    texts={
        409: "De gebruikersnaam bestaat al.",
        422: "Velden kloppen niet (een wachtwoord meesturen kan niet: dat kiest de gebruiker).",
    },
    description="De gebruiker kiest zelf een wachtwoord via de link (72 uur geldig, één keer "
    "te gebruiken). Een account van een rol die zaakinhoud leest (rechter, raadsonderzoeker, "
    "gedragsdeskundige) wordt pas actief als een tweede beheerder het bevestigt.",
    status_code=HTTP_201_CREATED,
)
INVITE_AGAIN = operation(
    "Nieuwe activeringslink voor een account dat nog niet is geactiveerd",
    401,
    403,
    404,
    409,
    action="accounts.manage",
    texts={409: "Het account is al geactiveerd of uitgeschakeld."},
    description="Eerdere links van dit account werken daarna niet meer.",
    status_code=HTTP_201_CREATED,
)
CONFIRM = operation(
    "Bevestig als tweede beheerder een account dat zaakinhoud leest",
    401,
    403,
    404,
    409,
    action="accounts.manage",
    texts={
        403: "U nodigde dit account zelf uit (of gaf er een link voor uit): een andere "
        "beheerder moet bevestigen.",
        409: "Het account hoeft niet bevestigd te worden, is uitgeschakeld of nog niet "
        "geactiveerd.",
    },
    status_code=200,
)
AUDIT = operation(
    "Auditlog: alleen metagegevens, nooit zaakinhoud", 401, 403, action="audit.read_metadata"
)


class AuthApi(Controller):
    path = "/api/v1/auth"
    tags = ["Accounts"]
    dependencies = _SERVICE

    @post("/token", **ISSUE)
    def issue_token(
        self, request: AnyRequest, service: Service, data: JSONBody[TokenRequest]
    ) -> TokenOut:
        return service.issue_token(data.username, data.password, address=client_address(request))

    @delete("/token", **REVOKE)
    def revoke_token(self, service: Service, caller: NamedDependency[Caller]) -> None:
        service.sign_out(caller.user, address=caller.address)

    @get("/me", **ME)
    def me(self, caller: NamedDependency[Caller]) -> Me:
        return Me.model_validate(caller.user)


# --- Beheer: accounts and audit metadata --------------------------------------------------


def _account_form(
    values: Mapping[str, str], errors: list[FieldError], status_code: int = 200
) -> Template:
    shown = {k: v for k, v in values.items() if k != "_csrf_token"}
    return page("admin/account_new.html", status_code, values=shown, errors=errors)


def _invitation_page(invitation: InvitationOut) -> Template:
    # The link is secret: shown this once, kept by no cache, and not in the session.
    return page("admin/invitation.html", 201, NO_STORE, invitation=invitation)


class AccountPages(Controller):
    path = "/beheer"
    include_in_schema = False
    dependencies = _SERVICE

    @get("/accounts", guards=[requires("accounts.manage")], sync_to_thread=True)
    def accounts(
        self, request: Request[Any, Any, Any], service: NamedDependency[AccountService]
    ) -> Template:
        return page(
            "admin/accounts.html",
            headers=alternate("/api/v1/accounts"),
            accounts=service.accounts(),
            notice=take_notice(request),
        )

    @get("/accounts/nieuw", guards=[requires("accounts.manage")], sync_to_thread=False)
    def new_account_form(self) -> Template:
        return _account_form({}, [])

    @post("/accounts", guards=[requires("accounts.manage")], sync_to_thread=True)
    def invite(
        self,
        request: Request[Any, Any, Any],
        service: NamedDependency[AccountService],
        caller: NamedDependency[Caller],
        data: FormData,
    ) -> Template:
        """An invitation, never a password: a `password` field in the form is ignored."""
        values = first_values(data)
        try:
            invitation = service.invite(
                parse_invitation(values),
                by=caller.user,
                address=caller.address,
                link_base=_link_base(request),
            )
        except InvalidInputError as exc:
            return _account_form(values, exc.errors, 422)
        except ConflictError as exc:
            return _account_form(values, [FieldError(("username",), exc.detail)], 409)
        return _invitation_page(invitation)

    @post(
        "/accounts/{username:str}/uitnodiging",
        guards=[requires("accounts.manage")],
        sync_to_thread=True,
    )
    def invite_again(
        self,
        request: Request[Any, Any, Any],
        service: NamedDependency[AccountService],
        caller: NamedDependency[Caller],
        username: FromPath[str],
    ) -> Template:
        invitation = service.invite_again(
            username, by=caller.user, address=caller.address, link_base=_link_base(request)
        )
        return _invitation_page(invitation)

    @post(
        "/accounts/{username:str}/bevestigen",
        guards=[requires("accounts.manage")],
        sync_to_thread=True,
    )
    def confirm(
        self,
        request: Request[Any, Any, Any],
        service: NamedDependency[AccountService],
        caller: NamedDependency[Caller],
        username: FromPath[str],
    ) -> Redirect:
        confirmed = service.confirm(username, by=caller.user, address=caller.address)
        notice = f"Account ‘{confirmed.username}’ is bevestigd en nu actief."
        return redirect_with_notice(request, "/beheer/accounts", notice)

    @post(
        "/accounts/{username:str}/uitschakelen",
        guards=[requires("accounts.manage")],
        sync_to_thread=True,
    )
    def disable_account(
        self,
        request: Request[Any, Any, Any],
        service: NamedDependency[AccountService],
        caller: NamedDependency[Caller],
        username: FromPath[str],
    ) -> Redirect:
        disabled = service.disable(username, by=caller.user, address=caller.address)
        notice = (
            f"Account ‘{disabled.username}’ is uitgeschakeld; "
            "de sessies en tokens ervan werken niet meer."
        )
        return redirect_with_notice(request, "/beheer/accounts", notice)

    @get("/audit", guards=[requires("audit.read_metadata")], sync_to_thread=True)
    def audit(
        self, service: NamedDependency[AccountService], page_number: AuditPageNumber = 1
    ) -> Template:
        return page(
            "admin/audit.html",
            headers=alternate(f"/api/v1/audit?page={page_number}"),
            result=service.audit_page(page_number, AUDIT_PER_PAGE),
        )


class AdminApi(Controller):
    path = "/api/v1"
    tags = ["Beheer"]
    dependencies = _SERVICE

    @get("/accounts", **ACCOUNTS)
    def accounts(self, service: Service) -> list[AccountOut]:
        return service.accounts()

    @post("/accounts", **INVITE)
    def invite(
        self,
        request: AnyRequest,
        service: Service,
        caller: NamedDependency[Caller],
        data: JSONBody[InvitationRequest],
    ) -> InvitationOut:
        return service.invite(
            parse_invitation(data.model_dump()),
            by=caller.user,
            address=caller.address,
            link_base=_link_base(request),
        )

    @post("/accounts/{username:str}/invitation", **INVITE_AGAIN)
    def invite_again(
        self,
        request: AnyRequest,
        service: Service,
        caller: NamedDependency[Caller],
        username: FromPath[str],
    ) -> InvitationOut:
        return service.invite_again(
            username, by=caller.user, address=caller.address, link_base=_link_base(request)
        )

    @post("/accounts/{username:str}/confirm", **CONFIRM)
    def confirm(
        self, service: Service, caller: NamedDependency[Caller], username: FromPath[str]
    ) -> AccountOut:
        return service.confirm(username, by=caller.user, address=caller.address)

    @get("/audit", **AUDIT)
    def audit(self, service: Service, page_number: AuditPageNumber = 1) -> AuditPage:
        return service.audit_page(page_number, AUDIT_PER_PAGE)


# --- Templates ----------------------------------------------------------------------------

AUDIT_ACTION_LABELS: Mapping[str, str] = {
    "analysis.list": "analyses bekeken (lijst)",
    "auth.sign_in": "aangemeld",
    "auth.sign_in_failed": "aanmelden mislukt",
    "auth.sign_out": "afgemeld",
    "auth.token_issued": "token uitgegeven",
    "account.create": "account aangemaakt",
    "account.invite": "account uitgenodigd",
    "account.invite_again": "nieuwe activeringslink",
    "account.activate": "account geactiveerd (wachtwoord gekozen)",
    "account.confirm": "account bevestigd",
    "account.confirm_refused": "bevestiging geweigerd (eigen uitnodiging)",
    "account.disable": "account uitgeschakeld",
    "analysis.create": "analyse aangemaakt",
    "analysis.read": "analyse gelezen",
    "analysis.edit": "analyse gewijzigd",
    "analysis.submit": "analyse ter accordering",
    "analysis.approve": "analyse geaccordeerd",
    "analysis.reassess": "herijking gestart",
    "analysis.refused": "analyse geweigerd (lezen of wijzigen)",
    "analysis.close": "zaak afgesloten (uitkomst vastgelegd)",
    "retention.purge": "afgesloten zaken verwijderd (bewaartermijn verstreken)",
}


def auth_template_globals(demo: bool) -> dict[str, Any]:
    """What the account pages and the sign-in form show: the audit's words, the demo accounts."""
    return {
        "audit_action_labels": AUDIT_ACTION_LABELS,
        "demo_accounts": DEMO_ACCOUNTS if demo else (),
        "demo_password": DEMO_PASSWORD,
    }
